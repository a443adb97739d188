//! The market's invariants: every active lease has an active bid and an open payment at its
//! price on an open deployment account; every bid's deposit account is open exactly while
//! the bid is open or active.

use dcloud_store::StateRead;

use super::events::bid_label;
use super::keys::{BID, LEASE};
use super::state::get_bid;
use super::types::{bid_escrow_id, Bid, BidState, Lease};
use crate::{deployment, escrow, AppError};

/// Invariants: every active lease has an active bid, an active order and an open payment
/// at its price on an open, funded deployment account; every non-active bid's escrow is closed.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    check_leases(state)?;
    check_bids(state)
}

fn check_leases(state: &dyn StateRead) -> Result<(), AppError> {
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
            return Ok(());
        }
    }
}

fn check_bids(state: &dyn StateRead) -> Result<(), AppError> {
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
