//! The hooks staking calls around every validator and delegation change (the SDK's
//! distribution hooks): the only way another module changes distribution state.

use dcloud_store::StateWrite;
use dcloud_types::{AccAddress, Event};

use super::rewards::{flush_community, increment_period, pay, withdraw_rewards};
use super::state::*;
use super::{Historical, SlashEvent, StartingInfo, ValidatorDist};
use crate::dec::{self, ATTO};
use crate::{staking, AppError, BlockCtx};

/// A new validator: period 0 (ratio 0) and current period 1.
pub fn after_validator_created(state: &mut dyn StateWrite, v: &AccAddress) -> Result<(), AppError> {
    put_historical(state, v, 0, &Historical { cumulative_ratio: 0, reference_count: 1 })?;
    set_validator_dist(state, v, &ValidatorDist { current_period: 1, ..Default::default() })
}

/// Before a delegation is created: end the validator's period.
pub fn before_delegation_created(
    state: &mut dyn StateWrite,
    v: &AccAddress,
) -> Result<(), AppError> {
    increment_period(state, v).map(|_| ())
}

/// Before a delegation's shares change: withdraw its rewards.
pub fn before_delegation_shares_modified(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    d: &AccAddress,
    v: &AccAddress,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let _ = ctx;
    withdraw_rewards(state, d, v, events).map(|_| ())
}

/// After a delegation changed (and still exists): start it at the current period.
pub fn after_delegation_modified(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    d: &AccAddress,
    v: &AccAddress,
) -> Result<(), AppError> {
    let vd = validator_dist(state, v)?;
    let previous = vd.current_period.saturating_sub(1);
    change_ref(state, v, previous, true)?;
    let stake = staking::delegation_tokens(state, d, v)?;
    put_starting_info(
        state,
        d,
        v,
        &StartingInfo { previous_period: previous, stake, height: ctx.height },
    )
}

/// A validator was removed: its commission goes to the operator, any other outstanding
/// remainder to the community pool; its records are deleted.
pub fn after_validator_removed(
    state: &mut dyn StateWrite,
    v: &AccAddress,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let vd = validator_dist(state, v)?;
    let mut fp = fee_pool(state)?;
    let commission = vd.commission / ATTO;
    let to = withdraw_address(state, v)?;
    pay(state, &to, commission, events)?;
    fp.total_paid = dec::add(fp.total_paid, commission)?;
    let rest = dec::sub(vd.outstanding, commission * ATTO, "outstanding")?;
    fp.community_remainder = dec::add(fp.community_remainder, rest)?;
    fp.total_released = dec::add(fp.total_released, vd.outstanding)?;
    flush_community(state, &mut fp, events)?;
    set_fee_pool(state, &fp)?;
    delete_validator_records(state, v)
}

/// Before a validator's tokens are slashed by `fraction` (of its current tokens): ends
/// its period and records the slash event (which keeps that period's ratio alive).
pub fn before_validator_slashed(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    v: &AccAddress,
    fraction: u128,
) -> Result<(), AppError> {
    let period = increment_period(state, v)?;
    change_ref(state, v, period, true)?;
    put_slash_event(state, v, &SlashEvent { period, fraction, height: ctx.height })
}
