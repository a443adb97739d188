//! Request and response types of the ABCI-2.0-shaped interface. The results that also travel
//! over RPC ([`TxResult`], [`ValidatorUpdate`], the `hex32` serde helper) live in
//! `dcloud-rpc-types` and are re-exported here.

pub use dcloud_rpc_types::abci::{hex32, TxResult, ValidatorUpdate};
use dcloud_types::Event;
use serde::{Deserialize, Serialize};

/// What the consensus driver tells the app about the block being finalized.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockInfo {
    /// Height of this block.
    pub height: u64,
    /// Block time, milliseconds since the Unix epoch, from the header (never the wall clock).
    pub time_ms: u64,
    /// Consensus address (hex) of the proposer.
    pub proposer: String,
    /// Who signed the previous block (for downtime slashing).
    pub last_commit: Vec<VoteInfo>,
    /// Evidence of misbehaviour (double signing) to punish.
    pub misbehavior: Vec<Misbehavior>,
}

pub use dcloud_chain::{Misbehavior, VoteInfo};

/// What `finalize_block` returns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinalizeResponse {
    /// One result per tx, in block order.
    pub tx_results: Vec<TxResult>,
    /// Begin/end-block events.
    pub events: Vec<Event>,
    /// Validator-set changes to apply.
    pub validator_updates: Vec<ValidatorUpdate>,
    /// The app hash after this block (hex in JSON).
    #[serde(with = "hex32")]
    pub app_hash: [u8; 32],
}

/// Mempool admission check or re-check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckTxKind {
    /// A new tx.
    New,
    /// A tx already in the mempool, re-checked after a block.
    Recheck,
}

/// The verdict of `check_tx`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckTxResponse {
    /// 0 = admitted.
    pub code: u32,
    /// Codespace of a non-zero code.
    pub codespace: String,
    /// Reason for rejection.
    pub log: String,
    /// Gas limit.
    pub gas_wanted: u64,
    /// The signer (bech32), when known.
    pub sender: String,
    /// The tx's sequence.
    pub sequence: u64,
    /// SHA-256 of the tx, hex upper.
    pub hash: String,
}

/// The answer to a query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryResponse {
    /// The value (JSON for typed paths, raw bytes for `/store`).
    pub value: Vec<u8>,
    /// The proof, when asked for (see `dcloud_store::StateProof::from_bytes`).
    pub proof: Option<Vec<u8>>,
    /// The height the answer is for.
    pub height: u64,
}

/// What the app knows about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppInfo {
    /// Last committed height (None before genesis).
    pub last_height: Option<u64>,
    /// App hash of that height.
    #[serde(with = "hex32")]
    pub last_app_hash: [u8; 32],
    /// Chain id (empty before genesis).
    pub chain_id: String,
}
