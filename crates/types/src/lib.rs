//! Plain domain types shared by every dcloud crate.
//!
//! Nothing here does I/O. Amounts are integers (`u128`), collections that end up in
//! state or hashes are ordered (`BTreeMap`), so everything is deterministic.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

pub mod address;
pub mod coin;
pub mod event;

pub use address::{AccAddress, AddressError};
pub use coin::{Coin, CoinError, Coins};
pub use event::{Attribute, Event};

/// The bech32 human-readable prefix of account addresses.
pub const BECH32_PREFIX: &str = "akash";
/// The staking and fee denomination (micro AKT).
pub const DENOM_AKT: &str = "uakt";
/// The compute-credit denomination (micro ACT).
pub const DENOM_ACT: &str = "uact";
/// SLIP-44 coin type used for key derivation (Cosmos).
pub const COIN_TYPE: u32 = 118;

/// Block height.
pub type Height = u64;

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(data).into()
}
