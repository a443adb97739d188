//! What an SDL turns into: on-chain deployment groups ([`GroupSpec`]) and the
//! manifest sent to the provider ([`Manifest`]). The JSON shapes follow Akash's
//! `deployment/v1beta4.GroupSpec` and `manifest/v2beta3.Group` exactly, since the
//! manifest version hash is computed over that JSON.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::amount::DecCoin;

/// A key/value attribute (placement requirement, CPU, GPU or storage attribute).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Attribute {
    /// Key, e.g. `region` or `vendor/nvidia/model/a100`.
    pub key: String,
    /// Value, e.g. `us-west` or `true`.
    pub value: String,
}

/// A resource quantity, serialised as `{"val": "<decimal>"}` like Akash's `ResourceValue`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ResourceValue(pub u64);

#[derive(Serialize, Deserialize)]
struct ResourceValueJson {
    val: String,
}

impl Serialize for ResourceValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ResourceValueJson { val: self.0.to_string() }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for ResourceValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let j = ResourceValueJson::deserialize(d)?;
        j.val.parse().map(ResourceValue).map_err(serde::de::Error::custom)
    }
}

/// CPU request in millicores.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cpu {
    /// Millicores (1000 = one CPU).
    pub units: ResourceValue,
    /// Attributes (only `arch` is accepted in an SDL).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<Attribute>,
}

/// Memory request in bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Memory {
    /// Bytes.
    #[serde(rename = "size")]
    pub quantity: ResourceValue,
    /// Attributes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<Attribute>,
}

/// One storage volume.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Storage {
    /// Volume name (`default` for the root ephemeral volume).
    pub name: String,
    /// Bytes.
    #[serde(rename = "size")]
    pub quantity: ResourceValue,
    /// `class` / `persistent` attributes, sorted by key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<Attribute>,
}

/// GPU request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Gpu {
    /// Number of GPUs.
    pub units: ResourceValue,
    /// `vendor/nvidia/model/...` attributes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<Attribute>,
}

/// How a global expose reaches the internet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum EndpointKind {
    /// Through the provider's HTTP ingress (TCP, external port 80). Enum value 0.
    #[default]
    SharedHttp,
    /// A random node port. Enum value 1.
    RandomPort,
    /// A leased IP address. Enum value 2.
    LeasedIp,
}

impl EndpointKind {
    /// The protobuf enum number.
    pub fn as_i32(self) -> i32 {
        match self {
            Self::SharedHttp => 0,
            Self::RandomPort => 1,
            Self::LeasedIp => 2,
        }
    }

    fn is_shared_http(&self) -> bool {
        *self == Self::SharedHttp
    }
}

impl Serialize for EndpointKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i32(self.as_i32())
    }
}

impl<'de> Deserialize<'de> for EndpointKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match i32::deserialize(d)? {
            0 => Ok(Self::SharedHttp),
            1 => Ok(Self::RandomPort),
            2 => Ok(Self::LeasedIp),
            n => Err(serde::de::Error::custom(format!("unknown endpoint kind {n}"))),
        }
    }
}

/// An endpoint a resource unit needs from the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Endpoint {
    /// Kind (omitted from JSON when `SharedHttp`, protobuf's zero value).
    #[serde(default, skip_serializing_if = "EndpointKind::is_shared_http")]
    pub kind: EndpointKind,
    /// IP endpoint sequence number (0 for non-IP endpoints).
    pub sequence_number: u32,
}

/// The resources of one unit (one replica) plus its id within the group.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Resources {
    /// Id within the group, starting at 1.
    pub id: u32,
    /// CPU.
    pub cpu: Cpu,
    /// Memory.
    pub memory: Memory,
    /// Storage volumes.
    pub storage: Vec<Storage>,
    /// GPU.
    pub gpu: Gpu,
    /// Endpoints.
    pub endpoints: Vec<Endpoint>,
}

/// A resource unit in a group: resources, how many replicas, and the max price per
/// replica per block.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ResourceUnit {
    /// The resources of one replica.
    pub resource: Resources,
    /// Replicas.
    pub count: u32,
    /// Maximum price per replica per block.
    pub price: DecCoin,
}

/// Auditors that must have signed the provider's attributes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct SignedBy {
    /// Every one of these must have signed.
    pub all_of: Option<Vec<String>>,
    /// At least one of these must have signed.
    pub any_of: Option<Vec<String>>,
}

/// What a provider must offer to bid on a group.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct PlacementRequirements {
    /// Auditor requirements.
    pub signed_by: SignedBy,
    /// Provider attributes, sorted by key (`null` when none).
    pub attributes: Option<Vec<Attribute>>,
}

/// One deployment group, as sent on chain in `MsgCreateDeployment`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GroupSpec {
    /// Group name (the placement profile name).
    pub name: String,
    /// Provider requirements.
    pub requirements: PlacementRequirements,
    /// Resource units.
    pub resources: Vec<ResourceUnit>,
}

impl GroupSpec {
    /// Maximum price per block for the whole group: Σ unit price × count.
    /// `None` if units use different denominations (rejected by validation) or on
    /// overflow; an empty group has no price either.
    pub fn price_per_block(&self) -> Option<DecCoin> {
        let first = self.resources.first()?;
        let mut total = crate::amount::DecAmount::ZERO;
        for unit in &self.resources {
            if unit.price.denom != first.price.denom {
                return None;
            }
            total =
                total.checked_add(unit.price.amount.checked_mul_int(u128::from(unit.count))?)?;
        }
        Some(DecCoin { denom: first.price.denom.clone(), amount: total })
    }
}

