//! The oracle keeper. Read side (any module may use it): [`params`], [`oracle_state`],
//! [`latest`], [`entries`], [`price`]. Write side (the oracle's own handler, end block and
//! genesis only): `put_state`, `put_entry`, `delete_entry`, [`init_genesis`].

use dcloud_store::{StateRead, StateWrite};
use dcloud_types::AccAddress;
use serde::Serialize;

use super::keys::{entries_prefix, entry_key, latest_key, STATE_KEY};
use super::msg::check_price;
use super::{Health, OracleError, OracleGenesis, OracleParams, OracleState, PriceEntry, NAME};
use crate::{get_params, set_params, AppError, BlockCtx};

fn corrupt(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::ChainState(format!("corrupt oracle {what}: {e}"))
}

fn to_json<T: Serialize>(v: &T) -> Result<Vec<u8>, AppError> {
    serde_json::to_vec(v).map_err(|e| AppError::InvalidRequest(e.to_string()))
}

// ---- read side ----

/// Params.
pub fn params(state: &dyn StateRead) -> Result<OracleParams, AppError> {
    get_params(state, NAME)
}

/// The evaluated state (health, aggregates).
pub fn oracle_state(state: &dyn StateRead) -> Result<OracleState, AppError> {
    match state.get(STATE_KEY)? {
        Some(b) => serde_json::from_slice(&b).map_err(|e| corrupt("state", e)),
        None => Ok(OracleState::default()),
    }
}

/// A source's latest observation.
pub fn latest(state: &dyn StateRead, source: &AccAddress) -> Result<Option<PriceEntry>, AppError> {
    match state.get(&latest_key(source))? {
        Some(b) => serde_json::from_slice(&b).map(Some).map_err(|e| corrupt("entry", e)),
        None => Ok(None),
    }
}

/// The observations of a source still kept, oldest first.
pub fn entries(state: &dyn StateRead, source: &AccAddress) -> Result<Vec<PriceEntry>, AppError> {
    state
        .prefix_range(&entries_prefix(source), None, usize::MAX)?
        .into_iter()
        .map(|(_, v)| serde_json::from_slice(&v).map_err(|e| corrupt("entry", e)))
        .collect()
}

/// The AKT price (atto-USD per AKT) if the oracle is healthy, else `PriceUnavailable`.
pub fn price(state: &dyn StateRead) -> Result<u128, AppError> {
    let s = oracle_state(state)?;
    match (s.health, s.price) {
        (Health::Healthy, Some(a)) if a.twap_atto > 0 => Ok(a.twap_atto),
        (Health::Healthy, _) => {
            Err(OracleError::PriceUnavailable("no price aggregated yet".into()).into())
        }
        (h, _) => Err(OracleError::PriceUnavailable(format!("akt/usd price is {h}")).into()),
    }
}

// ---- write side (oracle only) ----

/// Writes the evaluated state.
pub(super) fn put_state(state: &mut dyn StateWrite, s: &OracleState) -> Result<(), AppError> {
    state.put(STATE_KEY.to_vec(), to_json(s)?);
    Ok(())
}

/// Writes an observation and makes it its source's latest.
pub(super) fn put_entry(state: &mut dyn StateWrite, e: &PriceEntry) -> Result<(), AppError> {
    let v = to_json(e)?;
    state.put(entry_key(&e.source, e.timestamp_ms, e.height), v.clone());
    state.put(latest_key(&e.source), v);
    Ok(())
}

/// Deletes an observation (pruning).
pub(super) fn delete_entry(state: &mut dyn StateWrite, e: &PriceEntry) {
    state.delete(entry_key(&e.source, e.timestamp_ms, e.height));
}

/// Writes genesis: params and initial prices (height 0, timestamp 0).
pub fn init_genesis(state: &mut dyn StateWrite, g: &OracleGenesis) -> Result<(), AppError> {
    set_params(state, NAME, &g.params)?;
    for gp in &g.prices {
        let source: AccAddress =
            gp.source.parse().map_err(|e| AppError::InvalidAddress(format!("{e}")))?;
        let price_atto = check_price(&gp.price)?;
        put_entry(state, &PriceEntry { source, price_atto, timestamp_ms: 0, height: 0 })?;
    }
    // Evaluate once so a genesis price is usable from block 1's txs.
    super::end_block(state, &BlockCtx { height: 0, time_ms: 0 }, &mut Vec::new())
}
