//! Consensus-visible state: the validator set the consensus driver runs with.
//! Staking will own changes to it later; today genesis sets it.

use dcloud_store::{StateRead, StateWrite};
use serde::{Deserialize, Serialize};

use crate::AppError;

const VALIDATORS: &[u8] = b"\xF0validators";

/// One validator as consensus sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validator {
    /// Consensus address: hex of the first 20 bytes of SHA-256(pubkey).
    pub address: String,
    /// ed25519 public key, base64.
    pub pub_key: String,
    /// Voting power.
    pub power: u64,
    /// Human name.
    #[serde(default)]
    pub name: String,
}

/// The current validator set.
pub fn validators(state: &dyn StateRead) -> Result<Vec<Validator>, AppError> {
    match state.get(VALIDATORS)? {
        Some(b) => serde_json::from_slice(&b)
            .map_err(|e| AppError::ChainState(format!("corrupt validator set: {e}"))),
        None => Ok(Vec::new()),
    }
}

/// Replaces the validator set.
pub fn set_validators(state: &mut dyn StateWrite, vals: &[Validator]) -> Result<(), AppError> {
    let b = serde_json::to_vec(vals).map_err(|e| AppError::InvalidRequest(e.to_string()))?;
    state.put(VALIDATORS.to_vec(), b);
    Ok(())
}
