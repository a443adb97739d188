//! Typed reads and writes of the staking state. The `pub` functions read; the
//! `pub(crate)` ones at the end write (other modules write staking state only through
//! `hooks.rs`).

use std::collections::BTreeMap;

use dcloud_store::{StateRead, StateWrite};
use dcloud_types::{AccAddress, Coin, Coins, Event, DENOM_AKT};

use super::keys::*;
use super::{
    valoper, BondStatus, Delegation, Redelegation, StakingParams, UnbondingDelegation, Validator,
    BONDED_POOL, NAME, NOT_BONDED_POOL,
};
use crate::dec::{get_json, lp, put_json, scan};
use crate::{auth, bank, get_params, AppError};

/// Whether staking is enabled (genesis had `app_state.staking`).
pub fn enabled(state: &dyn StateRead) -> Result<bool, AppError> {
    Ok(state.get(&crate::params_key(NAME))?.is_some())
}

pub(crate) fn require_enabled(state: &dyn StateRead) -> Result<(), AppError> {
    if enabled(state)? {
        Ok(())
    } else {
        Err(AppError::StakingDisabled(
            "this chain runs a fixed validator set (no app_state.staking in genesis)".into(),
        ))
    }
}

/// The params.
pub fn params(state: &dyn StateRead) -> Result<StakingParams, AppError> {
    get_params(state, NAME)
}

/// A validator by operator.
pub fn get_validator(
    state: &dyn StateRead,
    op: &AccAddress,
) -> Result<Option<Validator>, AppError> {
    get_json(state, &validator_key(op), "validator")
}

pub(crate) fn must_validator(
    state: &dyn StateRead,
    op: &AccAddress,
) -> Result<Validator, AppError> {
    get_validator(state, op)?.ok_or_else(|| AppError::ValidatorNotFound(valoper(op)))
}

pub(crate) fn set_validator(state: &mut dyn StateWrite, v: &Validator) -> Result<(), AppError> {
    put_json(state, validator_key(&v.account), v)
}

/// A validator by consensus address (hex).
pub fn validator_by_consensus(
    state: &dyn StateRead,
    cons: &str,
) -> Result<Option<Validator>, AppError> {
    match state.get(&cons_key(cons))? {
        Some(b) => {
            let op = AccAddress::from_bytes(&b)
                .map_err(|e| AppError::ChainState(format!("consensus index: {e}")))?;
            get_validator(state, &op)
        }
        None => Ok(None),
    }
}

/// Every validator, in operator-key order.
pub fn validators(state: &dyn StateRead) -> Result<Vec<Validator>, AppError> {
    scan(state, &[VALIDATOR])?
        .into_iter()
        .map(|(_, v)| {
            serde_json::from_slice(&v)
                .map_err(|e| AppError::ChainState(format!("corrupt validator: {e}")))
        })
        .collect()
}

/// A delegation.
pub fn get_delegation(
    state: &dyn StateRead,
    del: &AccAddress,
    val: &AccAddress,
) -> Result<Option<Delegation>, AppError> {
    get_json(state, &delegation_key(del, val), "delegation")
}

/// The delegations of a delegator.
pub fn delegations_of(
    state: &dyn StateRead,
    del: &AccAddress,
) -> Result<Vec<Delegation>, AppError> {
    let mut p = vec![DELEGATION];
    p.extend(lp(del.as_bytes()));
    decode_all(scan(state, &p)?, "delegation")
}

/// Every delegation.
pub fn all_delegations(state: &dyn StateRead) -> Result<Vec<Delegation>, AppError> {
    decode_all(scan(state, &[DELEGATION])?, "delegation")
}

/// The unbonding delegations of a delegator.
pub fn unbondings_of(
    state: &dyn StateRead,
    del: &AccAddress,
) -> Result<Vec<UnbondingDelegation>, AppError> {
    let mut p = vec![UNBONDING];
    p.extend(lp(del.as_bytes()));
    decode_all(scan(state, &p)?, "unbonding delegation")
}

/// Every unbonding delegation.
pub fn all_unbondings(state: &dyn StateRead) -> Result<Vec<UnbondingDelegation>, AppError> {
    decode_all(scan(state, &[UNBONDING])?, "unbonding delegation")
}

/// The redelegations of a delegator.
pub fn redelegations_of(
    state: &dyn StateRead,
    del: &AccAddress,
) -> Result<Vec<Redelegation>, AppError> {
    let mut p = vec![REDELEGATION];
    p.extend(lp(del.as_bytes()));
    decode_all(scan(state, &p)?, "redelegation")
}

pub(crate) fn decode_all<T: serde::de::DeserializeOwned>(
    kvs: Vec<(Vec<u8>, Vec<u8>)>,
    what: &str,
) -> Result<Vec<T>, AppError> {
    kvs.into_iter()
        .map(|(_, v)| {
            serde_json::from_slice(&v)
                .map_err(|e| AppError::ChainState(format!("corrupt {what}: {e}")))
        })
        .collect()
}

/// The last active set: operator → power.
pub fn last_powers(state: &dyn StateRead) -> Result<BTreeMap<AccAddress, u64>, AppError> {
    let v: Option<Vec<(AccAddress, u64)>> = get_json(state, LAST_POWERS, "last powers")?;
    Ok(v.unwrap_or_default().into_iter().collect())
}

/// Tokens in the bonded pool (the mint module's bonded ratio).
pub fn bonded_tokens(state: &dyn StateRead) -> Result<u128, AppError> {
    bank::balance(state, &auth::module_address(BONDED_POOL), DENOM_AKT)
}

/// The tokens a delegation is worth now (rounded down).
pub fn delegation_tokens(
    state: &dyn StateRead,
    del: &AccAddress,
    val: &AccAddress,
) -> Result<u128, AppError> {
    match (get_delegation(state, del, val)?, get_validator(state, val)?) {
        (Some(d), Some(v)) => v.tokens_from_shares(d.shares),
        _ => Ok(0),
    }
}

pub(crate) fn pool_of(status: BondStatus) -> &'static str {
    match status {
        BondStatus::Bonded => BONDED_POOL,
        _ => NOT_BONDED_POOL,
    }
}

pub(crate) fn move_between_pools(
    state: &mut dyn StateWrite,
    from: &str,
    to: &str,
    amount: u128,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    if from == to || amount == 0 {
        return Ok(());
    }
    let coins = Coins::from_coins(vec![Coin::new(amount, DENOM_AKT)])?;
    bank::transfer(state, &auth::module_address(from), &auth::module_address(to), &coins, events)
}

pub(crate) fn akt(amount: u128) -> Result<Coins, AppError> {
    Ok(Coins::from_coins(vec![Coin::new(amount, DENOM_AKT)])?)
}

/// Σ tokens burned by slashing (for the supply accounting).
pub fn total_slashed(state: &dyn StateRead) -> Result<u128, AppError> {
    Ok(get_json::<String>(state, SLASHED_TOTAL, "slashed total")?
        .map(|s| s.parse::<u128>())
        .transpose()
        .map_err(|e| AppError::ChainState(format!("slashed total: {e}")))?
        .unwrap_or(0))
}
