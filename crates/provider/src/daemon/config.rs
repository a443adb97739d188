//! `provider.yaml`.
//!
//! [`ProviderConfig::load`] reads and validates it; [`EXAMPLE`] is the commented example
//! `dcloud provider init` writes. Durations are humantime strings (`5m`, `24h`), sizes
//! are bytes or Kubernetes-style quantities (`32Gi`, `500G`), prices are decimal
//! micro-units of the order's denom per block (quoted strings or plain numbers; they are
//! parsed as decimal text, never as floats).

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use dcloud_chain::escrow::{fmt_dec18, parse_dec18};
use dcloud_chain::provider::{
    is_valid_attribute_key, Attribute, MAX_ATTRIBUTES, MAX_ATTRIBUTE_VALUE_LEN,
};
use dcloud_types::Coin;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::bidengine::inventory::{Capacity, GpuDevice};
use crate::bidengine::pricing::{PriceTable, Pricing, ScriptPricing};
use crate::cluster::detect::{detect_capacity, InventoryError};

/// Errors loading a config.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The YAML does not fit the schema (the message names the field and position).
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// serde's message: `field.path: what is wrong at line L column C`.
        message: String,
    },
    /// The config parsed but has problems.
    #[error("{path}: invalid provider config:\n  - {}", .problems.join("\n  - "))]
    Invalid {
        /// The file.
        path: String,
        /// Every problem, each starting with the field path.
        problems: Vec<String>,
    },
}

/// A decimal price in micro-units, held as atto-units (18 decimals).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Price(pub u128);

impl fmt::Display for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = fmt_dec18(self.0);
        let s = s.trim_end_matches('0').trim_end_matches('.');
        f.write_str(s)
    }
}

impl Serialize for Price {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Price {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            S(String),
            U(u64),
            F(f64),
        }
        let text = match Raw::deserialize(d)? {
            Raw::S(s) => s,
            Raw::U(u) => u.to_string(),
            // The shortest text that reads back as the same double: what was written.
            Raw::F(f) if f.is_finite() && f >= 0.0 => format!("{f}"),
            Raw::F(f) => return Err(serde::de::Error::custom(format!("invalid price {f}"))),
        };
        parse_dec18(text.trim()).map(Price).map_err(|e| {
            serde::de::Error::custom(format!(
                "{e}: a price is a non-negative decimal such as \"0.004\""
            ))
        })
    }
}

/// A byte size: an integer or a quantity such as `512Mi`, `32Gi`, `1Ti`, `500G`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ByteSize(pub u64);

/// Parses `123`, `512Mi`, `32Gi`, `500G`, `1k` into bytes.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().map_err(|_| format!("invalid size {s:?}: expected e.g. 32Gi"))?;
    let mult: u64 = match unit {
        "" => 1,
        "k" | "K" => 1_000,
        "M" => 1_000_000,
        "G" => 1_000_000_000,
        "T" => 1_000_000_000_000,
        "P" => 1_000_000_000_000_000,
        "Ki" => 1 << 10,
        "Mi" => 1 << 20,
        "Gi" => 1 << 30,
        "Ti" => 1 << 40,
        "Pi" => 1 << 50,
        _ => {
            return Err(format!(
                "invalid size unit {unit:?} in {s:?}: use Ki, Mi, Gi, Ti, k, M, G, T"
            ))
        }
    };
    n.checked_mul(mult).ok_or_else(|| format!("size {s:?} is too large"))
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            U(u64),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::U(u) => Ok(ByteSize(u)),
            Raw::S(s) => parse_size(&s).map(ByteSize).map_err(serde::de::Error::custom),
        }
    }
}

/// serde for `Duration` as humantime text (`5m`, `24h`, `10s`).
mod duration_str {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&humantime::format_duration(*d).to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let s = String::deserialize(d)?;
        humantime::parse_duration(&s).map_err(|e| {
            serde::de::Error::custom(format!("invalid duration {s:?} ({e}): use e.g. 30s, 5m, 24h"))
        })
    }
}

/// serde for a coin as text (`500000uact`).
mod coin_str {
    use dcloud_types::Coin;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(c: &Coin, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&c.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Coin, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(|e| {
            serde::de::Error::custom(format!("invalid coin {s:?} ({e}): use e.g. 500000uact"))
        })
    }
}

/// A key/value attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeConfig {
    /// Key (`region`, `capabilities/storage/1/class`).
    pub key: String,
    /// Value.
    pub value: String,
}

/// Contact info published on chain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InfoConfig {
    /// Contact e-mail.
    pub email: String,
    /// Website.
    pub website: String,
}

/// GPU prices.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GpuPricing {
    /// Per GPU of a model not listed in `models` (and for wildcard requests).
    pub default: Option<Price>,
    /// Per GPU, by model (`a100`, `h100`).
    pub models: BTreeMap<String, Price>,
}

/// The pricing script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptConfig {
    /// The executable.
    pub path: PathBuf,
    /// Kill it after this long.
    #[serde(with = "duration_str", default = "default_script_timeout")]
    pub timeout: Duration,
    /// Most scripts running at once.
    #[serde(default = "default_process_limit")]
    pub process_limit: usize,
}

fn default_script_timeout() -> Duration {
    Duration::from_secs(10)
}
fn default_process_limit() -> usize {
    32
}

/// Pricing: the table (any field left out takes its default) or a script.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PricingConfig {
    /// Per CPU millicore per block.
    pub cpu: Option<Price>,
    /// Per MiB of memory per block.
    pub memory: Option<Price>,
    /// Per MiB of storage per block, by class (`ephemeral` for non-persistent volumes).
    pub storage: Option<BTreeMap<String, Price>>,
    /// Per GPU per block.
    pub gpu: Option<GpuPricing>,
    /// Per endpoint per block.
    pub endpoint: Option<Price>,
    /// Per leased IP per block.
    pub ip: Option<Price>,
    /// Price with an external program instead of the table.
    pub script: Option<ScriptConfig>,
}

