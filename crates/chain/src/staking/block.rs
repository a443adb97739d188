//! End block: the active set (and the consensus validator set), matured validator
//! unbondings, unbonding delegations and redelegations.

use std::collections::{BTreeMap, BTreeSet};

use dcloud_store::{StateRead, StateWrite};
use dcloud_types::{AccAddress, Event, DENOM_AKT};

use super::keys::*;
use super::ops::remove_validator;
use super::state::*;
use super::{
    valoper, BondStatus, Redelegation, StakingParams, UnbondingDelegation, Validator, BONDED_POOL,
    NOT_BONDED_POOL,
};
use crate::dec::{self, get_json, lp, put_json};
use crate::{auth, bank, consensus, AppError, BlockCtx};

/// Queue entries due at or before `now`: (key, the part after the time).
pub(crate) fn due(
    state: &dyn StateRead,
    prefix: u8,
    now: u64,
) -> Result<Vec<dcloud_store::KvPair>, AppError> {
    let mut out = Vec::new();
    let mut after: Option<Vec<u8>> = None;
    loop {
        let page = state.prefix_range(&[prefix], after.as_deref(), 256)?;
        let n = page.len();
        for (k, _) in page {
            let t = k
                .get(1..9)
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map(u64::from_be_bytes)
                .ok_or_else(|| AppError::ChainState("short queue key".into()))?;
            if t > now {
                return Ok(out);
            }
            let rest = k[9..].to_vec();
            after = Some(k.clone());
            out.push((k, rest));
        }
        if n < 256 {
            return Ok(out);
        }
    }
}

/// End block: recompute the active set (bonding and unbonding validators, moving their
/// tokens between the pools, writing the consensus validator set), then complete matured
/// validator unbondings, unbonding delegations and redelegations.
pub fn end_block(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    if !enabled(state)? {
        return Ok(());
    }
    apply_validator_set(state, ctx, events)?;
    complete_validator_unbondings(state, ctx, events)?;
    complete_unbondings(state, ctx, events)?;
    complete_redelegations(state, ctx, events)
}

/// Validators whose unbonding matured become unbonded (removed when no shares are left).
fn complete_validator_unbondings(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    for (k, rest) in due(state, VALIDATOR_QUEUE, ctx.time_ms)? {
        state.delete(k);
        let (op, _) = addr_at(&rest, 0)?;
        let Some(mut v) = get_validator(state, &op)? else { continue };
        if v.status == BondStatus::Unbonding && v.unbonding_time_ms <= ctx.time_ms {
            v.status = BondStatus::Unbonded;
            if v.delegator_shares == 0 {
                remove_validator(state, &v, events)?;
            } else {
                set_validator(state, &v)?;
            }
        }
    }
    Ok(())
}

/// Unbonding delegations that matured: pay out from the not-bonded pool.
fn complete_unbondings(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    for (k, rest) in due(state, UNBONDING_QUEUE, ctx.time_ms)? {
        state.delete(k);
        let (del, pos) = addr_at(&rest, 0)?;
        let (val, _) = addr_at(&rest, pos)?;
        let ukey = unbonding_key(&del, &val);
        let Some(mut ubd) = get_json::<UnbondingDelegation>(state, &ukey, "unbonding")? else {
            continue;
        };
        let (done, left): (Vec<_>, Vec<_>) =
            ubd.entries.into_iter().partition(|e| e.completion_time_ms <= ctx.time_ms);
        let total = done.iter().try_fold(0u128, |a, e| dec::add(a, e.balance))?;
        if total > 0 {
            bank::transfer(
                state,
                &auth::module_address(NOT_BONDED_POOL),
                &del,
                &akt(total)?,
                events,
            )?;
        }
        events.push(
            Event::new("complete_unbonding")
                .attr("validator", valoper(&val))
                .attr("delegator", &del)
                .attr("amount", format!("{total}{DENOM_AKT}")),
        );
        ubd.entries = left;
        if ubd.entries.is_empty() {
            state.delete(ukey);
        } else {
            put_json(state, ukey, &ubd)?;
        }
    }
    Ok(())
}

