//! The container runtime behind the provider.
//!
//! [`Backend`] is what the gateway and the daemon use; [`docker::DockerBackend`] implements
//! it over the Docker Engine API (Docker or Podman's compatible socket). Status shapes
//! follow Akash's provider API (`akash-provider.md` §8) so Akash tooling finds the same JSON.

pub mod docker;

use std::collections::BTreeMap;

use async_trait::async_trait;
use dcloud_sdl::output::ManifestGroup;
use futures::stream::BoxStream;
use serde::{Deserialize, Serialize};

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
}

/// Per-service status, as Akash's `ServiceStatus`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceStatus {
    /// Service name.
    pub name: String,
    /// Replicas running and ready.
    pub available: u32,
    /// Replicas asked for.
    pub total: u32,
    /// Hostnames routed to this service by the ingress (generated + `accept`).
    pub uris: Vec<String>,
    /// Manifest generation the service runs (increments on every update).
    pub observed_generation: u64,
    /// Replicas that exist.
    pub replicas: u32,
    /// Replicas running the latest manifest.
    pub updated_replicas: u32,
    /// Replicas ready.
    pub ready_replicas: u32,
    /// Replicas available.
    pub available_replicas: u32,
}

/// A global non-HTTP port published on the host, as Akash's `ForwardedPortStatus`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardedPort {
    /// Host to connect to (the provider's public hostname).
    pub host: String,
    /// The container port.
    pub port: u16,
    /// The host port it is published on.
    #[serde(rename = "externalPort")]
    pub external_port: u16,
    /// `TCP` or `UDP`.
    pub proto: String,
    /// Service name.
    pub name: String,
}

/// Lease status, as Akash's `LeaseStatus`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseStatus {
    /// Services by name.
    pub services: BTreeMap<String, ServiceStatus>,
    /// Forwarded ports by service name (only services that have some).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub forwarded_ports: BTreeMap<String, Vec<ForwardedPort>>,
    /// Problems seen (a replica restarting, an image that failed to pull, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
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

/// Options for [`Backend::logs`] and [`Backend::events`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogOptions {
    /// Only these services (empty: all).
    pub services: Vec<String>,
    /// Keep streaming new lines.
    pub follow: bool,
    /// Only the last N lines per replica (None: all).
    pub tail: Option<u64>,
}

/// One log line, as Akash's `{"name": replica, "message": line}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    /// Replica name (`<service>-<index>`).
    pub name: String,
    /// The line, without its trailing newline.
    pub message: String,
}

/// One lease event (container created, started, died, image pulled, ...), in the shape of
/// Akash's `kubeevents` messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseEvent {
    /// `Normal` or `Warning`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Who reported it (`dcloud-provider`).
    #[serde(rename = "reportingController")]
    pub reporting_controller: String,
    /// Short reason (`Created`, `Started`, `Died`, `Pulled`, ...).
    pub reason: String,
    /// Human-readable note.
    pub note: String,
    /// The object concerned: `{"kind": "Container", "name": "<service>-<index>"}`.
    pub object: EventObject,
}

/// The object of a [`LeaseEvent`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventObject {
    /// Object kind.
    pub kind: String,
    /// Object name.
    pub name: String,
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
    /// Provider address (set as `AKASH_PROVIDER` in containers).
    pub provider: String,
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
}
