//! The market module: orders (one per group, created by the chain), bids, leases, the
//! automatic lowest-bid auction, and the end-block work due at each height.
//!
//! State (ids are binary: `dep = len ‖ owner ‖ dseq`, `order = dep ‖ gseq ‖ oseq`,
//! `bid = order ‖ len ‖ provider`; a lease has its bid's id):
//! - `0x22 ‖ order` → [`Order`], `0x23 ‖ bid` → [`Bid`], `0x24 ‖ bid` → [`Lease`] (JSON).
//! - `0x25 ‖ len ‖ provider ‖ bid` → `` : a provider's bids and leases (for queries).
//! - `0x2C ‖ height ‖ kind ‖ order` → `` : order work due at `height` (kind 1: the bid
//!   window of a `lowest` auction closes; kind 2: the no-bid timeout).
//!
//! End block at height `h` reads only the entries keyed by `h` (orders, then escrow
//! warnings and exhaustion), so its cost does not depend on how many orders or leases exist.

mod module;
pub mod query;
pub use module::MarketModule;
pub mod handler;

use dcloud_proto::dcloud::market as pb;
use dcloud_store::{StateRead, StateWrite};
use dcloud_types::{AccAddress, Event};
use serde::{Deserialize, Serialize};

use crate::deployment::{
    self, dep_key, parse_addr, parse_amount, AuctionKind, Deployment, DeploymentState, Group,
    GroupState,
};
use crate::escrow::{self, fmt_dec18, parse_dec18};
use crate::AppError;
use crate::{audit, get_params, provider, BlockCtx};

/// The module name.
pub const NAME: &str = "market";
const ORDER: u8 = 0x22;
const BID: u8 = 0x23;
const LEASE: u8 = 0x24;
const BY_PROVIDER: u8 = 0x25;
const ORDER_DUE: u8 = 0x2C;
const DUE_AUCTION: u8 = 1;
const DUE_TIMEOUT: u8 = 2;

/// Lease closed by the tenant.
pub const REASON_OWNER: &str = "owner";
/// Lease closed by the provider.
pub const REASON_PROVIDER: &str = "provider";
/// Lease closed because the escrow ran dry.
pub const REASON_INSUFFICIENT_FUNDS: &str = "insufficient_funds";

/// Market params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketParams {
    /// Minimum bid deposit per allowed denom.
    pub bid_min_deposits: Vec<(String, u128)>,
    /// Most bids an order takes.
    pub order_max_bids: u32,
    /// Blocks an order stays open without any bid before it closes.
    pub order_timeout: u64,
    /// Shortest reclamation window (seconds) a deployment may ask for or a bid may offer.
    #[serde(default = "default_min_reclamation_window_s")]
    pub min_reclamation_window_s: u64,
    /// Longest reclamation window (seconds).
    #[serde(default = "default_max_reclamation_window_s")]
    pub max_reclamation_window_s: u64,
    /// Most entries of each end-block index (order work, low-funds warnings, exhausted
    /// escrow accounts) processed at one height; the rest stay in the index, in key order,
    /// for the next heights. At least 1.
    #[serde(default = "default_max_end_block_items")]
    pub max_end_block_items: u32,
}

fn default_min_reclamation_window_s() -> u64 {
    3600
}

fn default_max_reclamation_window_s() -> u64 {
    720 * 3600
}

fn default_max_end_block_items() -> u32 {
    1000
}

impl MarketParams {
    /// Every broken rule, relative to the params object (empty = valid). The only copy of
    /// the market's param checks: genesis and gov both call it.
    pub fn validate(&self) -> Vec<String> {
        let mut e = Vec::new();
        if self.order_max_bids == 0 || self.order_max_bids > 500 {
            e.push("order_max_bids must be in 1..=500".to_string());
        }
        if self.bid_min_deposits.is_empty() {
            e.push("bid_min_deposits: at least one denom is required".into());
        }
        if self.max_reclamation_window_s <= self.min_reclamation_window_s {
            e.push("max_reclamation_window_s must exceed min_reclamation_window_s".into());
        }
        if self.max_end_block_items == 0 {
            e.push("max_end_block_items must be at least 1".into());
        }
        e
    }
}

