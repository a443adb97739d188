//! The tenant side of dcloud beyond plain transactions: talking to a provider's gateway.
//!
//! * [`gateway`] — [`gateway::ProviderClient`], the HTTPS/websocket client for a
//!   provider's gateway (manifest, lease status, logs, events, shell), pinning the
//!   provider's on-chain certificate.
//! * [`api`] — the gateway's wire types, shared with the provider.
//! * [`lease`] — lease and order ids as the gateway addresses them.
//! * [`deploy`] — the deploy flow (create → bids → lease → manifest → running), reporting
//!   progress through a callback; [`cert`] creates the tenant's client certificate.
//! * [`certs`] — self-signed P-256 certificates both sides publish on chain, and the
//!   structural checks both TLS verifiers apply.
//! * [`jwt`] — ES256K tokens (format, signing, verification).
//! * [`tls`] — the tenant's rustls configuration and the pieces the gateway's server
//!   configuration shares with it.

pub mod api;
pub mod cert;
pub mod certs;
pub mod deploy;
pub mod gateway;
pub mod jwt;
pub mod lease;
pub mod tls;

pub use gateway::{Auth, ProviderClient, TenantError};
pub use lease::{LeaseId, OrderId};

/// An 18-decimal fixed-point amount as a decimal string without trailing zeros
/// (`1500000000000000000` → `1.5`).
pub fn atto_to_decimal(atto: u128) -> String {
    dcloud_types::Dec::from_atomics(atto).to_string_trimmed()
}
