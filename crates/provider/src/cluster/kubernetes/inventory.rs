//! The cluster's free capacity, from the API: per schedulable, ready node its allocatable
//! CPU, memory, ephemeral storage and `nvidia.com/gpu`, minus what the pods bound to it
//! request — except this provider's own lease pods, which the bid engine's reservations
//! already count. Persistent storage: each SDL class whose mapped StorageClass exists in
//! the cluster, sized by `capacity.storage` from `provider.yaml` or else unbounded (the
//! cluster's provisioner decides); a class the cluster lacks is absent, so orders asking
//! for it are declined at bid time.
//!
//! [`cluster_inventory`] is pure (nodes, pods and classes in, totals out) and tested on
//! objects created through a real API server.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Node, Pod};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use serde::Serialize;

use super::*;
use crate::bidengine::inventory::{Capacity, GpuDevice, NodeFree};
use objects::GPU_NODE_LABEL;

/// Storage of a class whose size the configuration does not give.
pub const UNBOUNDED_STORAGE: u64 = 1 << 60;

/// The GPU resource name.
pub const GPU_RESOURCE: &str = "nvidia.com/gpu";

/// Resources of one node.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NodeResources {
    /// CPU millicores.
    pub cpu_millis: u64,
    /// Memory bytes.
    pub memory_bytes: u64,
    /// Ephemeral storage bytes.
    pub ephemeral_storage_bytes: u64,
    /// GPUs.
    pub gpus: u64,
}

impl NodeResources {
    fn saturating_sub(&self, o: &Self) -> Self {
        Self {
            cpu_millis: self.cpu_millis.saturating_sub(o.cpu_millis),
            memory_bytes: self.memory_bytes.saturating_sub(o.memory_bytes),
            ephemeral_storage_bytes: self
                .ephemeral_storage_bytes
                .saturating_sub(o.ephemeral_storage_bytes),
            gpus: self.gpus.saturating_sub(o.gpus),
        }
    }

    fn add(&mut self, o: &Self) {
        self.cpu_millis = self.cpu_millis.saturating_add(o.cpu_millis);
        self.memory_bytes = self.memory_bytes.saturating_add(o.memory_bytes);
        self.ephemeral_storage_bytes =
            self.ephemeral_storage_bytes.saturating_add(o.ephemeral_storage_bytes);
        self.gpus = self.gpus.saturating_add(o.gpus);
    }

    fn max(&mut self, o: &Self) {
        self.cpu_millis = self.cpu_millis.max(o.cpu_millis);
        self.memory_bytes = self.memory_bytes.max(o.memory_bytes);
        self.ephemeral_storage_bytes = self.ephemeral_storage_bytes.max(o.ephemeral_storage_bytes);
        self.gpus = self.gpus.max(o.gpus);
    }
}

/// One node's share of the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeInventory {
    /// Node name.
    pub name: String,
    /// `status.allocatable`.
    pub allocatable: NodeResources,
    /// Requested by pods bound to the node that are not this provider's lease pods.
    pub requested: NodeResources,
    /// Allocatable minus requested.
    pub free: NodeResources,
}

/// What the cluster offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClusterInventory {
    /// Nodes that can take lease pods (schedulable, ready, matching the node selector).
    pub nodes: Vec<NodeInventory>,
    /// Nodes left out, with the reason.
    pub skipped: Vec<(String, String)>,
    /// StorageClasses of the cluster.
    pub storage_classes: Vec<String>,
    /// The totals as the bid engine's capacity.
    pub capacity: Capacity,
}

/// Parses a Kubernetes quantity (`4`, `250m`, `1.5`, `64Mi`, `1G`, `1e3`) scaled by
/// `scale` (1000 for millis), rounded up; `None` when malformed or negative.
pub fn parse_quantity(q: &str, scale: u128) -> Option<u64> {
    let q = q.trim();
    let split = q.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+')).unwrap_or(q.len());
    let (num, suffix) = q.split_at(split);
    let (mul, div): (u128, u128) = match suffix {
        "" => (1, 1),
        "m" => (1, 1000),
        "k" => (1_000, 1),
        "M" => (1_000_000, 1),
        "G" => (1_000_000_000, 1),
        "T" => (1_000_000_000_000, 1),
        "P" => (1_000_000_000_000_000, 1),
        "E" => (1_000_000_000_000_000_000, 1),
        "Ki" => (1 << 10, 1),
        "Mi" => (1 << 20, 1),
        "Gi" => (1 << 30, 1),
        "Ti" => (1 << 40, 1),
        "Pi" => (1 << 50, 1),
        "Ei" => (1 << 60, 1),
        s if s.starts_with(['e', 'E']) => (10u128.checked_pow(s[1..].parse().ok()?)?, 1),
        _ => return None,
    };
    let num = num.strip_prefix('+').unwrap_or(num);
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let frac_div = 10u128.checked_pow(u32::try_from(frac.len()).ok()?)?;
    let digits: u128 = format!("{int}{frac}").parse().ok()?;
    let numer = digits.checked_mul(mul)?.checked_mul(scale)?;
    let denom = div.checked_mul(frac_div)?;
    u64::try_from(numer.div_ceil(denom)).ok()
}

