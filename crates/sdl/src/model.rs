//! The SDL document as written, after decoding and normalisation (units parsed,
//! defaults filled), with the position of every item for error messages.

use std::collections::BTreeMap;

use crate::amount::DecCoin;
use crate::output::{Attribute, Protocol, SignedBy};
use crate::yaml::Pos;

/// The SDL versions this crate understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SdlVersion {
    /// `version: "2.0"`.
    V2_0,
    /// `version: "2.1"`: merges units sharing a compute profile, credentials e-mail,
    /// stricter storage checks.
    V2_1,
}

impl SdlVersion {
    /// `"2.0"` or `"2.1"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V2_0 => "2.0",
            Self::V2_1 => "2.1",
        }
    }
}

/// A whole SDL document.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Version.
    pub version: SdlVersion,
    /// `include` entries (accepted, unused, as in Akash).
    pub include: Vec<String>,
    /// Services by name.
    pub services: BTreeMap<String, Service>,
    /// Compute and placement profiles.
    pub profiles: Profiles,
    /// service name → placement name → deployment.
    pub deployment: BTreeMap<String, BTreeMap<String, ServiceDeployment>>,
    /// IP endpoints by name.
    pub endpoints: BTreeMap<String, EndpointDecl>,
    /// Reclamation settings.
    pub reclamation: Option<Reclamation>,
}

/// `services.<name>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    /// Container image.
    pub image: String,
    /// Entrypoint override.
    pub command: Option<Vec<String>>,
    /// Arguments.
    pub args: Option<Vec<String>>,
    /// `NAME=value` entries.
    pub env: Option<Vec<String>>,
    /// Exposed ports.
    pub expose: Vec<Expose>,
    /// Services this one depends on (informational).
    pub dependencies: Vec<String>,
    /// Parameters.
    pub params: Option<Params>,
    /// Registry credentials.
    pub credentials: Option<Credentials>,
    /// Position of the service entry.
    pub pos: Pos,
}

/// HTTP options as written (absent fields get Akash defaults in the manifest).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpOptionsInput {
    /// `max_body_size` (bytes).
    pub max_body_size: Option<u32>,
    /// `read_timeout` (ms).
    pub read_timeout: Option<u32>,
    /// `send_timeout` (ms).
    pub send_timeout: Option<u32>,
    /// `next_tries`.
    pub next_tries: Option<u32>,
    /// `next_timeout` (ms).
    pub next_timeout: Option<u32>,
    /// `next_cases`.
    pub next_cases: Option<Vec<String>>,
    /// `proxy_buffer_size` (bytes).
    pub proxy_buffer_size: Option<u32>,
}

/// `services.<name>.expose[i]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Expose {
    /// Container port (validated to 1..=65535 for deployed services).
    pub port: u32,
    /// External port (`as`), 0 = same as `port`.
    pub as_port: u32,
    /// Protocol.
    pub proto: Protocol,
    /// Destinations.
    pub to: Vec<ExposeTo>,
    /// Extra accepted host names.
    pub accept: Option<Vec<String>>,
    /// Ingress options.
    pub http_options: HttpOptionsInput,
    /// Position of the expose entry.
    pub pos: Pos,
    /// Position of the `port` value.
    pub port_pos: Pos,
}

/// `expose[i].to[j]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExposeTo {
    /// Target service name (empty: none).
    pub service: String,
    /// Exposed to the internet.
    pub global: bool,
    /// IP endpoint name (empty: none).
    pub ip: String,
    /// Position.
    pub pos: Pos,
}

/// `services.<name>.params`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Params {
    /// Volume name → mount.
    pub storage: BTreeMap<String, StorageMount>,
    /// `permissions.read` entries, if a `permissions` block was given.
    pub permissions: Option<Vec<String>>,
    /// TEE settings.
    pub tee: Option<Tee>,
}

/// `params.storage.<volume>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageMount {
    /// Mount path.
    pub mount: String,
    /// Read-only.
    pub read_only: bool,
    /// Position.
    pub pos: Pos,
}

