//! Blocks, the block store, the mempool and consensus drivers.
//!
//! A driver turns mempool txs into committed blocks by calling the app's ABCI-shaped
//! interface. `solo` is a single validator that signs its own commits; a BFT driver
//! (Malachite) will replace it without changing the app: blocks already carry the previous
//! height's commit certificate, the app receives who signed it, and `finalize_block`
//! returns validator-set updates.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

pub mod block;
pub mod blockstore;
pub mod mempool;
pub mod query;
pub mod solo;

pub use block::{Block, BlockResults, Commit, CommitSig, Header, TxRecord};
pub use blockstore::BlockStore;
pub use mempool::{Mempool, MempoolError};
pub use query::EventQuery;
pub use solo::{CommittedBlock, SoloConfig, SoloDriver};

/// Who of the validator set `vals` signed `commit` (the previous block's certificate), in the
/// shape the app's downtime tracking takes; empty without a commit (the first block). Every
/// driver builds `BlockInfo::last_commit` with it.
pub fn commit_votes(
    vals: &[dcloud_app::modules::consensus::Validator],
    commit: Option<&Commit>,
) -> Vec<dcloud_app::VoteInfo> {
    let Some(c) = commit else { return Vec::new() };
    vals.iter()
        .map(|v| dcloud_app::VoteInfo {
            validator_address: v.address.clone(),
            power: v.power,
            signed: c
                .signatures
                .iter()
                .any(|s| s.validator_address.eq_ignore_ascii_case(&v.address)),
        })
        .collect()
}

/// Errors of the consensus layer.
#[derive(Debug, thiserror::Error)]
pub enum ConsensusError {
    /// The app failed.
    #[error(transparent)]
    App(#[from] dcloud_app::AppError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] dcloud_store::StoreError),
    /// Stored block data could not be decoded.
    #[error("corrupt block store: {0}")]
    Corrupt(String),
    /// Our own proposal was rejected by the app: a bug, never expected.
    #[error("proposal rejected: {0}")]
    Rejected(String),
}