/// Default table prices (micro-units per block, ~6 s blocks; with 1 uact ≈ 1 µUSD about
/// $1.75 per CPU-month, $0.90 per GiB-month of memory, $200/month per GPU).
pub mod default_prices {
    /// Per CPU millicore.
    pub const CPU: &str = "0.004";
    /// Per MiB of memory.
    pub const MEMORY: &str = "0.002";
    /// Per MiB of ephemeral storage.
    pub const EPHEMERAL: &str = "0.00005";
    /// Per MiB of persistent storage (classes `default`, `beta1`, `beta2`, `beta3`).
    pub const PERSISTENT: &str = "0.0002";
    /// Per GPU (any model).
    pub const GPU: &str = "450";
    /// Per endpoint.
    pub const ENDPOINT: &str = "0.05";
    /// Per leased IP.
    pub const IP: &str = "10";
}

fn dp(s: &str) -> u128 {
    parse_dec18(s).unwrap_or_default()
}

impl PricingConfig {
    /// The table with defaults filled in.
    pub fn table(&self) -> PriceTable {
        let storage = match &self.storage {
            Some(m) => m.iter().map(|(k, v)| (k.clone(), v.0)).collect(),
            None => {
                let mut m = BTreeMap::new();
                m.insert("ephemeral".to_string(), dp(default_prices::EPHEMERAL));
                for c in ["default", "beta1", "beta2", "beta3"] {
                    m.insert(c.to_string(), dp(default_prices::PERSISTENT));
                }
                m
            }
        };
        let (gpu_default, gpu_models) = match &self.gpu {
            Some(g) => (
                g.default.map(|p| p.0),
                g.models.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.0)).collect(),
            ),
            None => (Some(dp(default_prices::GPU)), BTreeMap::new()),
        };
        PriceTable {
            cpu_atto: self.cpu.map_or(dp(default_prices::CPU), |p| p.0),
            memory_atto: self.memory.map_or(dp(default_prices::MEMORY), |p| p.0),
            storage_atto: storage,
            gpu_models_atto: gpu_models,
            gpu_default_atto: gpu_default,
            endpoint_atto: self.endpoint.map_or(dp(default_prices::ENDPOINT), |p| p.0),
            ip_atto: self.ip.map_or(dp(default_prices::IP), |p| p.0),
        }
    }

    /// The strategy: the script if configured, else the table.
    pub fn strategy(&self) -> Pricing {
        match &self.script {
            Some(s) => Pricing::Script(ScriptPricing::new(&s.path, s.timeout, s.process_limit)),
            None => Pricing::Table(self.table()),
        }
    }

    fn table_fields_set(&self) -> bool {
        self.cpu.is_some()
            || self.memory.is_some()
            || self.storage.is_some()
            || self.gpu.is_some()
            || self.endpoint.is_some()
            || self.ip.is_some()
    }
}

/// A configured GPU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GpuConfig {
    /// Vendor (`nvidia`).
    #[serde(default = "default_vendor")]
    pub vendor: String,
    /// Model (`a100`).
    pub model: String,
    /// Memory (`80Gi`).
    pub ram: ByteSize,
    /// `pcie` or `sxm`.
    #[serde(default = "default_interface")]
    pub interface: String,
}

fn default_vendor() -> String {
    "nvidia".into()
}
fn default_interface() -> String {
    "pcie".into()
}

/// Capacity: detected from the host, with explicit values overriding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CapacityConfig {
    /// Detect CPUs, memory, ephemeral storage (free space of `state_dir`) and NVIDIA GPUs.
    pub detect: bool,
    /// CPU millicores (overrides detection).
    pub cpu: Option<u64>,
    /// Memory (overrides detection).
    pub memory: Option<ByteSize>,
    /// Ephemeral storage (overrides detection).
    pub ephemeral_storage: Option<ByteSize>,
    /// Persistent storage per class.
    pub storage: BTreeMap<String, ByteSize>,
    /// GPUs (override detection when set).
    pub gpus: Option<Vec<GpuConfig>>,
}

impl Default for CapacityConfig {
    fn default() -> Self {
        Self {
            detect: true,
            cpu: None,
            memory: None,
            ephemeral_storage: None,
            storage: BTreeMap::new(),
            gpus: None,
        }
    }
}

impl CapacityConfig {
    /// The capacity: detected (when `detect`) with the explicit values applied.
    pub fn resolve(&self, state_dir: &Path) -> Result<Capacity, InventoryError> {
        let mut c = if self.detect { detect_capacity(state_dir)? } else { Capacity::default() };
        if let Some(v) = self.cpu {
            c.cpu_millis = v;
        }
        if let Some(v) = self.memory {
            c.memory_bytes = v.0;
        }
        if let Some(v) = self.ephemeral_storage {
            c.ephemeral_storage_bytes = v.0;
        }
        for (k, v) in &self.storage {
            c.storage.insert(k.clone(), v.0);
        }
        if let Some(g) = &self.gpus {
            c.gpus = g
                .iter()
                .map(|g| GpuDevice {
                    vendor: g.vendor.to_ascii_lowercase(),
                    model: g.model.to_ascii_lowercase(),
                    memory_bytes: g.ram.0,
                    interface: g.interface.to_ascii_lowercase(),
                })
                .collect();
        }
        Ok(c)
    }
}

/// The container backend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, tag = "kind", rename_all = "snake_case")]
pub enum BackendConfig {
    /// Docker Engine API (Docker or Podman).
    Docker {
        /// `unix:///run/docker.sock`, `tcp://host:2375`; default: `DOCKER_HOST` or the
        /// local socket.
        #[serde(default)]
        docker_host: Option<String>,
    },
    /// A Kubernetes cluster (API groups of 1.20 and later).
    Kubernetes(Box<KubernetesConfig>),
}

