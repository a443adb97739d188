//! The ABCI-side plain types the modules read from a block (votes, evidence) and
//! return to consensus (validator updates). The app re-exports them.

use serde::{Deserialize, Serialize};

/// One validator's participation in the previous block's commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteInfo {
    /// Consensus address (hex).
    pub validator_address: String,
    /// Voting power.
    pub power: u64,
    /// Whether its signature is in the commit.
    pub signed: bool,
}

/// Evidence of a consensus fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Misbehavior {
    /// `duplicate_vote` or `light_client_attack`.
    pub kind: String,
    /// Offender's consensus address (hex).
    pub validator_address: String,
    /// Height of the offence.
    pub height: u64,
    /// Block time (ms) of the offence; 0 = unknown (only the age in blocks is checked).
    #[serde(default)]
    pub time_ms: u64,
    /// The offender's voting power at the offence; 0 = unknown (its last power is used).
    #[serde(default)]
    pub power: u64,
}

/// A validator-set change for the consensus driver (power 0 removes); one definition, in the
/// wire types, since the RPC shows it too.
pub use dcloud_rpc_types::abci::ValidatorUpdate;
