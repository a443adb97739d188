//! Oracle queries: `params`; `price` ([`OraclePrice`]: health, usable price, aggregates and
//! every authorised source's latest observation).

use dcloud_store::StateRead;
use dcloud_types::{AccAddress, Dec};
use serde::{Deserialize, Serialize};

use crate::query::json;
use crate::{AppError, QueryCtx};

/// One source in the `/oracle/price` answer.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SourcePrice {
    /// The source.
    pub source: String,
    /// Its latest observation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest: Option<PriceView>,
}

/// An observation, with the price as a decimal.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PriceView {
    /// Decimal price (18 decimals).
    pub price: String,
    /// Observation time (ms).
    pub timestamp_ms: u64,
    /// Height of the block that included it.
    pub height: u64,
}

/// The `/oracle/price` answer.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct OraclePrice {
    /// `akt`.
    pub denom: String,
    /// `usd`.
    pub base_denom: String,
    /// `healthy`, `stale` or `deviation`.
    pub health: super::Health,
    /// The usable price (the healthy TWAP), decimal; absent unless healthy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<String>,
    /// The last healthy aggregate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub twap: Option<super::Aggregate>,
    /// The latest aggregate, whatever its health.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<super::Aggregate>,
    /// Every authorised source and its latest observation.
    pub sources: Vec<SourcePrice>,
}

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
