//! `dcloud.deployment.v1`: deployments, groups and their escrow deposits.

/// A coin (`amount` is an integer string of micro-units).
pub use cosmos_sdk_proto::cosmos::base::v1beta1::Coin;

/// Owner + dseq.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct DeploymentId {
    /// Owner (bech32).
    #[prost(string, tag = "1")]
    pub owner: String,
    /// Deployment sequence (> 0, unique per owner).
    #[prost(uint64, tag = "2")]
    pub dseq: u64,
}

/// Owner + dseq + gseq.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct GroupId {
    /// Owner (bech32).
    #[prost(string, tag = "1")]
    pub owner: String,
    /// Deployment sequence.
    #[prost(uint64, tag = "2")]
    pub dseq: u64,
    /// Group sequence (1-based).
    #[prost(uint32, tag = "3")]
    pub gseq: u32,
}

/// A key/value attribute.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Attribute {
    /// Key.
    #[prost(string, tag = "1")]
    pub key: String,
    /// Value.
    #[prost(string, tag = "2")]
    pub value: String,
}

/// Auditors whose signatures a tenant requires.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct SignedBy {
    /// Every one of these auditors must have signed the attributes.
    #[prost(string, repeated, tag = "1")]
    pub all_of: Vec<String>,
    /// At least one of these auditors must have signed the attributes.
    #[prost(string, repeated, tag = "2")]
    pub any_of: Vec<String>,
}

/// Placement requirements of a group.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct PlacementRequirements {
    /// Required auditors.
    #[prost(message, optional, tag = "1")]
    pub signed_by: Option<SignedBy>,
    /// Required provider attributes.
    #[prost(message, repeated, tag = "2")]
    pub attributes: Vec<Attribute>,
}

/// A decimal coin: `amount` has up to 18 decimals (`"0.5"`, `"100"`).
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct DecCoin {
    /// Denomination.
    #[prost(string, tag = "1")]
    pub denom: String,
    /// Decimal amount.
    #[prost(string, tag = "2")]
    pub amount: String,
}

/// One storage volume.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Storage {
    /// Volume name (`default`, `data`).
    #[prost(string, tag = "1")]
    pub name: String,
    /// Size in bytes.
    #[prost(uint64, tag = "2")]
    pub bytes: u64,
    /// Attributes (`persistent`, `class`).
    #[prost(message, repeated, tag = "3")]
    pub attributes: Vec<Attribute>,
}

/// An endpoint a unit exposes.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Endpoint {
    /// 0 shared HTTP, 1 random port, 2 leased IP.
    #[prost(int32, tag = "1")]
    pub kind: i32,
    /// Sequence number (leased IPs).
    #[prost(uint32, tag = "2")]
    pub sequence_number: u32,
}

/// The resources of one unit.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Resources {
    /// CPU in millicores.
    #[prost(uint64, tag = "1")]
    pub cpu_millis: u64,
    /// Memory in bytes.
    #[prost(uint64, tag = "2")]
    pub memory_bytes: u64,
    /// Storage volumes.
    #[prost(message, repeated, tag = "3")]
    pub storage: Vec<Storage>,
    /// GPU units.
    #[prost(uint64, tag = "4")]
    pub gpu_units: u64,
    /// GPU attributes (vendor/model).
    #[prost(message, repeated, tag = "5")]
    pub gpu_attributes: Vec<Attribute>,
    /// Endpoints.
    #[prost(message, repeated, tag = "6")]
    pub endpoints: Vec<Endpoint>,
}

/// Resources × count at a maximum price per unit per block.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct ResourceUnit {
    /// Resources of one replica.
    #[prost(message, optional, tag = "1")]
    pub resources: Option<Resources>,
    /// Replicas.
    #[prost(uint32, tag = "2")]
    pub count: u32,
    /// Maximum price per replica per block.
    #[prost(message, optional, tag = "3")]
    pub price: Option<DecCoin>,
}