impl Default for MarketParams {
    fn default() -> Self {
        Self {
            bid_min_deposits: vec![("uact".into(), 500_000), ("uakt".into(), 500_000)],
            order_max_bids: 20,
            order_timeout: 100,
            min_reclamation_window_s: default_min_reclamation_window_s(),
            max_reclamation_window_s: default_max_reclamation_window_s(),
            max_end_block_items: default_max_end_block_items(),
        }
    }
}

impl MarketParams {
    /// Checks a reclamation window (seconds) against the allowed range.
    pub fn check_reclamation_window(&self, window_s: u64, what: &str) -> Result<(), AppError> {
        if window_s < self.min_reclamation_window_s || window_s > self.max_reclamation_window_s {
            return Err(AppError::InvalidRequest(format!(
                "{what} {window_s}s is outside the allowed {}s..={}s",
                self.min_reclamation_window_s, self.max_reclamation_window_s
            )));
        }
        Ok(())
    }
}

/// Params.
pub fn params(state: &dyn StateRead) -> Result<MarketParams, AppError> {
    get_params(state, NAME)
}

/// Order state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// Taking bids.
    Open,
    /// Leased.
    Active,
    /// Closed.
    Closed,
}

/// Bid state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BidState {
    /// Open.
    Open,
    /// Won: its lease is active.
    Active,
    /// Another bid won.
    Lost,
    /// Closed.
    Closed,
}

/// Lease state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaseState {
    /// Paying.
    Active,
    /// Closed because the escrow ran dry.
    InsufficientFunds,
    /// Closed.
    Closed,
    /// The provider is reclaiming it: still paying until it closes (after the window).
    Reclaiming,
}

impl LeaseState {
    /// Whether the lease still runs and pays (active or reclaiming).
    pub fn is_live(self) -> bool {
        matches!(self, LeaseState::Active | LeaseState::Reclaiming)
    }
}

/// A lease's reclamation: the window its bid offered and, once the provider starts it, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reclamation {
    /// Window (seconds of block time) between the start and the earliest close.
    pub window_s: u64,
    /// Height at which the provider started it.
    pub started_at: Option<u64>,
    /// Block time (ms) from which the provider may close its bid.
    pub deadline_ms: Option<u64>,
    /// The provider's reason.
    #[serde(default)]
    pub reason: String,
}

/// An order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// Deployment owner.
    pub owner: AccAddress,
    /// Deployment sequence.
    pub dseq: u64,
    /// Group sequence.
    pub gseq: u32,
    /// Order sequence.
    pub oseq: u32,
    /// State.
    pub state: OrderState,
    /// Max price per block (atto-units).
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub max_price_atto: u128,
    /// Price denom.
    pub denom: String,
    /// Auction kind.
    pub auction: AuctionKind,
    /// Creation height.
    pub created_at: u64,
    /// Height whose end block closes the bid window (`lowest`).
    pub window_end: u64,
    /// Height whose end block closes the order if it has no bid.
    pub timeout_at: u64,
    /// Bids placed so far.
    pub bids: u32,
    /// Shortest reclamation window (seconds) bids must offer (from the deployment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reclamation_min_window_s: Option<u64>,
}

/// A bid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bid {
    /// Deployment owner.
    pub owner: AccAddress,
    /// Deployment sequence.
    pub dseq: u64,
    /// Group sequence.
    pub gseq: u32,
    /// Order sequence.
    pub oseq: u32,
    /// Provider.
    pub provider: AccAddress,
    /// State.
    pub state: BidState,
    /// Price per block (atto-units).
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub price_atto: u128,
    /// Denom.
    pub denom: String,
    /// Deposit (micro-units) and its denom.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub deposit: u128,
    /// Deposit denom.
    pub deposit_denom: String,
    /// Creation height.
    pub created_at: u64,
    /// Index of the bid on its order (0-based, in arrival order).
    pub index: u32,
    /// Reclamation window offered (seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reclamation_window_s: Option<u64>,
}

/// A lease.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    /// Deployment owner.
    pub owner: AccAddress,
    /// Deployment sequence.
    pub dseq: u64,
    /// Group sequence.
    pub gseq: u32,
    /// Order sequence.
    pub oseq: u32,
    /// Provider.
    pub provider: AccAddress,
    /// State.
    pub state: LeaseState,
    /// Price per block (atto-units).
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub price_atto: u128,
    /// Denom.
    pub denom: String,
    /// Creation height.
    pub created_at: u64,
    /// Height it closed (0 while active).
    pub closed_on: u64,
    /// Why it closed.
    pub reason: String,
    /// Total paid to the provider (before take): stored when the lease closes; queries of an
    /// active lease show what is settled so far ([`paid_so_far`]).
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub paid: u128,
    /// Reclamation (when its bid offered a window).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reclamation: Option<Reclamation>,
}

