//! The cert module's invariants.

use dcloud_store::StateRead;

use super::keys::{cert_key, CERT};
use super::Certificate;
use crate::AppError;

/// Invariants: every certificate sits under its (owner, serial) key.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    for (k, v) in state.prefix_range(&[CERT], None, usize::MAX)? {
        let c: Certificate = serde_json::from_slice(&v)
            .map_err(|e| AppError::Invariant(format!("corrupt certificate: {e}")))?;
        if k != cert_key(&c.owner, &c.serial) {
            return Err(AppError::Invariant(format!(
                "certificate {}/{} under a foreign key",
                c.owner, c.serial
            )));
        }
    }
    Ok(())
}
