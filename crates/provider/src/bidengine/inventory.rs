//! Capacity and reservations (sans-IO).
//!
//! The provider is one host: its [`Capacity`] is either configured or detected
//! ([`crate::cluster::detect::detect_capacity`]: CPUs, `/proc/meminfo`, `statvfs` of the
//! state directory, NVIDIA GPUs through NVML). The [`Inventory`] keeps one [`Reservation`]
//! per order: *pending* while a bid is open, *active* once the lease is won and deployed.
//! A reservation holds every replica of every unit of the group; GPUs are assigned device
//! by device (by vendor, model, memory and interface), persistent storage by class.

use std::collections::BTreeMap;
use std::fmt;

use dcloud_chain::deployment::{GroupSpec, ResourceUnit};
use serde::{Deserialize, Serialize};

use crate::OrderId;

/// One GiB.
const GIB: u64 = 1 << 30;

/// One GPU of the host.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GpuDevice {
    /// Vendor, lowercase (`nvidia`).
    pub vendor: String,
    /// Model as SDLs name it, lowercase (`a100`, `h100`, `rtx4090`).
    pub model: String,
    /// Memory in bytes.
    pub memory_bytes: u64,
    /// `pcie` or `sxm`.
    pub interface: String,
}

impl GpuDevice {
    /// The memory as an SDL / attribute value: whole GiB, rounded to nearest (`80Gi`).
    pub fn ram(&self) -> String {
        format!("{}Gi", (self.memory_bytes + GIB / 2) / GIB)
    }

    /// The provider attributes advertising this device
    /// (`capabilities/gpu/vendor/<v>/model/<m>[/ram/<r>][/interface/<i>]` = `true`).
    pub fn capability_attributes(&self) -> Vec<(String, String)> {
        let base = format!("capabilities/gpu/vendor/{}/model/{}", self.vendor, self.model);
        vec![
            (base.clone(), "true".into()),
            (format!("{base}/ram/{}", self.ram()), "true".into()),
            (format!("{base}/interface/{}", self.interface), "true".into()),
            (format!("{base}/ram/{}/interface/{}", self.ram(), self.interface), "true".into()),
        ]
    }
}

/// What the host offers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capacity {
    /// CPU millicores.
    pub cpu_millis: u64,
    /// Memory bytes.
    pub memory_bytes: u64,
    /// Ephemeral storage bytes (container layers, non-persistent volumes).
    pub ephemeral_storage_bytes: u64,
    /// Persistent storage bytes per class (`default`, `beta2`, ...).
    pub storage: BTreeMap<String, u64>,
    /// GPUs.
    pub gpus: Vec<GpuDevice>,
    /// Free resources per node, when the capacity spans several (a cluster): every replica
    /// must fit on one of them. Empty: one host, only the totals count.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<NodeFree>,
}

/// What one node of a cluster has free.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeFree {
    /// Node name.
    pub name: String,
    /// CPU millicores.
    pub cpu_millis: u64,
    /// Memory bytes.
    pub memory_bytes: u64,
    /// Ephemeral storage bytes.
    pub ephemeral_storage_bytes: u64,
    /// GPUs.
    pub gpus: u64,
}

/// One GPU requirement of a resource unit, parsed from
/// `vendor/<v>/model/<m>[/ram/<r>][/interface/<i>]` (`<m>` = `*`: any model).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct GpuRequirement {
    /// Vendor.
    pub vendor: String,
    /// Model, or `*`.
    pub model: String,
    /// Memory (`80Gi`), if required.
    pub ram: Option<String>,
    /// Interface (`pcie`, `sxm`), if required.
    pub interface: Option<String>,
}

impl GpuRequirement {
    /// Parses an attribute key; `None` when it is not a GPU requirement.
    pub fn parse(key: &str) -> Option<Self> {
        let parts: Vec<&str> = key.split('/').collect();
        if parts.len() < 4 || parts[0] != "vendor" || parts[2] != "model" {
            return None;
        }
        let mut r = GpuRequirement {
            vendor: parts[1].to_ascii_lowercase(),
            model: parts[3].to_ascii_lowercase(),
            ram: None,
            interface: None,
        };
        let mut rest = &parts[4..];
        while let [k, v, tail @ ..] = rest {
            match *k {
                "ram" => r.ram = Some(v.to_string()),
                "interface" => r.interface = Some(v.to_ascii_lowercase()),
                _ => return None,
            }
            rest = tail;
        }
        if !rest.is_empty() || r.vendor.is_empty() || r.model.is_empty() {
            return None;
        }
        Some(r)
    }

