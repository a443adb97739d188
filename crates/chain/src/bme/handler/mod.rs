//! One file per kind of BME message: stateless checks (in [`super::msg`]) → stateful checks →
//! writes → events; [`deliver`] dispatches.

pub mod fund_vault;
pub mod request;

use dcloud_proto::Msg;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use super::msg::request_of;
use crate::{AppError, BlockCtx};

/// Delivers a BME message.
pub fn deliver(
    state: &mut dyn StateWrite,
    msg: &Msg,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    if let Msg::FundVault(m) = msg {
        return fund_vault::deliver(state, m, events);
    }
    let (owner, to, coin, to_denom) = request_of(msg)?.ok_or_else(|| {
        AppError::UnknownRequest(format!("{} is not a bme message", msg.type_url()))
    })?;
    request::request(state, ctx, &owner, &to, &coin, &to_denom, events).map(|_| ())
}
