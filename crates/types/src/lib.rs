//! Plain domain types shared by every dcloud crate: addresses, coins, events, the 18-decimal
//! fixed point [`Dec`], and the market ids ([`DeploymentId`] … [`BidId`]) with their key
//! encoding.
//!
//! Nothing here does I/O. Amounts are integers (`u128`), collections that end up in
//! state or hashes are ordered (`BTreeMap`), so everything is deterministic.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

pub mod address;
pub mod coin;
pub mod dec;
pub mod event;
pub mod field;
pub mod ids;

pub use address::{AccAddress, AddressError};
pub use coin::{Coin, CoinError, Coins};
pub use dec::{Dec, DecError, ATTO};
pub use event::{Attribute, Event};
pub use field::{parse_field, FieldError};
pub use ids::{BidId, DeploymentId, GroupId, IdError, KeyError, LeaseId, OrderId};

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
