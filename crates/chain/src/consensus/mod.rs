//! Consensus-visible state: the validator set the consensus driver runs with.
//! Genesis sets it; on a proof-of-stake chain the staking module rewrites it at the end of
//! every block in which the active set or a power changed. It also keeps the previous
//! block's commit (who signed), for distribution and, later, slashing.

mod module;
pub mod query;
pub use module::ConsensusModule;

use dcloud_store::{StateRead, StateWrite};
use serde::{Deserialize, Serialize};

use crate::AppError;

/// Module name (its query path prefix).
pub const NAME: &str = "consensus";

const VALIDATORS: &[u8] = b"\xF0validators";
const LAST_COMMIT: &[u8] = b"\xF0last_commit";

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

/// Records who signed the previous block (written before begin block).
pub fn set_last_commit(
    state: &mut dyn StateWrite,
    votes: &[crate::VoteInfo],
) -> Result<(), AppError> {
    let b = serde_json::to_vec(votes).map_err(|e| AppError::InvalidRequest(e.to_string()))?;
    state.put(LAST_COMMIT.to_vec(), b);
    Ok(())
}

/// Who signed the previous block, as the driver reported it.
pub fn last_commit(state: &dyn StateRead) -> Result<Vec<crate::VoteInfo>, AppError> {
    match state.get(LAST_COMMIT)? {
        Some(b) => serde_json::from_slice(&b)
            .map_err(|e| AppError::ChainState(format!("corrupt last commit: {e}"))),
        None => Ok(Vec::new()),
    }
}

/// The updates that turn validator set `before` into `after` (power 0 removes), ordered
/// by public key.
pub fn updates(before: &[Validator], after: &[Validator]) -> Vec<crate::ValidatorUpdate> {
    use std::collections::BTreeMap;
    let old: BTreeMap<&str, u64> = before.iter().map(|v| (v.pub_key.as_str(), v.power)).collect();
    let new: BTreeMap<&str, u64> = after.iter().map(|v| (v.pub_key.as_str(), v.power)).collect();
    let mut out = Vec::new();
    for (k, p) in &old {
        if !new.contains_key(k) {
            out.push(crate::ValidatorUpdate { pub_key: (*k).to_string(), power: 0 });
        } else if new.get(k) != Some(p) {
            out.push(crate::ValidatorUpdate { pub_key: (*k).to_string(), power: new[k] });
        }
    }
    for (k, p) in &new {
        if !old.contains_key(k) {
            out.push(crate::ValidatorUpdate { pub_key: (*k).to_string(), power: *p });
        }
    }
    out.sort_by(|a, b| a.pub_key.cmp(&b.pub_key));
    out
}
