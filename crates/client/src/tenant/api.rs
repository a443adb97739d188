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
    /// Set when the provider could not run the manifest it received: what failed and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<WorkloadFailure>,
}

/// Why a workload could not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureReason {
    /// The image does not exist (wrong name or tag).
    ImageNotFound,
    /// The registry refused the pull (private image, no credentials).
    PullDenied,
    /// The image's registry could not be reached from the provider.
    RegistryUnreachable,
    /// The SDL's registry credentials were rejected.
    BadCredentials,
    /// A container exited right after it started.
    CrashAtStart,
    /// The workload did not become ready within the provider's timeout.
    NotReady,
    /// The provider cannot run this manifest (e.g. a feature it lacks).
    Unsupported,
}

impl FailureReason {
    /// The snake_case name used on the wire and in close reasons.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ImageNotFound => "image_not_found",
            Self::PullDenied => "pull_denied",
            Self::RegistryUnreachable => "registry_unreachable",
            Self::BadCredentials => "bad_credentials",
            Self::CrashAtStart => "crash_at_start",
            Self::NotReady => "not_ready",
            Self::Unsupported => "unsupported",
        }
    }

    /// What the tenant can do about it.
    pub fn hint(self) -> &'static str {
        match self {
            Self::ImageNotFound => "check the image name and tag in the SDL",
            Self::PullDenied => {
                "the registry refused the pull: add `credentials` to the service in the SDL, or use a public image"
            }
            Self::RegistryUnreachable => {
                "the provider cannot reach the image's registry: use an image from a public registry"
            }
            Self::BadCredentials => "the registry rejected the SDL's `credentials`: fix them",
            Self::CrashAtStart => "the container exits at start: read `dcloud lease logs`",
            Self::NotReady => "the service never became ready: read `dcloud lease logs` and `dcloud lease events`",
            Self::Unsupported => "this provider cannot run the manifest: choose another provider",
        }
    }
}

impl std::fmt::Display for FailureReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A workload the provider could not run: the gateway's 422 answer to a manifest, and the
/// `failure` of the lease's status. The provider keeps the manifest, so status shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadFailure {
    /// Why, as a typed reason.
    pub reason: FailureReason,
    /// The service that failed, when one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// What the container engine or cluster said.
    pub message: String,
}

impl std::fmt::Display for WorkloadFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.service {
            Some(s) => write!(f, "service {s:?}: {}: {}", self.reason, self.message),
            None => write!(f, "{}: {}", self.reason, self.message),
        }
    }
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
