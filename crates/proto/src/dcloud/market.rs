//! `dcloud.market.v1`: bids and leases on the chain's orders.

pub use super::deployment::{Coin, DecCoin};

/// Owner + dseq + gseq + oseq.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct OrderId {
    /// Deployment owner (bech32).
    #[prost(string, tag = "1")]
    pub owner: String,
    /// Deployment sequence.
    #[prost(uint64, tag = "2")]
    pub dseq: u64,
    /// Group sequence.
    #[prost(uint32, tag = "3")]
    pub gseq: u32,
    /// Order sequence.
    #[prost(uint32, tag = "4")]
    pub oseq: u32,
}

/// An order id + the provider: the id of a bid, and of the lease made from it.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct BidId {
    /// Deployment owner (bech32).
    #[prost(string, tag = "1")]
    pub owner: String,
    /// Deployment sequence.
    #[prost(uint64, tag = "2")]
    pub dseq: u64,
    /// Group sequence.
    #[prost(uint32, tag = "3")]
    pub gseq: u32,
    /// Order sequence.
    #[prost(uint32, tag = "4")]
    pub oseq: u32,
    /// Provider (bech32).
    #[prost(string, tag = "5")]
    pub provider: String,
}

/// A provider bids on an open order.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MsgCreateBid {
    /// The order.
    #[prost(message, optional, tag = "1")]
    pub order_id: Option<OrderId>,
    /// Provider (signs).
    #[prost(string, tag = "2")]
    pub provider: String,
    /// Price per block (≤ the order's max price, same denom).
    #[prost(message, optional, tag = "3")]
    pub price: Option<DecCoin>,
    /// Deposit locked in escrow while the bid is open or its lease active.
    #[prost(message, optional, tag = "4")]
    pub deposit: Option<Coin>,
    /// Reclamation window offered, in seconds (0 = none): after starting a reclaim the
    /// provider may end the lease once this much block time has passed. Required (and at
    /// least the deployment's minimum) when the deployment asks for one.
    #[prost(uint64, tag = "5")]
    pub reclamation_window_s: u64,
    /// Where the deposit comes from, tried in order
    /// ([`crate::dcloud::escrow::DepositSource`] values); empty = the provider's balance.
    #[prost(enumeration = "crate::dcloud::escrow::DepositSource", repeated, tag = "6")]
    pub deposit_sources: Vec<i32>,
}

/// A provider withdraws its bid (or ends its active lease).
#[derive(Clone, PartialEq, prost::Message)]
pub struct MsgCloseBid {
    /// The bid (provider signs).
    #[prost(message, optional, tag = "1")]
    pub id: Option<BidId>,
    /// Why the provider ends an active lease (free text, at most 256 bytes; empty: no
    /// reason given). Recorded in the lease's close reason as `provider: <reason>`.
    #[prost(string, tag = "2")]
    pub reason: String,
}

/// The provider starts reclaiming a lease that has a reclamation window: once the window has
/// passed (by block time) it may close its bid, ending the lease.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MsgLeaseStartReclaim {
    /// The lease (provider signs).
    #[prost(message, optional, tag = "1")]
    pub id: Option<BidId>,
    /// Why (free text, at most 256 bytes).
    #[prost(string, tag = "2")]
    pub reason: String,
}

/// Type URL of [`MsgLeaseStartReclaim`].
pub const MSG_LEASE_START_RECLAIM_URL: &str = "/dcloud.market.v1.MsgLeaseStartReclaim";

/// The tenant accepts an open bid.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MsgCreateLease {
    /// The bid (owner signs).
    #[prost(message, optional, tag = "1")]
    pub bid_id: Option<BidId>,
}

/// The tenant closes a lease.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MsgCloseLease {
    /// The lease (owner signs).
    #[prost(message, optional, tag = "1")]
    pub id: Option<BidId>,
}

/// The provider withdraws what a lease earned.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MsgWithdrawLease {
    /// The lease (provider signs).
    #[prost(message, optional, tag = "1")]
    pub id: Option<BidId>,
}
