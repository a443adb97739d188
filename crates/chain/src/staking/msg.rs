//! Stateless checks of the staking messages (`validate_basic`) and the parsers the handlers
//! share with them.

use dcloud_proto::cosmos::cosmos::base::v1beta1::Coin as ProtoCoin;
use dcloud_proto::Msg;
use dcloud_types::AccAddress;

use super::StakingError;
use super::{parse_valoper, StakingParams};
use crate::dec::{self, parse_rate, ATTO};
use crate::AppError;

/// Checks commission rates: `rate ≤ max ≤ 1`, `change ≤ max`, `rate ≥ min`.
pub(crate) fn check_commission(
    rate: u128,
    max: u128,
    change: u128,
    min: u128,
) -> Result<(), AppError> {
    if max > ATTO {
        return Err(StakingError::InvalidCommission("max rate cannot exceed 1".into()).into());
    }
    if rate > max {
        return Err(StakingError::InvalidCommission(format!(
            "commission rate {} is above the max rate {}",
            dec::fmt_dec18(rate),
            dec::fmt_dec18(max)
        ))
        .into());
    }
    if change > max {
        return Err(StakingError::InvalidCommission(format!(
            "max change rate {} is above the max rate {}",
            dec::fmt_dec18(change),
            dec::fmt_dec18(max)
        ))
        .into());
    }
    if rate < min {
        return Err(StakingError::InvalidCommission(format!(
            "commission rate {} is below the minimum commission rate {}",
            dec::fmt_dec18(rate),
            dec::fmt_dec18(min)
        ))
        .into());
    }
    Ok(())
}

#[cfg_attr(not(feature = "state"), allow(dead_code))]
pub(crate) fn bond_amount(
    c: Option<&ProtoCoin>,
    p: &StakingParams,
    field: &str,
) -> Result<u128, AppError> {
    let c = c.ok_or_else(|| AppError::InvalidCoins(format!("{field} is missing")))?;
    if c.denom != p.bond_denom {
        return Err(AppError::InvalidCoins(format!(
            "{field}: invalid coin denomination {:?}, expected {}",
            c.denom, p.bond_denom
        )));
    }
    let a: u128 = c
        .amount
        .parse()
        .map_err(|_| AppError::InvalidCoins(format!("{field}: malformed amount {:?}", c.amount)))?;
    if a == 0 {
        return Err(AppError::InvalidCoins(format!("{field} must be positive")));
    }
    Ok(a)
}

pub(crate) fn parse_acc(s: &str, field: &str) -> Result<AccAddress, AppError> {
    s.parse().map_err(|e| AppError::InvalidAddress(format!("{field}: {e}")))
}

pub(crate) fn msg_pubkey(any: Option<&dcloud_proto::Any>) -> Result<Vec<u8>, AppError> {
    use dcloud_proto::Message;
    let any = any.ok_or_else(|| AppError::InvalidPubKey("consensus pubkey is missing".into()))?;
    if any.type_url != dcloud_proto::ED25519_PUBKEY_URL {
        return Err(AppError::InvalidPubKey(format!(
            "consensus pubkey must be {}, got {:?}",
            dcloud_proto::ED25519_PUBKEY_URL,
            any.type_url
        )));
    }
    let pk = dcloud_proto::cosmos::cosmos::crypto::ed25519::PubKey::decode(any.value.as_slice())
        .map_err(|e| AppError::InvalidPubKey(format!("consensus pubkey: {e}")))?;
    if pk.key.len() != 32 {
        return Err(AppError::InvalidPubKey("ed25519 keys are 32 bytes".into()));
    }
    Ok(pk.key)
}

/// Stateless checks of the staking messages.
pub fn validate_basic(msg: &Msg) -> Result<(), AppError> {
    match msg {
        Msg::CreateValidator(m) => {
            parse_valoper(&m.validator_address, "validator_address")?;
            msg_pubkey(m.pubkey.as_ref())?;
            let c = m
                .commission
                .as_ref()
                .ok_or_else(|| StakingError::InvalidCommission("commission is missing".into()))?;
            for (s, f) in [
                (&c.rate, "rate"),
                (&c.max_rate, "max_rate"),
                (&c.max_change_rate, "max_change_rate"),
            ] {
                parse_rate(s).map_err(|e| StakingError::InvalidCommission(format!("{f}: {e}")))?;
            }
            if m.description.as_ref().is_none_or(|d| d.moniker.trim().is_empty()) {
                return Err(AppError::InvalidRequest("description.moniker is required".into()));
            }
            if m.value.is_none() {
                return Err(AppError::InvalidCoins("value (self delegation) is missing".into()));
            }
        }
        Msg::EditValidator(m) => {
            parse_valoper(&m.validator_address, "validator_address")?;
            if !m.commission_rate.is_empty() {
                parse_rate(&m.commission_rate).map_err(|e| {
                    StakingError::InvalidCommission(format!("commission_rate: {e}"))
                })?;
            }
        }
        Msg::Delegate(m) => {
            parse_acc(&m.delegator_address, "delegator_address")?;
            parse_valoper(&m.validator_address, "validator_address")?;
        }
        Msg::Undelegate(m) => {
            parse_acc(&m.delegator_address, "delegator_address")?;
            parse_valoper(&m.validator_address, "validator_address")?;
        }
        Msg::BeginRedelegate(m) => {
            parse_acc(&m.delegator_address, "delegator_address")?;
            parse_valoper(&m.validator_src_address, "validator_src_address")?;
            parse_valoper(&m.validator_dst_address, "validator_dst_address")?;
            if m.validator_src_address == m.validator_dst_address {
                return Err(StakingError::SelfRedelegation(m.validator_src_address.clone()).into());
            }
        }
        Msg::CancelUnbondingDelegation(m) => {
            parse_acc(&m.delegator_address, "delegator_address")?;
            parse_valoper(&m.validator_address, "validator_address")?;
            if m.creation_height <= 0 {
                return Err(AppError::InvalidRequest(format!(
                    "creation_height must be positive, got {}",
                    m.creation_height
                )));
            }
            let c = m
                .amount
                .as_ref()
                .ok_or_else(|| AppError::InvalidCoins("amount is missing".into()))?;
            match c.amount.parse::<u128>() {
                Ok(a) if a > 0 => {}
                _ => {
                    return Err(AppError::InvalidCoins(format!(
                        "amount must be a positive integer, got {:?}",
                        c.amount
                    )))
                }
            }
        }
        _ => {
            return Err(AppError::UnknownRequest(format!(
                "{} is not a staking message",
                msg.type_url()
            )))
        }
    }
    Ok(())
}