    /// Whether `dev` satisfies this requirement.
    pub fn matches(&self, dev: &GpuDevice) -> bool {
        self.vendor == dev.vendor
            && (self.model == "*" || self.model == dev.model)
            && self.ram.as_ref().is_none_or(|r| r.eq_ignore_ascii_case(&dev.ram()))
            && self.interface.as_ref().is_none_or(|i| *i == dev.interface)
    }
}

impl fmt::Display for GpuRequirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.vendor, self.model)?;
        if let Some(r) = &self.ram {
            write!(f, " {r}")?;
        }
        if let Some(i) = &self.interface {
            write!(f, " {i}")?;
        }
        Ok(())
    }
}

/// The GPU requirements of a unit (those attributes whose value is `true`).
pub fn gpu_requirements(unit: &ResourceUnit) -> Vec<GpuRequirement> {
    unit.gpu_attributes
        .iter()
        .filter(|a| a.value == "true")
        .filter_map(|a| GpuRequirement::parse(&a.key))
        .collect()
}

/// Where a volume's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum VolumeKind {
    /// Ephemeral disk (no attributes, or `persistent: false`).
    Ephemeral,
    /// Memory-backed (`class: ram`): counts against memory.
    Ram,
    /// Persistent storage of a class.
    Persistent(String),
}

impl VolumeKind {
    /// Classifies volume `name` of `unit` by its `persistent` and `class` attributes.
    pub fn of(unit: &ResourceUnit, name: &str) -> Self {
        let attrs = unit.volume_attributes(name);
        let get = |k: &str| attrs.iter().find(|a| a.key == k).map(|a| a.value.as_str());
        let class = get("class");
        if get("persistent") == Some("true") {
            VolumeKind::Persistent(class.unwrap_or("default").to_string())
        } else if class == Some("ram") {
            VolumeKind::Ram
        } else {
            VolumeKind::Ephemeral
        }
    }
}

/// Resource totals, shaped like Akash's `/status` `MetricTotal`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricTotal {
    /// CPU millicores.
    pub cpu: u64,
    /// GPUs.
    pub gpu: u64,
    /// Memory bytes (incl. `ram` volumes).
    pub memory: u64,
    /// Ephemeral storage bytes.
    pub storage_ephemeral: u64,
    /// Persistent storage bytes per class.
    #[serde(default)]
    pub storage: BTreeMap<String, u64>,
}

impl MetricTotal {
    /// The totals of every replica of every unit of `group`, or `None` on overflow.
    pub fn of_group(group: &GroupSpec) -> Option<Self> {
        let mut t = MetricTotal::default();
        for u in &group.resources {
            let n = u64::from(u.count);
            t.cpu = t.cpu.checked_add(u.cpu_millis.checked_mul(n)?)?;
            t.gpu = t.gpu.checked_add(u.gpu_units.checked_mul(n)?)?;
            t.memory = t.memory.checked_add(u.memory_bytes.checked_mul(n)?)?;
            for (name, bytes) in &u.storage {
                let b = bytes.checked_mul(n)?;
                match VolumeKind::of(u, name) {
                    VolumeKind::Ephemeral => {
                        t.storage_ephemeral = t.storage_ephemeral.checked_add(b)?;
                    }
                    VolumeKind::Ram => t.memory = t.memory.checked_add(b)?,
                    VolumeKind::Persistent(class) => {
                        let e = t.storage.entry(class).or_default();
                        *e = e.checked_add(b)?;
                    }
                }
            }
        }
        Some(t)
    }

