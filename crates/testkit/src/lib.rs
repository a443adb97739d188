//! Builders for dcloud development and test networks, shared by `dcloud devnet` and tests:
//! genesis editing (balances with a consistent declared supply) and the devnet's genesis
//! economics (`devnet`). The in-process `TestChain` lives in `dcloud-app` behind its
//! `test-utils` feature.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

pub mod devnet;
pub mod genesis;

pub use genesis::{add_balance, GenesisBuildError};
