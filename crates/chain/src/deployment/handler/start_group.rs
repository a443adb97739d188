//! `MsgStartGroup`: the owner restarts a paused or insufficient group: a new order opens.

use dcloud_proto::dcloud::deployment::MsgStartGroup;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use super::super::events::group_event;
use super::super::msg::group_id;
use super::super::state::{group_mut, must_active, put};
use super::super::types::GroupState;
use super::super::DeploymentError;
use crate::market;
use crate::{AppError, BlockCtx};

/// Executes `MsgStartGroup` (its stateless checks ran in `validate_basic`).
pub fn handle(
    state: &mut dyn StateWrite,
    m: &MsgStartGroup,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let now = ctx.height;
    let (owner, dseq, gseq) = group_id(&m.id)?;
    let mut d = must_active(state, &owner, dseq)?;
    let g = group_mut(&mut d, gseq)?;
    // Only a paused or insufficient group starts.
    if !matches!(
        g.state,
        GroupState::Paused | GroupState::InsufficientFunds | GroupState::InsufficientBids
    ) {
        return Err(DeploymentError::GroupState(format!(
            "group {gseq} is {:?}; only a paused or insufficient group can start",
            g.state
        ))
        .into());
    }
    g.state = GroupState::Open;
    g.oseq += 1;
    let g = g.clone();
    put(state, &d)?;
    events.push(group_event("EventGroupStarted", &d, gseq));
    market::create_order(state, &d, &g, now, events)?;
    Ok(())
}
