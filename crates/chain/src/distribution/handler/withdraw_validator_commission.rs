//! `MsgWithdrawValidatorCommission`: a validator's whole micro-units of commission are
//! paid to its withdraw address.

use dcloud_proto::cosmos::cosmos::distribution::v1beta1::MsgWithdrawValidatorCommission;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use super::super::events::withdraw_commission_event;
use super::super::rewards::pay;
use super::super::state::*;
use super::super::DistributionError;
use crate::dec::{self, ATTO};
use crate::{staking, AppError};

/// Executes `MsgWithdrawValidatorCommission` (its stateless checks ran in `validate_basic`).
pub fn handle(
    state: &mut dyn StateWrite,
    m: &MsgWithdrawValidatorCommission,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let v = staking::parse_valoper(&m.validator_address, "validator_address")?;
    // The validator exists.
    if staking::get_validator(state, &v)?.is_none() {
        return Err(AppError::ValidatorNotFound(m.validator_address.clone()));
    }
    let mut vd = validator_dist(state, &v)?;
    let whole = vd.commission / ATTO;
    // At least one micro-unit of commission.
    if whole == 0 {
        return Err(DistributionError::NoDistributionInfo(
            "no validator commission to withdraw".into(),
        )
        .into());
    }
    vd.commission -= whole * ATTO;
    vd.outstanding = dec::sub(vd.outstanding, whole * ATTO, "outstanding")?;
    set_validator_dist(state, &v, &vd)?;
    let to = withdraw_address(state, &v)?;
    pay(state, &to, whole, events)?;
    let mut fp = fee_pool(state)?;
    fp.total_released = dec::add(fp.total_released, whole * ATTO)?;
    fp.total_paid = dec::add(fp.total_paid, whole)?;
    set_fee_pool(state, &fp)?;
    events.push(withdraw_commission_event(whole, &m.validator_address));
    Ok(())
}