    fn add(&mut self, o: &MetricTotal) {
        self.cpu = self.cpu.saturating_add(o.cpu);
        self.gpu = self.gpu.saturating_add(o.gpu);
        self.memory = self.memory.saturating_add(o.memory);
        self.storage_ephemeral = self.storage_ephemeral.saturating_add(o.storage_ephemeral);
        for (c, b) in &o.storage {
            let e = self.storage.entry(c.clone()).or_default();
            *e = e.saturating_add(*b);
        }
    }
}

/// What a reservation could not get.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("insufficient capacity: {what}")]
pub struct InsufficientCapacity {
    /// Which resource, with needed and available amounts.
    pub what: String,
}

/// Pending (a bid is open) or active (the lease runs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReservationState {
    /// Held for an open bid.
    Pending,
    /// Held by a won lease.
    Active,
}

/// Resources held for one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reservation {
    /// The order.
    pub id: OrderId,
    /// Totals of all replicas.
    pub resources: MetricTotal,
    /// Indexes into [`Capacity::gpus`] of the devices assigned.
    pub gpu_devices: Vec<usize>,
    /// Pending or active.
    pub state: ReservationState,
}

/// A node's allocatable and available resources in the status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeStatus {
    /// Node (host) name.
    pub name: String,
    /// Everything it offers.
    pub allocatable: MetricTotal,
    /// What no reservation holds.
    pub available: MetricTotal,
}

/// Free persistent storage of a class in the status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageStatus {
    /// Class.
    pub class: String,
    /// Free bytes.
    pub size: u64,
}

/// Available resources in the status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AvailableStatus {
    /// Nodes (one: this host).
    pub nodes: Vec<NodeStatus>,
    /// Free storage per class.
    pub storage: Vec<StorageStatus>,
}

/// The inventory part of the legacy `/status` (`cluster.inventory`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryStatus {
    /// Totals of each active reservation.
    pub active: Vec<MetricTotal>,
    /// Totals of each pending reservation.
    pub pending: Vec<MetricTotal>,
    /// What is left.
    pub available: AvailableStatus,
}

/// Capacity and the reservations against it.
#[derive(Debug, Clone)]
pub struct Inventory {
    node_name: String,
    capacity: Capacity,
    reservations: BTreeMap<OrderId, Reservation>,
}

impl Inventory {
    /// An inventory of `capacity` with no reservations; `node_name` names the host in
    /// the status.
    pub fn new(node_name: impl Into<String>, capacity: Capacity) -> Self {
        Self { node_name: node_name.into(), capacity, reservations: BTreeMap::new() }
    }

    /// The capacity.
    pub fn capacity(&self) -> &Capacity {
        &self.capacity
    }

    /// Replaces the capacity (a cluster's free resources, measured again); reservations
    /// stay. GPU device indexes of reservations refer to the new list from now on.
    pub fn set_capacity(&mut self, capacity: Capacity) {
        self.capacity = capacity;
    }

    /// The reservation of order `id`, if any.
    pub fn get(&self, id: &OrderId) -> Option<&Reservation> {
        self.reservations.get(id)
    }

    /// All reservations, by order id.
    pub fn reservations(&self) -> impl Iterator<Item = &Reservation> {
        self.reservations.values()
    }

    /// Sum of what all reservations hold.
    pub fn reserved(&self) -> MetricTotal {
        let mut t = MetricTotal::default();
        for r in self.reservations.values() {
            t.add(&r.resources);
        }
        t
    }

    /// What no reservation holds.
    pub fn available(&self) -> MetricTotal {
        let used = self.reserved();
        let c = &self.capacity;
        let free_gpus = c.gpus.len() as u64 - self.used_gpus().len() as u64;
        MetricTotal {
            cpu: c.cpu_millis.saturating_sub(used.cpu),
            gpu: free_gpus,
            memory: c.memory_bytes.saturating_sub(used.memory),
            storage_ephemeral: c.ephemeral_storage_bytes.saturating_sub(used.storage_ephemeral),
            storage: c
                .storage
                .iter()
                .map(|(k, v)| {
                    (k.clone(), v.saturating_sub(used.storage.get(k).copied().unwrap_or(0)))
                })
                .collect(),
        }
    }

