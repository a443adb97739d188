//! A minimal authz module: `cosmos.authz.v1beta1.MsgGrant` / `MsgRevoke` carrying a deposit
//! authorization, which lets the grantee fund escrow deposits from the granter's balance.
//!
//! Akash grants `/akash.escrow.v1.DepositAuthorization` keyed by its `MsgAccountDeposit` type
//! URL. dcloud tops up deployments with `/dcloud.deployment.v1.MsgDepositDeployment`, so the
//! grant is keyed by that URL ([`DEPOSIT_MSG_URL`]) and carries
//! `/dcloud.escrow.v1.DepositAuthorization` (spend limits per denom, scopes deployment | bid).
//! No other authorization type is accepted, and grants are not executed through `MsgExec`:
//! only a deposit with source `grant` uses them.
//!
//! * A grant expires by block time (`expiration`, optional); an expired grant is ignored, and
//!   begin block deletes it (as the SDK's authz begin blocker does): grants with an
//!   expiration are queued by it, and each block removes those whose expiration is at or
//!   before its time, at most [`MAX_PRUNED_PER_BLOCK`] (oldest first, the rest carry over), with
//!   an `EventGrantExpired` each.
//! * A deposit takes from the grantee's grants in key order (by granter), each up to its spend
//!   limit and the granter's balance; the limit shrinks by what was taken. A grant spent down
//!   to zero stays, so the refunds of unused funds (which restore the limit when the escrow
//!   account closes) can be reused.
//!
//! State (`len` is one byte, the address length; built in `keys.rs` only):
//! - `0x90 ‖ len ‖ grantee ‖ len ‖ granter ‖ msg type URL` → [`Grant`] (JSON);
//! - `0x91 ‖ len ‖ granter ‖ len ‖ grantee ‖ msg type URL` → `` (the by-granter index);
//! - `0x92 ‖ expiration_ms_BE ‖ len ‖ grantee ‖ len ‖ granter ‖ msg type URL` → `` (the
//!   expiry queue: grants with an expiration, by it).
//!
//! Messages: `MsgGrant`, `MsgRevoke` (`handler/grant.rs`, `handler/revoke.rs`; stateless checks
//! in `msg.rs`). Events: `cosmos.authz.v1beta1.EventGrant`, `cosmos.authz.v1beta1.EventRevoke`,
//! `EventGrantExpired` (`events.rs`). Errors: [`AuthzError`] (codespace `authz`).
//!
//! Invariants (`invariants.rs`): grants and by-granter index entries match one to one; the
//! grants with an expiration are exactly those in the expiry queue.
//!
//! Other modules: authz reads bank balances (`bank::balance`). It offers two hooks
//! (`hooks.rs`), the only writes other modules make to its state: deployment calls
//! [`take_for_deposit`] for a deposit funded by grants, escrow calls
//! [`restore_deposit_limit`] when it refunds granted funds.

pub mod error;
pub mod events;
pub mod msg;
pub mod types;

#[cfg(feature = "state")]
mod block;
#[cfg(feature = "state")]
pub mod handler;
#[cfg(feature = "state")]
pub mod hooks;
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

pub use error::AuthzError;
pub use msg::validate_basic;
pub use types::{DepositAuthorization, DepositScope, Grant};

#[cfg(feature = "state")]
pub use block::begin_block;
#[cfg(feature = "state")]
pub use handler::deliver;
#[cfg(feature = "state")]
pub use hooks::{restore_deposit_limit, take_for_deposit};
#[cfg(feature = "state")]
pub use invariants::check_invariants;
#[cfg(feature = "state")]
pub use module::AuthzModule;
#[cfg(feature = "state")]
pub use state::AuthzRead;

use dcloud_proto::tx::MSG_DEPOSIT_DEPLOYMENT_URL;

/// The module name.
pub const NAME: &str = "authz";
/// The message type URL deposit authorizations are granted for.
pub const DEPOSIT_MSG_URL: &str = MSG_DEPOSIT_DEPLOYMENT_URL;

/// Most expired grants one block deletes (the SDK's authz prunes 200 per block too).
pub const MAX_PRUNED_PER_BLOCK: usize = 200;
/// Most grants one query or one deposit looks at.
#[cfg(feature = "state")]
const MAX_GRANTS: usize = 1000;
