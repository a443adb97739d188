//! Talking to a dcloud node: the JSON-RPC wire types (re-exported from `dcloud-rpc-types`),
//! an HTTP/websocket client, and a tx sender that signs with a keyring key.
//!
//! * [`RpcClient`]: one typed async method per RPC endpoint, plus helpers such as
//!   [`RpcClient::account`], [`RpcClient::balances`] and [`RpcClient::wait_for_tx`].
//! * [`tx`]: [`TxSender`] / [`sign_and_broadcast`]: account lookup, gas simulation, fee from
//!   the chain's minimum gas price, SIGN_MODE_DIRECT signing, broadcast and wait.
//! * [`RpcClient::subscribe`]: a websocket event stream.
//! * [`tenant`]: the tenant's side of a provider — its gateway client, certificates, tokens.
//!
//! Errors are one enum, [`ClientError`].
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

pub mod authz;
pub mod bme;
mod error;
pub mod gov;
pub mod market;
pub mod rpc;
pub mod rpc_types;
pub mod staking;
pub mod tenant;
pub mod tx;
pub mod verify;
mod ws;

pub use error::ClientError;
pub use rpc::{RpcClient, DEFAULT_NODE};
pub use tx::{
    broadcast, sign_and_broadcast, BroadcastMode, GasSetting, PreparedTx, TxOptions, TxOutcome,
    TxSender,
};
pub use ws::Subscription;