/// A group: what must run on one provider.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct GroupSpec {
    /// Group name (unique in the deployment).
    #[prost(string, tag = "1")]
    pub name: String,
    /// Placement requirements.
    #[prost(message, optional, tag = "2")]
    pub requirements: Option<PlacementRequirements>,
    /// Resource units.
    #[prost(message, repeated, tag = "3")]
    pub resources: Vec<ResourceUnit>,
}

/// How a deployment's orders turn into leases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum Auction {
    /// Not set: the default, `Lowest`.
    Unspecified = 0,
    /// The chain leases the lowest bid when the bid window closes.
    Lowest = 1,
    /// The tenant picks a bid with `MsgCreateLease`.
    Manual = 2,
}

/// Create a deployment: groups, one order each, and a funded escrow account.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MsgCreateDeployment {
    /// Id (owner signs).
    #[prost(message, optional, tag = "1")]
    pub id: Option<DeploymentId>,
    /// Groups.
    #[prost(message, repeated, tag = "2")]
    pub groups: Vec<GroupSpec>,
    /// Manifest version hash (32 bytes).
    #[prost(bytes = "vec", tag = "3")]
    pub hash: Vec<u8>,
    /// Escrow deposit.
    #[prost(message, optional, tag = "4")]
    pub deposit: Option<Coin>,
    /// Auction kind.
    #[prost(enumeration = "Auction", tag = "5")]
    pub auction: i32,
    /// Bid window in blocks (0 = the param default).
    #[prost(uint64, tag = "6")]
    pub bid_window: u64,
    /// Reclamation: the shortest window (seconds) a provider must give before ending a lease
    /// it reclaims (0 = no reclamation asked; then leases end only by the usual paths).
    #[prost(uint64, tag = "7")]
    pub reclamation_min_window_s: u64,
    /// Where the deposit comes from, tried in order
    /// ([`crate::dcloud::escrow::DepositSource`] values); empty = the owner's balance.
    #[prost(enumeration = "crate::dcloud::escrow::DepositSource", repeated, tag = "8")]
    pub deposit_sources: Vec<i32>,
}

/// Replace the manifest hash.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MsgUpdateDeployment {
    /// Id (owner signs).
    #[prost(message, optional, tag = "1")]
    pub id: Option<DeploymentId>,
    /// New hash (32 bytes).
    #[prost(bytes = "vec", tag = "2")]
    pub hash: Vec<u8>,
}

/// Top up a deployment's escrow account. Anyone may top up any deployment; the unused part
/// of each deposit returns to whoever funded it when the deployment closes.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MsgDepositDeployment {
    /// The deployment.
    #[prost(message, optional, tag = "1")]
    pub id: Option<DeploymentId>,
    /// Amount (the account's denom, or uakt on a uact account: its AKT fallback).
    #[prost(message, optional, tag = "2")]
    pub amount: Option<Coin>,
    /// Who signs and deposits (bech32); empty = the deployment owner.
    #[prost(string, tag = "3")]
    pub depositor: String,
    /// Where the funds come from, tried in order
    /// ([`crate::dcloud::escrow::DepositSource`] values); empty = the depositor's balance.
    #[prost(enumeration = "crate::dcloud::escrow::DepositSource", repeated, tag = "4")]
    pub sources: Vec<i32>,
}

/// Close a deployment: leases, orders and bids close; the rest of the deposit returns.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MsgCloseDeployment {
    /// Id (owner signs).
    #[prost(message, optional, tag = "1")]
    pub id: Option<DeploymentId>,
}

/// Close a group (terminal).
#[derive(Clone, PartialEq, prost::Message)]
pub struct MsgCloseGroup {
    /// Id (owner signs).
    #[prost(message, optional, tag = "1")]
    pub id: Option<GroupId>,
}

/// Pause a group: its order, bids and lease close.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MsgPauseGroup {
    /// Id (owner signs).
    #[prost(message, optional, tag = "1")]
    pub id: Option<GroupId>,
}

/// Start a paused / insufficient group again: a new order.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MsgStartGroup {
    /// Id (owner signs).
    #[prost(message, optional, tag = "1")]
    pub id: Option<GroupId>,
}
