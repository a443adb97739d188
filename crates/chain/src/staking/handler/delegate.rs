//! `MsgDelegate`: tokens from the delegator's balance become shares of a validator.

use dcloud_proto::cosmos::cosmos::staking::v1beta1::MsgDelegate;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use super::super::msg::{bond_amount, parse_acc};
use super::super::ops::{delegate, Source};
use super::super::state::must_validator;
use super::super::{parse_valoper, StakingParams};
use crate::{AppError, BlockCtx};

/// Executes `MsgDelegate` (its stateless checks ran in `validate_basic`).
pub fn handle(
    state: &mut dyn StateWrite,
    m: &MsgDelegate,
    p: &StakingParams,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let del = parse_acc(&m.delegator_address, "delegator_address")?;
    let val = parse_valoper(&m.validator_address, "validator_address")?;
    let amount = bond_amount(m.amount.as_ref(), p, "amount")?;
    // The validator exists.
    must_validator(state, &val)?;
    delegate(state, ctx, &del, &val, amount, Source::Account, events).map(|_| ())
}
