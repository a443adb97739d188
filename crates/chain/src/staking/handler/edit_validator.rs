//! `MsgEditValidator`: the operator changes its description, commission rate or minimum
//! self delegation.

use dcloud_proto::cosmos::cosmos::staking::v1beta1::MsgEditValidator;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use super::super::state::{must_validator, set_validator};
use super::super::StakingError;
use super::super::{
    parse_valoper, Description, StakingParams, Validator, COMMISSION_CHANGE_INTERVAL_MS,
};
use crate::dec::{self, parse_rate};
use crate::{AppError, BlockCtx};

/// Executes `MsgEditValidator` (its stateless checks ran in `validate_basic`).
pub fn handle(
    state: &mut dyn StateWrite,
    m: &MsgEditValidator,
    p: &StakingParams,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let op = parse_valoper(&m.validator_address, "validator_address")?;
    let mut v = must_validator(state, &op)?;
    if let Some(d) = &m.description {
        edit_description(&mut v, d);
    }
    if !m.commission_rate.is_empty() {
        let new = parse_rate(&m.commission_rate).map_err(StakingError::InvalidCommission)?;
        check_commission_change(&v, new, p, ctx)?;
        v.commission.rate = new;
        v.commission.update_time_ms = ctx.time_ms;
    }
    if !m.min_self_delegation.is_empty() {
        let n: u128 = m
            .min_self_delegation
            .parse()
            .map_err(|_| StakingError::InvalidStaking("malformed min_self_delegation".into()))?;
        // The minimum self delegation only grows.
        if n <= v.min_self_delegation {
            return Err(StakingError::InvalidStaking(
                "minimum self delegation can only be increased".into(),
            )
            .into());
        }
        // It cannot exceed what the validator has.
        if n > v.tokens {
            return Err(StakingError::InvalidStaking(
                "minimum self delegation cannot exceed the validator's tokens".into(),
            )
            .into());
        }
        v.min_self_delegation = n;
    }
    set_validator(state, &v)?;
    events.push(
        Event::new("edit_validator")
            .attr("validator", &v.operator_address)
            .attr("commission_rate", dec::fmt_dec18(v.commission.rate)),
    );
    Ok(())
}

/// Cosmos leaves fields "[do-not-modify]" unchanged; empty ones likewise here.
fn edit_description(
    v: &mut Validator,
    d: &dcloud_proto::cosmos::cosmos::staking::v1beta1::Description,
) {
    let keep = |new: &str, old: &str| {
        if new.is_empty() || new == "[do-not-modify]" {
            old.to_string()
        } else {
            new.to_string()
        }
    };
    v.description = Description {
        moniker: keep(&d.moniker, &v.description.moniker),
        identity: keep(&d.identity, &v.description.identity),
        website: keep(&d.website, &v.description.website),
        security_contact: keep(&d.security_contact, &v.description.security_contact),
        details: keep(&d.details, &v.description.details),
    };
}

/// The rules of a commission change.
fn check_commission_change(
    v: &Validator,
    new: u128,
    p: &StakingParams,
    ctx: &BlockCtx,
) -> Result<(), AppError> {
    let c = &v.commission;
    // At most one change per 24 h of block time.
    if ctx.time_ms < c.update_time_ms.saturating_add(COMMISSION_CHANGE_INTERVAL_MS) {
        return Err(StakingError::CommissionUpdateTooSoon(format!(
            "last change at {} ms, next allowed at {} ms",
            c.update_time_ms,
            c.update_time_ms.saturating_add(COMMISSION_CHANGE_INTERVAL_MS)
        ))
        .into());
    }
    // Never above the validator's max rate.
    if new > c.max_rate {
        return Err(StakingError::InvalidCommission(format!(
            "commission rate {} is above the max rate {}",
            dec::fmt_dec18(new),
            dec::fmt_dec18(c.max_rate)
        ))
        .into());
    }
    // Never below the chain's minimum.
    if new < p.min_commission_rate {
        return Err(StakingError::InvalidCommission(format!(
            "commission rate {} is below the minimum commission rate {}",
            dec::fmt_dec18(new),
            dec::fmt_dec18(p.min_commission_rate)
        ))
        .into());
    }
    // At most the max change rate per change.
    if new.abs_diff(c.rate) > c.max_change_rate {
        return Err(StakingError::CommissionChangeTooLarge(format!(
            "{} → {} exceeds {} per day",
            dec::fmt_dec18(c.rate),
            dec::fmt_dec18(new),
            dec::fmt_dec18(c.max_change_rate)
        ))
        .into());
    }
    Ok(())
}