/// `backend: {kind: kubernetes, ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KubernetesConfig {
    /// Kubeconfig file; default: `$KUBECONFIG`, `~/.kube/config`, or the in-cluster
    /// service account when the provider runs in a pod.
    #[serde(default)]
    pub kubeconfig: Option<PathBuf>,
    /// Context in the kubeconfig (default: its current context).
    #[serde(default)]
    pub context: Option<String>,
    /// Lease namespaces are `<prefix><lease slug>`.
    #[serde(default = "default_namespace_prefix")]
    pub namespace_prefix: String,
    /// `ingressClassName` of lease Ingresses (default: the cluster's default class).
    #[serde(default)]
    pub ingress_class: Option<String>,
    /// SDL storage class → cluster StorageClass (`beta2: fast-ssd`); unlisted classes map
    /// to the StorageClass of the same name.
    #[serde(default)]
    pub storage_classes: BTreeMap<String, String>,
    /// Node selector of every lease pod (also limits the nodes counted as capacity).
    #[serde(default)]
    pub node_selector: BTreeMap<String, String>,
    /// Labels of the ingress controller's namespace, let in by the lease NetworkPolicy
    /// (default `app.kubernetes.io/name: ingress-nginx`).
    #[serde(default)]
    pub ingress_namespace_labels: Option<BTreeMap<String, String>>,
    /// Labels of the cluster DNS namespace (default `kubernetes.io/metadata.name:
    /// kube-system`; label it yourself before Kubernetes 1.21).
    #[serde(default)]
    pub dns_namespace_labels: Option<BTreeMap<String, String>>,
    /// Ranges lease pods may not reach (default: RFC 1918, 100.64/10, 169.254/16).
    #[serde(default)]
    pub internal_cidrs: Option<Vec<String>>,
}

fn default_namespace_prefix() -> String {
    "dcloud-".into()
}

impl KubernetesConfig {
    /// Where the cluster is.
    pub fn target(&self) -> crate::cluster::kubernetes::KubeTarget {
        crate::cluster::kubernetes::KubeTarget {
            kubeconfig: self.kubeconfig.clone(),
            context: self.context.clone(),
        }
    }

    /// The backend's settings.
    pub fn settings(&self) -> crate::cluster::kubernetes::KubeSettings {
        let d = crate::cluster::kubernetes::KubeSettings::default();
        crate::cluster::kubernetes::KubeSettings {
            namespace_prefix: self.namespace_prefix.clone(),
            ingress_class: self.ingress_class.clone(),
            storage_classes: self.storage_classes.clone(),
            node_selector: self.node_selector.clone(),
            ingress_namespace_labels: self
                .ingress_namespace_labels
                .clone()
                .unwrap_or(d.ingress_namespace_labels),
            dns_namespace_labels: self
                .dns_namespace_labels
                .clone()
                .unwrap_or(d.dns_namespace_labels),
            internal_cidrs: self.internal_cidrs.clone().unwrap_or(d.internal_cidrs),
            field_manager: d.field_manager,
            teardown_timeout: d.teardown_timeout,
        }
    }

    fn check(&self, p: &mut Vec<String>) {
        let pre = &self.namespace_prefix;
        let ok = pre.len() <= 40
            && pre.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !pre.starts_with('-');
        if !ok {
            p.push(format!(
                "backend.namespace_prefix: {pre:?} must be lowercase letters, digits and '-', \
                 at most 40 characters, not starting with '-'"
            ));
        }
        for (k, v) in &self.storage_classes {
            let ok = !v.is_empty()
                && v.len() <= 253
                && v.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'
                });
            if !ok {
                p.push(format!("backend.storage_classes.{k}: {v:?} is not a StorageClass name"));
            }
        }
        for (i, c) in self.internal_cidrs.iter().flatten().enumerate() {
            let ok = c.split_once('/').is_some_and(|(ip, len)| {
                ip.parse::<std::net::IpAddr>().is_ok() && len.parse::<u8>().is_ok_and(|l| l <= 128)
            });
            if !ok {
                p.push(format!("backend.internal_cidrs[{i}]: {c:?} is not a CIDR"));
            }
        }
        if let Some(c) = &self.context {
            if c.is_empty() {
                p.push("backend.context: empty".into());
            }
        }
    }
}

impl Default for BackendConfig {
    fn default() -> Self {
        BackendConfig::Docker { docker_host: None }
    }
}

/// The HTTP ingress for leases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IngressConfig {
    /// Leases get `<random>.<domain>` hostnames (a wildcard DNS record should point here).
    pub domain: Option<String>,
    /// Where the reverse proxy listens.
    pub listen: SocketAddr,
}

impl Default for IngressConfig {
    fn default() -> Self {
        Self { domain: None, listen: SocketAddr::from(([0, 0, 0, 0], 80)) }
    }
}

/// The tenant-facing gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GatewayConfig {
    /// Where the HTTPS API listens.
    pub listen: SocketAddr,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        Self { listen: SocketAddr::from(([0, 0, 0, 0], 8443)) }
    }
}

