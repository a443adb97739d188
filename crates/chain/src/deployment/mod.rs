//! The deployment module: deployments, their groups, and the deployment escrow account.
//!
//! State: `0x20 ‖ len ‖ owner ‖ dseq` → [`Deployment`] (JSON, groups inline).
//! Orders, bids and leases live in the market module; escrow in the escrow module.

mod module;
pub mod query;
pub use module::DeploymentModule;
mod error;
pub mod hooks;
pub use error::{DeploymentError, CODESPACE};
pub use hooks::{reauction_group, set_group_state};

use dcloud_proto::dcloud::deployment as pb;
use dcloud_store::{StateRead, StateWrite};
use dcloud_types::{AccAddress, Event};
use serde::{Deserialize, Serialize};

use crate::escrow::{self, parse_dec18};
use crate::provider::Attribute;
use crate::AppError;
use crate::{authz, bank, get_params, market, BlockCtx};

/// The module name.
pub const NAME: &str = "deployment";
const DEPLOYMENT: u8 = 0x20;

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

/// Deployment params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentParams {
    /// Allowed deposit denoms with their minimum deposit.
    pub min_deposits: Vec<(String, u128)>,
    /// Default bid window (blocks) of `lowest` auctions.
    pub bid_window: u64,
    /// Largest bid window a deployment may ask for.
    pub max_bid_window: u64,
}

impl DeploymentParams {
    /// Every broken rule, relative to the params object (empty = valid). The only copy of
    /// the deployment module's param checks: genesis and gov both call it.
    pub fn validate(&self) -> Vec<String> {
        let mut e = Vec::new();
        if self.min_deposits.is_empty() {
            e.push("min_deposits: at least one denom is required".to_string());
        }
        if self.bid_window == 0 || self.bid_window > self.max_bid_window {
            e.push("bid_window must be in 1..=max_bid_window".into());
        }
        e
    }
}

impl Default for DeploymentParams {
    fn default() -> Self {
        Self {
            min_deposits: vec![("uact".into(), 500_000), ("uakt".into(), 500_000)],
            bid_window: 5,
            max_bid_window: 1_000,
        }
    }
}

