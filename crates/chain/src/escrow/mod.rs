//! The escrow module: accounts holding deposits (one per deployment, one per bid), payments
//! streaming from a deployment account to providers at a per-block rate, lazy settlement,
//! and the exhaustion index.
//!
//! Amounts: balances are whole micro-units (`u128`); rates are atto-units per block
//! (micro-units × 10^18, exact fixed point). Each payment keeps its sub-micro remainder, so
//! after `n` blocks it has earned exactly `floor(rate × n / 10^18)`.
//!
//! State:
//! - `0x28 ‖ account id` → [`Account`] (JSON); account id = scope (1 deployment, 2 bid) ‖ key.
//! - `0x29 ‖ account id ‖ lease key` → [`Payment`] (JSON), only while the payment is open.
//! - `0x2A ‖ height ‖ account id` → `` : the account's funds run out after `height`
//!   (the exhaustion index); `0x2B ‖ height ‖ account id` → `` : low-funds warning due.
//!
//! Each account keeps its unspent deposits in order ([`Depositor`]): settlement spends them
//! first in, first out, and closing refunds each one to whoever funded it (the granter for a
//! deposit drawn from an authz grant, whose spend limit the refund restores).
//!
//! The exhaustion height of an account is the last height whose payments it can cover in
//! full; `end_block` at that height settles it and closes it (see `market::end_block`), so
//! no settlement ever finds an account short. Per-block work touches only due entries.
//!
//! **AKT fallback** (akash-chain.md §7, BME era): the owner may add `uakt` to a `uact`
//! account (`MsgDepositDeployment`); it is kept apart (`akt_balance`) and not used
//! normally. When an account runs dry while the BME status is `halt_cr` or worse and the
//! oracle price is healthy, it stays open and is settled every block ([`settle_due`]):
//! the uact its payments are short is paid from the AKT straight to the provider, at
//! `uakt = ceil(short_uact × 10^18 / price)` (rounding against the tenant, so a covered
//! shortfall is cleared exactly; less the take). If the AKT does not cover it, the rest
//! (`floor(akt × price / 10^18)` uact covered) stays unpaid in `unsettled` and the account
//! closes as overdrawn at that block's end; otherwise (no halt, unhealthy oracle, no AKT)
//! it closes as before. What AKT is left is refunded to the owner on close.

//!
//! Files: records in `types.rs`, params in `params.rs`, keys in `keys.rs`, reads in
//! `state.rs`, settlement in `settle.rs`, the writes the market and deployment modules ask
//! for in `hooks.rs` (`create_account`, `create_account_funded`, `deposit`,
//! `create_payment`, `withdraw_payment`, `close_payment`, `close_account`, `unindex_due`,
//! and `settle`, `settle_due`, `warn_due` from `settle.rs`), invariants in `invariants.rs`.
//! Escrow has no messages of its own: deposits arrive through deployment's messages.
//!
//! Events: `EventEscrowLowFunds` and the account, payment and withdrawal events of its hooks.
//!
//! Invariants: the escrow module account holds at least what open accounts and payments
//! hold; every open account is indexed where it runs out.
//!
//! Reads: bank, auth (module addresses), bme (status), oracle (the AKT price).

mod error;
mod events;
mod genesis;
mod params;
mod types;

#[cfg(feature = "state")]
mod hooks;
#[cfg(feature = "state")]
mod invariants;
#[cfg(feature = "state")]
pub mod keys;
#[cfg(feature = "state")]
mod module;
#[cfg(feature = "state")]
pub mod query;
#[cfg(feature = "state")]
mod settle;
#[cfg(feature = "state")]
mod state;

pub use error::{EscrowError, CODESPACE};
pub use genesis::{validate_genesis, EscrowGenesis};
pub use params::EscrowParams;
pub use types::{
    blocks_remaining, fmt_dec18, parse_dec18, Account, AccountState, DepositSource, Depositor,
    Payment, ATTO, COMMUNITY_POOL, MODULE_ACCOUNT, NAME,
};

#[cfg(feature = "state")]
pub use hooks::{
    close_account, close_payment, create_account, create_account_funded, create_payment, deposit,
    unindex_due, withdraw_payment,
};
#[cfg(feature = "state")]
pub use invariants::check_invariants;
#[cfg(feature = "state")]
pub use module::EscrowModule;
#[cfg(feature = "state")]
pub use settle::{fallback_price, settle, settle_due, warn_due};
#[cfg(feature = "state")]
pub use state::{
    check_deposit, due_through, get_account, get_payment, list_accounts, params, payments,
};