/// `provider.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// Key name in the keyring (the provider's account).
    pub from: String,
    /// Keyring backend (`test` or `file`); default: the CLI's default.
    #[serde(default)]
    pub keyring_backend: Option<String>,
    /// dcloud home holding the keyring; default: the CLI's default.
    #[serde(default)]
    pub home: Option<PathBuf>,
    /// Node RPC URL.
    #[serde(default = "default_node")]
    pub node: String,
    /// Chain id (default: asked from the node).
    #[serde(default)]
    pub chain_id: Option<String>,
    /// The gateway's public URL, registered on chain (`https://provider.example.com:8443`).
    pub host_uri: String,
    /// On-chain attributes.
    #[serde(default)]
    pub attributes: Vec<AttributeConfig>,
    /// Contact info.
    #[serde(default)]
    pub info: InfoConfig,
    /// Bid pricing.
    #[serde(default)]
    pub pricing: PricingConfig,
    /// Capacity.
    #[serde(default)]
    pub capacity: CapacityConfig,
    /// Container backend.
    #[serde(default)]
    pub backend: BackendConfig,
    /// HTTP ingress.
    #[serde(default)]
    pub ingress: IngressConfig,
    /// Tenant gateway.
    #[serde(default)]
    pub gateway: GatewayConfig,
    /// Public hostname of this provider (for status and lease URIs).
    #[serde(default)]
    pub public_hostname: Option<String>,
    /// Deposit with each bid (raised to the chain's minimum).
    #[serde(with = "coin_str", default = "default_bid_deposit")]
    pub bid_deposit: Coin,
    /// Give up an open bid after this long.
    #[serde(with = "duration_str", default = "default_5m")]
    pub bid_timeout: Duration,
    /// Close a won lease whose manifest has not arrived after this long.
    #[serde(with = "duration_str", default = "default_5m")]
    pub manifest_timeout: Duration,
    /// Withdraw lease earnings this often.
    #[serde(with = "duration_str", default = "default_withdraw")]
    pub withdraw_period: Duration,
    /// Reclamation window offered with every bid (notice this provider gives before taking a
    /// lease back, `MsgLeaseStartReclaim`); `0s`: none, and orders whose deployment requires
    /// one are declined. Whole seconds, within the chain's market params range.
    #[serde(with = "duration_str", default)]
    pub reclamation_window: Duration,
    /// Where the daemon keeps its state.
    #[serde(default = "default_state_dir")]
    pub state_dir: PathBuf,
    /// Most orders evaluated / bid on at once.
    #[serde(default = "default_max_orders")]
    pub max_concurrent_orders: usize,
    /// Bid only on orders that require all of these attributes.
    #[serde(default)]
    pub bid_attributes: Vec<AttributeConfig>,
    /// Price denoms accepted.
    #[serde(default = "default_denoms")]
    pub denoms: Vec<String>,
}

fn default_node() -> String {
    "http://127.0.0.1:26657".into()
}
fn default_bid_deposit() -> Coin {
    Coin::new(500_000, "uact")
}
fn default_5m() -> Duration {
    Duration::from_secs(300)
}
fn default_withdraw() -> Duration {
    Duration::from_secs(24 * 3600)
}
fn default_state_dir() -> PathBuf {
    PathBuf::from("~/.dcloud-provider")
}
fn default_max_orders() -> usize {
    32
}
fn default_denoms() -> Vec<String> {
    vec!["uact".into(), "uakt".into()]
}

