//! What executing a tx or a block yields, in the shape of ABCI 2.0: the app returns these
//! from `finalize_block`, the node stores them with the block, the RPC shows them.

use dcloud_types::Event;
use serde::{Deserialize, Serialize};

/// A validator-set change for the consensus driver (power 0 removes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidatorUpdate {
    /// ed25519 public key, base64.
    pub pub_key: String,
    /// New voting power.
    pub power: u64,
}

/// The outcome of one tx in a block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxResult {
    /// 0 = success.
    pub code: u32,
    /// Codespace of a non-zero code.
    #[serde(default)]
    pub codespace: String,
    /// Error text (empty on success).
    #[serde(default)]
    pub log: String,
    /// Gas limit of the tx.
    pub gas_wanted: u64,
    /// Gas charged.
    pub gas_used: u64,
    /// Events, in emission order.
    #[serde(default)]
    pub events: Vec<Event>,
}

/// `[u8; 32]` as upper-case hex.
pub mod hex32 {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serializes as hex.
    pub fn serialize<S: Serializer>(v: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode_upper(v))
    }
    /// Parses hex.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let s = String::deserialize(d)?;
        let v = hex::decode(&s).map_err(serde::de::Error::custom)?;
        v.try_into().map_err(|_| serde::de::Error::custom("expected 32 bytes"))
    }
}