/// What an active lease has earned up to `height` (withdrawn + earned but not withdrawn,
/// before take), settling its account in a throw-away overlay: nothing is written. A lease that
/// is not active keeps its stored `paid`.
pub fn paid_so_far(state: &dyn StateRead, l: &Lease, height: u64) -> Result<u128, AppError> {
    if !l.state.is_live() {
        return Ok(l.paid);
    }
    let acct = deployment::escrow_id(&l.owner, l.dseq);
    let id = bid_id(&order_id(&l.owner, l.dseq, l.gseq, l.oseq), &l.provider);
    let mut scratch = dcloud_store::Overlay::new(state);
    escrow::settle(&mut scratch, &acct, height, &mut Vec::new())?;
    Ok(escrow::get_payment(&scratch, &acct, &id)?
        .map_or(l.paid, |p| p.withdrawn.saturating_add(p.balance)))
}

/// `dep ‖ gseq ‖ oseq`.
pub fn order_id(owner: &AccAddress, dseq: u64, gseq: u32, oseq: u32) -> Vec<u8> {
    let mut k = dep_key(owner, dseq);
    k.extend_from_slice(&gseq.to_be_bytes());
    k.extend_from_slice(&oseq.to_be_bytes());
    k
}

/// `order ‖ len ‖ provider`.
pub fn bid_id(order: &[u8], provider: &AccAddress) -> Vec<u8> {
    let mut k = order.to_vec();
    k.push(provider.as_bytes().len() as u8);
    k.extend_from_slice(provider.as_bytes());
    k
}

/// The escrow account id of a bid's deposit.
pub fn bid_escrow_id(bid: &[u8]) -> Vec<u8> {
    let mut k = vec![2u8];
    k.extend_from_slice(bid);
    k
}

fn pk(prefix: u8, id: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + id.len());
    k.push(prefix);
    k.extend_from_slice(id);
    k
}

fn due_key(height: u64, kind: u8, order: &[u8]) -> Vec<u8> {
    let mut k = vec![ORDER_DUE];
    k.extend_from_slice(&height.to_be_bytes());
    k.push(kind);
    k.extend_from_slice(order);
    k
}

fn by_provider_key(provider: &AccAddress, bid: &[u8]) -> Vec<u8> {
    let mut k = vec![BY_PROVIDER, provider.as_bytes().len() as u8];
    k.extend_from_slice(provider.as_bytes());
    k.extend_from_slice(bid);
    k
}

fn read<T: serde::de::DeserializeOwned>(
    state: &dyn StateRead,
    key: &[u8],
    what: &str,
) -> Result<Option<T>, AppError> {
    match state.get(key)? {
        Some(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| AppError::ChainState(format!("corrupt {what}: {e}"))),
        None => Ok(None),
    }
}

fn write<T: Serialize>(state: &mut dyn StateWrite, key: Vec<u8>, v: &T) -> Result<(), AppError> {
    state.put(key, serde_json::to_vec(v).map_err(|e| AppError::InvalidRequest(e.to_string()))?);
    Ok(())
}

/// Reads an order.
pub fn get_order(state: &dyn StateRead, id: &[u8]) -> Result<Option<Order>, AppError> {
    read(state, &pk(ORDER, id), "order")
}
/// Reads a bid.
pub fn get_bid(state: &dyn StateRead, id: &[u8]) -> Result<Option<Bid>, AppError> {
    read(state, &pk(BID, id), "bid")
}
/// Reads a lease.
pub fn get_lease(state: &dyn StateRead, id: &[u8]) -> Result<Option<Lease>, AppError> {
    read(state, &pk(LEASE, id), "lease")
}

/// The bids of an order, in key order.
pub fn order_bids(state: &dyn StateRead, order: &[u8]) -> Result<Vec<(Vec<u8>, Bid)>, AppError> {
    let p = pk(BID, order);
    state
        .prefix_range(&p, None, 100_000)?
        .into_iter()
        .map(|(k, v)| {
            let b: Bid = serde_json::from_slice(&v)
                .map_err(|e| AppError::ChainState(format!("corrupt bid: {e}")))?;
            Ok((k[1..].to_vec(), b))
        })
        .collect()
}

