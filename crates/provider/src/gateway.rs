//! The tenant-facing HTTPS API: manifest, lease status, logs, events, shell.
//!
//! Routes follow Akash's provider gateway (`akash-provider.md` §6, §8, §10). Tenants
//! authenticate with mutual TLS (a certificate they published on chain, CN = their
//! address) or an ES256K JWT signed by their account key; only a lease's owner may act
//! on it. What the gateway needs from the chain is behind [`ChainView`] (the daemon
//! passes an implementation over the node's RPC); accepted manifests go to a
//! [`LeaseManager`] (the daemon, which deploys them and keeps them across restarts).

use async_trait::async_trait;
use dcloud_app::modules::deployment::Deployment;
use dcloud_sdl::output::ManifestGroup;
use dcloud_types::AccAddress;

use crate::LeaseId;

/// A certificate as published on chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainCertificate {
    /// Owner address.
    pub owner: AccAddress,
    /// Serial (decimal string, as the chain keys it).
    pub serial: String,
    /// The certificate, PEM.
    pub cert_pem: String,
    /// `true` when valid (not revoked).
    pub valid: bool,
}

/// What the gateway reads from the chain.
#[async_trait]
pub trait ChainView: Send + Sync + 'static {
    /// The deployment (groups with resources, manifest hash), if it exists.
    async fn deployment(&self, owner: &AccAddress, dseq: u64)
        -> Result<Option<Deployment>, String>;
    /// Active leases held by this provider for the deployment.
    async fn active_leases(&self, owner: &AccAddress, dseq: u64) -> Result<Vec<LeaseId>, String>;
    /// Certificates published by `owner`.
    async fn certificates(&self, owner: &AccAddress) -> Result<Vec<ChainCertificate>, String>;
    /// The account's secp256k1 public key (compressed, 33 bytes), if it has one on chain.
    async fn account_pubkey(&self, addr: &AccAddress) -> Result<Option<Vec<u8>>, String>;
}

/// Receives validated manifests and answers what runs where.
#[async_trait]
pub trait LeaseManager: Send + Sync + 'static {
    /// Deploys (or updates) the lease with `group`; returns once containers are created
    /// (not necessarily ready).
    async fn deploy(&self, lease: &LeaseId, group: &ManifestGroup) -> Result<(), String>;
    /// The manifest group the lease runs (None: no manifest received yet).
    async fn manifest(&self, lease: &LeaseId) -> Option<ManifestGroup>;
}
