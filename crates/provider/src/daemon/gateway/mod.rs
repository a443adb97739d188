//! The tenant-facing HTTPS API: manifest, lease status, logs, events, shell.
//!
//! Routes follow Akash's provider gateway (`akash-provider.md` §6, §8, §10). Tenants
//! authenticate with mutual TLS (a certificate they published on chain, CN = their
//! address) or an ES256K JWT signed by their account key ([`crate::daemon::gateway::jwt`]); only a lease's
//! owner may act on it. What the gateway needs from the chain is behind [`ChainView`] (the
//! daemon passes [`RpcChainView`], over the node's RPC); accepted manifests go to a
//! [`LeaseManager`] (the daemon, which deploys them and keeps them across restarts); status,
//! logs, events and shells come from the [`Backend`].
//!
//! | Route | Auth | Answer |
//! |---|---|---|
//! | `GET /version`, `GET /address`, `GET /status` | none | JSON |
//! | `PUT /deployment/{dseq}/manifest` | `send-manifest` | 200, 400/401/403, 404 no lease, 413, 422 |
//! | `GET /lease/{dseq}/{gseq}/{oseq}/manifest` | `get-manifest` | `[group]`, 404 |
//! | `GET /lease/…/status`, `GET /lease/…/service/{name}/status` | `status` | JSON, 404 |
//! | `GET /lease/…/logs`, `GET /lease/…/kubeevents` | `logs`, `events` | websocket of JSON messages |
//! | `GET /lease/…/shell` | `shell` | websocket, binary frames ([`shell`] codes) |
//!
//! Lease routes use the caller's address as the lease owner and this provider's address as
//! the provider. An optional `?owner=` query names the owner explicitly (dcloud's client
//! always sends it); when it is not the caller, the request is refused with 403.
//! A manifest whose workload cannot run (image not found, pull denied, registry
//! unreachable, bad credentials) is answered 422 with JSON `{error, reason, service, message,
//! hint}`; the daemon keeps it, so the lease status shows `failure`, and closes the lease at
//! its manifest timeout with the reason (`provider: workload failed: …`) unless a fixed
//! manifest comes first. A deployed workload not ready within that timeout is closed with
//! `provider: not ready within …`.
//! Other errors are `text/plain` messages with the status codes above; websocket streams end with
//! close code 1000, or 4000 (internal error, no running replica), 4001 (lease not found),
//! 4002 (service not found).

mod auth;
pub mod certs;
mod chain;
mod handlers;
pub mod jwt;
pub mod manifest;
mod tls;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use dcloud_chain::deployment::Deployment;
use dcloud_sdl::output::ManifestGroup;
use dcloud_types::AccAddress;

pub use chain::RpcChainView;
pub use manifest::{check_group, check_group_names, validate_manifest};

use crate::cluster::{Backend, WorkloadFailure};
use crate::daemon::gateway::tls::TlsError;
pub use dcloud_client::tenant::api::shell;

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

/// Why a manifest was not deployed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeployFailure {
    /// The tenant's workload cannot run (the gateway answers 422 with it as JSON).
    #[error("{0}")]
    Workload(WorkloadFailure),
    /// The provider's own trouble (the gateway answers 500).
    #[error("{0}")]
    Provider(String),
}

/// Receives validated manifests and answers what runs where.
#[async_trait]
pub trait LeaseManager: Send + Sync + 'static {
    /// Deploys (or updates) the lease with `group`; returns once containers are created
    /// (not necessarily ready).
    async fn deploy(&self, lease: &LeaseId, group: &ManifestGroup) -> Result<(), DeployFailure>;
    /// The manifest group the lease runs (None: no manifest received yet).
    async fn manifest(&self, lease: &LeaseId) -> Option<ManifestGroup>;
    /// The last manifest received for the lease when its workload could not run, and why.
    async fn failure(&self, _lease: &LeaseId) -> Option<(ManifestGroup, WorkloadFailure)> {
        None
    }
    /// The provider status document served at `GET /status` (Akash's legacy shape,
    /// `akash-provider.md` §10: `cluster`, `bidengine`, `manifest`,
    /// `cluster_public_hostname`, `address`). The gateway adds `address` when missing.
    async fn provider_status(&self) -> serde_json::Value {
        serde_json::json!({})
    }
}

/// Errors of [`serve`].
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// The server certificate or key cannot be used.
    #[error("gateway TLS: {0}")]
    Tls(#[from] TlsError),
}

/// How the gateway serves TLS.
#[derive(Clone)]
pub struct GatewayConfig {
    /// The provider's server certificate (PEM; the one it published on chain so that
    /// tenants can pin it).
    pub server_cert_pem: String,
    /// Its private key (PEM, PKCS#8 or SEC1).
    pub server_key_pem: String,
    /// Time allowed for a TLS handshake.
    pub handshake_timeout: Duration,
    /// Most connections served at once (more wait in the accept queue).
    pub max_connections: usize,
}

