//! `MsgCloseLease`: the owner closes a lease; the group is re-auctioned.

use dcloud_proto::dcloud::market::MsgCloseLease;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use super::super::hooks::create_order;
use super::super::lifecycle::{close_lease, close_order};
use super::super::msg::parse_bid_id;
use super::super::state::{get_lease, get_order};
use super::super::types::{order_id, LeaseState, REASON_OWNER};
use super::super::MarketError;
use crate::deployment;
use crate::{AppError, BlockCtx};

/// Executes `MsgCloseLease` (its stateless checks ran in `validate_basic`).
pub fn handle(
    state: &mut dyn StateWrite,
    m: &MsgCloseLease,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let now = ctx.height;
    let (bid, ..) = parse_bid_id(&m.id)?;
    let l = get_lease(state, &bid)?.ok_or_else(|| MarketError::LeaseNotFound(hex::encode(&bid)))?;
    if !l.state.is_live() {
        return Err(MarketError::LeaseState(format!("lease is {:?}", l.state)).into());
    }
    close_lease(state, &bid, LeaseState::Closed, REASON_OWNER, now, events)?;
    let oid = order_id(&l.owner, l.dseq, l.gseq, l.oseq);
    if let Some(mut o) = get_order(state, &oid)? {
        close_order(state, &oid, &mut o, REASON_OWNER, events)?;
    }
    // The group is still open: re-auction it with a new order (deployment's hook).
    if let Some((d, g)) = deployment::reauction_group(state, &l.owner, l.dseq, l.gseq)? {
        create_order(state, &d, &g, now, events)?;
    }
    Ok(())
}
