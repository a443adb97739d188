//! The writes the slashing module asks of staking, by name: jail, unjail and slash.

use dcloud_store::StateWrite;
use dcloud_types::{AccAddress, Event, DENOM_AKT};

use super::keys::*;
use super::ops::unbond;
use super::state::*;
use super::StakingError;
use super::{
    parse_valoper, BondStatus, Redelegation, UnbondingDelegation, NOT_BONDED_POOL, POWER_REDUCTION,
};
use crate::dec::{self, mul_div_ceil, mul_div_floor, put_json, scan, ATTO};
use crate::{bank, distribution, AppError, BlockCtx};

/// Jails a validator (for slashing): it leaves the active set at the end of the block.
pub fn jail(state: &mut dyn StateWrite, op: &AccAddress) -> Result<(), AppError> {
    let mut v = must_validator(state, op)?;
    v.jailed = true;
    set_validator(state, &v)
}

/// Unjails a validator (for slashing's `MsgUnjail`).
pub fn unjail(state: &mut dyn StateWrite, op: &AccAddress) -> Result<(), AppError> {
    let mut v = must_validator(state, op)?;
    v.jailed = false;
    set_validator(state, &v)
}

pub(crate) fn burn_slashed(
    state: &mut dyn StateWrite,
    pool: &str,
    amount: u128,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    if amount == 0 {
        return Ok(());
    }
    bank::burn(state, pool, &akt(amount)?, events)?;
    let total = dec::add(total_slashed(state)?, amount)?;
    put_json(state, SLASHED_TOTAL.to_vec(), &total.to_string())
}

/// Slashes validator `op` for an infraction at `infraction_height` when it had
/// `power_at_infraction` (Cosmos `x/staking` `Slash`): the amount is
/// `floor(fraction × power × 10^6)`; unbonding delegations and redelegations away from it
/// created at or after the infraction height (and not matured) lose `fraction` of their
/// initial balance first (unbonding entries burn from the not-bonded pool, redelegations
/// unbond the matching shares at the destination and burn them), then the rest is burned
/// from the validator's own tokens (never more than it has), after distribution recorded
/// the slash event. Unbonded or unknown validators are not slashed. Returns the tokens
/// burned; the supply falls by exactly that.
pub fn slash(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    op: &AccAddress,
    infraction_height: u64,
    power_at_infraction: u64,
    fraction: u128,
    events: &mut Vec<Event>,
) -> Result<u128, AppError> {
    if fraction > ATTO {
        return Err(StakingError::InvalidStaking(format!(
            "slash fraction {} is above 1",
            dec::fmt_dec18(fraction)
        ))
        .into());
    }
    if infraction_height > ctx.height {
        return Err(StakingError::InvalidStaking(format!(
            "cannot slash for an infraction at future height {infraction_height} (now {})",
            ctx.height
        ))
        .into());
    }
    let Some(v) = get_validator(state, op)? else { return Ok(0) };
    if v.status == BondStatus::Unbonded || fraction == 0 {
        return Ok(0);
    }
    let power_tokens = u128::from(power_at_infraction)
        .checked_mul(POWER_REDUCTION)
        .ok_or_else(|| StakingError::InvalidStaking("power overflow".into()))?;
    let amount = mul_div_floor(power_tokens, fraction, ATTO)?;
    let mut remaining = amount;
    let mut burned = 0u128;
    if infraction_height < ctx.height {
        let at = Infraction { height: infraction_height, fraction };
        let b = slash_unbondings(state, ctx, &v.operator_address, at, &mut remaining, events)?;
        burned = dec::add(burned, b)?;
        let b = slash_redelegations(state, ctx, &v.operator_address, at, &mut remaining, events)?;
        burned = dec::add(burned, b)?;
    }
    let mut v = must_validator(state, op)?;
    let from_validator = remaining.min(v.tokens);
    if from_validator > 0 {
        let effective = mul_div_ceil(from_validator, ATTO, v.tokens)?.min(ATTO);
        distribution::before_validator_slashed(state, ctx, op, effective)?;
        v.tokens -= from_validator;
        set_validator(state, &v)?;
        burn_slashed(state, pool_of(v.status), from_validator, events)?;
        burned = dec::add(burned, from_validator)?;
    }
    events.push(
        Event::new("slash")
            .attr("validator", &v.operator_address)
            .attr("infraction_height", infraction_height)
            .attr("fraction", dec::fmt_dec18(fraction))
            .attr("amount", format!("{amount}{DENOM_AKT}"))
            .attr("burned", format!("{burned}{DENOM_AKT}")),
    );
    Ok(burned)
}

