//! The market's end block at height `h`: the order work keyed by `h` (auctions closing,
//! orders timing out), then escrow warnings and exhausted escrow accounts (their
//! deployments close). It reads only the entries keyed by `h` or earlier, so its cost does
//! not depend on how many orders or leases exist.

use dcloud_store::StateWrite;
use dcloud_types::{AccAddress, Event};

use super::keys::{split_due_key, DUE_AUCTION, DUE_TIMEOUT, ORDER_DUE};
use super::lifecycle::{close_order, create_lease};
use super::state::{get_order, order_bids, params};
use super::types::{lowest_bid, BidState, OrderState, REASON_INSUFFICIENT_FUNDS};
use crate::deployment::{self, GroupState};
use crate::{escrow, AppError, BlockCtx};

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
        let Some((kind, oid)) = split_due_key(&k) else { continue };
        let oid = oid.to_vec();
        let r = crate::atomically(state, events, |state, events| {
            order_due(state, &oid, kind, due_h, now, events)
        });
        crate::skip_or_halt(r, &format!("order {}", hex::encode(&oid)), events)?;
    }
    escrow::warn_due(state, now, cap, events)?;
    for (due_h, acct) in escrow::due_through(state, now, cap)? {
        escrow::unindex_due(state, due_h, &acct);
        exhausted(state, &acct, due_h, now, events)?;
    }
    Ok(())
}

/// One due order entry: a `lowest` auction whose window closes leases its lowest bid; an
/// order that times out with no open bid closes and its group waits for bids.
fn order_due(
    state: &mut dyn StateWrite,
    oid: &[u8],
    kind: u8,
    due_h: u64,
    now: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let Some(mut o) = get_order(state, oid)? else { return Ok(()) };
    if o.state != OrderState::Open {
        return Ok(());
    }
    let bids = order_bids(state, oid)?;
    if kind == DUE_AUCTION && o.window_end == due_h {
        if let Some((bid, _)) = lowest_bid(&bids) {
            let bid = bid.clone();
            create_lease(state, oid, o, &bid, now, events)?;
        }
    } else if kind == DUE_TIMEOUT
        && o.timeout_at == due_h
        && !bids.iter().any(|(_, b)| b.state == BidState::Open)
    {
        close_order(state, oid, &mut o, "no_bids", events)?;
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
}

/// An escrow account due to run out at `due_h`: unless its AKT fallback pays, its
/// deployment closes for insufficient funds.
fn exhausted(
    state: &mut dyn StateWrite,
    acct: &[u8],
    due_h: u64,
    now: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let Some(a) = escrow::get_account(state, acct)? else { return Ok(()) };
    // Only deployment accounts pay out; a bid account is never due.
    if acct.first() != Some(&1)
        || a.state != escrow::AccountState::Open
        || a.exhausted_at != Some(due_h)
    {
        return Ok(());
    }
    let (owner, dseq) = deployment_of(acct)?;
    let r = crate::atomically(state, events, |state, events| {
        // Settled first: an account whose AKT fallback may pay stays open a block more.
        if escrow::settle_due(state, acct, now, events)? {
            return Ok(());
        }
        let unsettled = escrow::get_account(state, acct)?.map_or(0, |a| a.unsettled);
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
    crate::skip_or_halt(r, &a.id, events)
}

/// The owner and dseq of a deployment escrow account id (`1 ‖ len ‖ owner ‖ dseq`).
fn deployment_of(acct: &[u8]) -> Result<(AccAddress, u64), AppError> {
    let dk = &acct[1..];
    let n = dk[0] as usize;
    let owner = AccAddress::from_bytes(&dk[1..1 + n])
        .map_err(|e| AppError::ChainState(format!("escrow id: {e}")))?;
    let dseq = u64::from_be_bytes(
        dk[1 + n..1 + n + 8].try_into().map_err(|_| AppError::ChainState("escrow id".into()))?,
    );
    Ok((owner, dseq))
}
