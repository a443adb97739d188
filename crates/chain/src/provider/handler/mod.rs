//! One file per provider message: stateless checks (`msg.rs`) → stateful checks →
//! writes → events; [`deliver`] dispatches.

pub mod create_provider;
pub mod update_provider;

use dcloud_proto::Msg;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use crate::AppError;

/// Executes a provider message.
pub fn deliver(
    state: &mut dyn StateWrite,
    msg: &Msg,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    match msg {
        Msg::CreateProvider(m) => create_provider::deliver_create(state, m, events),
        Msg::UpdateProvider(m) => update_provider::deliver_update(state, m, events),
        other => Err(crate::unrouted(super::NAME, other)),
    }
}
