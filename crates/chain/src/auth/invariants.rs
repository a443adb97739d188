//! The auth module's invariants.

use dcloud_store::StateRead;

use super::keys::{address_from_key, ACCOUNT};
use super::state::{decode_account, next_account_number};
use crate::AppError;

/// Invariant: account numbers are unique and below the next account number.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    let next = next_account_number(state)?;
    let mut seen = std::collections::BTreeSet::new();
    let mut after: Option<Vec<u8>> = None;
    loop {
        let page = state.prefix_range(&[ACCOUNT], after.as_deref(), 1000)?;
        for (k, v) in &page {
            let acc = decode_account(&address_from_key(k)?, v)
                .map_err(|e| AppError::Invariant(format!("undecodable account: {e}")))?;
            if acc.account_number >= next || !seen.insert(acc.account_number) {
                return Err(AppError::Invariant(format!(
                    "account {} has number {} (next {next}, duplicate: {})",
                    acc.address,
                    acc.account_number,
                    acc.account_number < next
                )));
            }
            after = Some(k.clone());
        }
        if page.len() < 1000 {
            return Ok(());
        }
    }
}