/// Params.
pub fn params(state: &dyn StateRead) -> Result<DeploymentParams, AppError> {
    get_params(state, NAME)
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

fn is_zero(v: &u32) -> bool {
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

fn key(owner: &AccAddress, dseq: u64) -> Vec<u8> {
    let mut k = vec![DEPLOYMENT];
    k.extend_from_slice(&dep_key(owner, dseq));
    k
}

/// Reads a deployment.
pub fn get(
    state: &dyn StateRead,
    owner: &AccAddress,
    dseq: u64,
) -> Result<Option<Deployment>, AppError> {
    match state.get(&key(owner, dseq))? {
        Some(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| AppError::ChainState(format!("corrupt deployment: {e}"))),
        None => Ok(None),
    }
}

/// Reads a deployment that must exist.
pub fn must_get(
    state: &dyn StateRead,
    owner: &AccAddress,
    dseq: u64,
) -> Result<Deployment, AppError> {
    Ok(get(state, owner, dseq)?
        .ok_or_else(|| DeploymentError::DeploymentNotFound(format!("{owner}/{dseq}")))?)
}

/// Writes a deployment.
pub fn put(state: &mut dyn StateWrite, d: &Deployment) -> Result<(), AppError> {
    let b = serde_json::to_vec(d).map_err(|e| AppError::InvalidRequest(e.to_string()))?;
    state.put(key(&d.owner, d.dseq), b);
    Ok(())
}

/// Lists deployments (optionally of one owner / in one state), in key order after
/// `start_after` (an `owner/dseq` pair).
pub fn list(
    state: &dyn StateRead,
    owner: Option<&AccAddress>,
    filter_state: Option<DeploymentState>,
    start_after: Option<(&AccAddress, u64)>,
    limit: usize,
) -> Result<Vec<Deployment>, AppError> {
    let mut prefix = vec![DEPLOYMENT];
    if let Some(o) = owner {
        prefix.push(o.as_bytes().len() as u8);
        prefix.extend_from_slice(o.as_bytes());
    }
    let mut after = start_after.map(|(o, d)| key(o, d));
    let mut out = Vec::new();
    loop {
        let page = state.prefix_range(&prefix, after.as_deref(), 500)?;
        for (k, v) in &page {
            after = Some(k.clone());
            let d: Deployment = serde_json::from_slice(v)
                .map_err(|e| AppError::ChainState(format!("corrupt deployment: {e}")))?;
            if filter_state.is_none_or(|s| s == d.state) {
                out.push(d);
                if out.len() >= limit {
                    return Ok(out);
                }
            }
        }
        if page.len() < 500 {
            return Ok(out);
        }
    }
}

/// Parses the address in `field`.
pub fn parse_addr(s: &str, field: &str) -> Result<AccAddress, AppError> {
    s.parse().map_err(|e| AppError::InvalidAddress(format!("{field}: {e}")))
}

/// The owner and dseq of a wire deployment id (present, dseq > 0).
pub fn dep_id(id: &Option<pb::DeploymentId>) -> Result<(AccAddress, u64), AppError> {
    let id = id.as_ref().ok_or_else(|| AppError::InvalidRequest("missing deployment id".into()))?;
    let owner = parse_addr(&id.owner, "id.owner")?;
    if id.dseq == 0 {
        return Err(AppError::InvalidRequest("dseq must be > 0".into()));
    }
    Ok((owner, id.dseq))
}

/// The owner, dseq and gseq of a wire group id (present, both > 0).
pub fn group_id(id: &Option<pb::GroupId>) -> Result<(AccAddress, u64, u32), AppError> {
    let id = id.as_ref().ok_or_else(|| AppError::InvalidRequest("missing group id".into()))?;
    let owner = parse_addr(&id.owner, "id.owner")?;
    if id.dseq == 0 || id.gseq == 0 {
        return Err(AppError::InvalidRequest("dseq and gseq must be > 0".into()));
    }
    Ok((owner, id.dseq, id.gseq))
}

/// The denom and amount of the coin in `field` (present).
pub fn parse_amount(c: &Option<pb::Coin>, field: &str) -> Result<(String, u128), AppError> {
    let c = c.as_ref().ok_or_else(|| AppError::InvalidCoins(format!("missing {field}")))?;
    dcloud_types::coin::validate_denom(&c.denom)
        .map_err(|e| AppError::InvalidCoins(format!("{field}: {e}")))?;
    let a: u128 = c
        .amount
        .parse()
        .map_err(|_| AppError::InvalidCoins(format!("{field}: malformed amount {:?}", c.amount)))?;
    if a == 0 {
        return Err(AppError::InvalidCoins(format!("{field} is zero")));
    }
    Ok((c.denom.clone(), a))
}

fn check_range(
    what: &str,
    v: u64,
    (lo, hi): (u64, u64),
    g: usize,
    u: usize,
) -> Result<(), AppError> {
    if v < lo || v > hi {
        return Err(DeploymentError::InvalidGroups(format!(
            "groups[{g}].resources[{u}]: {what} {v} outside {lo}..={hi}"
        ))
        .into());
    }
    Ok(())
}

/// `Endpoint.kind` of a leased IP.
const ENDPOINT_LEASED_IP: i32 = 2;

/// Checks the attributes of a volume or of a unit's GPUs: at most `max`, keys in
/// attribute syntax (`wildcard`: may end in `*`), values 1..=256 bytes, no duplicate
/// keys. Returns them sorted.
fn check_attributes(
    attrs: &[pb::Attribute],
    max: usize,
    wildcard: bool,
    at: &str,
) -> Result<Vec<Attribute>, AppError> {
    use crate::provider::{is_valid_attribute_key, MAX_ATTRIBUTE_VALUE_LEN};
    if attrs.len() > max {
        return Err(DeploymentError::InvalidGroups(format!(
            "{at}: {} attributes, at most {max} allowed",
            attrs.len()
        ))
        .into());
    }
    let mut out: Vec<Attribute> = Vec::with_capacity(attrs.len());
    for (i, a) in attrs.iter().enumerate() {
        let key = match a.key.strip_suffix('*') {
            Some(k) if wildcard => k.strip_suffix('/').unwrap_or(k),
            _ => a.key.as_str(),
        };
        if !is_valid_attribute_key(key) {
            return Err(DeploymentError::InvalidGroups(format!(
                "{at}.attributes[{i}]: invalid key {:?}",
                a.key
            ))
            .into());
        }
        if a.value.is_empty() || a.value.len() > MAX_ATTRIBUTE_VALUE_LEN {
            return Err(DeploymentError::InvalidGroups(format!(
                "{at}.attributes[{i}]: value of {:?} must be 1..={MAX_ATTRIBUTE_VALUE_LEN} bytes",
                a.key
            ))
            .into());
        }
        out.push(Attribute { key: a.key.clone(), value: a.value.clone() });
    }
    out.sort();
    if let Some(w) = out.windows(2).find(|w| w[0].key == w[1].key) {
        return Err(DeploymentError::InvalidGroups(format!(
            "{at}: duplicate attribute key {:?}",
            w[0].key
        ))
        .into());
    }
    Ok(out)
}

/// Stateless validation of group specs; returns them in app form.
pub fn validate_groups(groups: &[pb::GroupSpec]) -> Result<Vec<GroupSpec>, AppError> {
    if groups.is_empty() {
        return Err(
            DeploymentError::InvalidGroups("a deployment needs at least one group".into()).into()
        );
    }
    if groups.len() > limits::GROUPS {
        return Err(DeploymentError::InvalidGroups(format!(
            "{} groups, at most {} allowed",
            groups.len(),
            limits::GROUPS
        ))
        .into());
    }
    let mut out: Vec<GroupSpec> = Vec::with_capacity(groups.len());
    for (g, spec) in groups.iter().enumerate() {
        if spec.name.is_empty() {
            return Err(DeploymentError::InvalidGroups(format!("groups[{g}]: empty name")).into());
        }
        if out.iter().any(|o| o.name == spec.name) {
            return Err(DeploymentError::InvalidGroups(format!(
                "duplicate group name {:?}",
                spec.name
            ))
            .into());
        }
        if spec.resources.is_empty() || spec.resources.len() > limits::UNITS {
            return Err(DeploymentError::InvalidGroups(format!(
                "groups[{g}]: {} resource units, 1..={} allowed",
                spec.resources.len(),
                limits::UNITS
            ))
            .into());
        }
        let req = spec.requirements.clone().unwrap_or_default();
        let sb = req.signed_by.unwrap_or_default();
        let addrs = |v: &[String], f: &str| -> Result<Vec<AccAddress>, AppError> {
            v.iter().map(|s| parse_addr(s, &format!("groups[{g}].signed_by.{f}"))).collect()
        };
        let signed_by =
            SignedBy { all_of: addrs(&sb.all_of, "all_of")?, any_of: addrs(&sb.any_of, "any_of")? };
        let mut attributes: Vec<Attribute> = req
            .attributes
            .iter()
            .map(|a| Attribute { key: a.key.clone(), value: a.value.clone() })
            .collect();
        attributes.sort();
        let mut denom: Option<String> = None;
        let mut total: u128 = 0;
        let mut units = Vec::new();
        for (u, ru) in spec.resources.iter().enumerate() {
            let r = ru.resources.clone().ok_or_else(|| {
                DeploymentError::InvalidGroups(format!(
                    "groups[{g}].resources[{u}]: missing resources"
                ))
            })?;
            check_range("cpu millicores", r.cpu_millis, limits::CPU, g, u)?;
            check_range("memory bytes", r.memory_bytes, limits::MEMORY, g, u)?;
            check_range("gpu units", r.gpu_units, (0, limits::GPU_MAX), g, u)?;
            check_range(
                "count",
                u64::from(ru.count),
                (u64::from(limits::COUNT.0), u64::from(limits::COUNT.1)),
                g,
                u,
            )?;
            if r.storage.len() > limits::VOLUMES {
                return Err(DeploymentError::InvalidGroups(format!(
                    "groups[{g}].resources[{u}]: {} storage volumes, at most {} allowed",
                    r.storage.len(),
                    limits::VOLUMES
                ))
                .into());
            }
            let mut storage_attributes = Vec::new();
            for (v, s) in r.storage.iter().enumerate() {
                check_range("storage bytes", s.bytes, limits::STORAGE, g, u)?;
                let at = format!("groups[{g}].resources[{u}].storage[{v}]");
                if s.name.is_empty() || s.name.len() > limits::VOLUME_NAME_LEN {
                    return Err(DeploymentError::InvalidGroups(format!(
                        "{at}: volume name must be 1..={} bytes",
                        limits::VOLUME_NAME_LEN
                    ))
                    .into());
                }
                if r.storage[..v].iter().any(|o| o.name == s.name) {
                    return Err(DeploymentError::InvalidGroups(format!(
                        "{at}: duplicate volume name {:?}",
                        s.name
                    ))
                    .into());
                }
                let attrs = check_attributes(&s.attributes, limits::VOLUME_ATTRIBUTES, false, &at)?;
                if !attrs.is_empty() {
                    storage_attributes.push((s.name.clone(), attrs));
                }
            }
            let gpu_attributes = check_attributes(
                &r.gpu_attributes,
                limits::GPU_ATTRIBUTES,
                true,
                &format!("groups[{g}].resources[{u}].gpu"),
            )?;
            let price = ru.price.as_ref().ok_or_else(|| {
                DeploymentError::InvalidGroups(format!("groups[{g}].resources[{u}]: missing price"))
            })?;
            let p = parse_dec18(&price.amount).map_err(|e| {
                DeploymentError::InvalidGroups(format!("groups[{g}].resources[{u}].price: {e}"))
            })?;
            if p == 0 || p > limits::PRICE_MAX_MICRO * escrow::ATTO {
                return Err(DeploymentError::InvalidGroups(format!(
                    "groups[{g}].resources[{u}].price {} outside (0, {}]",
                    price.amount,
                    limits::PRICE_MAX_MICRO
                ))
                .into());
            }
            match &denom {
                None => denom = Some(price.denom.clone()),
                Some(d) if *d != price.denom => {
                    return Err(DeploymentError::InvalidGroups(format!(
                        "groups[{g}]: prices in both {d} and {}",
                        price.denom
                    ))
                    .into())
                }
                _ => {}
            }
            total += p * u128::from(ru.count);
            units.push(ResourceUnit {
                cpu_millis: r.cpu_millis,
                memory_bytes: r.memory_bytes,
                storage: r.storage.iter().map(|s| (s.name.clone(), s.bytes)).collect(),
                storage_attributes,
                gpu_units: r.gpu_units,
                gpu_attributes,
                endpoints: r.endpoints.len() as u32,
                ip_endpoints: r.endpoints.iter().filter(|e| e.kind == ENDPOINT_LEASED_IP).count()
                    as u32,
                count: ru.count,
                price_atto: p,
            });
        }
        if let Some(first) = out.first() {
            if Some(&first.denom) != denom.as_ref() {
                return Err(DeploymentError::InvalidGroups(
                    "all groups must price in one denom".into(),
                )
                .into());
            }
        }
        out.push(GroupSpec {
            name: spec.name.clone(),
            signed_by,
            attributes,
            resources: units,
            denom: denom.unwrap_or_default(),
            max_price_atto: total,
        });
    }
    Ok(out)
}

/// Stateless checks of a deployment message.
pub fn validate_basic(msg: &dcloud_proto::Msg) -> Result<(), AppError> {
    use dcloud_proto::Msg;
    match msg {
        Msg::CreateDeployment(m) => {
            dep_id(&m.id)?;
            if m.hash.len() != 32 {
                return Err(DeploymentError::InvalidHash(format!(
                    "{} bytes, need 32",
                    m.hash.len()
                ))
                .into());
            }
            let groups = validate_groups(&m.groups)?;
            let (denom, _) = parse_amount(&m.deposit, "deposit")?;
            if groups[0].denom != denom {
                return Err(DeploymentError::InvalidDeposit(format!(
                    "deposit in {denom} but prices in {}",
                    groups[0].denom
                ))
                .into());
            }
            pb::Auction::try_from(m.auction)
                .map_err(|_| AppError::InvalidRequest(format!("unknown auction {}", m.auction)))?;
            parse_sources(&m.deposit_sources)?;
        }
        Msg::UpdateDeployment(m) => {
            dep_id(&m.id)?;
            if m.hash.len() != 32 {
                return Err(DeploymentError::InvalidHash(format!(
                    "{} bytes, need 32",
                    m.hash.len()
                ))
                .into());
            }
        }
        Msg::DepositDeployment(m) => {
            dep_id(&m.id)?;
            parse_amount(&m.amount, "amount")?;
            deposit_sources(m)?;
        }
        Msg::CloseDeployment(m) => {
            dep_id(&m.id)?;
        }
        Msg::CloseGroup(m) => {
            group_id(&m.id)?;
        }
        Msg::PauseGroup(m) => {
            group_id(&m.id)?;
        }
        Msg::StartGroup(m) => {
            group_id(&m.id)?;
        }
        _ => {}
    }
    Ok(())
}

/// The depositor (the signer: `depositor`, or the owner when empty) and the deposit's sources
/// in order (default: the depositor's balance).
fn deposit_sources(
    m: &pb::MsgDepositDeployment,
) -> Result<(AccAddress, Vec<escrow::DepositSource>), AppError> {
    let depositor = if m.depositor.is_empty() {
        dep_id(&m.id)?.0
    } else {
        m.depositor.parse().map_err(|e| AppError::InvalidAddress(format!("depositor: {e}")))?
    };
    Ok((depositor, parse_sources(&m.sources)?))
}

/// Deposit sources in order (default: the depositor's balance).
pub fn parse_sources(raw: &[i32]) -> Result<Vec<escrow::DepositSource>, AppError> {
    use dcloud_proto::dcloud::escrow::DepositSource as Pb;
    let mut sources = Vec::new();
    for s in raw {
        let src = match Pb::try_from(*s) {
            Ok(Pb::Balance) => escrow::DepositSource::Balance,
            Ok(Pb::Grant) => escrow::DepositSource::Grant,
            _ => {
                return Err(
                    DeploymentError::InvalidDeposit(format!("unknown deposit source {s}")).into()
                )
            }
        };
        if sources.contains(&src) {
            return Err(DeploymentError::InvalidDeposit(format!(
                "deposit source {s} listed twice"
            ))
            .into());
        }
        sources.push(src);
    }
    if sources.is_empty() {
        sources.push(escrow::DepositSource::Balance);
    }
    Ok(sources)
}

/// Collects `amount` of `denom` from the sources in order: the depositor's balance, then the
/// deposit grants held by the depositor (the granters' balances, up to each grant's limit).
/// Fails when the sources cannot cover it all.
pub fn gather_deposit(
    state: &mut dyn StateWrite,
    depositor: &AccAddress,
    sources: &[escrow::DepositSource],
    denom: &str,
    amount: u128,
    ctx: &BlockCtx,
    scope: authz::DepositScope,
) -> Result<Vec<escrow::Depositor>, AppError> {
    let mut funds = Vec::new();
    let mut left = amount;
    for src in sources {
        if left == 0 {
            break;
        }
        match src {
            escrow::DepositSource::Balance => {
                let take = bank::balance(state, depositor, denom)?.min(left);
                if take > 0 {
                    funds.push(escrow::Depositor {
                        owner: depositor.clone(),
                        height: ctx.height,
                        source: escrow::DepositSource::Balance,
                        grantee: None,
                        balance: take,
                    });
                    left -= take;
                }
            }
            escrow::DepositSource::Grant => {
                let taken =
                    authz::take_for_deposit(state, depositor, denom, left, scope, ctx.time_ms)?;
                for (granter, take) in taken {
                    funds.push(escrow::Depositor {
                        owner: granter,
                        height: ctx.height,
                        source: escrow::DepositSource::Grant,
                        grantee: Some(depositor.clone()),
                        balance: take,
                    });
                    left -= take;
                }
            }
        }
    }
    if left > 0 {
        let names: Vec<&str> = sources
            .iter()
            .map(|s| match s {
                escrow::DepositSource::Balance => "balance",
                escrow::DepositSource::Grant => "grant",
            })
            .collect();
        return Err(AppError::InsufficientFunds(format!(
            "deposit of {amount}{denom} by {depositor}: sources [{}] cover only {}{denom}",
            names.join(", "),
            amount - left
        )));
    }
    Ok(funds)
}

fn must_active(
    state: &dyn StateRead,
    owner: &AccAddress,
    dseq: u64,
) -> Result<Deployment, AppError> {
    let d = must_get(state, owner, dseq)?;
    if d.state != DeploymentState::Active {
        return Err(DeploymentError::DeploymentClosed(format!("{owner}/{dseq}")).into());
    }
    Ok(d)
}

fn dep_event(kind: &str, d: &Deployment) -> Event {
    Event::new(kind).attr("owner", &d.owner).attr("dseq", d.dseq)
}

fn group_event(kind: &str, d: &Deployment, gseq: u32) -> Event {
    dep_event(kind, d).attr("gseq", gseq)
}

/// Delivers a deployment message.
pub fn deliver(
    state: &mut dyn StateWrite,
    msg: &dcloud_proto::Msg,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    use dcloud_proto::Msg;
    let now = ctx.height;
    match msg {
        Msg::CreateDeployment(m) => {
            let (owner, dseq) = dep_id(&m.id)?;
            if get(state, &owner, dseq)?.is_some() {
                return Err(DeploymentError::DeploymentExists(format!("{owner}/{dseq}")).into());
            }
            let specs = validate_groups(&m.groups)?;
            let (denom, amount) = parse_amount(&m.deposit, "deposit")?;
            if let Some(why) = super::bme::act_denom_problem(state, &denom)? {
                return Err(DeploymentError::InvalidDeposit(why).into());
            }
            let p = params(state)?;
            let min =
                p.min_deposits.iter().find(|(d, _)| *d == denom).map(|(_, a)| *a).ok_or_else(
                    || {
                        DeploymentError::InvalidDeposit(format!(
                            "denom {denom} not accepted (allowed: {})",
                            p.min_deposits
                                .iter()
                                .map(|(d, _)| d.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                    },
                )?;
            if amount < min {
                return Err(DeploymentError::InvalidDeposit(format!(
                    "{amount}{denom} is below the minimum deposit {min}{denom}"
                ))
                .into());
            }
            let auction = match pb::Auction::try_from(m.auction) {
                Ok(pb::Auction::Manual) => AuctionKind::Manual,
                _ => AuctionKind::Lowest,
            };
            let bid_window = if m.bid_window == 0 { p.bid_window } else { m.bid_window };
            let reclamation_min_window_s =
                (m.reclamation_min_window_s > 0).then_some(m.reclamation_min_window_s);
            if let Some(w) = reclamation_min_window_s {
                market::params(state)?.check_reclamation_window(w, "reclamation min_window")?;
            }
            if bid_window > p.max_bid_window {
                return Err(AppError::InvalidRequest(format!(
                    "bid window {bid_window} above the maximum {}",
                    p.max_bid_window
                )));
            }
            let d = Deployment {
                reclamation_min_window_s,
                owner: owner.clone(),
                dseq,
                state: DeploymentState::Active,
                hash: hex::encode(&m.hash),
                created_at: now,
                auction,
                bid_window,
                denom: denom.clone(),
                groups: specs
                    .into_iter()
                    .enumerate()
                    .map(|(i, spec)| Group {
                        gseq: i as u32 + 1,
                        state: GroupState::Open,
                        spec,
                        oseq: 1,
                    })
                    .collect(),
            };
            let sources = parse_sources(&m.deposit_sources)?;
            let funds = gather_deposit(
                state,
                &owner,
                &sources,
                &denom,
                amount,
                ctx,
                authz::DepositScope::Deployment,
            )?;
            escrow::create_account_funded(
                state,
                &escrow_id(&owner, dseq),
                format!("deployment/{owner}/{dseq}"),
                &owner,
                &denom,
                funds,
                now,
                events,
            )?;
            put(state, &d)?;
            events.push(
                dep_event("EventDeploymentCreated", &d)
                    .attr("hash", &d.hash)
                    .attr("auction", format!("{:?}", d.auction).to_lowercase())
                    .attr("deposit", format!("{amount}{denom}")),
            );
            for g in &d.groups {
                market::create_order(state, &d, g, now, events)?;
            }
        }
        Msg::UpdateDeployment(m) => {
            let (owner, dseq) = dep_id(&m.id)?;
            let mut d = must_active(state, &owner, dseq)?;
            let h = hex::encode(&m.hash);
            if h == d.hash {
                return Err(DeploymentError::InvalidHash(
                    "the new hash equals the current one".into(),
                )
                .into());
            }
            d.hash = h;
            put(state, &d)?;
            events.push(dep_event("EventDeploymentUpdated", &d).attr("hash", &d.hash));
        }
        Msg::DepositDeployment(m) => {
            let (owner, dseq) = dep_id(&m.id)?;
            let d = must_active(state, &owner, dseq)?;
            let (denom, amount) = parse_amount(&m.amount, "amount")?;
            let (depositor, sources) = deposit_sources(m)?;
            escrow::check_deposit(state, &escrow_id(&owner, dseq), &denom)?;
            let funds = gather_deposit(
                state,
                &depositor,
                &sources,
                &denom,
                amount,
                ctx,
                authz::DepositScope::Deployment,
            )?;
            let a = escrow::deposit(state, &escrow_id(&owner, dseq), funds, &denom, now, events)?;
            // A uakt deposit to a uact account is its AKT fallback (see escrow).
            let balance = if denom == a.denom {
                format!("{}{}", a.balance, a.denom)
            } else {
                format!("{}{denom}", a.akt_balance)
            };
            events.push(
                dep_event("EventDeploymentDeposit", &d)
                    .attr("amount", format!("{amount}{denom}"))
                    .attr("depositor", &depositor)
                    .attr("balance", balance),
            );
        }
        Msg::CloseDeployment(m) => {
            let (owner, dseq) = dep_id(&m.id)?;
            let d = must_active(state, &owner, dseq)?;
            close_deployment(state, d, GroupState::Closed, market::REASON_OWNER, now, events)?;
        }
        Msg::CloseGroup(m) => {
            let (owner, dseq, gseq) = group_id(&m.id)?;
            group_transition(state, &owner, dseq, gseq, GroupState::Closed, now, events)?;
        }
        Msg::PauseGroup(m) => {
            let (owner, dseq, gseq) = group_id(&m.id)?;
            group_transition(state, &owner, dseq, gseq, GroupState::Paused, now, events)?;
        }
        Msg::StartGroup(m) => {
            let (owner, dseq, gseq) = group_id(&m.id)?;
            let mut d = must_active(state, &owner, dseq)?;
            let g = group_mut(&mut d, gseq)?;
            if !matches!(
                g.state,
                GroupState::Paused | GroupState::InsufficientFunds | GroupState::InsufficientBids
            ) {
                return Err(DeploymentError::GroupState(format!(
                    "group {gseq} is {:?}; only a paused or insufficient group can start",
                    g.state
                ))
                .into());
            }
            g.state = GroupState::Open;
            g.oseq += 1;
            let g = g.clone();
            put(state, &d)?;
            events.push(group_event("EventGroupStarted", &d, gseq));
            market::create_order(state, &d, &g, now, events)?;
        }
        _ => {}
    }
    Ok(())
}

fn group_mut(d: &mut Deployment, gseq: u32) -> Result<&mut Group, AppError> {
    let label = format!("{}/{}/{gseq}", d.owner, d.dseq);
    d.groups.iter_mut().find(|g| g.gseq == gseq).ok_or(DeploymentError::GroupNotFound(label).into())
}

fn group_transition(
    state: &mut dyn StateWrite,
    owner: &AccAddress,
    dseq: u64,
    gseq: u32,
    to: GroupState,
    now: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let mut d = must_active(state, owner, dseq)?;
    let g = group_mut(&mut d, gseq)?;
    if g.state == GroupState::Closed || (to == GroupState::Paused && g.state == GroupState::Paused)
    {
        return Err(
            DeploymentError::GroupState(format!("group {gseq} is already {:?}", g.state)).into()
        );
    }
    let oseq = g.oseq;
    g.state = to;
    put(state, &d)?;
    market::close_group_market(state, &d, gseq, oseq, market::REASON_OWNER, now, events)?;
    let kind = if to == GroupState::Closed { "EventGroupClosed" } else { "EventGroupPaused" };
    events.push(group_event(kind, &d, gseq));
    Ok(())
}

/// Closes a deployment: every group's order, bids and lease; groups go to `group_state`;
/// the escrow account closes (the rest refunded to the owner).
pub fn close_deployment(
    state: &mut dyn StateWrite,
    mut d: Deployment,
    group_state: GroupState,
    reason: &str,
    now: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    for g in d.groups.clone() {
        if g.state != GroupState::Closed {
            market::close_group_market(state, &d, g.gseq, g.oseq, reason, now, events)?;
        }
    }
    let refund = escrow::close_account(state, &escrow_id(&d.owner, d.dseq), now, events)?;
    for g in &mut d.groups {
        if g.state != GroupState::Closed {
            g.state = group_state;
        }
    }
    d.state = DeploymentState::Closed;
    put(state, &d)?;
    events.push(
        dep_event("EventDeploymentClosed", &d)
            .attr("reason", reason)
            .attr("refund", format!("{refund}{}", d.denom)),
    );
    Ok(())
}

/// Invariants: an active deployment has an open escrow account; a closed one a closed account.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    let mut after: Option<Vec<u8>> = None;
    loop {
        let page = state.prefix_range(&[DEPLOYMENT], after.as_deref(), 1000)?;
        for (k, v) in &page {
            after = Some(k.clone());
            let d: Deployment = serde_json::from_slice(v)
                .map_err(|e| AppError::Invariant(format!("undecodable deployment: {e}")))?;
            let a = escrow::get_account(state, &escrow_id(&d.owner, d.dseq))?.ok_or_else(|| {
                AppError::Invariant(format!(
                    "deployment {}/{} has no escrow account",
                    d.owner, d.dseq
                ))
            })?;
            let open = a.state == escrow::AccountState::Open;
            if open != (d.state == DeploymentState::Active) {
                return Err(AppError::Invariant(format!(
                    "deployment {}/{} is {:?} but its escrow account is {:?}",
                    d.owner, d.dseq, d.state, a.state
                )));
            }
        }
        if page.len() < 1000 {
            return Ok(());
        }
    }
}
