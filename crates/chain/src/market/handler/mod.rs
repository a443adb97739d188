//! One file per market message: stateless checks (in `msg.rs`, run by `validate_basic`) →
//! stateful checks → writes → events. [`deliver`] routes a message to its file.

use dcloud_store::StateWrite;
use dcloud_types::Event;

use super::types::NAME;
use crate::{AppError, BlockCtx};

pub mod close_bid;
pub mod close_lease;
pub mod create_bid;
pub mod create_lease;
pub mod start_reclaim;
pub mod withdraw_lease;

/// Delivers a market message (one handler per message).
pub fn deliver(
    state: &mut dyn StateWrite,
    msg: &dcloud_proto::Msg,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    use dcloud_proto::Msg;
    match msg {
        Msg::CreateBid(m) => create_bid::handle(state, m, ctx, events),
        Msg::CloseBid(m) => close_bid::handle(state, m, ctx, events),
        Msg::CreateLease(m) => create_lease::handle(state, m, ctx, events),
        Msg::CloseLease(m) => close_lease::handle(state, m, ctx, events),
        Msg::LeaseStartReclaim(m) => start_reclaim::handle(state, m, ctx, events),
        Msg::WithdrawLease(m) => withdraw_lease::handle(state, m, ctx, events),
        other => Err(crate::unrouted(NAME, other)),
    }
}
