//! The provider module: providers register their host URI, attributes and contact info.
//!
//! State it owns (keys in `keys.rs`): `0x30 ‖ len ‖ owner` → [`Provider`] (JSON).
//!
//! Messages (signer: the owner): `MsgCreateProvider` (fails if registered),
//! `MsgUpdateProvider` (must exist; replaces host URI, attributes and info wholesale).
//! Events: `EventProviderCreated` / `EventProviderUpdated` with `owner`.
//! Errors: [`ProviderError`] (codespace `provider`).
//! Invariants: every provider sits under its owner's key, with a valid host URI and
//! attributes sorted by unique, valid key.
//!
//! Reads no other module and calls no hooks. Other modules read it through the read side
//! of `state.rs` ([`get_provider`], [`list_providers`]: the market checks bidders, the
//! audit module and tenants' placement filters reuse [`validate_attributes`] and
//! [`is_valid_attribute_key`]); nobody else writes it.

mod error;
mod msg;
mod types;

pub use error::ProviderError;
pub use msg::{
    is_valid_attribute_key, validate_attributes, validate_create, validate_host_uri, validate_info,
    validate_provider_msg, validate_update,
};
pub use types::{
    Attribute, Provider, ProviderInfo, ProviderPage, MAX_ATTRIBUTES, MAX_ATTRIBUTE_VALUE_LEN,
    MAX_HOST_URI_LEN, MAX_INFO_LEN,
};

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
pub use handler::create_provider::deliver_create;
#[cfg(feature = "state")]
pub use handler::update_provider::deliver_update;
#[cfg(feature = "state")]
pub use invariants::check_invariants;
#[cfg(feature = "state")]
pub use module::ProviderModule;
#[cfg(feature = "state")]
pub use state::{get_provider, list_providers, set_provider};

/// The module name.
pub const NAME: &str = "provider";
