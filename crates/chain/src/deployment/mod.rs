//! The deployment module: deployments, their groups, and the deployment escrow account.
//!
//! State: `0x20 ‖ len ‖ owner ‖ dseq` → [`Deployment`] (JSON, groups inline), key in
//! `keys.rs`; params under `0xFF ‖ "deployment"` ([`DeploymentParams`]). Orders, bids and
//! leases live in the market module; escrow in the escrow module.
//!
//! Messages (`handler/`, one file each): `MsgCreateDeployment`, `MsgUpdateDeployment`,
//! `MsgDepositDeployment`, `MsgCloseDeployment`, `MsgCloseGroup`, `MsgPauseGroup`,
//! `MsgStartGroup`; stateless checks in `msg.rs`.
//!
//! Events: `EventDeploymentCreated`, `EventDeploymentUpdated`, `EventDeploymentDeposit`,
//! `EventDeploymentClosed`, `EventGroupClosed`, `EventGroupPaused`, `EventGroupStarted`,
//! `EventGroupInsufficientFunds`, `EventGroupInsufficientBids`.
//!
//! Invariants (`invariants.rs`): an active deployment has an open escrow account, a closed
//! one a closed account.
//!
//! Reads: bme (accepted deposit denoms), market (params), escrow. Calls: escrow (create,
//! deposit, close accounts), market's hooks (`create_order`, `close_group_market`), bank and
//! authz (moving deposits). Offers (`hooks.rs`, called by the market): [`set_group_state`],
//! [`reauction_group`], [`close_deployment`], [`gather_deposit`].

mod error;
mod events;
mod genesis;
mod msg;
mod params;
mod types;

#[cfg(feature = "state")]
pub mod handler;
#[cfg(feature = "state")]
pub mod hooks;
#[cfg(feature = "state")]
mod invariants;
#[cfg(feature = "state")]
pub mod keys;
#[cfg(feature = "state")]
mod module;
#[cfg(feature = "state")]
pub mod query;
#[cfg(feature = "state")]
mod state;

/// The shared address-field parser (re-exported here for the paths that used it).
pub use crate::parse_addr;
pub use error::{DeploymentError, CODESPACE};
pub use genesis::{validate_genesis, DeploymentGenesis};
pub use msg::{dep_id, group_id, parse_amount, parse_sources, validate_basic, validate_groups};
pub use params::DeploymentParams;
pub use types::{
    dep_key, escrow_id, limits, AuctionKind, Deployment, DeploymentState, Group, GroupSpec,
    GroupState, ResourceUnit, SignedBy, NAME,
};

#[cfg(feature = "state")]
pub use handler::deliver;
#[cfg(feature = "state")]
pub use hooks::{close_deployment, gather_deposit, reauction_group, set_group_state};
#[cfg(feature = "state")]
pub use invariants::check_invariants;
#[cfg(feature = "state")]
pub use module::DeploymentModule;
#[cfg(feature = "state")]
pub use state::{get, list, must_get, params, put};
