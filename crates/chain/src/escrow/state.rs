//! Escrow's keeper: typed reads (accounts, payments, listings, the due index) and the
//! account write; the transitions other modules ask for are in `hooks.rs`.

use dcloud_store::{StateRead, StateWrite};
use dcloud_types::{AccAddress, DENOM_ACT, DENOM_AKT};
use serde::Serialize;

use super::keys::{acct_key, payment_key, payment_prefix, ACCOUNT, DUE};
use super::params::EscrowParams;
use super::types::{Account, AccountState, Payment, MODULE_ACCOUNT, NAME};
use super::EscrowError;
use crate::{auth, get_params, AppError};

// ---- read side ----------------------------------------------------------------------

/// Params.
pub fn params(state: &dyn StateRead) -> Result<EscrowParams, AppError> {
    get_params(state, NAME)
}

pub(crate) fn corrupt(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::ChainState(format!("corrupt {what}: {e}"))
}

/// Reads an account by its binary id.
pub fn get_account(state: &dyn StateRead, id: &[u8]) -> Result<Option<Account>, AppError> {
    match state.get(&acct_key(id))? {
        Some(b) => serde_json::from_slice(&b).map(Some).map_err(|e| corrupt("escrow account", e)),
        None => Ok(None),
    }
}

pub(crate) fn must_account(state: &dyn StateRead, id: &[u8]) -> Result<Account, AppError> {
    Ok(get_account(state, id)?
        .ok_or_else(|| EscrowError::EscrowAccountNotFound(hex::encode(id)))?)
}

/// The open payments of an account, in key order: (lease key, payment).
pub fn payments(state: &dyn StateRead, id: &[u8]) -> Result<Vec<(Vec<u8>, Payment)>, AppError> {
    let p = payment_prefix(id);
    state
        .prefix_range(&p, None, 10_000)?
        .into_iter()
        .map(|(k, v)| {
            let pay: Payment = serde_json::from_slice(&v).map_err(|e| corrupt("payment", e))?;
            Ok((k[p.len()..].to_vec(), pay))
        })
        .collect()
}

/// Reads one open payment.
pub fn get_payment(
    state: &dyn StateRead,
    id: &[u8],
    lease: &[u8],
) -> Result<Option<Payment>, AppError> {
    match state.get(&payment_key(id, lease))? {
        Some(b) => serde_json::from_slice(&b).map(Some).map_err(|e| corrupt("payment", e)),
        None => Ok(None),
    }
}

pub(crate) fn escrow_addr() -> AccAddress {
    auth::module_address(MODULE_ACCOUNT)
}

/// Whether account `id` is open and takes deposits in `denom`: `Ok(false)` for its own denom,
/// `Ok(true)` for `uakt` into a `uact` account (its AKT fallback), an error otherwise. Lets a
/// caller refuse a deposit before gathering its funds.
pub fn check_deposit(state: &dyn StateRead, id: &[u8], denom: &str) -> Result<bool, AppError> {
    let a = must_account(state, id)?;
    if a.state != AccountState::Open {
        return Err(EscrowError::EscrowAccountClosed(a.id).into());
    }
    accepts_denom(&a, denom)
}

pub(crate) fn accepts_denom(a: &Account, denom: &str) -> Result<bool, AppError> {
    let fallback = a.denom == DENOM_ACT && denom == DENOM_AKT;
    if a.denom != denom && !fallback {
        return Err(EscrowError::EscrowDenom(format!(
            "account {} holds {}, deposit is in {denom}",
            a.id, a.denom
        ))
        .into());
    }
    Ok(fallback)
}

/// Up to `limit` accounts whose funds ran out at or before `height` and are not closed yet,
/// in key order (oldest exhaustion height first): `(exhaustion height, account id)`.
/// Entries past the per-height cap stay in the index and come first at the next height.
pub fn due_through(
    state: &dyn StateRead,
    height: u64,
    limit: usize,
) -> Result<Vec<(u64, Vec<u8>)>, AppError> {
    Ok(crate::due_entries(state, DUE, height, limit)?
        .into_iter()
        .map(|(h, k)| (h, k[9..].to_vec()))
        .collect())
}

/// Lists accounts in key order after `start_after` (a binary id).
pub fn list_accounts(
    state: &dyn StateRead,
    start_after: Option<&[u8]>,
    limit: usize,
) -> Result<Vec<(Vec<u8>, Account)>, AppError> {
    let after = start_after.map(acct_key);
    state
        .prefix_range(&[ACCOUNT], after.as_deref(), limit)?
        .into_iter()
        .map(|(k, v)| {
            let a: Account = serde_json::from_slice(&v).map_err(|e| corrupt("account", e))?;
            Ok((k[1..].to_vec(), a))
        })
        .collect()
}

// ---- write side (escrow's own hooks and settlement only) -------------------------------

pub(crate) fn put_account(
    state: &mut dyn StateWrite,
    id: &[u8],
    a: &Account,
) -> Result<(), AppError> {
    state.put(acct_key(id), to_json(a)?);
    Ok(())
}

pub(crate) fn to_json<T: Serialize>(v: &T) -> Result<Vec<u8>, AppError> {
    serde_json::to_vec(v).map_err(|e| AppError::InvalidRequest(e.to_string()))
}
