//! The slashing module's records: a validator's liveness record and its query view.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// The module name.
pub const NAME: &str = "slashing";

/// A validator's liveness record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningInfo {
    /// Height tracking started (or restarted after a jailing).
    pub start_height: u64,
    /// Blocks seen in the current window run.
    pub index_offset: u64,
    /// Window slots (index mod window) missed.
    pub missed: BTreeSet<u64>,
    /// Block time (ms) before which it cannot unjail.
    pub jailed_until_ms: u64,
    /// Double-signed (never unjails).
    pub tombstoned: bool,
}

/// A signing info with the validator it belongs to (queries).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningInfoView {
    /// Consensus address (hex).
    pub address: String,
    /// Operator (`akashvaloper…`), empty when the validator is gone.
    pub validator: String,
    /// Missed blocks in the current window.
    pub missed_blocks_counter: u64,
    /// The record.
    #[serde(flatten)]
    pub info: SigningInfo,
}
