//! The oracle module: authorised sources publish the AKT/USD price; every end-block
//! aggregates it into a time-weighted average and a health verdict that the BME module reads.
//!
//! Prices are 18-decimal fixed point (`u128` atto-USD per AKT), never floats. Time is the
//! block time from `BlockInfo` (ms); staleness is counted in blocks.
//!
//! * A source's price is **fresh** while `height − submitted_height ≤ max_price_staleness_blocks`.
//! * A fresh source's **TWAP** is the average of its observations over
//!   `[now − twap_window_ms, now]`, each weighted by the milliseconds it was in force (the last
//!   observation before the window counts from the window start); `floor` of the weighted sum.
//!   If no observation was in force for a positive time (e.g. the only one is from this very
//!   block), the latest observation is the TWAP.
//! * The **aggregate** is the mean (floor) of the fresh sources' TWAPs; also min, max, median
//!   and `deviation_bps = floor((max − min) × 10^4 / min)`.
//! * **Health**: `stale` if fewer than `min_price_sources` sources are fresh, else
//!   `deviation` if `deviation_bps > max_price_deviation_bps`, else `healthy`. Only a healthy
//!   aggregate becomes the price ([`price`]); transitions emit `EventPriceHealthChanged`.
//!
//! State:
//! * `0x34 "state"` → [`OracleState`] (JSON): health, last aggregate, last healthy price;
//! * `0x35 ‖ len ‖ source ‖ time_ms ‖ seq` → [`PriceEntry`] (JSON): the observations still
//!   needed for the TWAP (older ones are pruned at end-block, keeping one before the window);
//! * `0x36 ‖ len ‖ source` → the source's latest [`PriceEntry`].
//!
//! (Keys are built in `keys.rs` only.)
//!
//! Message: `MsgSubmitPrice` (`handler/submit_price.rs`; stateless checks in `msg.rs`).
//! Events: `EventPriceSubmitted`, `EventPriceHealthChanged` (`events.rs`). Errors:
//! [`OracleError`] (codespace `oracle`). Params: [`OracleParams`] (`params.rs`); genesis:
//! [`OracleGenesis`] (`genesis.rs`).
//!
//! Invariants (`invariants.rs`): a healthy state has a positive price; each source's latest
//! entry is its newest kept observation.
//!
//! Other modules: the oracle reads only its params. BME and escrow read [`price`] (the read
//! side in `state.rs`); no other module writes oracle state, and the oracle calls no hooks.

pub mod error;
pub mod events;
pub mod genesis;
pub mod msg;
pub mod params;
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

pub use error::OracleError;
pub use genesis::{GenesisPrice, OracleGenesis};
pub use msg::validate_submit;
pub use params::{OracleParams, MAX_TWAP_WINDOW_MS};
pub use types::{Aggregate, Health, OracleState, PriceEntry};

#[cfg(feature = "state")]
pub use block::{end_block, twap};
#[cfg(feature = "state")]
pub use handler::submit_price::deliver_submit;
#[cfg(feature = "state")]
pub use invariants::check_invariants;
#[cfg(feature = "state")]
pub use module::OracleModule;
#[cfg(feature = "state")]
pub use state::{entries, init_genesis, latest, oracle_state, params, price};

use dcloud_types::ATTO;

/// The module name.
pub const NAME: &str = "oracle";
/// The priced asset (normalised from `uakt`).
pub const DENOM: &str = "akt";
/// The quote currency.
pub const BASE_DENOM: &str = "usd";
/// Largest accepted price: 10^12 USD per AKT (keeps every TWAP product inside `u128`).
pub const MAX_PRICE_ATTO: u128 = 1_000_000_000_000 * ATTO;
