//! One file per bank message: stateless checks (`msg.rs`) → stateful checks (in
//! [`send_checked`](super::send_checked)) → writes → events; [`deliver`] dispatches.

pub mod multi_send;
pub mod send;

use dcloud_proto::Msg;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use crate::AppError;

/// Executes a bank message.
pub fn deliver(
    state: &mut dyn StateWrite,
    msg: &Msg,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    match msg {
        Msg::Send(m) => send::deliver_send(state, m, events),
        Msg::MultiSend(m) => multi_send::deliver_multi_send(state, m, events),
        other => Err(crate::unrouted(super::NAME, other)),
    }
}
