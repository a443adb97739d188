//! Mint (Cosmos `x/mint`): every block, inflation moves toward the bonded-ratio goal,
//!
//! ```text
//! change/year = (1 − bonded_ratio / goal_bonded) × inflation_rate_change
//! inflation   = clamp(inflation + change/year / blocks_per_year, inflation_min, inflation_max)
//! annual      = inflation × supply(uakt)
//! minted      = floor(annual / blocks_per_year)   → fee collector
//! ```
//!
//! in 18-decimal fixed point (signed where the change is negative), rounding toward zero.
//! Runs only on a proof-of-stake chain (staking enabled).
//!
//! State: `0x6A` → the [`Minter`] (inflation, annual provisions, Σ minted); params under
//! `0xFF ‖ "mint"`. No messages (gov changes its params). Events: `mint` every block on a
//! proof-of-stake chain (`events.rs`), plus bank's mint / transfer events.
//! Invariants (`invariants.rs`): the mint module account holds nothing between blocks;
//! inflation stays within its band once anything was minted.
//! Reads: `staking::enabled`, `staking::bonded_tokens`, bank's supply. Writes through
//! other modules: `bank::mint` into its module account and `bank::transfer` to the fee
//! collector. Offers no hooks. It raises only generic errors (no `MintError`).
//!
//! Files: `types.rs` (the minter and the pure inflation step), `params.rs`, `genesis.rs`,
//! `events.rs`; with the `state` feature `keys.rs`, `state.rs`, `block.rs` (begin block),
//! `query.rs`, `invariants.rs`, `module.rs`.

mod events;
mod genesis;
mod params;
mod types;

#[cfg(feature = "state")]
mod block;
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

pub use events::mint_event;
pub use genesis::MintGenesis;
pub use params::MintParams;
pub use types::{next_inflation, InflationView, Minter, NAME};

#[cfg(feature = "state")]
pub use block::begin_block;
#[cfg(feature = "state")]
pub use invariants::check_invariants;
#[cfg(feature = "state")]
pub use module::MintModule;
#[cfg(feature = "state")]
pub use state::{init_genesis, minter, params, total_minted};
