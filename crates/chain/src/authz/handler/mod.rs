//! One file per authz message: stateless checks (in [`super::msg`]) → stateful checks →
//! writes → events; [`deliver`] dispatches.

pub mod grant;
pub mod revoke;

use dcloud_proto::Msg;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use crate::{AppError, BlockCtx};

/// Delivers `MsgGrant` (creates or replaces the grant) and `MsgRevoke`.
pub fn deliver(
    state: &mut dyn StateWrite,
    msg: &Msg,
    bctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    match msg {
        Msg::Grant(m) => grant::deliver(state, m, bctx, events),
        Msg::Revoke(m) => revoke::deliver(state, m, events),
        _ => Err(AppError::UnknownRequest(format!("not an authz message: {}", msg.type_url()))),
    }
}