/// HTTP ingress options of an expose (defaults filled in).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpOptions {
    /// Max request body in bytes.
    pub max_body_size: u32,
    /// Read timeout in ms.
    pub read_timeout: u32,
    /// Send timeout in ms.
    pub send_timeout: u32,
    /// Retries on the next upstream.
    pub next_tries: u32,
    /// Timeout for retries in ms (0 = none).
    pub next_timeout: u32,
    /// When to try the next upstream.
    pub next_cases: Vec<String>,
    /// Proxy buffer size in bytes (omitted when 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub proxy_buffer_size: u32,
}

fn is_zero(v: &u32) -> bool {
    *v == 0
}

/// Transport protocol of an expose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Protocol {
    /// TCP.
    #[serde(rename = "TCP")]
    Tcp,
    /// UDP.
    #[serde(rename = "UDP")]
    Udp,
}

impl Protocol {
    /// `"TCP"` or `"UDP"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tcp => "TCP",
            Self::Udp => "UDP",
        }
    }
}

/// One exposed port towards one destination.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceExpose {
    /// Container port.
    pub port: u32,
    /// Externally visible port (0: same as `port`).
    pub external_port: u32,
    /// Protocol.
    pub proto: Protocol,
    /// Destination service (empty for global / unspecified).
    pub service: String,
    /// Exposed to the internet.
    pub global: bool,
    /// Accepted host names (`null` when none were given).
    pub hosts: Option<Vec<String>>,
    /// Ingress options.
    #[serde(rename = "httpOptions")]
    pub http_options: HttpOptions,
    /// IP endpoint name, or empty.
    pub ip: String,
    /// IP endpoint sequence number, or 0.
    pub endpoint_sequence_number: u32,
}

impl ServiceExpose {
    /// The external port (`port` when `external_port` is 0).
    pub fn effective_external_port(&self) -> u32 {
        if self.external_port == 0 {
            self.port
        } else {
            self.external_port
        }
    }

    /// Whether this goes through the provider's HTTP ingress.
    pub fn is_ingress(&self) -> bool {
        self.proto == Protocol::Tcp && self.global && self.effective_external_port() == 80
    }

    /// The endpoints this expose needs (Akash `ServiceExpose.GetEndpoints`).
    pub fn endpoints(&self) -> Vec<Endpoint> {
        if !self.global {
            return Vec::new();
        }
        let kind =
            if self.is_ingress() { EndpointKind::SharedHttp } else { EndpointKind::RandomPort };
        let mut v = vec![Endpoint { kind, sequence_number: 0 }];
        if !self.ip.is_empty() {
            v.push(Endpoint {
                kind: EndpointKind::LeasedIp,
                sequence_number: self.endpoint_sequence_number,
            });
        }
        v.sort_by_key(|e| e.sequence_number);
        v
    }
}

/// A mounted volume.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageParams {
    /// Volume name.
    pub name: String,
    /// Absolute mount path.
    pub mount: String,
    /// Mounted read-only.
    pub read_only: bool,
}

/// Kubernetes data the service may read about its own lease.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ServicePermissions {
    /// `deployment`, `logs`, `events`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub read: Vec<String>,
}

/// Trusted-execution settings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TeeParams {
    /// `cpu` or `cpu-gpu`.
    #[serde(rename = "type")]
    pub tee_type: String,
    /// Whether the provider injects attestation.
    pub attestation: bool,
}

/// Per-service parameters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ServiceParams {
    /// Mounted volumes, sorted by name (`null` when none).
    pub storage: Option<Vec<StorageParams>>,
    /// Read permissions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<ServicePermissions>,
    /// TEE settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tee: Option<TeeParams>,
}

/// Private registry credentials.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ImageCredentials {
    /// Registry host.
    pub host: String,
    /// E-mail (SDL 2.1 only; empty otherwise).
    pub email: String,
    /// User name.
    pub username: String,
    /// Password or token.
    pub password: String,
}

/// One service of a manifest group.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ManifestService {
    /// Service name.
    pub name: String,
    /// Container image.
    pub image: String,
    /// Entrypoint override (`null` when absent).
    pub command: Option<Vec<String>>,
    /// Arguments (`null` when absent).
    pub args: Option<Vec<String>>,
    /// `NAME=value` environment entries (`null` when absent).
    pub env: Option<Vec<String>>,
    /// Resources of one replica, with the group resource id.
    pub resources: Resources,
    /// Replicas.
    pub count: u32,
    /// Exposes, sorted.
    pub expose: Vec<ServiceExpose>,
    /// Parameters (omitted when the SDL has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<ServiceParams>,
    /// Registry credentials.
    pub credentials: Option<ImageCredentials>,
}

/// One manifest group (one per deployment group).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ManifestGroup {
    /// Group name.
    pub name: String,
    /// Services sorted by name.
    pub services: Vec<ManifestService>,
}

/// The manifest: groups sorted by name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Manifest(pub Vec<ManifestGroup>);

impl Manifest {
    /// The manifest version: SHA-256 over the sorted-key compact JSON, as Akash
    /// computes `DeploymentID.hash` (see [`crate::hash::manifest_version`]).
    pub fn version(&self) -> [u8; 32] {
        crate::hash::manifest_version(self)
    }
}
