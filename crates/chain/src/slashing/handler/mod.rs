//! One file per slashing message (only `MsgUnjail`). [`deliver`] routes a message to its
//! handler.

pub mod unjail;

use dcloud_proto::Msg;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use crate::{AppError, BlockCtx};

/// Delivers a slashing message.
pub fn deliver(
    state: &mut dyn StateWrite,
    msg: &Msg,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let Msg::Unjail(m) = msg else {
        return Err(AppError::UnknownRequest(format!(
            "not a slashing message: {}",
            msg.type_url()
        )));
    };
    unjail::handle(state, m, ctx, events)
}
