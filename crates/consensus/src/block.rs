//! Block, header and commit types: the wire types of `dcloud-rpc-types`, re-exported where
//! consensus code and its users have always found them.

pub use dcloud_rpc_types::block::{
    tx_merkle_root, Block, BlockResults, Commit, CommitSig, Hash, Header, TxRecord,
};