fn order_label(o: &Order) -> String {
    format!("{}/{}/{}/{}", o.owner, o.dseq, o.gseq, o.oseq)
}

fn bid_label(b: &Bid) -> String {
    format!("{}/{}/{}/{}/{}", b.owner, b.dseq, b.gseq, b.oseq, b.provider)
}

fn order_event(kind: &str, o: &Order) -> Event {
    Event::new(kind)
        .attr("owner", &o.owner)
        .attr("dseq", o.dseq)
        .attr("gseq", o.gseq)
        .attr("oseq", o.oseq)
}

fn bid_event(kind: &str, b: &Bid) -> Event {
    Event::new(kind)
        .attr("owner", &b.owner)
        .attr("dseq", b.dseq)
        .attr("gseq", b.gseq)
        .attr("oseq", b.oseq)
        .attr("provider", &b.provider)
}

fn lease_event(kind: &str, l: &Lease) -> Event {
    Event::new(kind)
        .attr("owner", &l.owner)
        .attr("dseq", l.dseq)
        .attr("gseq", l.gseq)
        .attr("oseq", l.oseq)
        .attr("provider", &l.provider)
}

/// Opens the order of a group (its current `oseq`) and schedules its auction and timeout.
pub fn create_order(
    state: &mut dyn StateWrite,
    d: &Deployment,
    g: &Group,
    now: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let id = order_id(&d.owner, d.dseq, g.gseq, g.oseq);
    let timeout = params(state)?.order_timeout;
    let o = Order {
        owner: d.owner.clone(),
        dseq: d.dseq,
        gseq: g.gseq,
        oseq: g.oseq,
        state: OrderState::Open,
        max_price_atto: g.spec.max_price_atto,
        denom: g.spec.denom.clone(),
        auction: d.auction,
        created_at: now,
        window_end: now + d.bid_window,
        timeout_at: now + timeout.max(d.bid_window),
        bids: 0,
        reclamation_min_window_s: d.reclamation_min_window_s,
    };
    if o.auction == AuctionKind::Lowest {
        state.put(due_key(o.window_end, DUE_AUCTION, &id), Vec::new());
    }
    state.put(due_key(o.timeout_at, DUE_TIMEOUT, &id), Vec::new());
    write(state, pk(ORDER, &id), &o)?;
    events.push(
        order_event("EventOrderCreated", &o)
            .attr("max_price", format!("{}{}", fmt_dec18(o.max_price_atto), o.denom))
            .attr("auction", format!("{:?}", o.auction).to_lowercase())
            .attr("window_end", o.window_end)
            .attr("timeout_at", o.timeout_at),
    );
    Ok(())
}

fn close_order(
    state: &mut dyn StateWrite,
    id: &[u8],
    o: &mut Order,
    reason: &str,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    if o.state == OrderState::Closed {
        return Ok(());
    }
    o.state = OrderState::Closed;
    state.delete(due_key(o.window_end, DUE_AUCTION, id));
    state.delete(due_key(o.timeout_at, DUE_TIMEOUT, id));
    write(state, pk(ORDER, id), o)?;
    events.push(order_event("EventOrderClosed", o).attr("reason", reason));
    Ok(())
}

/// Ends a bid that is not (or no longer) backing an active lease, refunding its deposit.
fn end_bid(
    state: &mut dyn StateWrite,
    id: &[u8],
    b: &mut Bid,
    to: BidState,
    now: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    if matches!(b.state, BidState::Closed | BidState::Lost) {
        return Ok(());
    }
    b.state = to;
    let refund = escrow::close_account(state, &bid_escrow_id(id), now, events)?;
    write(state, pk(BID, id), b)?;
    let kind = if to == BidState::Lost { "EventBidLost" } else { "EventBidClosed" };
    events.push(bid_event(kind, b).attr("refund", format!("{refund}{}", b.deposit_denom)));
    Ok(())
}

