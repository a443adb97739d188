//! `MsgPauseGroup`: the owner pauses one group: its order, bids and lease close until it starts again.

use dcloud_proto::dcloud::deployment::MsgPauseGroup;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use super::super::hooks::group_transition;
use super::super::msg::group_id;
use super::super::types::GroupState;
use crate::{AppError, BlockCtx};

/// Executes `MsgPauseGroup` (its stateless checks ran in `validate_basic`).
pub fn handle(
    state: &mut dyn StateWrite,
    m: &MsgPauseGroup,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let (owner, dseq, gseq) = group_id(&m.id)?;
    group_transition(state, &owner, dseq, gseq, GroupState::Paused, ctx.height, events)?;
    Ok(())
}
