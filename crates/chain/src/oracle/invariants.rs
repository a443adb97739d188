//! The oracle invariants.

use dcloud_store::StateRead;
use dcloud_types::AccAddress;

use super::state::{entries, latest, oracle_state, params};
use super::Health;
use crate::AppError;

/// Invariants: a healthy state has a positive price; each source's latest entry is its
/// newest kept observation.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    let s = oracle_state(state)?;
    if s.health == Health::Healthy && s.price.as_ref().is_none_or(|a| a.twap_atto == 0) {
        return Err(AppError::Invariant("oracle healthy without a positive price".into()));
    }
    for src in params(state)?.sources.iter().filter_map(|s| s.parse::<AccAddress>().ok()) {
        let l = latest(state, &src)?;
        let all = entries(state, &src)?;
        if all.last() != l.as_ref() {
            return Err(AppError::Invariant(format!(
                "oracle: latest entry of {src} is not its newest observation"
            )));
        }
    }
    Ok(())
}
