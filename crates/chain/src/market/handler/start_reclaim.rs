//! `MsgLeaseStartReclaim`: the provider starts reclaiming a lease.

use dcloud_proto::dcloud::market::MsgLeaseStartReclaim;
use dcloud_store::StateWrite;
use dcloud_types::Event;

#[allow(unused_imports)]
use super::super::*;
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
        get_lease(state, &bid)?.ok_or_else(|| AppError::LeaseNotFound(hex::encode(&bid)))?;
    if l.state != LeaseState::Active {
        return Err(AppError::LeaseState(format!("lease is {:?}", l.state)));
    }
    let Some(r) = l.reclamation.as_mut() else {
        return Err(AppError::LeaseState(
            "the lease has no reclamation window (its bid offered none)".into(),
        ));
    };
    let deadline = ctx.time_ms.saturating_add(r.window_s.saturating_mul(1000));
    r.started_at = Some(now);
    r.deadline_ms = Some(deadline);
    r.reason = m.reason.clone();
    l.state = LeaseState::Reclaiming;
    write(state, pk(LEASE, &bid), &l)?;
    events.push(
        lease_event("EventLeaseReclaimStarted", &l)
            .attr("reason", &m.reason)
            .attr("deadline_ms", deadline),
    );
    Ok(())
}
