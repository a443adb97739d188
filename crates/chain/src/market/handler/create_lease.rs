//! `MsgCreateLease`: the owner accepts a bid: the lease starts.

use dcloud_proto::dcloud::market::MsgCreateLease;
use dcloud_store::StateWrite;
use dcloud_types::Event;

#[allow(unused_imports)]
use super::super::*;
use crate::{AppError, BlockCtx};

/// Executes `MsgCreateLease` (its stateless checks ran in `validate_basic`).
pub fn handle(
    state: &mut dyn StateWrite,
    m: &MsgCreateLease,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let now = ctx.height;
    let (bid, ..) = parse_bid_id(&m.bid_id)?;
    let b = get_bid(state, &bid)?.ok_or_else(|| AppError::BidNotFound(hex::encode(&bid)))?;
    if b.state != BidState::Open {
        return Err(AppError::BidState(format!("bid {} is {:?}", bid_label(&b), b.state)));
    }
    let oid = order_id(&b.owner, b.dseq, b.gseq, b.oseq);
    let o = get_order(state, &oid)?.ok_or_else(|| AppError::OrderNotFound(hex::encode(&oid)))?;
    if o.state != OrderState::Open {
        return Err(AppError::OrderNotOpen(order_label(&o)));
    }
    create_lease(state, &oid, o, &bid, now, events)?;
    Ok(())
}
