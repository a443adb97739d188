//! The cert module: certificates for mutual TLS between tenants and providers, published
//! and revoked on chain. Providers check a client's certificate against chain state.
//!
//! State it owns (keys in `keys.rs`): `0x32 ‖ len ‖ owner ‖ serial` → [`Certificate`]
//! (JSON); `serial` is the decimal serial number (ASCII). A serial stays taken once used,
//! in any state.
//!
//! `MsgCreateCertificate` (signer: owner): the cert must be one PEM `CERTIFICATE` block
//! holding an X.509 certificate with an ECDSA P-256 key, self-signed with
//! ecdsa-with-SHA256 (the signature over the TBS verifies with its own key), subject CN
//! equal to the owner's bech32 address; the pubkey PEM (`EC PUBLIC KEY` or `PUBLIC KEY`)
//! must be the certificate's SubjectPublicKeyInfo. No expiry check on chain.
//! `MsgRevokeCertificate` (signer: owner): must exist and be valid; revoked is terminal.
//! Events: `EventCertificateCreated` / `EventCertificateRevoked` with `owner`, `serial`.
//! Errors: [`CertError`] (codespace `cert`).
//! Invariants: every certificate sits under its (owner, serial) key.
//!
//! Reads no other module, calls no hooks, and nobody else writes it; the provider reads
//! certificates through the `/cert/list` query and reuses [`verify_certificate`].

mod error;
mod msg;
mod types;

pub use error::CertError;
pub use msg::{validate_create, validate_revoke, validate_serial, verify_certificate};
pub use types::{CertFilter, CertListReq, CertState, Certificate, VerifiedCert, MAX_PEM_BYTES};

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
pub use handler::create_certificate::deliver_create;
#[cfg(feature = "state")]
pub use handler::revoke_certificate::deliver_revoke;
#[cfg(feature = "state")]
pub use invariants::check_invariants;
#[cfg(feature = "state")]
pub use keys::cert_key;
#[cfg(feature = "state")]
pub use module::CertModule;
#[cfg(feature = "state")]
pub use state::{get_certificate, list};

/// The module name.
pub const NAME: &str = "cert";
