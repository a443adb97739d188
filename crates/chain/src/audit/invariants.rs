//! The audit module's invariants.

use dcloud_store::StateRead;

use super::keys::AUDIT;
use super::state::decode_record;
use crate::AppError;

/// Invariants: every record decodes, is non-empty and sorted by unique key.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    for (k, v) in state.prefix_range(&[AUDIT], None, usize::MAX)? {
        let r = decode_record(&k, &v).map_err(|e| AppError::Invariant(e.to_string()))?;
        if r.attributes.is_empty() || r.attributes.windows(2).any(|w| w[0].key >= w[1].key) {
            return Err(AppError::Invariant(format!(
                "audit record {} by {} is empty or unsorted",
                r.owner, r.auditor
            )));
        }
    }
    Ok(())
}
