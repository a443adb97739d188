//! One file per deployment message: stateless checks (in `msg.rs`, run by
//! `validate_basic`) → stateful checks → writes → events. [`deliver`] routes a message to
//! its file.

use dcloud_store::StateWrite;
use dcloud_types::Event;

use crate::{AppError, BlockCtx};

pub mod close_deployment;
pub mod close_group;
pub mod create_deployment;
pub mod deposit_deployment;
pub mod pause_group;
pub mod start_group;
pub mod update_deployment;

/// Delivers a deployment message (one handler per message; other messages are no-ops).
pub fn deliver(
    state: &mut dyn StateWrite,
    msg: &dcloud_proto::Msg,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    use dcloud_proto::Msg;
    match msg {
        Msg::CreateDeployment(m) => create_deployment::handle(state, m, ctx, events),
        Msg::UpdateDeployment(m) => update_deployment::handle(state, m, ctx, events),
        Msg::DepositDeployment(m) => deposit_deployment::handle(state, m, ctx, events),
        Msg::CloseDeployment(m) => close_deployment::handle(state, m, ctx, events),
        Msg::CloseGroup(m) => close_group::handle(state, m, ctx, events),
        Msg::PauseGroup(m) => pause_group::handle(state, m, ctx, events),
        Msg::StartGroup(m) => start_group::handle(state, m, ctx, events),
        _ => Ok(()),
    }
}
