//! Stateless checks of the slashing message (`MsgUnjail`).

use dcloud_proto::Msg;

use crate::{staking, AppError};

/// Stateless checks of `MsgUnjail`.
pub fn validate_basic(msg: &Msg) -> Result<(), AppError> {
    match msg {
        Msg::Unjail(m) => staking::parse_valoper(&m.validator_addr, "validator_addr").map(|_| ()),
        other => {
            Err(AppError::UnknownRequest(format!("not a slashing message: {}", other.type_url())))
        }
    }
}
