//! `MsgLeaseStartReclaim`: the provider starts reclaiming a lease.

use dcloud_proto::dcloud::market::MsgLeaseStartReclaim;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use super::super::events::lease_event;
use super::super::msg::parse_bid_id;
use super::super::state::{get_lease, put_lease};
use super::super::types::LeaseState;
use super::super::MarketError;
use crate::{AppError, BlockCtx};

/// Executes `MsgLeaseStartReclaim` (its stateless checks ran in `validate_basic`).
pub fn handle(
    state: &mut dyn StateWrite,
    m: &MsgLeaseStartReclaim,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let now = ctx.height;
    let (bid, ..) = parse_bid_id(&m.id)?;
    let mut l =
        get_lease(state, &bid)?.ok_or_else(|| MarketError::LeaseNotFound(hex::encode(&bid)))?;
    if l.state != LeaseState::Active {
        return Err(MarketError::LeaseState(format!("lease is {:?}", l.state)).into());
    }
    let Some(r) = l.reclamation.as_mut() else {
        return Err(MarketError::LeaseState(
            "the lease has no reclamation window (its bid offered none)".into(),
        )
        .into());
    };
    let deadline = ctx.time_ms.saturating_add(r.window_s.saturating_mul(1000));
    r.started_at = Some(now);
    r.deadline_ms = Some(deadline);
    r.reason = m.reason.clone();
    l.state = LeaseState::Reclaiming;
    put_lease(state, &bid, &l)?;
    events.push(
        lease_event("EventLeaseReclaimStarted", &l)
            .attr("reason", &m.reason)
            .attr("deadline_ms", deadline),
    );
    Ok(())
}
