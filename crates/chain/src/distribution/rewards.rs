//! F1 reward accounting: ending a validator's period, a delegation's rewards between two
//! cumulative ratios (segment by segment across slash events), withdrawing them, and
//! paying out of the module account (sub-micro remainders go to the community pool).

use dcloud_store::{StateRead, StateWrite};
use dcloud_types::{AccAddress, Coin, Coins, Event, DENOM_AKT};

use super::events::withdraw_rewards_event;
use super::state::*;
use super::{DistributionError, FeePool, Historical, StartingInfo, COMMUNITY_POOL, MODULE_ACCOUNT};
use crate::dec::{self, mul_div_floor, ATTO};
use crate::{auth, bank, staking, AppError};

/// Pays `amount` micro-units of `uakt` from the module account.
pub(crate) fn pay(
    state: &mut dyn StateWrite,
    to: &AccAddress,
    amount: u128,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    if amount == 0 {
        return Ok(());
    }
    let coins = Coins::from_coins(vec![Coin::new(amount, DENOM_AKT)])?;
    bank::transfer(state, &auth::module_address(MODULE_ACCOUNT), to, &coins, events)
}

/// Moves whole micro-units of the community remainder into the community pool account.
pub(crate) fn flush_community(
    state: &mut dyn StateWrite,
    fp: &mut FeePool,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let whole = fp.community_remainder / ATTO;
    if whole > 0 {
        pay(state, &auth::module_address(COMMUNITY_POOL), whole, events)?;
        fp.community_remainder -= whole * ATTO;
        fp.total_to_community = dec::add(fp.total_to_community, whole)?;
    }
    Ok(())
}

/// Ends the validator's current period; returns it.
pub(crate) fn increment_period(
    state: &mut dyn StateWrite,
    v: &AccAddress,
) -> Result<u64, AppError> {
    let mut vd = validator_dist(state, v)?;
    let tokens = staking::get_validator(state, v)?.map_or(0, |x| x.tokens);
    let ratio = if let Some(r) = vd.current_rewards.checked_div(tokens) {
        r
    } else {
        // Nobody to pay: the period's rewards go to the community pool.
        if vd.current_rewards > 0 {
            let mut fp = fee_pool(state)?;
            fp.community_remainder = dec::add(fp.community_remainder, vd.current_rewards)?;
            fp.total_released = dec::add(fp.total_released, vd.current_rewards)?;
            vd.outstanding = dec::sub(vd.outstanding, vd.current_rewards, "outstanding")?;
            set_fee_pool(state, &fp)?;
        }
        0
    };
    let period = vd.current_period;
    let prev = historical(state, v, period - 1)?;
    put_historical(
        state,
        v,
        period,
        &Historical {
            cumulative_ratio: dec::add(prev.cumulative_ratio, ratio)?,
            reference_count: 1,
        },
    )?;
    change_ref(state, v, period - 1, false)?;
    vd.current_rewards = 0;
    vd.current_period = period + 1;
    set_validator_dist(state, v, &vd)?;
    Ok(period)
}

/// A delegation's rewards (18-decimal) from its start to `end_ratio`.
pub(crate) fn rewards_between(
    state: &dyn StateRead,
    d: &AccAddress,
    v: &AccAddress,
    start: &StartingInfo,
    end_ratio: u128,
) -> Result<u128, AppError> {
    let overflow = || AppError::Invariant("rewards overflow".into());
    let mut stake = start.stake;
    let mut from = historical(state, v, start.previous_period)?.cumulative_ratio;
    let mut rewards = 0u128;
    // One segment per slash since the delegation started, its stake reduced after each.
    for e in slash_events(state, v, start.previous_period)? {
        let to = historical(state, v, e.period)?.cumulative_ratio;
        let diff = dec::sub(to, from, "cumulative ratio")?;
        rewards = dec::add(rewards, stake.checked_mul(diff).ok_or_else(overflow)?)?;
        stake = mul_div_floor(stake, ATTO - e.fraction.min(ATTO), ATTO)?;
        from = to;
    }
    let diff = dec::sub(end_ratio, from, "cumulative ratio")?;
    // Never more than the delegation is worth now (rounding can only raise its worth).
    let stake = stake.min(staking::delegation_tokens(state, d, v)?);
    dec::add(rewards, stake.checked_mul(diff).ok_or_else(overflow)?)
}

/// Withdraws a delegation's rewards to its withdraw address; returns the micro-units paid.
pub(crate) fn withdraw_rewards(
    state: &mut dyn StateWrite,
    d: &AccAddress,
    v: &AccAddress,
    events: &mut Vec<Event>,
) -> Result<u128, AppError> {
    let start: StartingInfo = starting_info(state, d, v)?.ok_or_else(|| {
        DistributionError::NoDistributionInfo(format!(
            "{d} has no delegation to {}",
            staking::valoper(v)
        ))
    })?;
    let ending = increment_period(state, v)?;
    let end_ratio = historical(state, v, ending)?.cumulative_ratio;
    let rewards = rewards_between(state, d, v, &start, end_ratio)?;
    let mut vd = validator_dist(state, v)?;
    vd.outstanding = dec::sub(vd.outstanding, rewards, "validator outstanding rewards")?;
    set_validator_dist(state, v, &vd)?;
    let paid = rewards / ATTO;
    let to = withdraw_address(state, d)?;
    pay(state, &to, paid, events)?;
    let mut fp = fee_pool(state)?;
    fp.community_remainder = dec::add(fp.community_remainder, rewards % ATTO)?;
    fp.total_released = dec::add(fp.total_released, rewards)?;
    fp.total_paid = dec::add(fp.total_paid, paid)?;
    flush_community(state, &mut fp, events)?;
    set_fee_pool(state, &fp)?;
    change_ref(state, v, start.previous_period, false)?;
    delete_starting_info(state, d, v);
    events.push(withdraw_rewards_event(paid, &staking::valoper(v), d));
    Ok(paid)
}

/// A delegation's rewards if withdrawn now (18-decimal; the payout is this rounded down).
pub fn pending_rewards(
    state: &dyn StateRead,
    d: &AccAddress,
    v: &AccAddress,
) -> Result<u128, AppError> {
    let Some(start) = starting_info(state, d, v)? else {
        return Ok(0);
    };
    let vd = validator_dist(state, v)?;
    let tokens = staking::get_validator(state, v)?.map_or(0, |x| x.tokens);
    let ratio = vd.current_rewards.checked_div(tokens).unwrap_or(0);
    let end = dec::add(historical(state, v, vd.current_period - 1)?.cumulative_ratio, ratio)?;
    rewards_between(state, d, v, &start, end)
}