/// Closes an active lease: final settlement and payout, bid closed (deposit refunded).
fn close_lease(
    state: &mut dyn StateWrite,
    id: &[u8],
    to: LeaseState,
    reason: &str,
    now: u64,
    events: &mut Vec<Event>,
) -> Result<Option<Lease>, AppError> {
    let Some(mut l) = get_lease(state, id)? else { return Ok(None) };
    if !l.state.is_live() {
        return Ok(None);
    }
    let acct = deployment::escrow_id(&l.owner, l.dseq);
    l.paid = escrow::close_payment(state, &acct, id, now, events)?;
    l.state = to;
    l.closed_on = now;
    l.reason = reason.to_string();
    write(state, pk(LEASE, id), &l)?;
    events.push(
        lease_event("EventLeaseClosed", &l)
            .attr("reason", reason)
            .attr("paid", format!("{}{}", l.paid, l.denom)),
    );
    if let Some(mut b) = get_bid(state, id)? {
        end_bid(state, id, &mut b, BidState::Closed, now, events)?;
    }
    Ok(Some(l))
}

/// Closes a group's current order, its open bids and its active lease.
pub fn close_group_market(
    state: &mut dyn StateWrite,
    d: &Deployment,
    gseq: u32,
    oseq: u32,
    reason: &str,
    now: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let oid = order_id(&d.owner, d.dseq, gseq, oseq);
    let Some(mut o) = get_order(state, &oid)? else { return Ok(()) };
    if o.state == OrderState::Closed {
        return Ok(());
    }
    let lease_state = if reason == REASON_INSUFFICIENT_FUNDS {
        LeaseState::InsufficientFunds
    } else {
        LeaseState::Closed
    };
    for (bid, mut b) in order_bids(state, &oid)? {
        match b.state {
            BidState::Active => {
                close_lease(state, &bid, lease_state, reason, now, events)?;
            }
            BidState::Open => end_bid(state, &bid, &mut b, BidState::Closed, now, events)?,
            _ => {}
        }
    }
    close_order(state, &oid, &mut o, reason, events)
}

fn check_placement(
    state: &dyn StateRead,
    g: &Group,
    provider: &provider::Provider,
) -> Result<(), AppError> {
    let spec = &g.spec;
    let has_all = |have: &[provider::Attribute]| spec.attributes.iter().all(|a| have.contains(a));
    if !spec.signed_by.all_of.is_empty() || !spec.signed_by.any_of.is_empty() {
        for auditor in &spec.signed_by.all_of {
            if !has_all(&audit::signed_attributes(state, &provider.owner, auditor)?) {
                return Err(AppError::AuditMissing(format!(
                    "auditor {auditor} (all_of) has not signed the required attributes of {}",
                    provider.owner
                )));
            }
        }
        if !spec.signed_by.any_of.is_empty() {
            let mut ok = false;
            for auditor in &spec.signed_by.any_of {
                if has_all(&audit::signed_attributes(state, &provider.owner, auditor)?) {
                    ok = true;
                    break;
                }
            }
            if !ok {
                return Err(AppError::AuditMissing(format!(
                    "none of the any_of auditors signed the required attributes of {}",
                    provider.owner
                )));
            }
        }
        return Ok(());
    }
    if let Some(missing) = spec.attributes.iter().find(|a| !provider.attributes.contains(a)) {
        return Err(AppError::AttributesMismatch(format!(
            "provider {} lacks {}={}",
            provider.owner, missing.key, missing.value
        )));
    }
    Ok(())
}

fn parse_order_id(id: &Option<pb::OrderId>) -> Result<(AccAddress, u64, u32, u32), AppError> {
    let id = id.as_ref().ok_or_else(|| AppError::InvalidRequest("missing order id".into()))?;
    let owner = parse_addr(&id.owner, "order_id.owner")?;
    if id.dseq == 0 || id.gseq == 0 || id.oseq == 0 {
        return Err(AppError::InvalidRequest("dseq, gseq and oseq must be > 0".into()));
    }
    Ok((owner, id.dseq, id.gseq, id.oseq))
}

fn parse_bid_id(id: &Option<pb::BidId>) -> Result<(Vec<u8>, AccAddress, AccAddress), AppError> {
    let id = id.as_ref().ok_or_else(|| AppError::InvalidRequest("missing bid id".into()))?;
    let owner = parse_addr(&id.owner, "id.owner")?;
    let provider = parse_addr(&id.provider, "id.provider")?;
    if id.dseq == 0 || id.gseq == 0 || id.oseq == 0 {
        return Err(AppError::InvalidRequest("dseq, gseq and oseq must be > 0".into()));
    }
    let order = order_id(&owner, id.dseq, id.gseq, id.oseq);
    Ok((bid_id(&order, &provider), owner, provider))
}

