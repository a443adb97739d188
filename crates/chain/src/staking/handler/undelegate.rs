//! `MsgUndelegate`: shares leave a delegation; the tokens wait `unbonding_time` in the
//! not-bonded pool.

use dcloud_store::StateWrite;
use dcloud_types::{AccAddress, Event, DENOM_AKT};

use super::super::keys::*;
use super::super::ops::*;
use super::super::state::*;
use super::super::*;
use crate::dec::{get_json, put_json};
use crate::{AppError, BlockCtx};

pub(crate) fn undelegate(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    del: &AccAddress,
    val: &AccAddress,
    amount: u128,
    p: &StakingParams,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let v = must_validator(state, val)?;
    let d = get_delegation(state, del, val)?.ok_or_else(|| {
        StakingError::DelegationNotFound(format!(
            "{del} has no delegation to {}",
            v.operator_address
        ))
    })?;
    let shares = shares_for_amount(&v, &d, amount)?;
    let ukey = unbonding_key(del, val);
    let mut ubd: UnbondingDelegation =
        get_json(state, &ukey, "unbonding delegation")?.unwrap_or(UnbondingDelegation {
            delegator: del.clone(),
            validator: v.operator_address.clone(),
            entries: Vec::new(),
        });
    if ubd.entries.len() >= p.max_entries as usize {
        return Err(StakingError::MaxEntries(format!(
            "{del} already has {} unbonding entries with {}",
            ubd.entries.len(),
            v.operator_address
        ))
        .into());
    }
    let status = v.status;
    let tokens = unbond(state, ctx, del, val, shares, events)?;
    if tokens == 0 {
        return Err(StakingError::InvalidStaking("the amount unbonds to zero tokens".into()).into());
    }
    move_between_pools(state, pool_of(status), NOT_BONDED_POOL, tokens, events)?;
    let completion = ctx.time_ms.saturating_add(p.unbonding_time_ms);
    ubd.entries.push(UnbondingEntry {
        creation_height: ctx.height,
        completion_time_ms: completion,
        initial_balance: tokens,
        balance: tokens,
    });
    put_json(state, ukey, &ubd)?;
    state.put(queue_key(UNBONDING_QUEUE, completion, &pair(del, val)), Vec::new());
    events.push(
        Event::new("unbond")
            .attr("validator", valoper(val))
            .attr("delegator", del)
            .attr("amount", format!("{tokens}{DENOM_AKT}"))
            .attr("completion_time_ms", completion),
    );
    Ok(())
}

/// Executes `MsgUndelegate` (its stateless checks ran in `validate_basic`).
pub fn handle(
    state: &mut dyn StateWrite,
    m: &dcloud_proto::cosmos::cosmos::staking::v1beta1::MsgUndelegate,
    p: &StakingParams,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let del = super::super::msg::parse_acc(&m.delegator_address, "delegator_address")?;
    let val = parse_valoper(&m.validator_address, "validator_address")?;
    let amount = super::super::msg::bond_amount(m.amount.as_ref(), p, "amount")?;
    undelegate(state, ctx, &del, &val, amount, p, events)
}
