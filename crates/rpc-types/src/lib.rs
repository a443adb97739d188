//! The wire types shared by the node's JSON-RPC / websocket server and its clients (CLI,
//! provider daemon, console), in the spirit of CometBFT's RPC.
//!
//! * [`abci`]: what executing a tx or block yields ([`TxResult`], [`ValidatorUpdate`]), as
//!   the app returns it and the RPC shows it.
//! * [`block`]: [`Block`], [`Header`], [`Commit`], [`BlockResults`], [`TxRecord`], with the
//!   header / commit hashes and the tx merkle root a light client checks.
//! * [`comet`]: the CometBFT 0.38 JSON shapes the node serves (what cosmjs and explorers
//!   decode), converting from and back to the chain's types.
//! * [`rpc`]: JSON-RPC 2.0 envelopes and the answer of each method.
//!
//! Plain data with serde only: no I/O, no state, no dependency on the node or the chain, so
//! a light client or a wasm console can link it.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

pub mod abci;
pub mod block;
pub mod comet;
pub mod rpc;

pub use abci::{hex32, TxResult, ValidatorUpdate};
pub use block::{tx_merkle_root, Block, BlockResults, Commit, CommitSig, Hash, Header, TxRecord};
pub use rpc::*;
