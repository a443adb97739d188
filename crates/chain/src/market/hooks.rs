//! The market writes other modules may ask for, by name: the deployment module opens a
//! group's order ([`create_order`]) and closes a group's market ([`close_group_market`]).

use dcloud_store::StateWrite;
use dcloud_types::{Dec, Event};

use super::events::order_event;
use super::keys::{due_key, DUE_AUCTION, DUE_TIMEOUT};
use super::lifecycle::{close_lease, close_order, end_bid};
use super::state::{get_order, order_bids, params, put_order};
use super::types::{order_id, BidState, LeaseState, Order, OrderState, REASON_INSUFFICIENT_FUNDS};
use crate::deployment::{AuctionKind, Deployment, Group};
use crate::AppError;

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
    put_order(state, &id, &o)?;
    events.push(
        order_event("EventOrderCreated", &o)
            .attr("max_price", format!("{}{}", Dec::from_atomics(o.max_price_atto), o.denom))
            .attr("auction", format!("{:?}", o.auction).to_lowercase())
            .attr("window_end", o.window_end)
            .attr("timeout_at", o.timeout_at),
    );
    Ok(())
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
