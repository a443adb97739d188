//! `MsgCloseDeployment`: the owner closes an active deployment: its orders, bids and leases close and its escrow account refunds.

use dcloud_proto::dcloud::deployment::MsgCloseDeployment;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use super::super::hooks::close_deployment;
use super::super::msg::dep_id;
use super::super::state::must_active;
use super::super::types::GroupState;
use crate::market;
use crate::{AppError, BlockCtx};

/// Executes `MsgCloseDeployment` (its stateless checks ran in `validate_basic`).
pub fn handle(
    state: &mut dyn StateWrite,
    m: &MsgCloseDeployment,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let (owner, dseq) = dep_id(&m.id)?;
    let d = must_active(state, &owner, dseq)?;
    close_deployment(state, d, GroupState::Closed, market::REASON_OWNER, ctx.height, events)?;
    Ok(())
}
