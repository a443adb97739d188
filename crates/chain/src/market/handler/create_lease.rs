//! `MsgCreateLease`: the owner accepts a bid: the lease starts.

use dcloud_proto::dcloud::market::MsgCreateLease;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use super::super::events::{bid_label, order_label};
use super::super::lifecycle::create_lease;
use super::super::msg::parse_bid_id;
use super::super::state::{get_bid, get_order};
use super::super::types::{order_id, BidState, OrderState};
use super::super::MarketError;
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
    let b = get_bid(state, &bid)?.ok_or_else(|| MarketError::BidNotFound(hex::encode(&bid)))?;
    if b.state != BidState::Open {
        return Err(MarketError::BidState(format!("bid {} is {:?}", bid_label(&b), b.state)).into());
    }
    let oid = order_id(&b.owner, b.dseq, b.gseq, b.oseq);
    let o = get_order(state, &oid)?.ok_or_else(|| MarketError::OrderNotFound(hex::encode(&oid)))?;
    if o.state != OrderState::Open {
        return Err(MarketError::OrderNotOpen(order_label(&o)).into());
    }
    create_lease(state, &oid, o, &bid, now, events)?;
    Ok(())
}