/// Replaces a leading `~` with `$HOME`.
fn expand_home(p: &Path) -> PathBuf {
    match (p.strip_prefix("~"), std::env::var_os("HOME")) {
        (Ok(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => p.to_path_buf(),
    }
}

fn check_attributes(field: &str, attrs: &[AttributeConfig], problems: &mut Vec<String>) {
    if attrs.len() > MAX_ATTRIBUTES {
        problems.push(format!("{field}: {} attributes, at most {MAX_ATTRIBUTES}", attrs.len()));
    }
    for (i, a) in attrs.iter().enumerate() {
        if !is_valid_attribute_key(&a.key) {
            problems.push(format!(
                "{field}[{i}].key: {:?} must be a letter then 1-126 of [A-Za-z0-9_/.-]",
                a.key
            ));
        }
        if a.value.is_empty() || a.value.len() > MAX_ATTRIBUTE_VALUE_LEN {
            problems
                .push(format!("{field}[{i}].value: must be 1..={MAX_ATTRIBUTE_VALUE_LEN} bytes"));
        }
        if attrs[..i].iter().any(|b| b.key == a.key) {
            problems.push(format!("{field}[{i}].key: duplicate key {:?}", a.key));
        }
    }
}

impl ProviderConfig {
    /// Parses YAML text (no validation). `path` only labels errors.
    pub fn from_yaml(text: &str, path: &str) -> Result<Self, ConfigError> {
        let de = serde_yaml::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let field = e.path().to_string();
            let inner = e.into_inner().to_string();
            // serde_yaml sometimes names (part of) the path itself.
            let inner = inner.strip_prefix(&format!("{field}: ")).unwrap_or(&inner).to_string();
            let message = if field == "." { inner } else { format!("{field}: {inner}") };
            ConfigError::Parse { path: path.to_string(), message }
        })
    }

    /// Reads, parses and validates `path`; `~` in paths is expanded.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let label = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: label.clone(), source })?;
        let mut c = Self::from_yaml(&text, &label)?;
        c.expand_paths();
        c.validate().map_err(|problems| ConfigError::Invalid { path: label, problems })?;
        Ok(c)
    }

    /// Expands a leading `~` in `home`, `state_dir` and the pricing script path.
    pub fn expand_paths(&mut self) {
        self.state_dir = expand_home(&self.state_dir);
        if let Some(h) = &self.home {
            self.home = Some(expand_home(h));
        }
        if let Some(s) = &mut self.pricing.script {
            s.path = expand_home(&s.path);
        }
        if let BackendConfig::Kubernetes(k) = &mut self.backend {
            if let Some(kc) = &k.kubeconfig {
                k.kubeconfig = Some(expand_home(kc));
            }
        }
    }

    /// Every problem, each prefixed with its field path.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut p = Vec::new();
        self.check_chain(&mut p);
        check_attributes("attributes", &self.attributes, &mut p);
        check_attributes("bid_attributes", &self.bid_attributes, &mut p);
        self.check_info(&mut p);
        self.check_pricing(&mut p);
        self.check_capacity(&mut p);
        self.check_network(&mut p);
        self.check_bidding(&mut p);
        if p.is_empty() {
            Ok(())
        } else {
            Err(p)
        }
    }

    /// Key, keyring, node, chain id and host URI.
    fn check_chain(&self, p: &mut Vec<String>) {
        if self.from.trim().is_empty() {
            p.push("from: the provider's key name is required".into());
        }
        if let Some(k) = &self.keyring_backend {
            if k != "test" && k != "file" {
                p.push(format!("keyring_backend: {k:?} is not test or file"));
            }
        }
        if !(self.node.starts_with("http://") || self.node.starts_with("https://")) {
            p.push(format!("node: {:?} must be an http:// or https:// URL", self.node));
        }
        if let Some(c) = &self.chain_id {
            if c.trim().is_empty() {
                p.push("chain_id: empty".into());
            }
        }
        if let Err(e) = dcloud_chain::provider::validate_host_uri(&self.host_uri) {
            p.push(format!("host_uri: {e}"));
        }
    }

    /// `info`: e-mail and website.
    fn check_info(&self, p: &mut Vec<String>) {
        if !self.info.email.is_empty() && !self.info.email.contains('@') {
            p.push(format!("info.email: {:?} is not an e-mail address", self.info.email));
        }
        let site = &self.info.website;
        if !(site.is_empty() || site.starts_with("http://") || site.starts_with("https://")) {
            p.push(format!("info.website: {:?} must be an http(s) URL", self.info.website));
        }
    }

    /// `pricing`: a script or a table, not both; the table needs an ephemeral storage price and one non-zero price.
    fn check_pricing(&self, p: &mut Vec<String>) {
        match &self.pricing.script {
            Some(s) => {
                if self.pricing.table_fields_set() {
                    p.push("pricing: set either script or the table prices (cpu, memory, storage, gpu, endpoint, ip), not both".into());
                }
                if s.path.as_os_str().is_empty() {
                    p.push("pricing.script.path: required".into());
                }
                if s.timeout.is_zero() {
                    p.push("pricing.script.timeout: must be > 0".into());
                }
                if s.process_limit == 0 {
                    p.push("pricing.script.process_limit: must be ≥ 1".into());
                }
            }
            None => {
                let t = self.pricing.table();
                if !t.storage_atto.contains_key("ephemeral") {
                    p.push(
                        "pricing.storage.ephemeral: a price for ephemeral storage is required"
                            .into(),
                    );
                }
                let all_zero = t.cpu_atto == 0
                    && t.memory_atto == 0
                    && t.storage_atto.values().all(|v| *v == 0)
                    && t.endpoint_atto == 0
                    && t.ip_atto == 0
                    && t.gpu_models_atto.values().all(|v| *v == 0)
                    && t.gpu_default_atto.unwrap_or(0) == 0;
                if all_zero {
                    p.push("pricing: every price is zero".into());
                }
            }
        }
    }

    /// `capacity`: configured GPUs, and CPU and memory when not detected.
    fn check_capacity(&self, p: &mut Vec<String>) {
        for (i, g) in self.capacity.gpus.iter().flatten().enumerate() {
            if g.vendor.is_empty() || g.model.is_empty() {
                p.push(format!("capacity.gpus[{i}]: vendor and model are required"));
            }
            if g.model.contains('/') || g.vendor.contains('/') {
                p.push(format!("capacity.gpus[{i}]: vendor and model must not contain '/'"));
            }
            if !matches!(g.interface.as_str(), "pcie" | "sxm") {
                p.push(format!(
                    "capacity.gpus[{i}].interface: {:?} is not pcie or sxm",
                    g.interface
                ));
            }
            if g.ram.0 == 0 {
                p.push(format!("capacity.gpus[{i}].ram: must be > 0"));
            }
        }
        if !self.capacity.detect && self.capacity.cpu.is_none() {
            p.push("capacity.cpu: required when capacity.detect is false".into());
        }
        if !self.capacity.detect && self.capacity.memory.is_none() {
            p.push("capacity.memory: required when capacity.detect is false".into());
        }
    }

    /// `backend`, `ingress` and `public_hostname`.
    fn check_network(&self, p: &mut Vec<String>) {
        match &self.backend {
            BackendConfig::Docker { docker_host: Some(h) } => {
                if !["unix://", "tcp://", "http://", "https://"].iter().any(|s| h.starts_with(s)) {
                    p.push(format!("backend.docker_host: {h:?} must start with unix://, tcp://, http:// or https://"));
                }
            }
            BackendConfig::Docker { docker_host: None } => {}
            BackendConfig::Kubernetes(k) => k.check(p),
        }
        if let Some(d) = &self.ingress.domain {
            let ok = !d.is_empty()
                && d.split('.').all(|l| {
                    !l.is_empty()
                        && l.len() <= 63
                        && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                });
            if !ok {
                p.push(format!("ingress.domain: {d:?} is not a DNS name"));
            }
        }
        if self.ingress.listen == self.gateway.listen {
            p.push("ingress.listen: same address as gateway.listen".into());
        }
        if let Some(h) = &self.public_hostname {
            if h.is_empty() || h.contains('/') || h.contains(':') {
                p.push(format!("public_hostname: {h:?} must be a bare host name"));
            }
        }
    }

    /// Bid deposit, timeouts, withdrawal period, state directory, order limit and denoms.
    fn check_bidding(&self, p: &mut Vec<String>) {
        if let Err(e) = dcloud_types::coin::validate_denom(&self.bid_deposit.denom) {
            p.push(format!("bid_deposit: {e}"));
        }
        if self.bid_deposit.amount == 0 {
            p.push("bid_deposit: must be > 0".into());
        }
        for (f, d) in
            [("bid_timeout", self.bid_timeout), ("manifest_timeout", self.manifest_timeout)]
        {
            if d.is_zero() {
                p.push(format!("{f}: must be > 0"));
            }
        }
        // Each withdrawal is a transaction paying a fee: seconds make sense on a devnet only.
        if self.withdraw_period < Duration::from_secs(1) {
            p.push("withdraw_period: must be at least 1s".into());
        }
        if self.state_dir.as_os_str().is_empty() {
            p.push("state_dir: required".into());
        }
        if self.max_concurrent_orders == 0 {
            p.push("max_concurrent_orders: must be ≥ 1".into());
        }
        if self.denoms.is_empty() {
            p.push("denoms: at least one denom is required".into());
        }
        for (i, d) in self.denoms.iter().enumerate() {
            if let Err(e) = dcloud_types::coin::validate_denom(d) {
                p.push(format!("denoms[{i}]: {e}"));
            }
        }
    }

    /// The on-chain attributes, sorted.
    pub fn chain_attributes(&self) -> Vec<Attribute> {
        let mut v: Vec<Attribute> = self
            .attributes
            .iter()
            .map(|a| Attribute { key: a.key.clone(), value: a.value.clone() })
            .collect();
        v.sort();
        v
    }

    /// The attributes orders must require, sorted.
    pub fn required_bid_attributes(&self) -> Vec<Attribute> {
        let mut v: Vec<Attribute> = self
            .bid_attributes
            .iter()
            .map(|a| Attribute { key: a.key.clone(), value: a.value.clone() })
            .collect();
        v.sort();
        v
    }
}

