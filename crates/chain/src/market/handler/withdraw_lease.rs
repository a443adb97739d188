//! `MsgWithdrawLease`: the provider withdraws what a lease has earned.

use dcloud_proto::dcloud::market::MsgWithdrawLease;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use super::super::events::lease_event;
use super::super::msg::parse_bid_id;
use super::super::state::get_lease;
use super::super::MarketError;
use crate::{deployment, escrow};
use crate::{AppError, BlockCtx};

/// Executes `MsgWithdrawLease` (its stateless checks ran in `validate_basic`).
pub fn handle(
    state: &mut dyn StateWrite,
    m: &MsgWithdrawLease,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let now = ctx.height;
    let (bid, ..) = parse_bid_id(&m.id)?;
    let l = get_lease(state, &bid)?.ok_or_else(|| MarketError::LeaseNotFound(hex::encode(&bid)))?;
    if !l.state.is_live() {
        return Err(MarketError::LeaseState(format!("lease is {:?}", l.state)).into());
    }
    let acct = deployment::escrow_id(&l.owner, l.dseq);
    let (to_provider, take) = escrow::withdraw_payment(state, &acct, &bid, now, events)?;
    events.push(
        lease_event("EventLeaseWithdrawn", &l)
            .attr("amount", format!("{to_provider}{}", l.denom))
            .attr("take", format!("{take}{}", l.denom)),
    );
    Ok(())
}
