//! Consensus-visible state: the validator set the consensus driver runs with, and the
//! previous block's commit.
//!
//! State it owns (keys in `keys.rs`): `0xF0 "validators"` → the validator set
//! ([`Validator`] list, JSON); `0xF0 "last_commit"` → who signed the previous block
//! ([`crate::VoteInfo`] list, JSON).
//!
//! No messages, no events, no params, no genesis section of its own: the app writes the
//! genesis validator set (`app_state` validators) through [`set_validators`].
//!
//! Who writes it: genesis sets the validator set; on a proof-of-stake chain the staking
//! module rewrites it (through [`set_validators`]) at the end of every block in which the
//! active set or a power changed; the app turns the change into ABCI updates with
//! [`updates`]. Pre-block records the last commit (only when staking is enabled, read
//! through `staking::enabled`), which distribution and slashing read with [`last_commit`].
//!
//! Read side: [`validators`], [`last_commit`]. Write side: [`set_validators`],
//! [`set_last_commit`].

mod types;
pub use types::{updates, Validator};

#[cfg(feature = "state")]
mod keys;
#[cfg(feature = "state")]
mod module;
#[cfg(feature = "state")]
pub mod query;
#[cfg(feature = "state")]
mod state;
#[cfg(feature = "state")]
pub use module::ConsensusModule;
#[cfg(feature = "state")]
pub use state::{last_commit, set_last_commit, set_validators, validators};

/// Module name (its query path prefix).
pub const NAME: &str = "consensus";
