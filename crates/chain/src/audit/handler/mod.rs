//! One file per audit message: stateless checks (`msg.rs`) → stateful checks → writes →
//! events; [`deliver`] dispatches.

pub mod delete_provider_attributes;
pub mod sign_provider_attributes;

use dcloud_proto::Msg;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use crate::AppError;

/// Executes an audit message.
pub fn deliver(
    state: &mut dyn StateWrite,
    msg: &Msg,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    match msg {
        Msg::SignProviderAttributes(m) => sign_provider_attributes::deliver_sign(state, m, events),
        Msg::DeleteProviderAttributes(m) => {
            delete_provider_attributes::deliver_delete(state, m, events)
        }
        other => Err(crate::unrouted(super::NAME, other)),
    }
}
