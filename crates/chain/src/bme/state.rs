//! The BME keeper. Read side (queries, invariants, escrow, deployment, market): [`params`],
//! [`act_denom_problem`], [`status`], [`totals`], [`pending`], [`ledger`], [`canceled`],
//! [`collateral_ratio`], [`vault_address`]. Write side (BME's own handlers and end block):
//! `put_status`, `put_totals`, `next_sequence`, `put_pending`.

use dcloud_store::{StateRead, StateWrite};
use dcloud_types::{AccAddress, Coins, ATTO, DENOM_ACT, DENOM_AKT};
use serde::Serialize;

use super::keys::{dir, pending_key, CANCELED, LEDGER, PENDING, SEQ_KEY, STATUS_KEY, TOTALS_KEY};
use super::rules::mul_div_floor;
use super::{
    BmeParams, BmeStatus, CanceledRecord, LedgerRecord, PendingRecord, Totals, NAME, VAULT,
};
use crate::{auth, bank, get_params, AppError};

pub(crate) fn corrupt(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::ChainState(format!("corrupt bme {what}: {e}"))
}

pub(crate) fn to_json<T: Serialize>(v: &T) -> Result<Vec<u8>, AppError> {
    serde_json::to_vec(v).map_err(|e| AppError::InvalidRequest(e.to_string()))
}

pub(crate) fn get_json<T: serde::de::DeserializeOwned>(
    state: &dyn StateRead,
    key: &[u8],
    what: &str,
) -> Result<Option<T>, AppError> {
    match state.get(key)? {
        Some(b) => serde_json::from_slice(&b).map(Some).map_err(|e| corrupt(what, e)),
        None => Ok(None),
    }
}

/// The vault address.
pub fn vault_address() -> AccAddress {
    auth::module_address(VAULT)
}

/// Params.
pub fn params(state: &dyn StateRead) -> Result<BmeParams, AppError> {
    get_params(state, NAME)
}

/// On an ACT market ([`BmeParams::act_market`]), why `denom` cannot price or fund a
/// deployment or price a bid; None when it can.
pub fn act_denom_problem(state: &dyn StateRead, denom: &str) -> Result<Option<String>, AppError> {
    if denom == DENOM_ACT || !params(state)?.act_market {
        return Ok(None);
    }
    Ok(Some(format!(
        "denom {denom} is not accepted: the market runs on ACT since the BME, so deployments and \
         bids are priced and funded in {DENOM_ACT}; mint ACT from AKT with \
         `dcloud tx bme mint-act <amount>{DENOM_AKT}`"
    )))
}

/// Status and epoch schedule.
pub fn status(state: &dyn StateRead) -> Result<BmeStatus, AppError> {
    get_json(state, STATUS_KEY, "status")?
        .ok_or_else(|| AppError::ChainState("bme status missing (no genesis?)".into()))
}

pub(crate) fn put_status(state: &mut dyn StateWrite, s: &BmeStatus) -> Result<(), AppError> {
    state.put(STATUS_KEY.to_vec(), to_json(s)?);
    Ok(())
}

/// Running totals.
pub fn totals(state: &dyn StateRead) -> Result<Totals, AppError> {
    Ok(get_json(state, TOTALS_KEY, "totals")?.unwrap_or_default())
}

pub(crate) fn put_totals(state: &mut dyn StateWrite, t: &Totals) -> Result<(), AppError> {
    state.put(TOTALS_KEY.to_vec(), to_json(t)?);
    Ok(())
}

pub(crate) fn add(c: &mut Coins, amount: u128, denom: &str) -> Result<(), AppError> {
    if amount > 0 {
        *c = c.checked_add(&Coins::one(amount, denom))?;
    }
    Ok(())
}

pub(crate) fn sub(c: &mut Coins, amount: u128, denom: &str, what: &str) -> Result<(), AppError> {
    if amount > 0 {
        *c = c
            .checked_sub(&Coins::one(amount, denom))
            .map_err(|_| AppError::Invariant(format!("bme {what} of {denom} would go negative")))?;
    }
    Ok(())
}

pub(crate) fn scan<T: serde::de::DeserializeOwned>(
    state: &dyn StateRead,
    prefix: &[u8],
    limit: usize,
    what: &str,
) -> Result<Vec<T>, AppError> {
    state
        .prefix_range(prefix, None, limit)?
        .into_iter()
        .map(|(_, v)| serde_json::from_slice(&v).map_err(|e| corrupt(what, e)))
        .collect()
}

/// Queued requests of one direction (`from` = burned denom), oldest first, at most `limit`.
pub fn pending(
    state: &dyn StateRead,
    from: &str,
    limit: usize,
) -> Result<Vec<PendingRecord>, AppError> {
    scan(state, &[PENDING, dir(from)], limit, "pending record")
}

/// Executed records, oldest first.
pub fn ledger(state: &dyn StateRead, limit: usize) -> Result<Vec<LedgerRecord>, AppError> {
    scan(state, &[LEDGER], limit, "ledger record")
}

/// Cancelled records, oldest first.
pub fn canceled(state: &dyn StateRead, limit: usize) -> Result<Vec<CanceledRecord>, AppError> {
    scan(state, &[CANCELED], limit, "canceled record")
}

pub(crate) fn next_sequence(state: &mut dyn StateWrite, height: u64) -> Result<u64, AppError> {
    let (h, n): (u64, u64) = get_json(state, SEQ_KEY, "sequence")?.unwrap_or((0, 0));
    let seq = if h == height { n } else { 0 };
    state.put(SEQ_KEY.to_vec(), to_json(&(height, seq + 1))?);
    Ok(seq)
}

/// Collateral ratio in bp at `price`; None when no ACT is outstanding (infinite).
pub fn collateral_ratio(state: &dyn StateRead, price_atto: u128) -> Result<Option<u128>, AppError> {
    let t = totals(state)?;
    let vault = bank::balance(state, &vault_address(), DENOM_AKT)?;
    let net = vault.checked_sub(t.pending.amount_of(DENOM_AKT)).ok_or_else(|| {
        AppError::Invariant("bme vault holds less uakt than its pending mints".into())
    })?;
    let supply = bank::supply_of(state, DENOM_ACT)?;
    if supply == 0 {
        return Ok(None);
    }
    let value = mul_div_floor(net, price_atto, ATTO)?;
    Ok(Some(mul_div_floor(value, 10_000, supply)?))
}

/// Writes a pending record.
pub(crate) fn put_pending(state: &mut dyn StateWrite, rec: &PendingRecord) -> Result<(), AppError> {
    state.put(pending_key(&rec.id), to_json(rec)?);
    Ok(())
}
