//! Stateless checks of the bank messages (`MsgSend`, `MsgMultiSend`).

use dcloud_proto::Msg;
use dcloud_types::Coins;

use crate::{parse_addr, parse_coins, AppError};

/// Stateless checks of a bank message.
pub fn validate_basic(msg: &Msg) -> Result<(), AppError> {
    match msg {
        Msg::Send(m) => {
            parse_addr(&m.from_address, "from_address")?;
            parse_addr(&m.to_address, "to_address")?;
            let coins = parse_coins(&m.amount)?;
            if coins.is_empty() {
                return Err(AppError::InvalidCoins("send amount is empty".into()));
            }
            Ok(())
        }
        Msg::MultiSend(m) => validate_multi_send(m),
        other => Err(crate::unrouted(super::NAME, other)),
    }
}

/// One input; at least one output, none empty; inputs equal outputs.
fn validate_multi_send(
    m: &dcloud_proto::cosmos::cosmos::bank::v1beta1::MsgMultiSend,
) -> Result<(), AppError> {
    if m.inputs.len() != 1 {
        return Err(AppError::InvalidRequest(format!(
            "multi-send needs exactly one input, got {}",
            m.inputs.len()
        )));
    }
    if m.outputs.is_empty() {
        return Err(AppError::InvalidRequest("multi-send has no outputs".into()));
    }
    let input = &m.inputs[0];
    parse_addr(&input.address, "inputs[0].address")?;
    let total_in = parse_coins(&input.coins)?;
    let mut total_out = Coins::new();
    for (i, o) in m.outputs.iter().enumerate() {
        parse_addr(&o.address, &format!("outputs[{i}].address"))?;
        let c = parse_coins(&o.coins)?;
        if c.is_empty() {
            return Err(AppError::InvalidCoins(format!("outputs[{i}] is empty")));
        }
        total_out = total_out.checked_add(&c)?;
    }
    if total_in != total_out {
        return Err(AppError::InvalidCoins(format!(
            "multi-send inputs {total_in} do not equal outputs {total_out}"
        )));
    }
    Ok(())
}
