//! The consensus module's keeper: read and write the validator set and the last commit.

use dcloud_store::{StateRead, StateWrite};

use super::keys::{LAST_COMMIT, VALIDATORS};
use super::Validator;
use crate::AppError;

// ---- read side -------------------------------------------------------------------------

/// The current validator set.
pub fn validators(state: &dyn StateRead) -> Result<Vec<Validator>, AppError> {
    match state.get(VALIDATORS)? {
        Some(b) => serde_json::from_slice(&b)
            .map_err(|e| AppError::ChainState(format!("corrupt validator set: {e}"))),
        None => Ok(Vec::new()),
    }
}

/// Who signed the previous block, as the driver reported it.
pub fn last_commit(state: &dyn StateRead) -> Result<Vec<crate::VoteInfo>, AppError> {
    match state.get(LAST_COMMIT)? {
        Some(b) => serde_json::from_slice(&b)
            .map_err(|e| AppError::ChainState(format!("corrupt last commit: {e}"))),
        None => Ok(Vec::new()),
    }
}

// ---- write side ------------------------------------------------------------------------

/// Replaces the validator set.
pub fn set_validators(state: &mut dyn StateWrite, vals: &[Validator]) -> Result<(), AppError> {
    let b = serde_json::to_vec(vals).map_err(|e| AppError::InvalidRequest(e.to_string()))?;
    state.put(VALIDATORS.to_vec(), b);
    Ok(())
}

/// Records who signed the previous block (written before begin block).
pub fn set_last_commit(
    state: &mut dyn StateWrite,
    votes: &[crate::VoteInfo],
) -> Result<(), AppError> {
    let b = serde_json::to_vec(votes).map_err(|e| AppError::InvalidRequest(e.to_string()))?;
    state.put(LAST_COMMIT.to_vec(), b);
    Ok(())
}
