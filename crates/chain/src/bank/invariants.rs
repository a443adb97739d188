//! The bank module's invariants.

use std::collections::BTreeMap;

use dcloud_store::StateRead;

use super::keys::{denom_of_balance_key, BALANCE};
use super::state::{decode_amount, total_supply};
use crate::AppError;

/// Invariants: supply = sum of balances for every denom; no zero balances stored.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    let mut sum: BTreeMap<String, u128> = BTreeMap::new();
    let mut after: Option<Vec<u8>> = None;
    loop {
        let page = state.prefix_range(&[BALANCE], after.as_deref(), 1000)?;
        for (k, v) in &page {
            let amount = decode_amount(v)?;
            let denom = denom_of_balance_key(k)?;
            if amount == 0 {
                return Err(AppError::Invariant(format!("zero balance stored for {denom}")));
            }
            let e = sum.entry(denom.clone()).or_insert(0);
            *e = e.checked_add(amount).ok_or_else(|| AppError::Invariant("overflow".into()))?;
            after = Some(k.clone());
        }
        if page.len() < 1000 {
            break;
        }
    }
    let supply: BTreeMap<String, u128> =
        total_supply(state)?.iter().map(|c| (c.denom, c.amount)).collect();
    if supply != sum {
        return Err(AppError::Invariant(format!(
            "total supply {supply:?} != sum of balances {sum:?}"
        )));
    }
    Ok(())
}