    fn used_gpus(&self) -> Vec<usize> {
        let mut v: Vec<usize> =
            self.reservations.values().flat_map(|r| r.gpu_devices.iter().copied()).collect();
        v.sort_unstable();
        v
    }

    /// Checks that `group` fits what is available (ignoring any reservation already held
    /// by `id`) and returns the reservation it would get, without recording it.
    pub fn check(
        &self,
        id: &OrderId,
        group: &GroupSpec,
    ) -> Result<Reservation, InsufficientCapacity> {
        let mut others = self.clone();
        others.reservations.remove(id);
        others.plan(id, group)
    }

    fn plan(&self, id: &OrderId, group: &GroupSpec) -> Result<Reservation, InsufficientCapacity> {
        let need = MetricTotal::of_group(group)
            .ok_or_else(|| InsufficientCapacity { what: "resource totals overflow".into() })?;
        let free = self.available();
        let short = |what: &str, need: u64, free: u64| InsufficientCapacity {
            what: format!("{what}: need {need}, {free} available"),
        };
        if need.cpu > free.cpu {
            return Err(short("cpu millicores", need.cpu, free.cpu));
        }
        if need.memory > free.memory {
            return Err(short("memory bytes", need.memory, free.memory));
        }
        if need.storage_ephemeral > free.storage_ephemeral {
            return Err(short(
                "ephemeral storage bytes",
                need.storage_ephemeral,
                free.storage_ephemeral,
            ));
        }
        for (class, bytes) in &need.storage {
            let have = free.storage.get(class).copied().unwrap_or(0);
            if *bytes > have {
                return Err(short(&format!("storage class {class} bytes"), *bytes, have));
            }
        }
        self.check_nodes(group)?;
        let gpu_devices = self.assign_gpus(group)?;
        Ok(Reservation {
            id: id.clone(),
            resources: need,
            gpu_devices,
            state: ReservationState::Pending,
        })
    }

    /// With per-node capacity: each unit's replica must fit on some node (the totals are
    /// checked separately; placements of other reservations are not tracked per node).
    fn check_nodes(&self, group: &GroupSpec) -> Result<(), InsufficientCapacity> {
        if self.capacity.nodes.is_empty() {
            return Ok(());
        }
        for (i, u) in group.resources.iter().enumerate() {
            let mut memory = u.memory_bytes;
            let mut ephemeral = 0u64;
            for (name, bytes) in &u.storage {
                match VolumeKind::of(u, name) {
                    VolumeKind::Ram => memory = memory.saturating_add(*bytes),
                    VolumeKind::Ephemeral => ephemeral = ephemeral.saturating_add(*bytes),
                    VolumeKind::Persistent(_) => {}
                }
            }
            let fits = self.capacity.nodes.iter().any(|n| {
                n.cpu_millis >= u.cpu_millis
                    && n.memory_bytes >= memory
                    && n.ephemeral_storage_bytes >= ephemeral
                    && n.gpus >= u.gpu_units
            });
            if !fits {
                return Err(InsufficientCapacity {
                    what: format!(
                        "no node can hold one replica of resources[{i}] ({} millicores, \
                         {memory} bytes of memory, {ephemeral} bytes of ephemeral storage, \
                         {} gpus)",
                        u.cpu_millis, u.gpu_units
                    ),
                });
            }
        }
        Ok(())
    }