/// Redelegations that matured: their entries are dropped.
fn complete_redelegations(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    for (k, rest) in due(state, REDELEGATION_QUEUE, ctx.time_ms)? {
        state.delete(k);
        let (del, pos) = addr_at(&rest, 0)?;
        let (src, pos) = addr_at(&rest, pos)?;
        let (dst, _) = addr_at(&rest, pos)?;
        let rkey = redelegation_key(&del, &src, &dst);
        let Some(mut red) = get_json::<Redelegation>(state, &rkey, "redelegation")? else {
            continue;
        };
        red.entries.retain(|e| e.completion_time_ms > ctx.time_ms);
        events.push(
            Event::new("complete_redelegation")
                .attr("delegator", &del)
                .attr("source_validator", valoper(&src))
                .attr("destination_validator", valoper(&dst)),
        );
        if red.entries.is_empty() {
            state.delete(rkey);
        } else {
            put_json(state, rkey, &red)?;
        }
    }
    Ok(())
}

/// The active set by the current state: not jailed, at least one unit of power, the
/// top `max_validators` by power (ties: more tokens, then lower operator address).
pub(crate) fn active_set(
    state: &dyn StateRead,
    p: &StakingParams,
) -> Result<Vec<Validator>, AppError> {
    let mut c: Vec<Validator> =
        validators(state)?.into_iter().filter(|v| !v.jailed && v.power() > 0).collect();
    c.sort_by(|a, b| {
        b.power()
            .cmp(&a.power())
            .then(b.tokens.cmp(&a.tokens))
            .then(a.account.as_bytes().cmp(b.account.as_bytes()))
    });
    c.truncate(p.max_validators as usize);
    Ok(c)
}

pub(crate) fn apply_validator_set(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let p = params(state)?;
    let set = active_set(state, &p)?;
    let in_set: BTreeSet<AccAddress> = set.iter().map(|v| v.account.clone()).collect();
    // Leaving: bonded validators no longer in the set start unbonding.
    for mut v in validators(state)? {
        if v.status == BondStatus::Bonded && !in_set.contains(&v.account) {
            move_between_pools(state, BONDED_POOL, NOT_BONDED_POOL, v.tokens, events)?;
            v.status = BondStatus::Unbonding;
            v.unbonding_height = ctx.height;
            v.unbonding_time_ms = ctx.time_ms.saturating_add(p.unbonding_time_ms);
            state.put(
                queue_key(VALIDATOR_QUEUE, v.unbonding_time_ms, &lp(v.account.as_bytes())),
                Vec::new(),
            );
            events.push(Event::new("validator_unbonding").attr("validator", &v.operator_address));
            set_validator(state, &v)?;
        }
    }
    // Joining: move their tokens into the bonded pool.
    for v in &set {
        if v.status != BondStatus::Bonded {
            let mut v = v.clone();
            move_between_pools(state, NOT_BONDED_POOL, BONDED_POOL, v.tokens, events)?;
            if v.status == BondStatus::Unbonding {
                state.delete(queue_key(
                    VALIDATOR_QUEUE,
                    v.unbonding_time_ms,
                    &lp(v.account.as_bytes()),
                ));
            }
            v.status = BondStatus::Bonded;
            events.push(Event::new("validator_bonded").attr("validator", &v.operator_address));
            set_validator(state, &v)?;
        }
    }
    let powers: Vec<(AccAddress, u64)> =
        set.iter().map(|v| (v.account.clone(), v.power())).collect();
    if last_powers(state)? != powers.iter().cloned().collect::<BTreeMap<_, _>>() {
        put_json(state, LAST_POWERS.to_vec(), &powers)?;
        let cons: Vec<consensus::Validator> = set
            .iter()
            .map(|v| consensus::Validator {
                address: v.consensus_address.clone(),
                pub_key: v.consensus_pubkey.clone(),
                power: v.power(),
                name: v.description.moniker.clone(),
            })
            .collect();
        consensus::set_validators(state, &cons)?;
    }
    Ok(())
}
