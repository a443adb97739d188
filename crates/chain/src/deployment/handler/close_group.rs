//! `MsgCloseGroup`: the owner closes one group: its order, bids and lease close.

use dcloud_proto::dcloud::deployment::MsgCloseGroup;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use super::super::hooks::group_transition;
use super::super::msg::group_id;
use super::super::types::GroupState;
use crate::{AppError, BlockCtx};

/// Executes `MsgCloseGroup` (its stateless checks ran in `validate_basic`).
pub fn handle(
    state: &mut dyn StateWrite,
    m: &MsgCloseGroup,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let (owner, dseq, gseq) = group_id(&m.id)?;
    group_transition(state, &owner, dseq, gseq, GroupState::Closed, ctx.height, events)?;
    Ok(())
}
