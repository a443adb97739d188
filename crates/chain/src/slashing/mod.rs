//! Slashing (Cosmos `x/slashing`): per-validator signing info over a sliding window of
//! `signed_blocks_window` blocks, fed by the previous commit's signers; a validator that
//! missed more than `window − ⌊window × min_signed_per_window⌋` blocks (once it has been
//! tracked for a full window) is slashed by `slash_fraction_downtime` of its power at the
//! infraction height (the current height − 2, the SDK's distribution height) and jailed
//! for `downtime_jail_duration_ms`; `MsgUnjail` brings it back after that. Double-sign
//! evidence passed by the driver (`BlockInfo::misbehavior`) younger than the evidence max
//! age is slashed by `slash_fraction_double_sign` at the evidence height − 1 (the SDK's
//! distribution height), jailed for good and tombstoned (never slashed for evidence
//! again). Token slashing itself is [`crate::staking::slash`].
//!
//! Layout: `0x80 ‖ consensus address (hex ASCII)` → signing info.
//! Params under `0xFF ‖ "slashing"` (its genesis section is its params).
//!
//! Messages: `MsgUnjail` (`handler/unjail.rs`). Events (`events.rs`): `liveness`, `slash`
//! (reason `missing_signature` or `double_sign`), `evidence_expired`, `unjail`, plus
//! staking's `slash` and bank's burn events.
//! Invariants (`invariants.rs`): every signing info belongs to a validator; missed slots
//! fit the window.
//! Reads: `consensus::last_commit`, staking's validators (`validator_by_consensus`,
//! `get_validator`, `last_powers`). Hooks it calls (staking's `hooks.rs`):
//! `staking::slash`, `staking::jail`, `staking::unjail`. Offers no hooks.
//! Errors: [`SlashingError`] (`NotJailed`, `StillJailed`); `ValidatorNotFound` stays in
//! [`AppError`](crate::AppError).
//!
//! Files: `types.rs`, `params.rs`, `msg.rs`, `events.rs`, `error.rs`; with the `state`
//! feature `keys.rs`, `state.rs`, `handler/`, `block.rs` (begin block and evidence),
//! `query.rs`, `invariants.rs`, `module.rs`.

mod error;
mod events;
mod msg;
mod params;
mod types;

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
mod state;

pub use error::{SlashingError, CODESPACE};
pub use events::*;
pub use msg::validate_basic;
pub use params::SlashingParams;
pub use types::{SigningInfo, SigningInfoView, NAME};

#[cfg(feature = "state")]
pub use block::{begin_block, handle_evidence};
#[cfg(feature = "state")]
pub use handler::deliver;
#[cfg(feature = "state")]
pub use invariants::check_invariants;
#[cfg(feature = "state")]
pub use module::SlashingModule;
#[cfg(feature = "state")]
pub use state::{init_genesis, params, signing_info, signing_info_view, signing_infos};
