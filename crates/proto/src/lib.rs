//! Wire types for dcloud.
//!
//! Transactions use the Cosmos SDK envelope (`TxRaw { body_bytes, auth_info_bytes, signatures }`,
//! signed as a `SignDoc` in `SIGN_MODE_DIRECT`) so that existing Cosmos wallets and tools can
//! sign for dcloud. This crate decodes and builds that envelope; it holds no state and does
//! no I/O. Messages travel as protobuf `Any` with type URLs; [`Msg`] is the decoded set the
//! chain understands.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

pub mod dcloud;
pub mod tx;

pub use cosmos_sdk_proto as cosmos;
pub use cosmos_sdk_proto::Any;
pub use prost::Message;
pub use tx::{
    msg_send, sign_doc_bytes, valoper_to_account, BuildTxError, DecodedTx, Msg, SignerData,
    TxBuilder, TxDecodeError, ED25519_PUBKEY_URL, MAX_TX_BYTES, MSG_MULTI_SEND_URL, MSG_SEND_URL,
    SECP256K1_PUBKEY_URL, VALOPER_PREFIX,
};
