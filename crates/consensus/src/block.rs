//! Block, header and commit types: the wire types of `dcloud-rpc-types`, re-exported where
//! consensus code and its users have always found them.

pub use dcloud_rpc_types::block::{
    evidence_hash, tx_merkle_root, Block, BlockResults, Commit, CommitSig, DuplicateVoteEvidence,
    EvidenceVote, Hash, Header, TxRecord,
};
