//! Mint queries: `params`; `inflation` ([`InflationView`]).

pub use super::types::InflationView;
use crate::query::json;
use crate::{bank, dec, staking, AppError, QueryCtx};

/// Answers `/mint/<path>`; `None` = not a mint path.
pub fn route(path: &str, _data: &[u8], q: &QueryCtx<'_>) -> Option<Result<Vec<u8>, AppError>> {
    match path {
        "params" => Some(super::params(q.state).and_then(|p| json(&p))),
        "inflation" => Some(inflation(q).and_then(|v| json(&v))),
        _ => None,
    }
}

fn inflation(q: &QueryCtx<'_>) -> Result<InflationView, AppError> {
    let snap = q.state;
    let m = super::minter(snap)?;
    let supply = bank::supply_of(snap, dcloud_types::DENOM_AKT)?;
    let bonded = staking::bonded_tokens(snap)?;
    let ratio = if supply == 0 { 0 } else { dec::mul_div_floor(bonded, dec::ATTO, supply)? };
    Ok(InflationView {
        inflation: dec::fmt_dec18(m.inflation),
        annual_provisions: dec::fmt_dec18(m.annual_provisions),
        bonded_ratio: dec::fmt_dec18(ratio),
        total_minted: m.total_minted,
    })
}
