//! `MsgCreateValidator`: a new validator with its commission, consensus key and self
//! delegation.

use dcloud_proto::cosmos::cosmos::staking::v1beta1::MsgCreateValidator;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use super::super::msg::{bond_amount, msg_pubkey};
use super::super::ops::{create_validator, NewValidator};
use super::super::StakingError;
use super::super::{parse_valoper, Description, StakingParams};
use crate::dec::parse_rate;
use crate::{AppError, BlockCtx};

/// Executes `MsgCreateValidator` (its stateless checks ran in `validate_basic`); the
/// stateful checks (commission within the params, operator and key unused, self delegation
/// at least the minimum) are in [`create_validator`].
pub fn handle(
    state: &mut dyn StateWrite,
    m: &MsgCreateValidator,
    p: &StakingParams,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let operator = parse_valoper(&m.validator_address, "validator_address")?;
    let c = m
        .commission
        .as_ref()
        .ok_or_else(|| StakingError::InvalidCommission("commission is missing".into()))?;
    let rate = |s: &str| parse_rate(s).map_err(StakingError::InvalidCommission);
    let min_self = if m.min_self_delegation.is_empty() {
        1
    } else {
        m.min_self_delegation.parse().map_err(|_| {
            StakingError::InvalidStaking(format!(
                "malformed min_self_delegation {:?}",
                m.min_self_delegation
            ))
        })?
    };
    let d = m.description.clone().unwrap_or_default();
    create_validator(
        state,
        ctx,
        NewValidator {
            operator,
            pubkey: msg_pubkey(m.pubkey.as_ref())?,
            description: Description {
                moniker: d.moniker,
                identity: d.identity,
                website: d.website,
                security_contact: d.security_contact,
                details: d.details,
            },
            rate: rate(&c.rate)?,
            max_rate: rate(&c.max_rate)?,
            max_change_rate: rate(&c.max_change_rate)?,
            min_self_delegation: min_self,
            self_delegation: bond_amount(m.value.as_ref(), p, "value")?,
        },
        events,
    )
}