/// `params.tee`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tee {
    /// `cpu` or `cpu-gpu`.
    pub tee_type: String,
    /// Attestation (default true).
    pub attestation: Option<bool>,
    /// Position.
    pub pos: Pos,
}

/// `services.<name>.credentials`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// Registry host.
    pub host: String,
    /// E-mail.
    pub email: String,
    /// User name.
    pub username: String,
    /// Password.
    pub password: String,
    /// Position.
    pub pos: Pos,
}

/// `profiles`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Profiles {
    /// Compute profiles by name.
    pub compute: BTreeMap<String, ComputeProfile>,
    /// Placement profiles by name.
    pub placement: BTreeMap<String, Placement>,
}

/// `profiles.compute.<name>.resources`, normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct ComputeProfile {
    /// CPU.
    pub cpu: CpuSpec,
    /// Memory.
    pub memory: MemorySpec,
    /// Storage volumes, in Akash's canonical order.
    pub storage: Vec<VolumeSpec>,
    /// GPU (units 0 when absent).
    pub gpu: GpuSpec,
    /// Position of the profile.
    pub pos: Pos,
}

/// CPU request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpuSpec {
    /// Millicores.
    pub millis: u32,
    /// Attributes (`arch`).
    pub attributes: Vec<Attribute>,
    /// Position of `units`.
    pub pos: Pos,
}

/// Memory request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemorySpec {
    /// Bytes.
    pub bytes: u64,
    /// Attributes.
    pub attributes: Vec<Attribute>,
    /// Position of `size`.
    pub pos: Pos,
}

/// A storage volume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeSpec {
    /// Name (`default` when not given).
    pub name: String,
    /// Bytes.
    pub bytes: u64,
    /// Attributes, sorted by key (`class`, `persistent`); empty when none were given.
    pub attributes: Vec<Attribute>,
    /// Position of the volume.
    pub pos: Pos,
}

impl VolumeSpec {
    /// The value of an attribute.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes.iter().find(|a| a.key == key).map(|a| a.value.as_str())
    }

    /// Whether the volume is persistent.
    pub fn persistent(&self) -> bool {
        self.attribute("persistent") == Some("true")
    }

    /// The storage class, if any.
    pub fn class(&self) -> Option<&str> {
        self.attribute("class")
    }
}

/// GPU request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GpuSpec {
    /// Number of GPUs.
    pub units: u32,
    /// `vendor/nvidia/model/...` attributes, sorted.
    pub attributes: Vec<Attribute>,
    /// Position of the `gpu` block.
    pub pos: Pos,
}

/// `profiles.placement.<name>`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Placement {
    /// Required provider attributes, sorted by key.
    pub attributes: Vec<Attribute>,
    /// Auditor requirements.
    pub signed_by: SignedBy,
    /// Compute profile name → max price per replica per block.
    pub pricing: BTreeMap<String, Price>,
    /// Position.
    pub pos: Pos,
}

/// A price entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Price {
    /// The price.
    pub coin: DecCoin,
    /// Position.
    pub pos: Pos,
}

/// `deployment.<service>.<placement>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceDeployment {
    /// Compute profile name.
    pub profile: String,
    /// Replicas.
    pub count: u32,
    /// Position of the entry.
    pub pos: Pos,
    /// Position of `profile`.
    pub profile_pos: Pos,
    /// Position of `count`.
    pub count_pos: Pos,
}

/// `endpoints.<name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointDecl {
    /// Kind (`ip`).
    pub kind: String,
    /// Position.
    pub pos: Pos,
}

/// `reclamation`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reclamation {
    /// `min_window` as written (a Go duration, e.g. `24h`).
    pub min_window: String,
    /// Position of `min_window`.
    pub pos: Pos,
}

impl Reclamation {
    /// The minimum window in seconds, if it parses and is positive.
    pub fn min_window_secs(&self) -> Option<u64> {
        let ns = crate::units::parse_go_duration(&self.min_window).ok()?;
        if ns <= 0 {
            return None;
        }
        u64::try_from(ns / 1_000_000_000).ok()
    }
}
