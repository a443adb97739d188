//! One file per cert message: stateless checks (`msg.rs`) → stateful checks → writes →
//! events; [`deliver`] dispatches.

pub mod create_certificate;
pub mod revoke_certificate;

use dcloud_proto::Msg;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use crate::AppError;

/// Executes a cert message.
pub fn deliver(
    state: &mut dyn StateWrite,
    msg: &Msg,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    match msg {
        Msg::CreateCertificate(m) => create_certificate::deliver_create(state, m, events),
        Msg::RevokeCertificate(m) => revoke_certificate::deliver_revoke(state, m, events),
        other => Err(crate::unrouted(super::NAME, other)),
    }
}