/// Stateless checks of a market message.
pub fn validate_basic(msg: &dcloud_proto::Msg) -> Result<(), AppError> {
    use dcloud_proto::Msg;
    match msg {
        Msg::CreateBid(m) => {
            let (owner, ..) = parse_order_id(&m.order_id)?;
            let provider = parse_addr(&m.provider, "provider")?;
            if provider == owner {
                return Err(AppError::InvalidBid("a provider cannot bid on its own order".into()));
            }
            let price =
                m.price.as_ref().ok_or_else(|| AppError::InvalidBid("missing price".into()))?;
            let p = parse_dec18(&price.amount).map_err(AppError::InvalidBid)?;
            if p == 0 {
                return Err(AppError::InvalidBid("price is zero".into()));
            }
            parse_amount(&m.deposit, "deposit")?;
        }
        Msg::CloseBid(m) => {
            parse_bid_id(&m.id)?;
        }
        Msg::CreateLease(m) => {
            parse_bid_id(&m.bid_id)?;
        }
        Msg::CloseLease(m) => {
            parse_bid_id(&m.id)?;
        }
        Msg::WithdrawLease(m) => {
            parse_bid_id(&m.id)?;
        }
        Msg::LeaseStartReclaim(m) => {
            parse_bid_id(&m.id)?;
            if m.reason.len() > 256 {
                return Err(AppError::InvalidRequest("reclaim reason exceeds 256 bytes".into()));
            }
        }
        _ => {}
    }
    Ok(())
}

/// Delivers a market message (one handler per message, in `handler/`).
pub fn deliver(
    state: &mut dyn StateWrite,
    msg: &dcloud_proto::Msg,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    use dcloud_proto::Msg;
    match msg {
        Msg::CreateBid(m) => handler::create_bid::handle(state, m, ctx, events),
        Msg::CloseBid(m) => handler::close_bid::handle(state, m, ctx, events),
        Msg::CreateLease(m) => handler::create_lease::handle(state, m, ctx, events),
        Msg::CloseLease(m) => handler::close_lease::handle(state, m, ctx, events),
        Msg::LeaseStartReclaim(m) => handler::start_reclaim::handle(state, m, ctx, events),
        Msg::WithdrawLease(m) => handler::withdraw_lease::handle(state, m, ctx, events),
        other => Err(crate::unrouted(NAME, other)),
    }
}

/// Leases bid `bid` of open order `o`: other open bids lose (deposits refunded), the
/// deployment account starts paying the provider.
fn create_lease(
    state: &mut dyn StateWrite,
    oid: &[u8],
    mut o: Order,
    bid: &[u8],
    now: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let mut b = get_bid(state, bid)?.ok_or_else(|| AppError::BidNotFound(hex::encode(bid)))?;
    let d = deployment::must_get(state, &o.owner, o.dseq)?;
    let g = d.groups.iter().find(|g| g.gseq == o.gseq);
    if d.state != DeploymentState::Active || g.is_none_or(|g| g.state != GroupState::Open) {
        return Err(AppError::GroupState(format!(
            "group of order {} is not open",
            order_label(&o)
        )));
    }
    for (other, mut ob) in order_bids(state, oid)? {
        if other != bid && ob.state == BidState::Open {
            end_bid(state, &other, &mut ob, BidState::Lost, now, events)?;
        }
    }
    b.state = BidState::Active;
    write(state, pk(BID, bid), &b)?;
    o.state = OrderState::Active;
    state.delete(due_key(o.window_end, DUE_AUCTION, oid));
    state.delete(due_key(o.timeout_at, DUE_TIMEOUT, oid));
    write(state, pk(ORDER, oid), &o)?;
    let l = Lease {
        owner: b.owner.clone(),
        dseq: b.dseq,
        gseq: b.gseq,
        oseq: b.oseq,
        provider: b.provider.clone(),
        state: LeaseState::Active,
        price_atto: b.price_atto,
        denom: b.denom.clone(),
        created_at: now,
        closed_on: 0,
        reason: String::new(),
        paid: 0,
        reclamation: b.reclamation_window_s.map(|window_s| Reclamation {
            window_s,
            started_at: None,
            deadline_ms: None,
            reason: String::new(),
        }),
    };
    write(state, pk(LEASE, bid), &l)?;
    events.push(
        lease_event("EventLeaseCreated", &l)
            .attr("price", format!("{}{}", fmt_dec18(l.price_atto), l.denom)),
    );
    let acct = deployment::escrow_id(&o.owner, o.dseq);
    escrow::create_payment(state, &acct, bid, &b.provider, b.price_atto, now, events)
}

