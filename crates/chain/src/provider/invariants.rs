//! The provider module's invariants.

use dcloud_store::StateRead;

use super::keys::{provider_key, PROVIDER};
use super::{is_valid_attribute_key, validate_host_uri, Provider};
use crate::AppError;

/// Invariants: every stored provider sits under its owner's key, its host URI and
/// attributes are valid and its attributes sorted by unique key.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    for (k, v) in state.prefix_range(&[PROVIDER], None, usize::MAX)? {
        let p: Provider = serde_json::from_slice(&v)
            .map_err(|e| AppError::Invariant(format!("corrupt provider: {e}")))?;
        if k != provider_key(&p.owner) {
            return Err(AppError::Invariant(format!("provider {} under a foreign key", p.owner)));
        }
        validate_host_uri(&p.host_uri)
            .map_err(|e| AppError::Invariant(format!("provider {}: {e}", p.owner)))?;
        if p.attributes.windows(2).any(|w| w[0].key >= w[1].key)
            || p.attributes.iter().any(|a| !is_valid_attribute_key(&a.key))
        {
            return Err(AppError::Invariant(format!(
                "provider {} attributes unsorted or bad",
                p.owner
            )));
        }
    }
    Ok(())
}
