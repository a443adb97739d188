//! The market's records (orders, bids, leases), their state enums, their binary ids and the
//! lowest-bid auction rule. Plain data: no store access.

use dcloud_types::AccAddress;
use serde::{Deserialize, Serialize};

use crate::deployment::{dep_key, AuctionKind};

/// The module name.
pub const NAME: &str = "market";

/// Lease closed by the tenant.
pub const REASON_OWNER: &str = "owner";
/// Lease closed by the provider.
pub const REASON_PROVIDER: &str = "provider";
/// Lease closed because the escrow ran dry.
pub const REASON_INSUFFICIENT_FUNDS: &str = "insufficient_funds";

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
    /// active lease show what is settled so far (`paid_so_far`).
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub paid: u128,
    /// Reclamation (when its bid offered a window).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reclamation: Option<Reclamation>,
}

/// `dep ‖ gseq ‖ oseq`: the binary id of an order.
pub fn order_id(owner: &AccAddress, dseq: u64, gseq: u32, oseq: u32) -> Vec<u8> {
    let mut k = dep_key(owner, dseq);
    k.extend_from_slice(&gseq.to_be_bytes());
    k.extend_from_slice(&oseq.to_be_bytes());
    k
}

/// `order ‖ len ‖ provider`: the binary id of a bid (and of its lease).
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

#[cfg(test)]
mod tests {
    use super::*;

    fn bid(price: u128, created_at: u64, index: u32, state: BidState) -> Bid {
        let a: AccAddress = AccAddress::from_bytes(&[7u8; 20]).unwrap();
        Bid {
            owner: a.clone(),
            dseq: 1,
            gseq: 1,
            oseq: 1,
            provider: a,
            state,
            price_atto: price,
            denom: "uact".into(),
            deposit: 1,
            deposit_denom: "uact".into(),
            created_at,
            index,
            reclamation_window_s: None,
        }
    }

    #[test]
    fn lowest_open_bid_wins_then_earliest() {
        let bids = vec![
            (vec![1], bid(5, 1, 0, BidState::Open)),
            (vec![2], bid(3, 2, 1, BidState::Closed)),
            (vec![3], bid(5, 1, 2, BidState::Open)),
            (vec![4], bid(4, 3, 3, BidState::Open)),
        ];
        assert_eq!(lowest_bid(&bids).map(|(id, _)| id.clone()), Some(vec![4]));
        assert!(lowest_bid(&[]).is_none());
    }

    #[test]
    fn ids_nest() {
        let a = AccAddress::from_bytes(&[1u8; 20]).unwrap();
        let o = order_id(&a, 9, 2, 3);
        let b = bid_id(&o, &a);
        assert!(b.starts_with(&o));
        assert_eq!(b.len(), o.len() + 21);
        assert_eq!(bid_escrow_id(&b)[0], 2);
    }
}