fn get_q(map: Option<&BTreeMap<String, Quantity>>, key: &str, scale: u128) -> u64 {
    map.and_then(|m| m.get(key)).and_then(|q| parse_quantity(&q.0, scale)).unwrap_or(0)
}

fn resources_of(map: Option<&BTreeMap<String, Quantity>>) -> NodeResources {
    NodeResources {
        cpu_millis: get_q(map, "cpu", 1000),
        memory_bytes: get_q(map, "memory", 1),
        ephemeral_storage_bytes: get_q(map, "ephemeral-storage", 1),
        gpus: get_q(map, GPU_RESOURCE, 1),
    }
}

/// What a pod requests: the sum over its containers, or the largest init container if
/// that is more (what the scheduler counts).
pub fn pod_requests(p: &Pod) -> NodeResources {
    let Some(spec) = &p.spec else { return NodeResources::default() };
    let mut sum = NodeResources::default();
    for c in &spec.containers {
        let r = c.resources.as_ref();
        // A limit without a request means request = limit (API defaulting does this too).
        let req = r.and_then(|r| r.requests.as_ref());
        let lim = r.and_then(|r| r.limits.as_ref());
        let mut x = resources_of(req);
        let l = resources_of(lim);
        if x.cpu_millis == 0 {
            x.cpu_millis = l.cpu_millis;
        }
        if x.memory_bytes == 0 {
            x.memory_bytes = l.memory_bytes;
        }
        if x.ephemeral_storage_bytes == 0 {
            x.ephemeral_storage_bytes = l.ephemeral_storage_bytes;
        }
        x.gpus = x.gpus.max(l.gpus);
        sum.add(&x);
    }
    for c in spec.init_containers.iter().flatten() {
        let r = c.resources.as_ref().and_then(|r| r.requests.as_ref());
        sum.max(&resources_of(r));
    }
    sum
}

/// The GPU devices a node offers, from its `dcloud.network/capabilities.gpu.vendor.<v>.model.<m>`
/// labels (with `.ram.<r>` / `.interface.<i>` variants), `count` of them; a node without such
/// labels offers `count` GPUs of model `unknown` (matched only by "any model").
fn node_gpus(node: &Node, count: u64) -> Vec<GpuDevice> {
    let prefix = format!("{GPU_NODE_LABEL}.vendor.");
    let mut vendor = "nvidia".to_string();
    let mut model = "unknown".to_string();
    let mut ram = 0u64;
    let mut interface = "pcie".to_string();
    for key in node.metadata.labels.iter().flatten().map(|(k, _)| k) {
        let Some(rest) = key.strip_prefix(&prefix) else { continue };
        let parts: Vec<&str> = rest.split('.').collect();
        if parts.len() >= 3 && parts[1] == "model" {
            vendor = parts[0].to_string();
            model = parts[2].to_string();
            let mut tail = &parts[3..];
            while let [k, v, t @ ..] = tail {
                match *k {
                    "ram" => ram = parse_quantity(v, 1).unwrap_or(0),
                    "interface" => interface = (*v).to_string(),
                    _ => {}
                }
                tail = t;
            }
        }
    }
    (0..count)
        .map(|_| GpuDevice {
            vendor: vendor.clone(),
            model: model.clone(),
            memory_bytes: ram,
            interface: interface.clone(),
        })
        .collect()
}