impl std::fmt::Debug for GatewayConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewayConfig")
            .field("handshake_timeout", &self.handshake_timeout)
            .field("max_connections", &self.max_connections)
            .finish_non_exhaustive()
    }
}

impl GatewayConfig {
    /// A configuration with the server certificate and key and default limits (10 s
    /// handshakes, 1024 connections).
    pub fn new(server_cert_pem: impl Into<String>, server_key_pem: impl Into<String>) -> Self {
        Self {
            server_cert_pem: server_cert_pem.into(),
            server_key_pem: server_key_pem.into(),
            handshake_timeout: Duration::from_secs(10),
            max_connections: 1024,
        }
    }
}

/// Largest accepted manifest body by default: 1 MiB.
pub const DEFAULT_MAX_MANIFEST_BYTES: usize = 1024 * 1024;

/// What the handlers share.
#[derive(Clone)]
pub struct GatewayState {
    /// This provider's address (`GET /address`; the provider of every lease id).
    pub provider: AccAddress,
    /// Chain reads.
    pub chain: Arc<dyn ChainView>,
    /// Deploys manifests, knows what runs.
    pub leases: Arc<dyn LeaseManager>,
    /// The container backend (status, logs, events, exec).
    pub backend: Arc<dyn Backend>,
    /// Largest accepted manifest body, in bytes.
    pub max_manifest_bytes: usize,
}

impl GatewayState {
    /// State with the default manifest size limit.
    pub fn new(
        provider: AccAddress,
        chain: Arc<dyn ChainView>,
        leases: Arc<dyn LeaseManager>,
        backend: Arc<dyn Backend>,
    ) -> Self {
        Self { provider, chain, leases, backend, max_manifest_bytes: DEFAULT_MAX_MANIFEST_BYTES }
    }
}

/// What the TLS layer learned about a connection, attached to each of its requests as an
/// extension. Requests without it (a router used without [`serve`]) have no client
/// certificate.
#[derive(Debug, Clone, Default)]
pub struct ConnInfo {
    /// The client's end-entity certificate (DER), when it presented one. The handshake
    /// proved possession of its key; whether it is published on chain is checked per
    /// request.
    pub peer_certificate: Option<Arc<Vec<u8>>>,
    /// The client's address.
    pub remote: Option<SocketAddr>,
}

/// The gateway's routes over `state` (without TLS; [`serve`] adds it).
pub fn router(state: GatewayState) -> axum::Router {
    handlers::router(state)
}

/// Serves the gateway over HTTPS on `listener` until the task is dropped: TLS 1.3/1.2 with
/// the configured certificate, optional client certificates, HTTP/1.1 (with websocket
/// upgrades) and HTTP/2. Fails only when the TLS configuration is unusable; accept errors
/// and failed handshakes are logged and skipped.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: GatewayConfig,
    state: GatewayState,
) -> Result<(), GatewayError> {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use tower::ServiceExt as _;

    let tls = crate::daemon::gateway::tls::server_config(
        &config.server_cert_pem,
        &config.server_key_pem,
    )?;
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
    let app = router(state);
    let permits = Arc::new(tokio::sync::Semaphore::new(config.max_connections.max(1)));
    loop {
        let Ok(permit) = permits.clone().acquire_owned().await else {
            return Ok(());
        };
        let (tcp, remote) = match listener.accept().await {
            Ok(x) => x,
            Err(e) => {
                tracing::warn!("gateway accept: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let app = app.clone();
        let handshake_timeout = config.handshake_timeout;
        tokio::spawn(async move {
            let _permit = permit;
            let _ = tcp.set_nodelay(true);
            let tls = match tokio::time::timeout(handshake_timeout, acceptor.accept(tcp)).await {
                Ok(Ok(s)) => s,
                Ok(Err(e)) => {
                    tracing::debug!(%remote, "gateway TLS handshake failed: {e}");
                    return;
                }
                Err(_) => {
                    tracing::debug!(%remote, "gateway TLS handshake timed out");
                    return;
                }
            };
            let info = ConnInfo {
                peer_certificate: tls
                    .get_ref()
                    .1
                    .peer_certificates()
                    .and_then(|c| c.first())
                    .map(|c| Arc::new(c.as_ref().to_vec())),
                remote: Some(remote),
            };
            let svc = hyper::service::service_fn(
                move |mut req: hyper::Request<hyper::body::Incoming>| {
                    req.extensions_mut().insert(info.clone());
                    app.clone().oneshot(req)
                },
            );
            if let Err(e) = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection_with_upgrades(TokioIo::new(tls), svc)
                .await
            {
                tracing::debug!(%remote, "gateway connection: {e}");
            }
        });
    }
}