    /// Assigns free devices to every GPU of every replica: the most constrained units
    /// (fewest matching devices) first, lowest device index first.
    fn assign_gpus(&self, group: &GroupSpec) -> Result<Vec<usize>, InsufficientCapacity> {
        let used = self.used_gpus();
        let mut free: Vec<bool> =
            (0..self.capacity.gpus.len()).map(|i| used.binary_search(&i).is_err()).collect();
        let mut units: Vec<(usize, &ResourceUnit, Vec<usize>)> = group
            .resources
            .iter()
            .enumerate()
            .filter(|(_, u)| u.gpu_units > 0)
            .map(|(i, u)| {
                let reqs = gpu_requirements(u);
                let matching: Vec<usize> = self
                    .capacity
                    .gpus
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| reqs.is_empty() || reqs.iter().any(|r| r.matches(d)))
                    .map(|(i, _)| i)
                    .collect();
                (i, u, matching)
            })
            .collect();
        units.sort_by_key(|(i, _, m)| (m.len(), *i));
        let mut out = Vec::new();
        for (i, u, matching) in units {
            let need = u.gpu_units.saturating_mul(u64::from(u.count));
            let mut got = 0u64;
            for &d in &matching {
                if got == need {
                    break;
                }
                if free[d] {
                    free[d] = false;
                    out.push(d);
                    got += 1;
                }
            }
            if got < need {
                let reqs: Vec<String> = gpu_requirements(u).iter().map(|r| r.to_string()).collect();
                let wanted = if reqs.is_empty() { "any".to_string() } else { reqs.join(" | ") };
                return Err(InsufficientCapacity {
                    what: format!(
                        "gpus ({wanted}) for resources[{i}]: need {need}, {got} available"
                    ),
                });
            }
        }
        out.sort_unstable();
        Ok(out)
    }

    /// Reserves everything `group` needs for order `id` (pending). Reserving again for
    /// the same id replaces the previous reservation (it is released first).
    pub fn reserve(
        &mut self,
        id: &OrderId,
        group: &GroupSpec,
    ) -> Result<Reservation, InsufficientCapacity> {
        let r = self.check(id, group)?;
        self.reservations.insert(id.clone(), r.clone());
        Ok(r)
    }

    /// Releases the reservation of `id`; returns it, or `None` if there was none.
    pub fn release(&mut self, id: &OrderId) -> Option<Reservation> {
        self.reservations.remove(id)
    }

    /// Marks the reservation of `id` active (its lease was won). `false` if none.
    pub fn mark_active(&mut self, id: &OrderId) -> bool {
        match self.reservations.get_mut(id) {
            Some(r) => {
                r.state = ReservationState::Active;
                true
            }
            None => false,
        }
    }

    /// The `/status` inventory: active and pending totals and what is available.
    pub fn status(&self) -> InventoryStatus {
        let by = |s: ReservationState| {
            self.reservations
                .values()
                .filter(|r| r.state == s)
                .map(|r| r.resources.clone())
                .collect::<Vec<_>>()
        };
        let c = &self.capacity;
        let available = self.available();
        InventoryStatus {
            active: by(ReservationState::Active),
            pending: by(ReservationState::Pending),
            available: AvailableStatus {
                storage: available
                    .storage
                    .iter()
                    .map(|(class, size)| StorageStatus { class: class.clone(), size: *size })
                    .collect(),
                nodes: vec![NodeStatus {
                    name: self.node_name.clone(),
                    allocatable: MetricTotal {
                        cpu: c.cpu_millis,
                        gpu: c.gpus.len() as u64,
                        memory: c.memory_bytes,
                        storage_ephemeral: c.ephemeral_storage_bytes,
                        storage: BTreeMap::new(),
                    },
                    available: MetricTotal { storage: BTreeMap::new(), ..available },
                }],
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bidengine::testutil::{attr, group, order, unit};

    const GI: u64 = 1 << 30;

    fn gpu(model: &str, gib: u64, interface: &str) -> GpuDevice {
        GpuDevice {
            vendor: "nvidia".into(),
            model: model.into(),
            memory_bytes: gib * GI,
            interface: interface.into(),
        }
    }

    fn host() -> Inventory {
        let mut storage = BTreeMap::new();
        storage.insert("beta2".to_string(), 100 * GI);
        Inventory::new(
            "node1",
            Capacity {
                cpu_millis: 4000,
                memory_bytes: 8 * GI,
                ephemeral_storage_bytes: 50 * GI,
                storage,
                gpus: vec![gpu("a100", 80, "sxm"), gpu("t4", 16, "pcie")],
                nodes: Vec::new(),
            },
        )
    }

    #[test]
    fn with_nodes_each_replica_must_fit_one_node() {
        let mut inv = host();
        let node = |cpu: u64| NodeFree {
            name: format!("n{cpu}"),
            cpu_millis: cpu,
            memory_bytes: 4 * GI,
            ephemeral_storage_bytes: 25 * GI,
            gpus: 0,
        };
        let mut c = inv.capacity().clone();
        c.nodes = vec![node(2000), node(2000)];
        inv.set_capacity(c);
        // Two replicas of 2 CPUs: one per node.
        assert!(inv.check(&order(1), &group(vec![unit(2000, GI, GI, 2)])).is_ok());
        // One replica of 3 CPUs: 4 free in total, but no node has 3.
        let e = inv.check(&order(1), &group(vec![unit(3000, GI, GI, 1)])).unwrap_err();
        assert!(e.what.contains("no node can hold one replica of resources[0]"), "{}", e.what);
        // Without nodes (one host) only the totals count.
        let mut c = inv.capacity().clone();
        c.nodes.clear();
        inv.set_capacity(c);
        assert!(inv.check(&order(1), &group(vec![unit(3000, GI, GI, 1)])).is_ok());
    }

    #[test]
    fn reserve_counts_every_replica_and_release_frees_it() {
        let mut inv = host();
        let g = group(vec![unit(1000, GI, 2 * GI, 3)]);
        let r = inv.reserve(&order(1), &g).unwrap();
        assert_eq!((r.resources.cpu, r.resources.memory), (3000, 3 * GI));
        assert_eq!(r.resources.storage_ephemeral, 6 * GI);
        assert_eq!(inv.available().cpu, 1000);
        // A second order of the same size no longer fits (cpu).
        let e = inv.reserve(&order(2), &g).unwrap_err();
        assert!(e.what.contains("cpu millicores: need 3000, 1000 available"), "{}", e.what);
        assert!(inv.get(&order(2)).is_none());
        assert_eq!(inv.release(&order(1)).map(|r| r.id), Some(order(1)));
        assert_eq!(inv.available().cpu, 4000);
        assert!(inv.release(&order(1)).is_none());
        inv.reserve(&order(2), &g).unwrap();
    }

    #[test]
    fn reserving_again_for_the_same_order_replaces_it() {
        let mut inv = host();
        inv.reserve(&order(1), &group(vec![unit(3000, GI, GI, 1)])).unwrap();
        inv.reserve(&order(1), &group(vec![unit(3500, GI, GI, 1)])).unwrap();
        assert_eq!(inv.reserved().cpu, 3500);
    }

    #[test]
    fn memory_ephemeral_and_storage_class_shortages_are_named() {
        let inv = host();
        let e = inv.check(&order(1), &group(vec![unit(100, 9 * GI, GI, 1)])).unwrap_err();
        assert!(e.what.starts_with("memory bytes"), "{}", e.what);
        let e = inv.check(&order(1), &group(vec![unit(100, GI, 26 * GI, 2)])).unwrap_err();
        assert!(e.what.starts_with("ephemeral storage"), "{}", e.what);
        let mut u = unit(100, GI, GI, 1);
        u.storage.push(("data".into(), 200 * GI));
        u.storage_attributes =
            vec![("data".into(), vec![attr("class", "beta2"), attr("persistent", "true")])];
        let e = inv.check(&order(1), &group(vec![u.clone()])).unwrap_err();
        assert!(e.what.contains("storage class beta2 bytes: need 214748364800"), "{}", e.what);
        u.storage[1].1 = 60 * GI;
        let r = inv.check(&order(1), &group(vec![u.clone()])).unwrap();
        assert_eq!(r.resources.storage.get("beta2"), Some(&(60 * GI)));
        u.storage_attributes =
            vec![("data".into(), vec![attr("class", "beta3"), attr("persistent", "true")])];
        let e = inv.check(&order(1), &group(vec![u])).unwrap_err();
        assert!(
            e.what.contains("storage class beta3 bytes: need 64424509440, 0 available"),
            "{}",
            e.what
        );
    }

    #[test]
    fn ram_volumes_count_against_memory() {
        let inv = host();
        let mut u = unit(100, 4 * GI, GI, 1);
        u.storage.push(("shm".into(), 5 * GI));
        u.storage_attributes =
            vec![("shm".into(), vec![attr("class", "ram"), attr("persistent", "false")])];
        let e = inv.check(&order(1), &group(vec![u])).unwrap_err();
        assert!(e.what.contains("memory bytes: need 9663676416"), "{}", e.what);
    }

    #[test]
    fn gpus_are_assigned_by_model_ram_and_interface() {
        let mut inv = host();
        let mut u = unit(100, GI, GI, 1);
        u.gpu_units = 1;
        u.gpu_attributes = vec![attr("vendor/nvidia/model/a100/ram/80Gi/interface/sxm", "true")];
        let r = inv.reserve(&order(1), &group(vec![u.clone()])).unwrap();
        assert_eq!(r.gpu_devices, vec![0]);
        assert_eq!(inv.available().gpu, 1);
        // The only a100 is taken.
        let e = inv.reserve(&order(2), &group(vec![u.clone()])).unwrap_err();
        assert!(e.what.contains("gpus (nvidia/a100 80Gi sxm)"), "{}", e.what);
        // Wrong ram never matches.
        u.gpu_attributes = vec![attr("vendor/nvidia/model/t4/ram/40Gi", "true")];
        assert!(inv.check(&order(3), &group(vec![u.clone()])).is_err());
        // A wildcard takes the free t4.
        u.gpu_attributes = vec![attr("vendor/nvidia/model/*", "true")];
        assert_eq!(inv.reserve(&order(4), &group(vec![u])).unwrap().gpu_devices, vec![1]);
        inv.release(&order(1));
        assert_eq!(inv.available().gpu, 1);
    }

    #[test]
    fn the_most_constrained_gpu_unit_is_served_first() {
        let inv = host();
        let mut any = unit(100, GI, GI, 1);
        any.gpu_units = 1;
        any.gpu_attributes = vec![attr("vendor/nvidia/model/*", "true")];
        let mut a100 = any.clone();
        a100.gpu_attributes = vec![attr("vendor/nvidia/model/a100", "true")];
        // `any` comes first but must not take the a100.
        let r = inv.check(&order(1), &group(vec![any, a100])).unwrap();
        assert_eq!(r.gpu_devices, vec![0, 1]);
    }

    #[test]
    fn status_lists_active_pending_and_available() {
        let mut inv = host();
        inv.reserve(&order(1), &group(vec![unit(1000, GI, GI, 1)])).unwrap();
        inv.reserve(&order(2), &group(vec![unit(500, GI, GI, 1)])).unwrap();
        assert!(inv.mark_active(&order(1)));
        assert!(!inv.mark_active(&order(9)));
        let s = inv.status();
        assert_eq!(s.active.len(), 1);
        assert_eq!(s.active[0].cpu, 1000);
        assert_eq!(s.pending[0].cpu, 500);
        let n = &s.available.nodes[0];
        assert_eq!((n.name.as_str(), n.allocatable.cpu, n.available.cpu), ("node1", 4000, 2500));
        assert_eq!((n.allocatable.gpu, n.available.memory), (2, 6 * GI));
        assert_eq!(
            s.available.storage,
            vec![StorageStatus { class: "beta2".into(), size: 100 * GI }]
        );
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["available"]["nodes"][0]["available"]["cpu"], 2500);
        assert_eq!(json["active"][0]["storage_ephemeral"], GI);
    }

    #[test]
    fn gpu_requirements_parse_and_match() {
        let r = GpuRequirement::parse("vendor/nvidia/model/h100/ram/80Gi/interface/sxm").unwrap();
        assert_eq!(
            (r.model.as_str(), r.ram.as_deref(), r.interface.as_deref()),
            ("h100", Some("80Gi"), Some("sxm"))
        );
        assert!(r.matches(&gpu("h100", 80, "sxm")));
        assert!(!r.matches(&gpu("h100", 80, "pcie")));
        assert!(GpuRequirement::parse("vendor/nvidia/brand/x").is_none());
        assert!(GpuRequirement::parse("vendor/nvidia/model/a100/ram").is_none());
        // 79.6 GiB (an H100's NVML total) advertises as 80Gi.
        let h = GpuDevice { memory_bytes: 81_559 << 20, ..gpu("h100", 0, "sxm") };
        assert_eq!(h.ram(), "80Gi");
    }
}
