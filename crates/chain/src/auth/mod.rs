//! The auth module: accounts (address, account number, public key, sequence), module
//! accounts, and tx-level params (memo size, per-byte and signature gas, minimum gas price).
//!
//! State it owns (keys in `keys.rs`): `0x01 ‖ len ‖ addr` → [`Account`] (a small binary
//! record, see `state.rs`, as every tx reads and writes it), `0x02 "next_acc"` → the next
//! account number (u64 BE); its params under `0xFF ‖ "auth"` ([`AuthParams`]).
//!
//! No messages, events or typed errors of its own: the app's ante handler reads the
//! params and the signer's account and bumps its sequence; bank creates the account of a
//! first receiver ([`ensure_account`]); genesis creates the module accounts and the listed
//! accounts. Invariant: account numbers are unique and below the next account number.
//!
//! Reads no other module and calls no hooks. Other modules read it through the read side
//! of `state.rs` ([`get_account`], [`list_accounts`], [`params`]); the write side
//! ([`set_account`], [`ensure_account`]) is for the ante handler, bank and genesis.

mod genesis;
mod params;
mod types;

pub use genesis::{validate_genesis_accounts, AuthGenesis, GenesisAccount};
pub use params::{parse_decimal_micro, AuthParams};
pub use types::{
    has_permission, is_module_address, module_address, Account, FEE_COLLECTOR, MODULE_ACCOUNTS,
};

#[cfg(feature = "state")]
mod invariants;
#[cfg(feature = "state")]
mod keys;
#[cfg(feature = "state")]
mod module;
#[cfg(feature = "state")]
pub mod query;
#[cfg(feature = "state")]
mod state;

#[cfg(feature = "state")]
pub use invariants::check_invariants;
#[cfg(feature = "state")]
pub use module::AuthModule;
#[cfg(feature = "state")]
pub use state::{ensure_account, get_account, init_genesis, list_accounts, params, set_account};

/// The module name.
pub const NAME: &str = "auth";
