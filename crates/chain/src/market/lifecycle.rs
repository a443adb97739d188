//! The state transitions the market's handlers, hooks and end block share: closing an
//! order, ending a bid (deposit refunded), closing a lease (final payout) and leasing a bid.

use dcloud_store::StateWrite;
use dcloud_types::{Dec, Event};

use super::events::{bid_event, lease_event, order_event, order_label};
use super::keys::{due_key, DUE_AUCTION, DUE_TIMEOUT};
use super::state::{get_bid, get_lease, order_bids, put_bid, put_lease, put_order};
use super::types::Bid;
use super::types::{bid_escrow_id, BidState, Lease, LeaseState, Order, OrderState, Reclamation};
use super::MarketError;
use crate::deployment::{self, DeploymentState, GroupState};
use crate::{escrow, AppError};

/// Closes an order (no-op when closed) and drops its due entries.
pub(crate) fn close_order(
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
    put_order(state, id, o)?;
    events.push(order_event("EventOrderClosed", o).attr("reason", reason));
    Ok(())
}

/// Ends a bid that is not (or no longer) backing an active lease, refunding its deposit.
pub(crate) fn end_bid(
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
    put_bid(state, id, b)?;
    let kind = if to == BidState::Lost { "EventBidLost" } else { "EventBidClosed" };
    events.push(bid_event(kind, b).attr("refund", format!("{refund}{}", b.deposit_denom)));
    Ok(())
}

/// Closes an active lease: final settlement and payout, bid closed (deposit refunded).
pub(crate) fn close_lease(
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
    put_lease(state, id, &l)?;
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

/// Leases bid `bid` of open order `o`: other open bids lose (deposits refunded), the
/// deployment account starts paying the provider.
pub(crate) fn create_lease(
    state: &mut dyn StateWrite,
    oid: &[u8],
    mut o: Order,
    bid: &[u8],
    now: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let mut b = get_bid(state, bid)?.ok_or_else(|| MarketError::BidNotFound(hex::encode(bid)))?;
    let d = deployment::must_get(state, &o.owner, o.dseq)?;
    // The group must still be open on an active deployment.
    let g = d.groups.iter().find(|g| g.gseq == o.gseq);
    if d.state != DeploymentState::Active || g.is_none_or(|g| g.state != GroupState::Open) {
        return Err(deployment::DeploymentError::GroupState(format!(
            "group of order {} is not open",
            order_label(&o)
        ))
        .into());
    }
    for (other, mut ob) in order_bids(state, oid)? {
        if other != bid && ob.state == BidState::Open {
            end_bid(state, &other, &mut ob, BidState::Lost, now, events)?;
        }
    }
    b.state = BidState::Active;
    put_bid(state, bid, &b)?;
    o.state = OrderState::Active;
    state.delete(due_key(o.window_end, DUE_AUCTION, oid));
    state.delete(due_key(o.timeout_at, DUE_TIMEOUT, oid));
    put_order(state, oid, &o)?;
    let l = new_lease(&b, now);
    put_lease(state, bid, &l)?;
    events.push(
        lease_event("EventLeaseCreated", &l)
            .attr("price", format!("{}{}", Dec::from_atomics(l.price_atto), l.denom)),
    );
    let acct = deployment::escrow_id(&o.owner, o.dseq);
    escrow::create_payment(state, &acct, bid, &b.provider, b.price_atto, now, events)
}

/// The lease a winning bid starts.
fn new_lease(b: &Bid, now: u64) -> Lease {
    Lease {
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
    }
}
