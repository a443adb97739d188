//! `MsgSetWithdrawAddress`: a delegator names the account its rewards go to.

use dcloud_proto::cosmos::cosmos::distribution::v1beta1::MsgSetWithdrawAddress;
use dcloud_store::StateWrite;
use dcloud_types::{AccAddress, Event};

use super::super::events::set_withdraw_address_event;
use super::super::state::{params, set_withdraw_address};
use super::super::DistributionError;
use crate::{auth, AppError};

/// Executes `MsgSetWithdrawAddress` (its stateless checks ran in `validate_basic`).
pub fn handle(
    state: &mut dyn StateWrite,
    m: &MsgSetWithdrawAddress,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    // Withdraw-address changes are enabled.
    if !params(state)?.withdraw_addr_enabled {
        return Err(DistributionError::WithdrawAddressDisabled(
            "withdraw_addr_enabled is false".into(),
        )
        .into());
    }
    let d: AccAddress = m
        .delegator_address
        .parse()
        .map_err(|e| AppError::InvalidAddress(format!("delegator_address: {e}")))?;
    let w: AccAddress = m
        .withdraw_address
        .parse()
        .map_err(|e| AppError::InvalidAddress(format!("withdraw_address: {e}")))?;
    // A module account cannot receive rewards.
    if auth::is_module_address(&w) {
        return Err(AppError::Unauthorized(format!(
            "{w} is a module account and cannot receive rewards"
        )));
    }
    set_withdraw_address(state, &d, &w);
    events.push(set_withdraw_address_event(&w));
    Ok(())
}
