//! The deployment module's records (deployments with their groups inline, group specs and
//! resource units), their state enums, per-unit limits and the binary deployment id. Plain
//! data: no store access.

use dcloud_types::AccAddress;
use serde::{Deserialize, Serialize};

use crate::provider::Attribute;

/// The module name.
pub const NAME: &str = "deployment";

/// Per-unit limits (Akash's ValidationConfig).
pub mod limits {
    /// CPU millicores per unit.
    pub const CPU: (u64, u64) = (10, 384_000);
    /// GPUs per unit.
    pub const GPU_MAX: u64 = 24;
    /// Memory bytes per unit.
    pub const MEMORY: (u64, u64) = (1 << 20, 2 << 40);
    /// Storage bytes per volume.
    pub const STORAGE: (u64, u64) = (5 << 20, 32 << 40);
    /// Replicas per unit.
    pub const COUNT: (u32, u32) = (1, 50);
    /// Groups per deployment.
    pub const GROUPS: usize = 20;
    /// Resource units per group.
    pub const UNITS: usize = 20;
    /// Maximum price per unit per block, in micro-units.
    pub const PRICE_MAX_MICRO: u128 = 10_000_000;
    /// Storage volumes per unit.
    pub const VOLUMES: usize = 32;
    /// Longest volume name, in bytes.
    pub const VOLUME_NAME_LEN: usize = 128;
    /// Attributes per storage volume.
    pub const VOLUME_ATTRIBUTES: usize = 8;
    /// GPU attributes per unit.
    pub const GPU_ATTRIBUTES: usize = 32;
}

/// Deployment state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeploymentState {
    /// Active.
    Active,
    /// Closed (terminal).
    Closed,
}

/// Group state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupState {
    /// Has an open order or an active lease.
    Open,
    /// Paused by the owner.
    Paused,
    /// Its escrow ran dry.
    InsufficientFunds,
    /// Its order timed out with no bid.
    InsufficientBids,
    /// Closed (terminal).
    Closed,
}

/// How orders become leases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuctionKind {
    /// The chain leases the lowest bid when the bid window closes.
    Lowest,
    /// The tenant picks a bid.
    Manual,
}

/// Auditor requirements.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedBy {
    /// All of these must have signed the attributes.
    pub all_of: Vec<AccAddress>,
    /// At least one of these must have.
    pub any_of: Vec<AccAddress>,
}

/// One resource unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceUnit {
    /// Millicores.
    pub cpu_millis: u64,
    /// Memory bytes.
    pub memory_bytes: u64,
    /// Storage volumes (name, bytes).
    pub storage: Vec<(String, u64)>,
    /// Attributes of the volumes that have any (`class`, `persistent`), by volume name,
    /// in the order of `storage`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub storage_attributes: Vec<(String, Vec<Attribute>)>,
    /// GPUs.
    pub gpu_units: u64,
    /// GPU requirements (`vendor/nvidia/model/a100[/ram/80Gi][/interface/sxm]` = `true`,
    /// or `vendor/nvidia/model/*`), sorted by key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gpu_attributes: Vec<Attribute>,
    /// Endpoints.
    pub endpoints: u32,
    /// How many of `endpoints` are leased IPs.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub ip_endpoints: u32,
    /// Replicas.
    pub count: u32,
    /// Max price per replica per block (atto-units).
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub price_atto: u128,
}

pub(crate) fn is_zero(v: &u32) -> bool {
    *v == 0
}

impl ResourceUnit {
    /// The attributes of volume `name` (empty when it has none).
    pub fn volume_attributes(&self, name: &str) -> &[Attribute] {
        self.storage_attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, a)| a.as_slice())
            .unwrap_or_default()
    }
}

/// A group's specification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSpec {
    /// Name.
    pub name: String,
    /// Required auditors.
    pub signed_by: SignedBy,
    /// Required attributes.
    pub attributes: Vec<Attribute>,
    /// Units.
    pub resources: Vec<ResourceUnit>,
    /// Price denom.
    pub denom: String,
    /// Σ price × count (atto per block): the order's max price.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub max_price_atto: u128,
}

/// A group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// 1-based index.
    pub gseq: u32,
    /// State.
    pub state: GroupState,
    /// Spec.
    pub spec: GroupSpec,
    /// The latest order's sequence.
    pub oseq: u32,
}

/// A deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    /// Owner.
    pub owner: AccAddress,
    /// Sequence.
    pub dseq: u64,
    /// State.
    pub state: DeploymentState,
    /// Manifest hash (hex).
    pub hash: String,
    /// Creation height.
    pub created_at: u64,
    /// Auction kind.
    pub auction: AuctionKind,
    /// Bid window (blocks).
    pub bid_window: u64,
    /// Escrow denom.
    pub denom: String,
    /// Groups.
    pub groups: Vec<Group>,
    /// Shortest reclamation window (seconds) bids must offer; `None`: no reclamation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reclamation_min_window_s: Option<u64>,
}

/// `len ‖ owner ‖ dseq`: the binary id every market key starts with.
pub fn dep_key(owner: &AccAddress, dseq: u64) -> Vec<u8> {
    let b = owner.as_bytes();
    let mut k = Vec::with_capacity(1 + b.len() + 8);
    k.push(b.len() as u8);
    k.extend_from_slice(b);
    k.extend_from_slice(&dseq.to_be_bytes());
    k
}

/// The escrow account id of a deployment.
pub fn escrow_id(owner: &AccAddress, dseq: u64) -> Vec<u8> {
    let mut k = vec![1u8];
    k.extend_from_slice(&dep_key(owner, dseq));
    k
}