/// The winner of a lowest-price auction: lowest price, then earliest bid, then provider.
pub fn lowest_bid(bids: &[(Vec<u8>, Bid)]) -> Option<&(Vec<u8>, Bid)> {
    bids.iter().filter(|(_, b)| b.state == BidState::Open).min_by(|(_, a), (_, b)| {
        (a.price_atto, a.created_at, a.index, &a.provider).cmp(&(
            b.price_atto,
            b.created_at,
            b.index,
            &b.provider,
        ))
    })
}

/// End-block work due at this height: auctions closing, orders timing out, escrow warnings,
/// and escrow accounts whose funds run out (their leases close).
///
/// Each of the three indexes yields at most `max_end_block_items` entries per height, the
/// oldest first; what is left stays indexed and is processed at the next heights. An
/// account closed after its exhaustion height is settled through that height only.
pub fn end_block(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let now = ctx.height;
    let cap = params(state)?.max_end_block_items.max(1) as usize;
    for (due_h, k) in crate::due_entries(state, ORDER_DUE, now, cap)? {
        state.delete(k.clone());
        let kind = k[9];
        let oid = k[10..].to_vec();
        let r = crate::atomically(state, events, |state, events| {
            let Some(mut o) = get_order(state, &oid)? else { return Ok(()) };
            if o.state != OrderState::Open {
                return Ok(());
            }
            let bids = order_bids(state, &oid)?;
            if kind == DUE_AUCTION && o.window_end == due_h {
                if let Some((bid, _)) = lowest_bid(&bids) {
                    let bid = bid.clone();
                    create_lease(state, &oid, o, &bid, now, events)?;
                }
            } else if kind == DUE_TIMEOUT
                && o.timeout_at == due_h
                && !bids.iter().any(|(_, b)| b.state == BidState::Open)
            {
                close_order(state, &oid, &mut o, "no_bids", events)?;
                deployment::set_group_state(
                    state,
                    &o.owner,
                    o.dseq,
                    o.gseq,
                    GroupState::InsufficientBids,
                    events,
                )?;
            }
            Ok(())
        });
        crate::skip_or_halt(r, &format!("order {}", hex::encode(&oid)), events)?;
    }
    escrow::warn_due(state, now, cap, events)?;
    for (due_h, acct) in escrow::due_through(state, now, cap)? {
        escrow::unindex_due(state, due_h, &acct);
        let Some(a) = escrow::get_account(state, &acct)? else { continue };
        // Only deployment accounts pay out; a bid account is never due.
        if acct.first() != Some(&1)
            || a.state != escrow::AccountState::Open
            || a.exhausted_at != Some(due_h)
        {
            continue;
        }
        let dk = &acct[1..];
        let n = dk[0] as usize;
        let owner = AccAddress::from_bytes(&dk[1..1 + n])
            .map_err(|e| AppError::ChainState(format!("escrow id: {e}")))?;
        let dseq = u64::from_be_bytes(
            dk[1 + n..1 + n + 8]
                .try_into()
                .map_err(|_| AppError::ChainState("escrow id".into()))?,
        );
        let r = crate::atomically(state, events, |state, events| {
            // Settled first: an account whose AKT fallback may pay stays open a block more.
            if escrow::settle_due(state, &acct, now, events)? {
                return Ok(());
            }
            let unsettled = escrow::get_account(state, &acct)?.map_or(0, |a| a.unsettled);
            let d = deployment::must_get(state, &owner, dseq)?;
            events.push(
                Event::new("EventEscrowExhausted")
                    .attr("account", &a.id)
                    .attr("owner", &owner)
                    .attr("dseq", dseq)
                    .attr("unsettled", format!("{unsettled}{}", a.denom))
                    .attr("exhausted_at", due_h)
                    .attr("height", now),
            );
            deployment::close_deployment(
                state,
                d,
                GroupState::InsufficientFunds,
                REASON_INSUFFICIENT_FUNDS,
                now,
                events,
            )
        });
        crate::skip_or_halt(r, &a.id, events)?;
    }
    Ok(())
}

