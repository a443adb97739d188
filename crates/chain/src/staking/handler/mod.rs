//! One file per staking message: stateless checks (in `validate_basic`) → stateful checks →
//! writes → events. [`deliver`] routes a message to its handler.

pub mod begin_redelegate;
pub mod cancel_unbonding;
pub mod create_validator;
pub mod delegate;
pub mod edit_validator;
pub mod undelegate;

use dcloud_proto::Msg;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use super::state::{params, require_enabled};
use crate::{AppError, BlockCtx};

/// Delivers a staking message: staking must be enabled; the params are read once.
pub fn deliver(
    state: &mut dyn StateWrite,
    msg: &Msg,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    require_enabled(state)?;
    let p = params(state)?;
    match msg {
        Msg::CreateValidator(m) => create_validator::handle(state, m, &p, ctx, events),
        Msg::EditValidator(m) => edit_validator::handle(state, m, &p, ctx, events),
        Msg::Delegate(m) => delegate::handle(state, m, &p, ctx, events),
        Msg::Undelegate(m) => undelegate::handle(state, m, &p, ctx, events),
        Msg::BeginRedelegate(m) => begin_redelegate::handle(state, m, &p, ctx, events),
        Msg::CancelUnbondingDelegation(m) => cancel_unbonding::handle(state, m, &p, ctx, events),
        _ => Err(AppError::UnknownRequest(format!("{} is not a staking message", msg.type_url()))),
    }
}
