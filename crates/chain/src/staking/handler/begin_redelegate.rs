//! `MsgBeginRedelegate`: shares move from one validator to another at once; stake that was
//! bonded stays slashable for the source's faults until it matures.

use dcloud_store::StateWrite;
use dcloud_types::{AccAddress, Event, DENOM_AKT};

use super::super::keys::*;
use super::super::ops::*;
use super::super::state::*;
use super::super::*;
use crate::dec::{get_json, lp, put_json};
use crate::{AppError, BlockCtx};

#[allow(clippy::too_many_arguments)]
pub(crate) fn redelegate(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    del: &AccAddress,
    src: &AccAddress,
    dst: &AccAddress,
    amount: u128,
    p: &StakingParams,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    if src == dst {
        return Err(StakingError::SelfRedelegation(valoper(src)).into());
    }
    let vs = must_validator(state, src)?;
    must_validator(state, dst)?;
    // No transitive redelegation: stake that arrived at `src` by a maturing redelegation
    // cannot move on until it matures.
    if redelegations_of(state, del)?
        .iter()
        .any(|r| r.validator_dst == vs.operator_address && !r.entries.is_empty())
    {
        return Err(StakingError::TransitiveRedelegation(format!(
            "{del} has a maturing redelegation into {}",
            vs.operator_address
        ))
        .into());
    }
    let d = get_delegation(state, del, src)?.ok_or_else(|| {
        StakingError::DelegationNotFound(format!(
            "{del} has no delegation to {}",
            vs.operator_address
        ))
    })?;
    let shares = shares_for_amount(&vs, &d, amount)?;
    let rkey = redelegation_key(del, src, dst);
    let mut red: Redelegation = get_json(state, &rkey, "redelegation")?.unwrap_or(Redelegation {
        delegator: del.clone(),
        validator_src: vs.operator_address.clone(),
        validator_dst: valoper(dst),
        entries: Vec::new(),
    });
    if red.entries.len() >= p.max_entries as usize {
        return Err(StakingError::MaxEntries(format!(
            "{del} already has {} redelegation entries from {} to {}",
            red.entries.len(),
            red.validator_src,
            red.validator_dst
        ))
        .into());
    }
    let src_status = vs.status;
    let tokens = unbond(state, ctx, del, src, shares, events)?;
    if tokens == 0 {
        return Err(StakingError::InvalidStaking("tiny redelegation amount".into()).into());
    }
    let shares_dst =
        delegate(state, ctx, del, dst, tokens, Source::Pool(pool_of(src_status)), events)?;
    // Only stake that was bonded matures (it could still be slashed for the source's faults).
    let completion = ctx.time_ms.saturating_add(p.unbonding_time_ms);
    if src_status == BondStatus::Bonded {
        red.entries.push(RedelegationEntry {
            creation_height: ctx.height,
            completion_time_ms: completion,
            initial_balance: tokens,
            shares_dst,
        });
        put_json(state, rkey, &red)?;
        let mut rest = pair(del, src);
        rest.extend(lp(dst.as_bytes()));
        state.put(queue_key(REDELEGATION_QUEUE, completion, &rest), Vec::new());
    }
    events.push(
        Event::new("redelegate")
            .attr("source_validator", valoper(src))
            .attr("destination_validator", valoper(dst))
            .attr("delegator", del)
            .attr("amount", format!("{tokens}{DENOM_AKT}")),
    );
    Ok(())
}

/// Executes `MsgBeginRedelegate` (its stateless checks ran in `validate_basic`).
pub fn handle(
    state: &mut dyn StateWrite,
    m: &dcloud_proto::cosmos::cosmos::staking::v1beta1::MsgBeginRedelegate,
    p: &StakingParams,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let del = super::super::msg::parse_acc(&m.delegator_address, "delegator_address")?;
    let src = parse_valoper(&m.validator_src_address, "validator_src_address")?;
    let dst = parse_valoper(&m.validator_dst_address, "validator_dst_address")?;
    let amount = super::super::msg::bond_amount(m.amount.as_ref(), p, "amount")?;
    redelegate(state, ctx, &del, &src, &dst, amount, p, events)
}
