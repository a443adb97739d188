//! The BME invariants: supply, vault and ledger reconciliation.
//!
//! The supply ledger: the uakt supply is the genesis supply + BME mints − BME burns + the
//! mint module's inflation ([`crate::mint::total_minted`]) − gov's burned deposits
//! ([`crate::gov::total_burned`]) − slashed stake ([`crate::staking::total_slashed`]). These
//! are the only other modules that create or destroy uakt; each keeps its own running total,
//! read here.

use std::collections::BTreeMap;

use dcloud_store::StateRead;
use dcloud_types::{DENOM_ACT, DENOM_AKT};

use super::keys::STATUS_KEY;
use super::state::{ledger, pending, totals, vault_address};
use super::Totals;
use crate::{bank, AppError};

fn inv(msg: String) -> AppError {
    AppError::Invariant(format!("bme: {msg}"))
}

/// Checks supply, vault and ledger reconciliation (see the module docs).
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    if state.get(STATUS_KEY)?.is_none() {
        return Ok(()); // before genesis
    }
    let t = totals(state)?;
    check_supply(state, &t)?;
    check_vault(state, &t)?;
    check_ledger(state, &t)
}

/// Supply per denom = genesis + minted − burned (see the module docs for uakt).
fn check_supply(state: &dyn StateRead, t: &Totals) -> Result<(), AppError> {
    for d in [DENOM_AKT, DENOM_ACT] {
        // The mint module's inflation is the only other source of new uakt; gov burns
        // deposits, slashing burns stake.
        let (inflation, gov_burned) = if d == DENOM_AKT {
            let burned = crate::gov::total_burned(state)?;
            (
                crate::mint::total_minted(state)?,
                crate::dec::add(burned, crate::staking::total_slashed(state)?)?,
            )
        } else {
            (0, 0)
        };
        let want = t
            .genesis_supply
            .amount_of(d)
            .checked_add(t.total_minted.amount_of(d))
            .and_then(|v| v.checked_add(inflation))
            .and_then(|v| v.checked_sub(t.total_burned.amount_of(d)))
            .and_then(|v| v.checked_sub(gov_burned))
            .ok_or_else(|| inv(format!("supply of {d} under/overflows")))?;
        let have = bank::supply_of(state, d)?;
        if have != want {
            return Err(inv(format!(
                "supply of {d} is {have}, expected genesis + minted − burned = {want}"
            )));
        }
    }
    Ok(())
}

/// The vault holds exactly funded + pending + credits + spreads.
fn check_vault(state: &dyn StateRead, t: &Totals) -> Result<(), AppError> {
    let vault = bank::balances(state, &vault_address())?;
    for d in [DENOM_AKT, DENOM_ACT] {
        let want = [&t.vault_funded, &t.pending, &t.remint_credits, &t.spread_collected]
            .iter()
            .map(|c| c.amount_of(d))
            .try_fold(0u128, u128::checked_add)
            .ok_or_else(|| inv("vault total overflows".into()))?;
        if vault.amount_of(d) != want {
            return Err(inv(format!(
                "vault holds {}{d}, expected funded + pending + credits + spreads = {want}",
                vault.amount_of(d)
            )));
        }
    }
    Ok(())
}

/// The queue and the ledger reconcile with the totals.
fn check_ledger(state: &dyn StateRead, t: &Totals) -> Result<(), AppError> {
    let mut pend: BTreeMap<String, u128> = BTreeMap::new();
    for from in [DENOM_AKT, DENOM_ACT] {
        for r in pending(state, from, usize::MAX)? {
            if r.coins_to_burn.denom != from || r.owner != r.to {
                return Err(inv(format!("malformed pending record {:?}", r.id)));
            }
            *pend.entry(from.into()).or_default() += r.coins_to_burn.amount;
        }
    }
    let mut minted: BTreeMap<String, u128> = BTreeMap::new();
    let mut burned: BTreeMap<String, u128> = BTreeMap::new();
    let mut spreads: BTreeMap<String, u128> = BTreeMap::new();
    let (mut accrued, mut issued) = (0u128, 0u128);
    for r in ledger(state, usize::MAX)? {
        if r.paid.amount + r.spread.amount != r.minted.amount {
            return Err(inv(format!("ledger record {:?}: paid + spread ≠ minted", r.id)));
        }
        *minted.entry(r.bank_minted.denom.clone()).or_default() += r.bank_minted.amount;
        *burned.entry(r.bank_burned.denom.clone()).or_default() += r.bank_burned.amount;
        *spreads.entry(r.spread.denom.clone()).or_default() += r.spread.amount;
        accrued += r.remint_credit_accrued;
        issued += r.remint_credit_issued;
    }
    for d in [DENOM_AKT, DENOM_ACT] {
        let checks = [
            ("pending", t.pending.amount_of(d), pend.get(d).copied().unwrap_or(0)),
            ("total_minted", t.total_minted.amount_of(d), minted.get(d).copied().unwrap_or(0)),
            ("total_burned", t.total_burned.amount_of(d), burned.get(d).copied().unwrap_or(0)),
            (
                "spread_collected",
                t.spread_collected.amount_of(d),
                spreads.get(d).copied().unwrap_or(0),
            ),
        ];
        for (what, total, from_ledger) in checks {
            if total != from_ledger {
                return Err(inv(format!(
                    "{what} of {d} is {total} but the ledger says {from_ledger}"
                )));
            }
        }
    }
    let credits = accrued
        .checked_sub(issued)
        .ok_or_else(|| inv("more credits issued than accrued".into()))?;
    if t.remint_credits.amount_of(DENOM_AKT) != credits
        || t.remint_credits.amount_of(DENOM_ACT) != 0
    {
        return Err(inv(format!(
            "remint credits {} ≠ accrued − issued = {credits}",
            t.remint_credits
        )));
    }
    Ok(())
}
