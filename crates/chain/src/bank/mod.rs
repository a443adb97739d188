//! The bank module: balances, total supply per denom, sends, and mint/burn for modules.
//!
//! State it owns (keys in `keys.rs`): `0x10 ‖ len ‖ addr ‖ denom` → amount (u128 BE),
//! `0x11 ‖ denom` → supply (u128 BE); its params under `0xFF ‖ "bank"` ([`BankParams`]).
//! Zero balances are deleted, never stored.
//!
//! Messages: `MsgSend`, `MsgMultiSend` (one input, outputs summing to it; each output is
//! a checked send). A user send refuses non-transferable denoms ([`NON_TRANSFERABLE`]),
//! denoms whose sending is disabled (`SendDisabled`, codespace `bank`, shared with
//! distribution so it stays in `AppError`) and module-account recipients.
//! Events: `coin_spent`, `coin_received`, `transfer` for every transfer, `coinbase` on
//! mint, `burn` on burn (see `events.rs`).
//! Invariants: for every denom, supply = sum of balances; no zero balance stored.
//!
//! Reads auth (module accounts and their permissions) and writes it only through
//! `auth::ensure_account` (a receiver gets an account). Hooks it offers (`hooks.rs`), the
//! only way other modules move coins: [`transfer`], [`send_checked`], [`mint`], [`burn`].
//! Others read it through the read side of `state.rs` ([`balance`], [`balances`],
//! [`supply_of`], [`total_supply`], [`params`]).

mod genesis;
mod msg;
mod params;

pub use genesis::{validate_genesis, BankGenesis, GenesisBalance, RawCoin};
pub use msg::validate_basic;
pub use params::{BankParams, SendEnabled, NON_TRANSFERABLE};

pub mod events;

#[cfg(feature = "state")]
pub mod handler;
#[cfg(feature = "state")]
mod hooks;
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
pub use hooks::{burn, mint, send_checked, transfer};
#[cfg(feature = "state")]
pub use invariants::check_invariants;
#[cfg(feature = "state")]
pub use module::BankModule;
#[cfg(feature = "state")]
pub use state::{balance, balances, init_genesis, params, supply_of, total_supply};

/// The module name.
pub const NAME: &str = "bank";
