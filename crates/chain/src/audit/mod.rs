//! The audit module: auditors sign attributes of providers; tenants trust auditors through
//! `signedBy` in their SDL placement.
//!
//! State it owns (keys in `keys.rs`): `0x31 ‖ len ‖ provider ‖ len ‖ auditor` → the
//! attributes the auditor signed, sorted by key (JSON).
//!
//! Messages (signer: the auditor; anyone may audit, tenants choose whom to trust):
//! `MsgSignProviderAttributes` merges attributes into the record (new keys added, existing
//! overwritten, stored sorted); `MsgDeleteProviderAttributes` withdraws keys (each must be
//! signed; no keys withdraws the whole record; an emptied record is deleted).
//! Events: `EventTrustedAuditorCreated` / `EventTrustedAuditorDeleted` with `owner`, `auditor`.
//! Errors: [`AuditError`] (codespace `audit`).
//! Invariants: every record decodes, is non-empty and sorted by unique key.
//!
//! Reads the provider module's attribute rules (`provider::validate_attributes`,
//! `provider::is_valid_attribute_key`, `MAX_ATTRIBUTES`); calls no hooks. The market reads
//! it through the read side of `state.rs` ([`signed_attributes`], [`list`]); nobody else
//! writes it.

mod error;
mod msg;
mod types;

pub use error::AuditError;
pub use msg::{validate_delete, validate_sign};
pub use types::{AuditListReq, AuditedAttributes};

pub mod events;

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

#[cfg(feature = "state")]
pub use handler::delete_provider_attributes::deliver_delete;
#[cfg(feature = "state")]
pub use handler::sign_provider_attributes::deliver_sign;
#[cfg(feature = "state")]
pub use invariants::check_invariants;
#[cfg(feature = "state")]
pub use keys::audit_key;
#[cfg(feature = "state")]
pub use module::AuditModule;
#[cfg(feature = "state")]
pub use state::{list, set_signed_attributes, signed_attributes};

/// The module name.
pub const NAME: &str = "audit";
