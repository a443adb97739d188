//! `MsgWithdrawDelegatorReward`: a delegation's rewards are paid to its withdraw address.

use dcloud_proto::cosmos::cosmos::distribution::v1beta1::MsgWithdrawDelegatorReward;
use dcloud_store::StateWrite;
use dcloud_types::{AccAddress, Event};

use super::super::hooks::after_delegation_modified;
use super::super::rewards::withdraw_rewards;
use crate::staking::{self, StakingError};
use crate::{AppError, BlockCtx};

/// Executes `MsgWithdrawDelegatorReward` (its stateless checks ran in `validate_basic`).
pub fn handle(
    state: &mut dyn StateWrite,
    m: &MsgWithdrawDelegatorReward,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let d: AccAddress = m
        .delegator_address
        .parse()
        .map_err(|e| AppError::InvalidAddress(format!("delegator_address: {e}")))?;
    let v = staking::parse_valoper(&m.validator_address, "validator_address")?;
    // The validator exists.
    if staking::get_validator(state, &v)?.is_none() {
        return Err(AppError::ValidatorNotFound(m.validator_address.clone()));
    }
    // The delegation exists.
    if staking::get_delegation(state, &d, &v)?.is_none() {
        return Err(StakingError::DelegationNotFound(format!(
            "{d} has no delegation to {}",
            m.validator_address
        ))
        .into());
    }
    withdraw_rewards(state, &d, &v, events)?;
    // The delegation starts again at the current period.
    after_delegation_modified(state, ctx, &d, &v)
}