/// The `backend:` block of [`EXAMPLE`] (Docker / Podman).
const DOCKER_BACKEND: &str = "# Containers run through the Docker Engine API (Docker or Podman).
backend:
  kind: docker
  # docker_host: unix:///run/user/1000/podman/podman.sock   # default: DOCKER_HOST or the local socket
";

/// The `backend:` block for a Kubernetes cluster (`dcloud provider init --backend kubernetes`).
const KUBERNETES_BACKEND: &str =
    "# Leases run in a Kubernetes cluster (1.20 or later): one namespace per lease with
# Deployments / StatefulSets, Services, Ingresses and NetworkPolicies, applied server-side.
# The cluster's ingress controller serves lease hostnames (point the wildcard DNS record
# of ingress.domain at it); capacity is measured from the nodes (allocatable minus what
# other pods request), so capacity.detect is not used.
backend:
  kind: kubernetes
  # kubeconfig: ~/.kube/config    # default: KUBECONFIG, ~/.kube/config, or in-cluster
  # context: production           # default: the kubeconfig's current context
  namespace_prefix: dcloud-       # lease namespaces: <prefix><lease slug>
  # ingress_class: nginx          # default: the cluster's default IngressClass
  storage_classes:                # SDL class -> cluster StorageClass (unlisted: same name)
    beta2: standard
  # node_selector:                # lease pods only go to (and capacity only counts) these nodes
  #   dcloud.network/provider: \"true\"
  # ingress_namespace_labels:     # the ingress controller's namespace, allowed in
  #   app.kubernetes.io/name: ingress-nginx
  # dns_namespace_labels:         # cluster DNS (egress on port 53 allowed)
  #   kubernetes.io/metadata.name: kube-system
  # internal_cidrs: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, 169.254.0.0/16]
";

/// Which backend an example config is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExampleBackend {
    /// Docker / Podman on this host.
    #[default]
    Docker,
    /// A Kubernetes cluster.
    Kubernetes,
}

/// The commented example `provider.yaml` for `backend`.
pub fn example(backend: ExampleBackend) -> String {
    match backend {
        ExampleBackend::Docker => EXAMPLE.to_string(),
        ExampleBackend::Kubernetes => EXAMPLE.replace(DOCKER_BACKEND, KUBERNETES_BACKEND),
    }
}

/// A commented example `provider.yaml` (what `dcloud provider init` writes).
pub const EXAMPLE: &str = r#"# dcloud provider daemon configuration.
# Durations: 30s, 5m, 24h. Sizes: bytes or 512Mi, 32Gi, 1Ti, 500G.
# Prices: decimal micro-units of the order's denom (uact, uakt) per block (~6 s).

# The provider's key in the keyring (`dcloud keys add provider`).
from: provider
# keyring_backend: file          # test | file (default: the CLI's default)
# home: ~/.dcloud                # where the keyring lives (default: the CLI's default)

# The node to watch and send transactions to.
node: http://127.0.0.1:26657
# chain_id: dcloud-devnet        # default: asked from the node

# The gateway's public URL, registered on chain; tenants send manifests here.
host_uri: https://provider.example.com:8443

# On-chain attributes: where you are, what you offer. Orders filter on these.
attributes:
  - key: region
    value: eu-west
  - key: host
    value: dcloud
  # Persistent storage classes you offer (needed for persistent volumes):
  - key: capabilities/storage/1/class
    value: beta2
  - key: capabilities/storage/1/persistent
    value: "true"
  # GPUs you offer (one line per model / ram / interface combination):
  # - key: capabilities/gpu/vendor/nvidia/model/a100
  #   value: "true"
  # - key: capabilities/gpu/vendor/nvidia/model/a100/ram/80Gi
  #   value: "true"

# Contact info, published on chain.
info:
  email: ops@example.com
  website: https://example.com

# Bid pricing: a per-resource table (left-out entries take these defaults)...
pricing:
  cpu: "0.004"           # per CPU millicore
  memory: "0.002"        # per MiB of memory
  storage:               # per MiB, by class; `ephemeral` = non-persistent volumes
    ephemeral: "0.00005"
    default: "0.0002"
    beta2: "0.0002"
  gpu:
    default: "450"       # per GPU of any model not listed below
    models:
      a100: "600"
      h100: "900"
  endpoint: "0.05"       # per endpoint (not per replica)
  ip: "10"               # per leased IP
# ... or an external program (Akash's shellScript strategy): it reads the order as
# JSON on stdin (AKASH_OWNER and AKASH_DENOM in its environment) and prints the price.
# pricing:
#   script:
#     path: /etc/dcloud/price.sh
#     timeout: 10s
#     process_limit: 32

# What this host offers: detected (CPUs, memory, free space of state_dir, NVIDIA GPUs
# through NVML), with explicit values overriding.
capacity:
  detect: true
  # cpu: 8000                 # millicores
  # memory: 32Gi
  # ephemeral_storage: 200Gi
  storage:                    # persistent storage per class
    beta2: 500Gi
  # gpus:                     # overrides detected GPUs
  #   - vendor: nvidia
  #     model: a100
  #     ram: 80Gi
  #     interface: sxm        # pcie | sxm

# Containers run through the Docker Engine API (Docker or Podman).
backend:
  kind: docker
  # docker_host: unix:///run/user/1000/podman/podman.sock   # default: DOCKER_HOST or the local socket

# Lease HTTP traffic: leases get <name>.<domain>; point a wildcard DNS record here.
ingress:
  domain: apps.example.com
  listen: 0.0.0.0:80

