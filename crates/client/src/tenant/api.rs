//! The provider gateway's wire types, shared by the gateway (provider side) and the
//! tenant's [`super::gateway::ProviderClient`]: lease status, logs, events and the shell
//! websocket's frame codes. Status shapes follow Akash's provider API
//! (`akash-provider.md` §8) so Akash tooling finds the same JSON.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

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

/// Options for a lease's logs and events (the provider backend's `logs` / `events`).
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

/// Shell websocket frame codes (the first byte of every binary frame).
pub mod shell {
    /// Server → client: bytes on stdout (or the terminal).
    pub const STDOUT: u8 = 100;
    /// Server → client: bytes on stderr.
    pub const STDERR: u8 = 101;
    /// Server → client: the command finished; JSON `{"exit_code": n, "message": "..."}`.
    pub const RESULT: u8 = 102;
    /// Server → client: the command could not be run (a UTF-8 reason may follow).
    pub const FAILURE: u8 = 103;
    /// Client → server: bytes for stdin. An empty payload closes stdin (dcloud extension).
    pub const STDIN: u8 = 104;
    /// Client → server: terminal resize, `u16 width, u16 height`, big-endian.
    pub const RESIZE: u8 = 105;
}