/// An infraction: its height and the fraction slashed.
#[derive(Clone, Copy)]
struct Infraction {
    height: u64,
    fraction: u128,
}

/// Unbonding delegations away from the validator created at or after the infraction (and
/// not matured) lose `fraction` of their initial balance, burned from the not-bonded pool.
/// Lowers `remaining` by each entry's share; returns the tokens burned.
fn slash_unbondings(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    operator: &str,
    at: Infraction,
    remaining: &mut u128,
    events: &mut Vec<Event>,
) -> Result<u128, AppError> {
    let (infraction_height, fraction) = (at.height, at.fraction);
    let mut burned = 0u128;
    // Unbonding delegations away from the validator.
    for (k, b) in scan(state, &[UNBONDING])? {
        let mut ubd: UnbondingDelegation = serde_json::from_slice(&b)
            .map_err(|e| AppError::ChainState(format!("corrupt unbonding delegation: {e}")))?;
        if ubd.validator != operator {
            continue;
        }
        let mut burn = 0u128;
        for e in ubd.entries.iter_mut() {
            if e.creation_height < infraction_height || e.completion_time_ms <= ctx.time_ms {
                continue;
            }
            let share = mul_div_floor(e.initial_balance, fraction, ATTO)?;
            *remaining = remaining.saturating_sub(share);
            let take = share.min(e.balance);
            e.balance -= take;
            burn = dec::add(burn, take)?;
        }
        if burn > 0 {
            put_json(state, k, &ubd)?;
            burn_slashed(state, NOT_BONDED_POOL, burn, events)?;
            burned = dec::add(burned, burn)?;
        }
    }
    Ok(burned)
}

/// Redelegations away from the validator created at or after the infraction (and not
/// matured): the matching shares at the destination are unbonded and burned. Lowers
/// `remaining` by each entry's share; returns the tokens burned.
fn slash_redelegations(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    operator: &str,
    at: Infraction,
    remaining: &mut u128,
    events: &mut Vec<Event>,
) -> Result<u128, AppError> {
    let (infraction_height, fraction) = (at.height, at.fraction);
    let mut burned = 0u128;
    // Redelegations away from the validator.
    for (_, b) in scan(state, &[REDELEGATION])? {
        let red: Redelegation = serde_json::from_slice(&b)
            .map_err(|e| AppError::ChainState(format!("corrupt redelegation: {e}")))?;
        if red.validator_src != operator {
            continue;
        }
        let dst = parse_valoper(&red.validator_dst, "validator_dst")?;
        for e in &red.entries {
            if e.creation_height < infraction_height || e.completion_time_ms <= ctx.time_ms {
                continue;
            }
            *remaining =
                remaining.saturating_sub(mul_div_floor(e.initial_balance, fraction, ATTO)?);
            let shares = mul_div_floor(e.shares_dst, fraction, ATTO)?;
            if shares == 0 {
                continue;
            }
            let Some(d) = get_delegation(state, &red.delegator, &dst)? else { continue };
            let Some(vd) = get_validator(state, &dst)? else { continue };
            let shares = shares.min(d.shares);
            let tokens = unbond(state, ctx, &red.delegator, &dst, shares, events)?;
            burn_slashed(state, pool_of(vd.status), tokens, events)?;
            burned = dec::add(burned, tokens)?;
        }
    }
    Ok(burned)
}
