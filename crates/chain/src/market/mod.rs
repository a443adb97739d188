//! The market module: orders (one per group, created by the chain), bids, leases, the
//! automatic lowest-bid auction, and the end-block work due at each height.
//!
//! State (ids are binary: `dep = len ‖ owner ‖ dseq`, `order = dep ‖ gseq ‖ oseq`,
//! `bid = order ‖ len ‖ provider`; a lease has its bid's id), all keys in `keys.rs`:
//! - `0x22 ‖ order` → [`Order`], `0x23 ‖ bid` → [`Bid`], `0x24 ‖ bid` → [`Lease`] (JSON).
//! - `0x25 ‖ len ‖ provider ‖ bid` → `` : a provider's bids and leases (for queries).
//! - `0x2C ‖ height ‖ kind ‖ order` → `` : order work due at `height` (kind 1: the bid
//!   window of a `lowest` auction closes; kind 2: the no-bid timeout).
//! - params under `0xFF ‖ "market"` ([`MarketParams`]).
//!
//! Messages (`handler/`, one file each): `MsgCreateBid`, `MsgCloseBid`, `MsgCreateLease`,
//! `MsgCloseLease`, `MsgLeaseStartReclaim`, `MsgWithdrawLease`; stateless checks in `msg.rs`.
//!
//! Events: `EventOrderCreated`, `EventOrderClosed`, `EventBidCreated`, `EventBidClosed`,
//! `EventBidLost`, `EventLeaseCreated`, `EventLeaseClosed`, `EventLeaseReclaimStarted`,
//! `EventLeaseWithdrawn`, `EventEscrowExhausted`.
//!
//! Invariants (`invariants.rs`): every live lease has an active bid and an open payment at
//! its price on an open deployment account; a bid's deposit account is open exactly while
//! the bid is open or active.
//!
//! Reads: deployment (its groups), provider, audit, bme (accepted price denoms), escrow.
//! Calls: escrow (accounts and payments: create, settle, withdraw, close), deployment's hooks
//! (`set_group_state`, `reauction_group`, `close_deployment`, `gather_deposit`).
//! Offers (`hooks.rs`, called by deployment): [`create_order`], [`close_group_market`].
//!
//! End block at height `h` (`block.rs`) reads only the entries keyed by `h` (orders, then
//! escrow warnings and exhaustion), so its cost does not depend on how many orders or
//! leases exist.

mod error;
mod events;
mod genesis;
mod msg;
mod params;
mod types;

#[cfg(feature = "state")]
mod block;
#[cfg(feature = "state")]
pub mod handler;
#[cfg(feature = "state")]
mod hooks;
#[cfg(feature = "state")]
mod invariants;
#[cfg(feature = "state")]
pub mod keys;
#[cfg(feature = "state")]
mod lifecycle;
#[cfg(feature = "state")]
mod module;
#[cfg(feature = "state")]
pub mod query;
#[cfg(feature = "state")]
mod state;

pub use error::{MarketError, CODESPACE};
pub use genesis::{validate_genesis, MarketGenesis};
pub use msg::validate_basic;
pub use params::MarketParams;
pub use types::{
    bid_escrow_id, bid_id, lowest_bid, order_id, Bid, BidState, Lease, LeaseState, Order,
    OrderState, Reclamation, NAME, REASON_INSUFFICIENT_FUNDS, REASON_OWNER, REASON_PROVIDER,
};

#[cfg(feature = "state")]
pub use block::end_block;
#[cfg(feature = "state")]
pub use handler::deliver;
#[cfg(feature = "state")]
pub use hooks::{close_group_market, create_order};
#[cfg(feature = "state")]
pub use invariants::check_invariants;
#[cfg(feature = "state")]
pub use module::MarketModule;
#[cfg(feature = "state")]
pub use state::{
    get_bid, get_lease, get_order, get_raw, list_raw, order_bids, paid_so_far, params, provider_ids,
};
