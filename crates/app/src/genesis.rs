//! The genesis file: chain id, initial accounts and balances, module params, validators.

use serde::{Deserialize, Serialize};

use crate::modules::consensus::Validator;
pub use crate::modules::genesis::AppGenesis;

/// The genesis document (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Genesis {
    /// Chain id; every SignDoc binds to it.
    pub chain_id: String,
    /// Genesis time, RFC 3339 (informational; block times come from the driver).
    #[serde(default)]
    pub genesis_time: String,
    /// Height of the first block.
    #[serde(default = "one")]
    pub initial_height: u64,
    /// Block limits.
    #[serde(default)]
    pub consensus_params: ConsensusParams,
    /// The initial validator set.
    #[serde(default)]
    pub validators: Vec<Validator>,
    /// Module states.
    #[serde(default)]
    pub app_state: AppGenesis,
}

fn one() -> u64 {
    1
}

/// Block size limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsensusParams {
    /// Maximum bytes of txs in a block.
    pub max_block_bytes: u64,
    /// Maximum total gas wanted in a block (0 = unlimited).
    pub max_block_gas: u64,
}

impl Default for ConsensusParams {
    fn default() -> Self {
        Self { max_block_bytes: 22 * 1024 * 1024, max_block_gas: 0 }
    }
}

impl Genesis {
    /// Parses JSON.
    pub fn from_json(s: &str) -> Result<Self, String> {
        serde_json::from_str(s).map_err(|e| format!("genesis is not valid JSON for dcloud: {e}"))
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Every problem found (empty = valid).
    pub fn validate(&self) -> Vec<String> {
        let mut e = Vec::new();
        let cid = &self.chain_id;
        if cid.is_empty()
            || cid.len() > 50
            || !cid
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        {
            e.push(format!("chain_id {cid:?} must be 1-50 characters of [A-Za-z0-9._-]"));
        }
        if self.initial_height == 0 {
            e.push("initial_height must be at least 1".into());
        }
        if self.consensus_params.max_block_bytes == 0 {
            e.push("consensus_params.max_block_bytes must be positive".into());
        }
        let staking_vals = self.app_state.staking.as_ref().map_or(0, |s| s.validators.len());
        if self.validators.is_empty() && staking_vals == 0 {
            e.push("validators: at least one validator is required".into());
        }
        let mut vaddrs = std::collections::BTreeSet::new();
        for (i, v) in self.validators.iter().enumerate() {
            use base64::Engine;
            match base64::engine::general_purpose::STANDARD.decode(&v.pub_key) {
                Ok(pk) if pk.len() == 32 => {
                    let want = hex::encode_upper(&dcloud_types::sha256(&pk)[..20]);
                    if !v.address.eq_ignore_ascii_case(&want) {
                        e.push(format!("validators[{i}]: address {} does not match its pub_key (expected {want})", v.address));
                    }
                }
                _ => e.push(format!(
                    "validators[{i}]: pub_key must be a base64 ed25519 key (32 bytes)"
                )),
            }
            if v.power == 0 {
                e.push(format!("validators[{i}]: power must be positive"));
            }
            if !vaddrs.insert(v.address.to_uppercase()) {
                e.push(format!("validators[{i}]: duplicate validator {}", v.address));
            }
        }
        e.extend(crate::modules::validate_genesis(&self.app_state));
        e
    }
}
