//! The BME module (Burn-Mint Equilibrium, AEP-76): tenants convert AKT into ACT, the
//! USD-pegged compute credit, and providers convert ACT back into AKT, through the vault
//! (the `bme` module account) at the oracle price.
//!
//! Requests are queued at tx time (the coins move into the vault at once) and executed in
//! epochs by the end-block: burns every `min_epoch_blocks`, mints every `epoch_height_diff`
//! blocks (longer while the collateral ratio is in the warning band) and never while halted.
//!
//! **Amounts and rounding** (all `u128`, fixed point, 256-bit intermediate products):
//! * AKT→ACT: `out = floor(uakt × price / 10^18)`; ACT→AKT: `out = floor(uact × 10^18 / price)`;
//! * `spread = ceil(out × spread_bps / 10^4)`, the user receives `out − spread`.
//!
//! Every rounding goes against the requester, in the vault's favour.
//! * Collateral ratio in basis points: `floor((vault_uakt − pending_uakt) × price / 10^18 ×
//!   10^4 / supply_uact)`; no ACT outstanding = infinite (healthy).
//!
//! **Circuit breaker** (evaluated every end-block, after the oracle): price unavailable →
//! `halt_oracle`; `cr > warn` → `healthy`; `halt < cr ≤ warn` → `warning` (mint epoch backs
//! off: `min_epoch_blocks` grown by `epoch_blocks_backoff_percent` per 10 bp below `warn`,
//! compounded with floor at each step, capped at 14400); `cr ≤ halt` → `halt_cr`. Recovery
//! has a dead band (`recovery_band_bps`): warning → healthy only at `cr > warn + band`,
//! halt_cr → warning only at `cr > halt + band`. Mints are refused at tx time from
//! `halt_cr` on; burns stay allowed in `halt_cr`. While `act_market` is on, deployments and
//! bids are priced in uact (see [`act_denom_problem`]).
//!
//! State (one-byte prefixes `0x40`-`0x43`):
//! * `0x40 "status"` → [`BmeStatus`]; `0x40 "totals"` → [`Totals`]; `0x40 "seq"` → the
//!   request sequence of the current block (height, next);
//! * `0x41 ‖ dir ‖ height ‖ seq` → [`PendingRecord`] (dir 0 = mint uakt→uact, 1 = burn);
//! * `0x42 ‖ height ‖ seq` → [`LedgerRecord`] (executed); `0x43 ‖ height ‖ seq` →
//!   [`CanceledRecord`].
//!
//! Keys are built in `keys.rs` only.
//!
//! Messages (`handler/`; stateless checks in `msg.rs`): `MsgMintAct`, `MsgBurnAct`,
//! `MsgBurnMint` (`request.rs`: queue a conversion) and `MsgFundVault` (`fund_vault.rs`).
//! Events: `EventBurnMintRequested`, `EventVaultFunded`, `EventLedgerRecordExecuted`,
//! `EventLedgerRecordCanceled`, `EventLedgerRecordRetry`, `EventMintStatusChange`. Errors:
//! [`BmeError`] (codespace `bme`). The pure rules (conversion, rounding, circuit breaker,
//! back-off) are in `rules.rs`.
//!
//! Other modules: BME reads the oracle price (`oracle::price`) and moves coins through bank
//! (`transfer`, `mint`, `burn`). Escrow, deployment and market read its status and
//! [`act_denom_problem`]; no other module writes BME state.
//!
//! Invariants (`invariants.rs`): supply per denom = genesis supply + minted − burned; the
//! supply ledger of uakt also counts the mint module's inflation (`mint::total_minted`),
//! gov's burned deposits (`gov::total_burned`) and slashed stake
//! (`staking::total_slashed`), read from those modules' running totals; the vault holds exactly
//! `funded + pending + remint credits + spreads` of uakt and `funded + pending + spreads` of
//! uact; totals (minted, burned, credits, spreads, pending) equal the sums over the ledger
//! and the queue.

pub mod error;
pub mod events;
pub mod msg;
pub mod params;
pub mod rules;
pub mod types;

#[cfg(feature = "state")]
mod block;
#[cfg(feature = "state")]
pub mod handler;
#[cfg(feature = "state")]
mod invariants;
#[cfg(feature = "state")]
mod keys;
#[cfg(feature = "state")]
mod module;
#[cfg(feature = "state")]
pub mod query;
#[cfg(feature = "state")]
pub mod state;

pub use error::BmeError;
pub use msg::validate_basic;
pub use params::BmeParams;
pub use rules::{backoff, convert, evaluate, fmt_cr};
pub use types::{
    BmeStatus, CancelReason, CanceledRecord, LedgerRecord, MintStatus, PendingRecord, RecordId,
    Totals,
};
pub use types::{StatusView, VaultState};

#[cfg(feature = "state")]
pub use block::{end_block, init_genesis};
#[cfg(feature = "state")]
pub use handler::deliver;
#[cfg(feature = "state")]
pub use handler::request::request;
#[cfg(feature = "state")]
pub use invariants::check_invariants;
#[cfg(feature = "state")]
pub use module::BmeModule;
#[cfg(feature = "state")]
pub use query::{status_view, vault_state};
#[cfg(feature = "state")]
pub use state::{
    act_denom_problem, canceled, collateral_ratio, ledger, params, pending, status, totals,
    vault_address,
};

/// `(floor(a × b / d), (a × b) mod d ≠ 0)` with a 256-bit product (the shared
/// [`dcloud_types::dec::mul_div`]; kept at this path for its callers).
pub use dcloud_types::dec::mul_div;

/// The module name.
pub const NAME: &str = "bme";
/// The vault: the module account holding collateral (minter and burner).
pub const VAULT: &str = "bme";
/// Upper bound of the backed-off mint epoch (blocks).
pub const MAX_EPOCH_BLOCKS: u64 = 14_400;
