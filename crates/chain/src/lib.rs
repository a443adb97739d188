//! The dcloud chain modules and their registry.
//!
//! Each module is one folder `src/<module>/` and one [`Module`] implementation, listed in
//! [`REGISTRY`] (block order) and, when it has genesis state, in [`GENESIS_ORDER`]. The app
//! (`dcloud-app`) only loops over those lists: genesis (`validate_genesis`, `init_genesis`),
//! message routing (each [`dcloud_proto::Msg`] names its module in the proto message
//! table), queries (`/<module>/<path>`), pre-block / begin-block / end-block work and
//! invariants. Gov's param changes are checked by the owning module's
//! [`Module::check_params`], the only copy of each module's param rules.
//!
//! ## The layout of a module
//!
//! A module folder is moving to this shape (modules not yet split keep their code in
//! `mod.rs` and already have `module.rs` and `query.rs`):
//!
//! | file | what it holds |
//! |---|---|
//! | `mod.rs` | the doc: state owned, messages, events, invariants, cross-module hooks it calls |
//! | `types.rs` | the records it stores and their state enums |
//! | `msg.rs` | stateless message checks (`validate_basic`) |
//! | `params.rs` | params, defaults and `validate` |
//! | `genesis.rs` | its genesis section |
//! | `events.rs` | the events it emits |
//! | `error.rs` | its typed error, converted into [`AppError`] |
//! | `keys.rs` | every store key it builds (no key bytes elsewhere) |
//! | `state.rs` | read / write access (another module imports only the read side) |
//! | `handler/<message>.rs` | one file per message: stateless → stateful checks → writes → events |
//! | `hooks.rs` | the writes other modules may ask of it, by name |
//! | `query.rs` | its query paths |
//! | `invariants.rs` | its invariants |
//! | `module.rs` | its [`Module`] implementation |
//!
//! Adding a message: its proto type and one row of the message table in
//! `dcloud-proto/src/tx.rs`, its checks in the module's `msg.rs`, one handler file.
//!
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

pub mod audit;
pub mod auth;
pub mod authz;
pub mod bank;
pub mod bme;
pub mod cert;
pub mod consensus;
pub mod dec;
pub mod deployment;
pub mod distribution;
pub mod escrow;
pub mod gov;
pub mod market;
pub mod mint;
pub mod oracle;
pub mod provider;
pub mod slashing;
pub mod staking;

pub mod abci;
pub mod coins;
pub mod error;
pub mod genesis;
pub mod module;
pub mod query;

pub use abci::{Misbehavior, ValidatorUpdate, VoteInfo};
pub use coins::parse_coins;
pub use error::AppError;
pub use module::*;