# The tenant API (manifests, status, logs, shell) over HTTPS.
gateway:
  listen: 0.0.0.0:8443

public_hostname: provider.example.com

bid_deposit: 500000uact        # raised to the chain's minimum if lower
bid_timeout: 5m                # give up an open bid after this long
manifest_timeout: 5m           # close a won lease whose manifest never came
withdraw_period: 24h           # withdraw lease earnings this often
reclamation_window: 0s         # notice given before reclaiming a lease (0s: none; orders
                               # requiring a window are then declined), e.g. 24h
state_dir: ~/.dcloud-provider
max_concurrent_orders: 32

# Bid only on orders that require all of these attributes (empty: any order).
bid_attributes: []

# Price denoms accepted.
denoms: [uact, uakt]
"#;

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "from: provider\nhost_uri: https://p.example.com:8443\n";

    fn parse(yaml: &str) -> Result<ProviderConfig, ConfigError> {
        ProviderConfig::from_yaml(yaml, "provider.yaml")
    }

    fn problems(yaml: &str) -> Vec<String> {
        parse(yaml).unwrap().validate().unwrap_err()
    }

    #[test]
    fn the_kubernetes_example_parses_and_validates() {
        let text = example(ExampleBackend::Kubernetes);
        assert_ne!(text, EXAMPLE, "the backend block was replaced");
        let c = parse(&text).unwrap();
        c.validate().unwrap();
        let BackendConfig::Kubernetes(k) = &c.backend else { panic!("{:?}", c.backend) };
        assert_eq!(k.namespace_prefix, "dcloud-");
        assert_eq!(k.storage_classes["beta2"], "standard");
        let s = k.settings();
        assert_eq!(s.cluster_storage_class("beta2"), "standard");
        assert_eq!(s.cluster_storage_class("beta3"), "beta3");
        assert!(s.internal_cidrs.contains(&"169.254.0.0/16".to_string()));
        let bad = format!(
            "{MINIMAL}backend: {{kind: kubernetes, namespace_prefix: Bad_, internal_cidrs: [10.0.0.0], \
             storage_classes: {{beta2: \"No Way\"}}}}\n"
        );
        let p = problems(&bad);
        assert!(p.iter().any(|p| p.starts_with("backend.namespace_prefix:")), "{p:?}");
        assert!(p.iter().any(|p| p.starts_with("backend.internal_cidrs[0]:")), "{p:?}");
        assert!(p.iter().any(|p| p.starts_with("backend.storage_classes.beta2:")), "{p:?}");
        let typo = format!("{MINIMAL}backend: {{kind: kubernetes, kubeconfg: /x}}\n");
        assert!(parse(&typo).is_err(), "unknown fields are refused");
    }

    #[test]
    fn the_example_parses_and_validates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("provider.yaml");
        std::fs::write(&path, EXAMPLE).unwrap();
        let c = ProviderConfig::load(&path).unwrap();
        assert_eq!(c.from, "provider");
        assert_eq!(c.gateway.listen, "0.0.0.0:8443".parse().unwrap());
        assert_eq!(c.ingress.domain.as_deref(), Some("apps.example.com"));
        assert_eq!(c.bid_timeout, Duration::from_secs(300));
        assert_eq!(c.withdraw_period, Duration::from_secs(86_400));
        assert_eq!(c.reclamation_window, Duration::ZERO);
        let with_window = parse(&format!("{MINIMAL}reclamation_window: 24h\n")).unwrap();
        assert_eq!(with_window.reclamation_window, Duration::from_secs(86_400));
        assert_eq!(c.bid_deposit, Coin::new(500_000, "uact"));
        assert!(!c.state_dir.starts_with("~"));
        let t = c.pricing.table();
        assert_eq!(t.cpu_atto, parse_dec18("0.004").unwrap());
        assert_eq!(t.gpu_models_atto.get("h100"), Some(&parse_dec18("900").unwrap()));
        assert_eq!(c.capacity.storage.get("beta2"), Some(&ByteSize(500 << 30)));
        assert_eq!(c.chain_attributes().len(), 4);
        assert!(matches!(c.pricing.strategy(), Pricing::Table(_)));
    }

    #[test]
    fn defaults_fill_a_minimal_config() {
        let c = parse(MINIMAL).unwrap();
        c.validate().unwrap();
        assert_eq!(c.node, "http://127.0.0.1:26657");
        assert_eq!(
            (c.bid_timeout, c.manifest_timeout),
            (Duration::from_secs(300), Duration::from_secs(300))
        );
        assert_eq!(c.max_concurrent_orders, 32);
        assert_eq!(c.denoms, vec!["uact".to_string(), "uakt".to_string()]);
        assert!(c.capacity.detect);
        assert_eq!(c.backend, BackendConfig::Docker { docker_host: None });
        let t = c.pricing.table();
        assert!(t.storage_atto.contains_key("ephemeral") && t.storage_atto.contains_key("beta3"));
        assert_eq!(t.gpu_default_atto, Some(parse_dec18("450").unwrap()));
    }

    #[test]
    fn prices_parse_as_decimal_text_not_floats() {
        let c = parse(&format!(
            "{MINIMAL}pricing:\n  cpu: 0.1\n  memory: \"0.000000000000000001\"\n  ip: 3\n"
        ))
        .unwrap();
        assert_eq!(c.pricing.cpu, Some(Price(100_000_000_000_000_000)));
        assert_eq!(c.pricing.memory, Some(Price(1)));
        assert_eq!(c.pricing.ip, Some(Price(3_000_000_000_000_000_000)));
        assert_eq!(Price(1_500_000_000_000_000_000).to_string(), "1.5");
        let e = parse(&format!("{MINIMAL}pricing:\n  cpu: \"-1\"\n")).unwrap_err().to_string();
        assert!(e.contains("pricing.cpu") && e.contains("non-negative decimal"), "{e}");
    }

    #[test]
    fn script_pricing_config() {
        let c = parse(&format!("{MINIMAL}pricing:\n  script:\n    path: /bin/price\n")).unwrap();
        c.validate().unwrap();
        let s = c.pricing.script.as_ref().unwrap();
        assert_eq!((s.timeout, s.process_limit), (Duration::from_secs(10), 32));
        assert!(matches!(c.pricing.strategy(), Pricing::Script(_)));
        let p = problems(&format!("{MINIMAL}pricing:\n  cpu: \"1\"\n  script:\n    path: /bin/price\n    process_limit: 0\n"));
        assert!(p.iter().any(|m| m.starts_with("pricing: set either script")), "{p:?}");
        assert!(p.iter().any(|m| m.starts_with("pricing.script.process_limit")), "{p:?}");
    }

    #[test]
    fn parse_errors_name_the_field() {
        let e = parse("host_uri: https://p.example.com\n").unwrap_err().to_string();
        assert!(e.contains("missing field `from`"), "{e}");
        let e = parse(&format!("{MINIMAL}bid_timeout: soon\n")).unwrap_err().to_string();
        assert!(e.contains("bid_timeout") && e.contains("invalid duration"), "{e}");
        let e = parse(&format!("{MINIMAL}gateway:\n  listen: nowhere\n")).unwrap_err().to_string();
        assert!(e.contains("gateway.listen"), "{e}");
        let e = parse(&format!("{MINIMAL}capacity:\n  memroy: 1Gi\n")).unwrap_err().to_string();
        assert!(e.contains("capacity") && e.contains("unknown field `memroy`"), "{e}");
        let e = parse(&format!("{MINIMAL}capacity:\n  memory: 12Qi\n")).unwrap_err().to_string();
        assert!(e.contains("capacity.memory") && e.contains("invalid size unit"), "{e}");
        let e = parse(&format!("{MINIMAL}bid_deposit: lots\n")).unwrap_err().to_string();
        assert!(e.contains("bid_deposit") && e.contains("invalid coin"), "{e}");
        assert!(e.starts_with("provider.yaml: "), "{e}");
    }

    #[test]
    fn validation_lists_every_problem_by_field() {
        let yaml = "from: \"\"\nhost_uri: ftp://x\nnode: localhost:26657\nkeyring_backend: os\n\
            attributes:\n  - {key: \"1bad\", value: x}\n  - {key: region, value: \"\"}\n\
            bid_attributes:\n  - {key: host, value: a}\n  - {key: host, value: b}\n\
            pricing:\n  cpu: 0\n  memory: 0\n  storage: {beta2: 0}\n  gpu: {default: 0}\n  endpoint: 0\n  ip: 0\n\
            capacity:\n  detect: false\n  gpus:\n    - {model: a100, ram: 80Gi, interface: nvlink}\n\
            backend: {kind: docker, docker_host: /var/run/docker.sock}\n\
            ingress: {domain: \"bad domain\", listen: \"0.0.0.0:8443\"}\n\
            bid_deposit: 0uact\nbid_timeout: 0s\nwithdraw_period: 500ms\nmax_concurrent_orders: 0\ndenoms: []\n";
        let p = problems(yaml);
        for field in [
            "from:",
            "keyring_backend:",
            "node:",
            "host_uri:",
            "attributes[0].key:",
            "attributes[1].value:",
            "bid_attributes[1].key: duplicate",
            "pricing.storage.ephemeral:",
            "pricing: every price is zero",
            "capacity.gpus[0].interface:",
            "capacity.cpu:",
            "capacity.memory:",
            "backend.docker_host:",
            "ingress.domain:",
            "ingress.listen:",
            "bid_deposit: must be > 0",
            "bid_timeout:",
            "withdraw_period:",
            "max_concurrent_orders:",
            "denoms:",
        ] {
            assert!(p.iter().any(|m| m.starts_with(field)), "no problem for {field}: {p:#?}");
        }
    }

    #[test]
    fn load_reports_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.yaml");
        let e = ProviderConfig::load(&missing).unwrap_err().to_string();
        assert!(e.contains("nope.yaml"), "{e}");
        let bad = dir.path().join("bad.yaml");
        std::fs::write(&bad, "from: p\nhost_uri: nope\n").unwrap();
        let e = ProviderConfig::load(&bad).unwrap_err();
        assert!(matches!(&e, ConfigError::Invalid { problems, .. } if problems.len() == 1), "{e}");
        assert!(e.to_string().contains("bad.yaml: invalid provider config:\n  - host_uri:"), "{e}");
    }

    #[test]
    fn explicit_capacity_overrides_detection() {
        let c = parse(&format!(
            "{MINIMAL}capacity:\n  detect: false\n  cpu: 4000\n  memory: 8Gi\n  ephemeral_storage: 100G\n  storage: {{beta3: 1Ti}}\n  gpus:\n    - {{model: A100, ram: 80Gi, interface: sxm}}\n"
        ))
        .unwrap();
        c.validate().unwrap();
        let cap = c.capacity.resolve(Path::new("/")).unwrap();
        assert_eq!(
            (cap.cpu_millis, cap.memory_bytes, cap.ephemeral_storage_bytes),
            (4000, 8 << 30, 100_000_000_000)
        );
        assert_eq!(cap.storage.get("beta3"), Some(&(1 << 40)));
        assert_eq!(cap.gpus[0].model, "a100");
        assert_eq!(cap.gpus[0].ram(), "80Gi");
        let dir = tempfile::tempdir().unwrap();
        let detected = parse(&format!("{MINIMAL}capacity:\n  cpu: 1500\n"))
            .unwrap()
            .capacity
            .resolve(dir.path())
            .unwrap();
        assert_eq!(detected.cpu_millis, 1500);
        assert!(detected.memory_bytes > 0);
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512Mi"), Ok(512 << 20));
        assert_eq!(parse_size("2k"), Ok(2000));
        assert_eq!(parse_size("42"), Ok(42));
        assert!(parse_size("1.5Gi").is_err());
        assert!(parse_size("99999999999Pi").is_err());
    }
}
