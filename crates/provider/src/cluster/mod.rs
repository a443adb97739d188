//! The container runtime behind the provider.
//!
//! [`Backend`] is what the gateway and the daemon use; [`docker::DockerBackend`] implements
//! it over the Docker Engine API (Docker or Podman's compatible socket),
//! [`kubernetes::KubeBackend`] over a Kubernetes API server. Status shapes
//! follow Akash's provider API (`akash-provider.md` §8) so Akash tooling finds the same JSON.

pub mod detect;
pub mod docker;
pub mod engine;
mod failure;
pub mod isolation;
pub mod kubernetes;
mod slug;
pub mod testimage;

use async_trait::async_trait;
use dcloud_sdl::output::ManifestGroup;
use futures::stream::BoxStream;
use serde::{Deserialize, Serialize};

pub use dcloud_client::tenant::api::{
    EventObject, FailureReason, ForwardedPort, LeaseEvent, LeaseStatus, LogLine, LogOptions,
    ServiceStatus, WorkloadFailure,
};

pub use slug::LeaseSlug;

use crate::LeaseId;

/// Errors from a container backend.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// The engine could not be reached or answered with an error.
    #[error("container engine: {0}")]
    Engine(String),
    /// Nothing is deployed for this lease.
    #[error("lease {0} is not deployed here")]
    LeaseNotFound(String),
    /// The lease has no such service.
    #[error("service {0:?} not found in the lease")]
    ServiceNotFound(String),
    /// The service has no running replica (logs / shell need one).
    #[error("service {0:?} has no running replica")]
    NoRunningReplica(String),
    /// The manifest group cannot be run by this backend.
    #[error("invalid deployment: {0}")]
    Invalid(String),
    /// An image is neither present nor could be pulled.
    #[error("image {image:?} could not be pulled: {message}")]
    ImagePull {
        /// The image reference from the SDL.
        image: String,
        /// What the engine said.
        message: String,
    },
    /// Network isolation between leases could not be set up (iptables).
    #[error("lease network isolation: {0}")]
    Isolation(String),
    /// A teardown did not finish (e.g. a namespace stuck terminating).
    #[error("teardown incomplete: {0}")]
    TeardownIncomplete(String),
}

/// Where the ingress should send a hostname's traffic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// Hostname (generated `<uid>.<ingress domain>` or an `accept` host).
    pub host: String,
    /// Loopback (or bridge) address and port where the container's HTTP port is reachable
    /// from the provider process.
    pub target: std::net::SocketAddr,
    /// Service name.
    pub service: String,
}

/// A command to run inside a service replica.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecRequest {
    /// Service name.
    pub service: String,
    /// Replica index (0-based).
    pub replica: u32,
    /// argv.
    pub cmd: Vec<String>,
    /// Allocate a terminal.
    pub tty: bool,
    /// Attach stdin.
    pub stdin: bool,
}

/// Output of a running exec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecOutput {
    /// Bytes on stdout (or the terminal when `tty`).
    Stdout(Vec<u8>),
    /// Bytes on stderr.
    Stderr(Vec<u8>),
}

/// Input to a running exec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecInput {
    /// Bytes for stdin.
    Stdin(Vec<u8>),
    /// Terminal resize.
    Resize {
        /// Columns.
        width: u16,
        /// Rows.
        height: u16,
    },
    /// Close stdin.
    Eof,
}

/// A running exec: read output until the stream ends, then await the exit code.
pub struct ExecSession {
    /// Output frames.
    pub output: BoxStream<'static, Result<ExecOutput, BackendError>>,
    /// Input frames (dropped = stdin closed).
    pub input: tokio::sync::mpsc::Sender<ExecInput>,
    /// Resolves to the exit code once the command has finished.
    pub exit_code: tokio::sync::oneshot::Receiver<Result<i64, BackendError>>,
}

/// Settings a backend needs from the provider's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendSettings {
    /// Domain for generated ingress hostnames (`<uid>.<domain>`).
    pub ingress_domain: String,
    /// Hostname shown in forwarded ports.
    pub public_hostname: String,
    /// Address host ports are bound to (default `127.0.0.1`).
    pub bind_address: std::net::IpAddr,
    /// Provider address (set as `AKASH_PROVIDER` in containers; also labels everything
    /// the backend creates, so that [`Backend::list`] only returns this provider's leases).
    pub provider: String,
    /// Block traffic between the networks of different leases (host firewall rules,
    /// needs root on the engine's host). Default `true`.
    pub isolate: bool,
}

impl BackendSettings {
    /// Settings with ports bound to `127.0.0.1` and lease isolation on.
    pub fn new(
        ingress_domain: impl Into<String>,
        public_hostname: impl Into<String>,
        provider: impl Into<String>,
    ) -> Self {
        Self {
            ingress_domain: ingress_domain.into(),
            public_hostname: public_hostname.into(),
            bind_address: std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
            provider: provider.into(),
            isolate: true,
        }
    }
}

/// A container runtime.
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// Creates or updates everything for the lease so that it runs `group`: an isolated
    /// network, one container per service replica with the leased limits, volumes, ports.
    /// Idempotent: the same group again changes nothing; a new group replaces what
    /// differs. Returns the ingress routes the lease needs.
    async fn deploy(
        &self,
        lease: &LeaseId,
        group: &ManifestGroup,
    ) -> Result<Vec<Route>, BackendError>;

    /// The lease's current status.
    async fn status(&self, lease: &LeaseId) -> Result<LeaseStatus, BackendError>;

    /// Ingress routes of a deployed lease (after a restart, to rebuild the routing table).
    async fn routes(&self, lease: &LeaseId) -> Result<Vec<Route>, BackendError>;

    /// Log lines of the lease's replicas, interleaved.
    async fn logs(
        &self,
        lease: &LeaseId,
        opts: LogOptions,
    ) -> Result<BoxStream<'static, Result<LogLine, BackendError>>, BackendError>;

    /// Container events of the lease (create, start, die, ...).
    async fn events(
        &self,
        lease: &LeaseId,
        opts: LogOptions,
    ) -> Result<BoxStream<'static, Result<LeaseEvent, BackendError>>, BackendError>;

    /// Runs a command in a replica.
    async fn exec(&self, lease: &LeaseId, req: ExecRequest) -> Result<ExecSession, BackendError>;

    /// Removes everything of the lease (containers, network, volumes). Idempotent.
    async fn teardown(&self, lease: &LeaseId) -> Result<(), BackendError>;

    /// Leases that have anything deployed here, with the manifest group they run (stored
    /// by the backend, e.g. in container labels), for reconciliation after a restart.
    async fn list(&self) -> Result<Vec<(LeaseId, ManifestGroup)>, BackendError>;

    /// What the runtime itself can offer right now, when it knows (a cluster: allocatable
    /// minus what other workloads request). `None` (the default): the configured or
    /// detected host capacity applies.
    async fn capacity(
        &self,
    ) -> Result<Option<crate::bidengine::inventory::Capacity>, BackendError> {
        Ok(None)
    }
}
