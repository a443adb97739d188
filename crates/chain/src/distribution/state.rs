//! Typed reads of the distribution state, then its writes (`pub(crate)`: other modules
//! change distribution state only through the hooks in `hooks.rs`).

use dcloud_store::{StateRead, StateWrite};
use dcloud_types::AccAddress;

use super::keys::*;
use super::{
    DistributionParams, FeePool, Historical, SlashEvent, StartingInfo, ValidatorDist, NAME,
};
use crate::dec::{get_json, put_json, scan};
use crate::{get_params, set_params, staking, AppError};

// ---------------------------------------------------------------------------------------
// Reads.

/// Params.
pub fn params(state: &dyn StateRead) -> Result<DistributionParams, AppError> {
    get_params(state, NAME)
}

/// The fee pool.
pub fn fee_pool(state: &dyn StateRead) -> Result<FeePool, AppError> {
    Ok(get_json(state, FEE_POOL, "fee pool")?.unwrap_or_default())
}

/// A validator's record.
pub fn validator_dist(state: &dyn StateRead, v: &AccAddress) -> Result<ValidatorDist, AppError> {
    Ok(get_json(state, &val_key(v), "validator distribution")?.unwrap_or_default())
}

/// The cumulative ratio record of a validator period (it must exist).
pub(crate) fn historical(
    state: &dyn StateRead,
    v: &AccAddress,
    period: u64,
) -> Result<Historical, AppError> {
    get_json(state, &hist_key(v, period), "historical rewards")?.ok_or_else(|| {
        AppError::ChainState(format!(
            "no historical rewards of {} period {period}",
            staking::valoper(v)
        ))
    })
}

/// The address a delegator's rewards go to.
pub fn withdraw_address(state: &dyn StateRead, d: &AccAddress) -> Result<AccAddress, AppError> {
    match state.get(&withdraw_key(d))? {
        Some(b) => AccAddress::from_bytes(&b)
            .map_err(|e| AppError::ChainState(format!("withdraw address: {e}"))),
        None => Ok(d.clone()),
    }
}

/// A validator's slash events with a period after `after`, oldest first.
pub fn slash_events(
    state: &dyn StateRead,
    v: &AccAddress,
    after: u64,
) -> Result<Vec<SlashEvent>, AppError> {
    let mut out = Vec::new();
    for (_, b) in scan(state, &slash_prefix(v))? {
        let e: SlashEvent = serde_json::from_slice(&b)
            .map_err(|e| AppError::ChainState(format!("corrupt slash event: {e}")))?;
        if e.period > after {
            out.push(e);
        }
    }
    Ok(out)
}

/// A delegation's starting info, if it has one.
pub(crate) fn starting_info(
    state: &dyn StateRead,
    d: &AccAddress,
    v: &AccAddress,
) -> Result<Option<StartingInfo>, AppError> {
    get_json(state, &start_key(d, v), "starting info")
}

// ---------------------------------------------------------------------------------------
// Writes.

/// Writes params (genesis).
pub fn init_genesis(state: &mut dyn StateWrite, p: &DistributionParams) -> Result<(), AppError> {
    set_params(state, NAME, p)
}

/// Stores the fee pool.
pub(crate) fn set_fee_pool(state: &mut dyn StateWrite, f: &FeePool) -> Result<(), AppError> {
    put_json(state, FEE_POOL.to_vec(), f)
}

/// Stores a validator's record.
pub(crate) fn set_validator_dist(
    state: &mut dyn StateWrite,
    v: &AccAddress,
    d: &ValidatorDist,
) -> Result<(), AppError> {
    put_json(state, val_key(v), d)
}

/// Adds (`up`) or drops a reference to a historical record; the last one deletes it.
pub(crate) fn change_ref(
    state: &mut dyn StateWrite,
    v: &AccAddress,
    period: u64,
    up: bool,
) -> Result<(), AppError> {
    let mut h = historical(state, v, period)?;
    if up {
        h.reference_count += 1;
    } else {
        h.reference_count = h.reference_count.saturating_sub(1);
    }
    if h.reference_count == 0 {
        state.delete(hist_key(v, period));
        Ok(())
    } else {
        put_json(state, hist_key(v, period), &h)
    }
}

/// Stores a validator's historical record for `period`.
pub(crate) fn put_historical(
    state: &mut dyn StateWrite,
    v: &AccAddress,
    period: u64,
    h: &Historical,
) -> Result<(), AppError> {
    put_json(state, hist_key(v, period), h)
}

/// Stores a delegation's starting info.
pub(crate) fn put_starting_info(
    state: &mut dyn StateWrite,
    d: &AccAddress,
    v: &AccAddress,
    s: &StartingInfo,
) -> Result<(), AppError> {
    put_json(state, start_key(d, v), s)
}

/// Stores a validator's slash event (keyed by the period it ended).
pub(crate) fn put_slash_event(
    state: &mut dyn StateWrite,
    v: &AccAddress,
    e: &SlashEvent,
) -> Result<(), AppError> {
    put_json(state, slash_event_key(v, e.period), e)
}

/// Deletes every record of a removed validator (its record, historical rewards, slash
/// events).
pub(crate) fn delete_validator_records(
    state: &mut dyn StateWrite,
    v: &AccAddress,
) -> Result<(), AppError> {
    state.delete(val_key(v));
    for (k, _) in scan(state, &hist_prefix(v))? {
        state.delete(k);
    }
    for (k, _) in scan(state, &slash_prefix(v))? {
        state.delete(k);
    }
    Ok(())
}

/// Sets a delegator's withdraw address (its own address clears it).
pub(crate) fn set_withdraw_address(state: &mut dyn StateWrite, d: &AccAddress, w: &AccAddress) {
    if w == d {
        state.delete(withdraw_key(d));
    } else {
        state.put(withdraw_key(d), w.as_bytes().to_vec());
    }
}

/// Deletes a delegation's starting info.
pub(crate) fn delete_starting_info(state: &mut dyn StateWrite, d: &AccAddress, v: &AccAddress) {
    state.delete(start_key(d, v));
}