/// Lists orders / bids / leases (`what` = 0x22, 0x23, 0x24) in key order, optionally of one
/// owner, after a binary key; `keep` filters.
pub fn list_raw(
    state: &dyn StateRead,
    what: u8,
    owner: Option<&AccAddress>,
    start_after: Option<&[u8]>,
    limit: usize,
    keep: &dyn Fn(&serde_json::Value) -> bool,
) -> Result<(Vec<serde_json::Value>, Option<Vec<u8>>), AppError> {
    let mut prefix = vec![what];
    if let Some(o) = owner {
        prefix.push(o.as_bytes().len() as u8);
        prefix.extend_from_slice(o.as_bytes());
    }
    let mut after = start_after.map(|s| pk(what, s));
    let mut out = Vec::new();
    loop {
        let page = state.prefix_range(&prefix, after.as_deref(), 500)?;
        for (k, v) in &page {
            after = Some(k.clone());
            let j: serde_json::Value = serde_json::from_slice(v)
                .map_err(|e| AppError::ChainState(format!("corrupt market record: {e}")))?;
            if keep(&j) {
                out.push(j);
                if out.len() >= limit {
                    return Ok((out, Some(k[1..].to_vec())));
                }
            }
        }
        if page.len() < 500 {
            return Ok((out, None));
        }
    }
}

/// Bid/lease ids of one provider (from the provider index), after a binary bid id.
pub fn provider_ids(
    state: &dyn StateRead,
    provider: &AccAddress,
    start_after: Option<&[u8]>,
    limit: usize,
) -> Result<Vec<Vec<u8>>, AppError> {
    let mut prefix = vec![BY_PROVIDER, provider.as_bytes().len() as u8];
    prefix.extend_from_slice(provider.as_bytes());
    let after = start_after.map(|s| {
        let mut k = prefix.clone();
        k.extend_from_slice(s);
        k
    });
    Ok(state
        .prefix_range(&prefix, after.as_deref(), limit)?
        .into_iter()
        .map(|(k, _)| k[prefix.len()..].to_vec())
        .collect())
}

/// Reads a record by kind (`0x22` order, `0x23` bid, `0x24` lease) and binary id.
pub fn get_raw(
    state: &dyn StateRead,
    what: u8,
    id: &[u8],
) -> Result<Option<serde_json::Value>, AppError> {
    read(state, &pk(what, id), "market record")
}

/// Invariants: every active lease has an active bid, an active order and an open payment
/// at its price on an open, funded deployment account; every non-active bid's escrow is closed.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    let mut after: Option<Vec<u8>> = None;
    loop {
        let page = state.prefix_range(&[LEASE], after.as_deref(), 1000)?;
        for (k, v) in &page {
            after = Some(k.clone());
            let id = &k[1..];
            let l: Lease = serde_json::from_slice(v)
                .map_err(|e| AppError::Invariant(format!("undecodable lease: {e}")))?;
            if !l.state.is_live() {
                continue;
            }
            let acct = deployment::escrow_id(&l.owner, l.dseq);
            let a = escrow::get_account(state, &acct)?;
            let p = escrow::get_payment(state, &acct, id)?;
            let ok = a.is_some_and(|a| a.state == escrow::AccountState::Open)
                && p.is_some_and(|p| p.rate_atto == l.price_atto && p.provider == l.provider)
                && get_bid(state, id)?.is_some_and(|b| b.state == BidState::Active);
            if !ok {
                return Err(AppError::Invariant(format!(
                    "active lease {}/{}/{}/{}/{} lacks an open payment on a funded account or an active bid",
                    l.owner, l.dseq, l.gseq, l.oseq, l.provider
                )));
            }
        }
        if page.len() < 1000 {
            break;
        }
    }
    let mut after: Option<Vec<u8>> = None;
    loop {
        let page = state.prefix_range(&[BID], after.as_deref(), 1000)?;
        for (k, v) in &page {
            after = Some(k.clone());
            let b: Bid = serde_json::from_slice(v)
                .map_err(|e| AppError::Invariant(format!("undecodable bid: {e}")))?;
            let a = escrow::get_account(state, &bid_escrow_id(&k[1..]))?;
            let open = a.is_some_and(|a| a.state == escrow::AccountState::Open);
            if open != matches!(b.state, BidState::Open | BidState::Active) {
                return Err(AppError::Invariant(format!(
                    "bid {} is {:?} but its deposit account open = {open}",
                    bid_label(&b),
                    b.state
                )));
            }
        }
        if page.len() < 1000 {
            return Ok(());
        }
    }
}
