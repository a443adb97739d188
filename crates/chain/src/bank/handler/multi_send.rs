//! `MsgMultiSend`: one input paying several outputs, each a user-initiated send.

use dcloud_proto::cosmos::cosmos::bank::v1beta1::MsgMultiSend;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use crate::bank::send_checked;
use crate::{parse_addr, parse_coins, AppError};

/// Executes `MsgMultiSend`: one send per output, in order; the first failure aborts.
pub fn deliver_multi_send(
    state: &mut dyn StateWrite,
    m: &MsgMultiSend,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let input = m.inputs.first().ok_or_else(|| AppError::InvalidRequest("no input".into()))?;
    let from = parse_addr(&input.address, "inputs[0].address")?;
    for o in &m.outputs {
        let to = parse_addr(&o.address, "outputs.address")?;
        send_checked(state, &from, &to, &parse_coins(&o.coins)?, events)?;
    }
    Ok(())
}
