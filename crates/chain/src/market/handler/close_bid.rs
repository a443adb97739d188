//! `MsgCloseBid`: a provider withdraws its bid.

use dcloud_proto::dcloud::market::MsgCloseBid;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use super::super::events::bid_label;
use super::super::lifecycle::{close_lease, close_order, end_bid};
use super::super::msg::parse_bid_id;
use super::super::state::{get_bid, get_lease, get_order};
use super::super::types::{order_id, BidState, LeaseState, REASON_PROVIDER};
use super::super::MarketError;
use crate::deployment::{self, GroupState};
use crate::{AppError, BlockCtx};

/// Executes `MsgCloseBid` (its stateless checks ran in `validate_basic`).
pub fn handle(
    state: &mut dyn StateWrite,
    m: &MsgCloseBid,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let now = ctx.height;
    let (bid, ..) = parse_bid_id(&m.id)?;
    let mut b = get_bid(state, &bid)?.ok_or_else(|| MarketError::BidNotFound(hex::encode(&bid)))?;
    match b.state {
        BidState::Open => end_bid(state, &bid, &mut b, BidState::Closed, now, events)?,
        BidState::Active => {
            // A lease with a reclamation window ends only through a reclaim whose
            // window has passed.
            if let Some(l) = get_lease(state, &bid)? {
                match (&l.reclamation, l.state) {
                    (Some(_), LeaseState::Active) => {
                        return Err(MarketError::LeaseState(format!(
                            "reclamation not started: lease {} has a reclamation \
                             window; start a reclaim first",
                            bid_label(&b)
                        ))
                        .into())
                    }
                    (Some(r), LeaseState::Reclaiming)
                        if r.deadline_ms.is_none_or(|d| ctx.time_ms < d) =>
                    {
                        return Err(MarketError::LeaseState(format!(
                            "reclamation window not elapsed: lease {} may close from \
                             block time {} ms (now {} ms)",
                            bid_label(&b),
                            r.deadline_ms.unwrap_or(0),
                            ctx.time_ms
                        ))
                        .into())
                    }
                    _ => {}
                }
            }
            // The provider ends its lease: the group pauses, the order closes.
            let reason = match m.reason.as_str() {
                "" => REASON_PROVIDER.to_string(),
                r => format!("{REASON_PROVIDER}: {r}"),
            };
            close_lease(state, &bid, LeaseState::Closed, &reason, now, events)?;
            let oid = order_id(&b.owner, b.dseq, b.gseq, b.oseq);
            if let Some(mut o) = get_order(state, &oid)? {
                close_order(state, &oid, &mut o, &reason, events)?;
            }
            deployment::set_group_state(
                state,
                &b.owner,
                b.dseq,
                b.gseq,
                GroupState::Paused,
                events,
            )?;
        }
        s => return Err(MarketError::BidState(format!("bid {} is {s:?}", bid_label(&b))).into()),
    }
    Ok(())
}
