//! `MsgSend`: one user-initiated send.

use dcloud_proto::cosmos::cosmos::bank::v1beta1::MsgSend;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use crate::bank::send_checked;
use crate::{parse_addr, parse_coins, AppError};

/// Executes `MsgSend` (send-enabled denoms only, never to a module account).
pub fn deliver_send(
    state: &mut dyn StateWrite,
    m: &MsgSend,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let from = parse_addr(&m.from_address, "from_address")?;
    let to = parse_addr(&m.to_address, "to_address")?;
    send_checked(state, &from, &to, &parse_coins(&m.amount)?, events)
}
