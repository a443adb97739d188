//! JSON-RPC wire types: those of `dcloud-rpc-types` (shared with the node's server),
//! re-exported under the client's name for them.

pub use dcloud_rpc_types::rpc::*;
