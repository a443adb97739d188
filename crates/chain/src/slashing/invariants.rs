//! The slashing invariants.

use dcloud_store::StateRead;

use super::keys::{cons_of, SIGNING_INFO};
use super::state::params;
use super::SigningInfo;
use crate::dec::scan;
use crate::{staking, AppError};

/// Invariants: every signing info belongs to a validator; missed slots fit the window.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    if !staking::enabled(state)? {
        return Ok(());
    }
    let window = params(state)?.signed_blocks_window;
    for (k, v) in scan(state, &[SIGNING_INFO])? {
        let cons = cons_of(&k);
        let info: SigningInfo = serde_json::from_slice(&v)
            .map_err(|e| AppError::Invariant(format!("slashing: corrupt signing info: {e}")))?;
        if staking::validator_by_consensus(state, &cons)?.is_none() {
            return Err(AppError::Invariant(format!("slashing: signing info of unknown {cons}")));
        }
        if info.missed.iter().any(|s| *s >= window) {
            return Err(AppError::Invariant(format!(
                "slashing: {cons} missed slot outside window"
            )));
        }
    }
    Ok(())
}
