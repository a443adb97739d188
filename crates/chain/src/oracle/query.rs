//! Oracle queries: `params`; `price` ([`OraclePrice`]: health, usable price, aggregates and
//! every authorised source's latest observation).

use dcloud_store::StateRead;
use dcloud_types::{AccAddress, Dec};

pub use super::types::{OraclePrice, PriceView, SourcePrice};
use crate::query::json;
use crate::{AppError, QueryCtx};

/// Answers `/oracle/<path>`; `None` = not an oracle path.
pub fn route(path: &str, _data: &[u8], q: &QueryCtx<'_>) -> Option<Result<Vec<u8>, AppError>> {
    match path {
        "params" => Some(super::params(q.state).and_then(|p| json(&p))),
        "price" => Some(oracle_price(q.state).and_then(|p| json(&p))),
        _ => None,
    }
}

fn oracle_price(snap: &dyn StateRead) -> Result<OraclePrice, AppError> {
    let st = super::oracle_state(snap)?;
    let mut sources = Vec::new();
    for s in super::params(snap)?.sources {
        let latest = match s.parse::<AccAddress>() {
            Ok(a) => super::latest(snap, &a)?.map(|e| PriceView {
                price: Dec::from_atomics(e.price_atto).to_string(),
                timestamp_ms: e.timestamp_ms,
                height: e.height,
            }),
            Err(_) => None,
        };
        sources.push(SourcePrice { source: s, latest });
    }
    Ok(OraclePrice {
        denom: super::DENOM.into(),
        base_denom: super::BASE_DENOM.into(),
        health: st.health,
        price: super::price(snap).ok().map(|p| Dec::from_atomics(p).to_string()),
        twap: st.price,
        last: st.last,
        sources,
    })
}
