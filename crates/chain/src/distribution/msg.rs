//! Stateless checks of the distribution messages (`validate_basic`).

use dcloud_proto::Msg;
use dcloud_types::AccAddress;

use crate::{staking, AppError};

/// Stateless checks.
pub fn validate_basic(msg: &Msg) -> Result<(), AppError> {
    let acc = |s: &str, f: &str| -> Result<AccAddress, AppError> {
        s.parse().map_err(|e| AppError::InvalidAddress(format!("{f}: {e}")))
    };
    match msg {
        Msg::WithdrawDelegatorReward(m) => {
            acc(&m.delegator_address, "delegator_address")?;
            staking::parse_valoper(&m.validator_address, "validator_address")?;
        }
        Msg::WithdrawValidatorCommission(m) => {
            staking::parse_valoper(&m.validator_address, "validator_address")?;
        }
        Msg::SetWithdrawAddress(m) => {
            acc(&m.delegator_address, "delegator_address")?;
            acc(&m.withdraw_address, "withdraw_address")?;
        }
        Msg::FundCommunityPool(m) => {
            acc(&m.depositor, "depositor")?;
            if crate::parse_coins(&m.amount)?.is_empty() {
                return Err(AppError::InvalidCoins("amount is empty".into()));
            }
        }
        _ => {
            return Err(AppError::UnknownRequest(format!(
                "{} is not a distribution message",
                msg.type_url()
            )))
        }
    }
    Ok(())
}