fn node_ready(n: &Node) -> bool {
    n.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// Builds the inventory from what the API lists. `provider` is this provider's address
/// (its lease pods are not subtracted); `configured_storage` the `capacity.storage` sizes.
pub fn cluster_inventory(
    nodes: &[Node],
    pods: &[Pod],
    classes: &[StorageClass],
    kube: &KubeSettings,
    provider: &str,
    configured_storage: &BTreeMap<String, u64>,
) -> ClusterInventory {
    let mut requested: BTreeMap<String, NodeResources> = BTreeMap::new();
    for p in pods {
        let phase = p.status.as_ref().and_then(|s| s.phase.as_deref());
        if matches!(phase, Some("Succeeded" | "Failed")) {
            continue;
        }
        let ours = p
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(objects::LABEL_PROVIDER))
            .is_some_and(|v| v == provider);
        if ours {
            continue;
        }
        let Some(node) = p.spec.as_ref().and_then(|s| s.node_name.clone()) else { continue };
        requested.entry(node).or_default().add(&pod_requests(p));
    }
    let mut out = ClusterInventory {
        nodes: Vec::new(),
        skipped: Vec::new(),
        storage_classes: Vec::new(),
        capacity: Capacity::default(),
    };
    for n in nodes {
        let name = n.metadata.name.clone().unwrap_or_default();
        let labels = n.metadata.labels.clone().unwrap_or_default();
        if n.spec.as_ref().and_then(|s| s.unschedulable) == Some(true) {
            out.skipped.push((name, "unschedulable".into()));
            continue;
        }
        if !node_ready(n) {
            out.skipped.push((name, "not ready".into()));
            continue;
        }
        if kube.node_selector.iter().any(|(k, v)| labels.get(k) != Some(v)) {
            out.skipped.push((name, "does not match the node selector".into()));
            continue;
        }
        let allocatable = resources_of(n.status.as_ref().and_then(|s| s.allocatable.as_ref()));
        let req = requested.get(&name).cloned().unwrap_or_default();
        let free = allocatable.saturating_sub(&req);
        let c = &mut out.capacity;
        c.cpu_millis = c.cpu_millis.saturating_add(free.cpu_millis);
        c.memory_bytes = c.memory_bytes.saturating_add(free.memory_bytes);
        c.ephemeral_storage_bytes =
            c.ephemeral_storage_bytes.saturating_add(free.ephemeral_storage_bytes);
        c.gpus.extend(node_gpus(n, free.gpus));
        c.nodes.push(NodeFree {
            name: name.clone(),
            cpu_millis: free.cpu_millis,
            memory_bytes: free.memory_bytes,
            ephemeral_storage_bytes: free.ephemeral_storage_bytes,
            gpus: free.gpus,
        });
        out.nodes.push(NodeInventory { name, allocatable, requested: req, free });
    }
    let cluster: BTreeSet<String> =
        classes.iter().filter_map(|c| c.metadata.name.clone()).collect();
    out.storage_classes = cluster.iter().cloned().collect();
    let sdl_classes: BTreeSet<String> = kube
        .storage_classes
        .keys()
        .cloned()
        .chain(cluster.iter().cloned())
        .chain(configured_storage.keys().cloned())
        .collect();
    for s in sdl_classes {
        if cluster.contains(&kube.cluster_storage_class(&s)) {
            let size = configured_storage.get(&s).copied().unwrap_or(UNBOUNDED_STORAGE);
            out.capacity.storage.insert(s, size);
        }
    }
    out
}

impl KubeBackend {
    /// Lists nodes, pods and StorageClasses and computes [`ClusterInventory`]. Persistent
    /// storage sizes come from [`KubeBackend::set_configured_storage`].
    pub async fn cluster_inventory(&self) -> Result<ClusterInventory, BackendError> {
        let nodes: Api<Node> = Api::all(self.client.clone());
        let pods: Api<Pod> = Api::all(self.client.clone());
        let classes: Api<StorageClass> = Api::all(self.client.clone());
        let lp = ListParams::default();
        let pod_lp = ListParams::default().fields("status.phase!=Succeeded,status.phase!=Failed");
        let (nodes, pods, classes) = futures::try_join!(
            retry("list nodes", || nodes.list(&lp)),
            retry("list pods", || pods.list(&pod_lp)),
            retry("list storage classes", || classes.list(&lp)),
        )
        .map_err(api_err)?;
        let configured = self.configured_storage.lock().clone();
        Ok(cluster_inventory(
            &nodes.items,
            &pods.items,
            &classes.items,
            &self.kube,
            &self.settings.provider,
            &configured,
        ))
    }

    /// Sizes of persistent storage per SDL class (`capacity.storage`); classes not given
    /// are unbounded.
    pub fn set_configured_storage(&self, sizes: BTreeMap<String, u64>) {
        *self.configured_storage.lock() = sizes;
    }
}

#[cfg(test)]
mod tests {
    use super::parse_quantity;

    #[test]
    fn quantities() {
        assert_eq!(parse_quantity("4", 1000), Some(4000));
        assert_eq!(parse_quantity("250m", 1000), Some(250));
        assert_eq!(parse_quantity("1.5", 1000), Some(1500));
        assert_eq!(parse_quantity("0.1", 1000), Some(100));
        assert_eq!(parse_quantity("64Mi", 1), Some(64 << 20));
        assert_eq!(parse_quantity("1G", 1), Some(1_000_000_000));
        assert_eq!(parse_quantity("1000Ki", 1), Some(1_024_000));
        assert_eq!(parse_quantity("1e3", 1), Some(1000));
        assert_eq!(parse_quantity("1m", 1), Some(1), "rounded up");
        assert_eq!(parse_quantity("-1", 1), None);
        assert_eq!(parse_quantity("1Qi", 1), None);
        assert_eq!(parse_quantity("", 1), None);
    }
}
