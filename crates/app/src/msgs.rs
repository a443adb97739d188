//! Message routing: each message goes to the module its [`Msg::module`] names (the
//! message table in `dcloud-proto`), for stateless validation and for delivery.

use dcloud_proto::DecodedTx;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use crate::modules::{self, BlockCtx};
use crate::AppError;

/// Checks every message without reading state.
pub(crate) fn validate_basic(tx: &DecodedTx) -> Result<(), AppError> {
    tx.msgs.iter().try_for_each(modules::validate_msg)
}

/// Delivers every message of a tx in order; the first error aborts.
pub(crate) fn deliver_all(
    state: &mut dyn StateWrite,
    tx: &DecodedTx,
    bctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    for msg in &tx.msgs {
        let sender = msg.signers().into_iter().next().unwrap_or_default();
        events.push(
            Event::new("message")
                .attr("action", msg.type_url())
                .attr("sender", &sender)
                .attr("module", msg.module()),
        );
        modules::deliver(state, bctx, msg, events)?;
    }
    Ok(())
}
