//! `MsgCancelUnbondingDelegation`: part or all of an unbonding entry goes back to the
//! validator as a delegation.

use dcloud_store::StateWrite;
use dcloud_types::{AccAddress, Event, DENOM_AKT};

use super::super::keys::*;
use super::super::ops::*;
use super::super::state::*;
use super::super::*;
use crate::dec::{get_json, put_json};
use crate::{AppError, BlockCtx};

/// `MsgCancelUnbondingDelegation`: `amount` of the (first) unbonding entry created at
/// `height` goes back to the validator as a delegation; the entry shrinks (initial balance
/// and balance) or disappears.
pub(crate) fn cancel_unbonding(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    del: &AccAddress,
    val: &AccAddress,
    amount: u128,
    height: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let v = must_validator(state, val)?;
    if v.jailed {
        return Err(StakingError::ValidatorJailed(v.operator_address).into());
    }
    let ukey = unbonding_key(del, val);
    let mut ubd: UnbondingDelegation =
        get_json(state, &ukey, "unbonding delegation")?.ok_or_else(|| {
            StakingError::NoUnbondingDelegation(format!(
                "{del} is not unbonding from {}",
                v.operator_address
            ))
        })?;
    let i = ubd.entries.iter().position(|e| e.creation_height == height).ok_or_else(|| {
        StakingError::NoUnbondingDelegation(format!(
            "{del} has no unbonding entry with {} created at height {height}",
            v.operator_address
        ))
    })?;
    let entry = &mut ubd.entries[i];
    if entry.completion_time_ms <= ctx.time_ms {
        return Err(StakingError::InvalidStaking(format!(
            "the unbonding entry created at height {height} is already complete"
        ))
        .into());
    }
    if amount > entry.balance {
        return Err(StakingError::InvalidStaking(format!(
            "amount {amount}{DENOM_AKT} is greater than the unbonding entry's balance {}{DENOM_AKT}",
            entry.balance
        )).into());
    }
    if amount == entry.balance {
        ubd.entries.remove(i);
    } else {
        entry.balance -= amount;
        entry.initial_balance = entry.initial_balance.saturating_sub(amount);
    }
    if ubd.entries.is_empty() {
        state.delete(ukey);
    } else {
        put_json(state, ukey, &ubd)?;
    }
    delegate(state, ctx, del, val, amount, Source::Pool(NOT_BONDED_POOL), events)?;
    events.push(
        Event::new("cancel_unbonding_delegation")
            .attr("validator", &v.operator_address)
            .attr("delegator", del)
            .attr("amount", format!("{amount}{DENOM_AKT}"))
            .attr("creation_height", height),
    );
    Ok(())
}

/// Executes `MsgCancelUnbondingDelegation` (its stateless checks ran in `validate_basic`).
pub fn handle(
    state: &mut dyn StateWrite,
    m: &dcloud_proto::cosmos::cosmos::staking::v1beta1::MsgCancelUnbondingDelegation,
    p: &StakingParams,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let del = super::super::msg::parse_acc(&m.delegator_address, "delegator_address")?;
    let val = parse_valoper(&m.validator_address, "validator_address")?;
    let amount = super::super::msg::bond_amount(m.amount.as_ref(), p, "amount")?;
    let height = u64::try_from(m.creation_height).map_err(|_| {
        AppError::InvalidRequest(format!(
            "creation_height must be positive, got {}",
            m.creation_height
        ))
    })?;
    cancel_unbonding(state, ctx, &del, &val, amount, height, events)
}
