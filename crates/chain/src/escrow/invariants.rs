//! Escrow's invariants: the escrow module account holds what open accounts and payments
//! hold; every open account is indexed where it runs out.

use dcloud_store::StateRead;

use std::collections::BTreeMap;

use dcloud_types::{DENOM_ACT, DENOM_AKT};

use super::keys::ACCOUNT;
use super::settle::MAX_HORIZON;
use super::state::{escrow_addr, payments};
use super::types::{cost, Account, AccountState, Payment};
use crate::{bank, AppError};

/// Invariants: the escrow module holds exactly Σ open account balances + Σ open payment
/// balances per denom, plus Σ open accounts' AKT fallback in uakt; closed accounts hold
/// nothing and have no payments; each open account's rate is the sum of its payments'
/// rates, its books balance (deposited = balance + transferred + refunded,
/// akt_deposited = akt_balance + akt_paid + akt_refunded) and its deposits add up to its
/// balance; only uact accounts hold AKT fallback; no account stays open overdrawn
/// (`unsettled > 0`) past its block.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    let mut held: BTreeMap<String, u128> = Default::default();
    let mut after: Option<Vec<u8>> = None;
    loop {
        let page = state.prefix_range(&[ACCOUNT], after.as_deref(), 1000)?;
        for (k, v) in &page {
            let id = &k[1..];
            let a: Account = serde_json::from_slice(v)
                .map_err(|e| AppError::Invariant(format!("undecodable escrow account: {e}")))?;
            let pays = payments(state, id)?;
            check_account(&a, &pays, &mut held)?;
            after = Some(k.clone());
        }
        if page.len() < 1000 {
            break;
        }
    }
    let module = bank::balances(state, &escrow_addr())?;
    for c in module.iter() {
        if held.get(&c.denom).copied().unwrap_or(0) != c.amount {
            return Err(AppError::Invariant(format!(
                "escrow module holds {c} but open accounts and payments hold {}{}",
                held.get(&c.denom).copied().unwrap_or(0),
                c.denom
            )));
        }
    }
    for (d, v) in &held {
        if *v != module.amount_of(d) {
            return Err(AppError::Invariant(format!(
                "escrow accounts hold {v}{d} but the module holds {}{d}",
                module.amount_of(d)
            )));
        }
    }
    Ok(())
}

/// The checks of one account and its payments; adds what an open account holds to `held`.
fn check_account(
    a: &Account,
    pays: &[(Vec<u8>, Payment)],
    held: &mut BTreeMap<String, u128>,
) -> Result<(), AppError> {
    if a.deposited != a.balance + a.transferred + a.refunded {
        return Err(AppError::Invariant(format!("escrow account {} books off", a.id)));
    }
    let in_deposits: u128 = a.deposits.iter().map(|d| d.balance).sum();
    if in_deposits != a.balance || a.deposits.iter().any(|d| d.balance == 0) {
        return Err(AppError::Invariant(format!(
            "escrow account {} balance {} != Σ unspent deposits {in_deposits}",
            a.id, a.balance
        )));
    }
    if a.akt_deposited != a.akt_balance + a.akt_paid + a.akt_refunded {
        return Err(AppError::Invariant(format!("escrow account {} AKT fallback books off", a.id)));
    }
    if a.akt_deposited > 0 && a.denom != DENOM_ACT {
        return Err(AppError::Invariant(format!(
            "escrow account {} in {} holds AKT fallback",
            a.id, a.denom
        )));
    }
    match a.state {
        AccountState::Closed => {
            if a.balance != 0 || a.akt_balance != 0 || !pays.is_empty() {
                return Err(AppError::Invariant(format!(
                    "closed escrow account {} holds funds or payments",
                    a.id
                )));
            }
        }
        AccountState::Open => {
            let rate: u128 = pays.iter().map(|(_, p)| p.rate_atto).sum();
            if rate != a.rate_atto {
                return Err(AppError::Invariant(format!(
                    "escrow account {} rate {} != Σ payment rates {rate}",
                    a.id, a.rate_atto
                )));
            }
            if rate > 0 && a.exhausted_at.is_none() && cost(pays, MAX_HORIZON) > a.balance {
                return Err(AppError::Invariant(format!(
                    "escrow account {} pays out but has no exhaustion height",
                    a.id
                )));
            }
            if a.unsettled > 0 {
                return Err(AppError::Invariant(format!(
                    "escrow account {} is overdrawn ({}{}) but still open",
                    a.id, a.unsettled, a.denom
                )));
            }
            let e = held.entry(a.denom.clone()).or_default();
            *e += a.balance + pays.iter().map(|(_, p)| p.balance).sum::<u128>();
            if a.akt_balance > 0 {
                *held.entry(DENOM_AKT.to_string()).or_default() += a.akt_balance;
            }
        }
    }
    Ok(())
}
