//! The staking module's typed error: the failures only staking raises, under the
//! `staking` codespace with the Cosmos SDK's codes. `StakingDisabled` and
//! `ValidatorNotFound` stay in [`AppError`](crate::AppError) (gov, slashing,
//! distribution and the REST server raise or match them too).

/// The codespace of [`StakingError`].
pub const CODESPACE: &str = "staking";

/// A staking failure. The texts are the SDK's (and must not change: clients match them).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StakingError {
    /// The operator or the consensus key already has a validator (staking 4).
    #[error("validator already exists: {0}")]
    ValidatorExists(String),
    /// The validator is jailed; carries its operator address (staking 7).
    #[error("validator for this address is currently jailed: {0}")]
    ValidatorJailed(String),
    /// Commission rates out of range (staking 11).
    #[error("invalid commission: {0}")]
    InvalidCommission(String),
    /// The commission was changed less than 24 h ago (staking 12).
    #[error("commission cannot be changed more than once in 24h: {0}")]
    CommissionUpdateTooSoon(String),
    /// The commission change exceeds the validator's max change rate (staking 15).
    #[error("commission change exceeds the max change rate: {0}")]
    CommissionChangeTooLarge(String),
    /// No delegation (staking 19).
    #[error("no delegation for (address, validator) tuple: {0}")]
    DelegationNotFound(String),
    /// More than is delegated (staking 22).
    #[error("invalid shares amount: {0}")]
    InsufficientShares(String),
    /// No unbonding delegation (entry) matches (staking 26).
    #[error("no unbonding delegation found: {0}")]
    NoUnbondingDelegation(String),
    /// Redelegation to the same validator; carries the operator address (staking 31).
    #[error("cannot redelegate to the same validator: {0}")]
    SelfRedelegation(String),
    /// Redelegation from a validator whose incoming redelegation is maturing (staking 33).
    #[error("redelegation to this validator already in progress; first redelegation to this validator must complete before next redelegation: {0}")]
    TransitiveRedelegation(String),
    /// Too many unbonding or redelegation entries (staking 34).
    #[error("too many unbonding delegation entries for (delegator, validator) tuple: {0}")]
    MaxEntries(String),
    /// The amount or the validator's state does not allow it (staking 40).
    #[error("invalid staking request: {0}")]
    InvalidStaking(String),
}

impl StakingError {
    /// The stable ABCI code (Cosmos SDK numbering).
    pub fn code(&self) -> u32 {
        match self {
            StakingError::ValidatorExists(_) => 4,
            StakingError::ValidatorJailed(_) => 7,
            StakingError::InvalidCommission(_) => 11,
            StakingError::CommissionUpdateTooSoon(_) => 12,
            StakingError::CommissionChangeTooLarge(_) => 15,
            StakingError::DelegationNotFound(_) => 19,
            StakingError::InsufficientShares(_) => 22,
            StakingError::NoUnbondingDelegation(_) => 26,
            StakingError::SelfRedelegation(_) => 31,
            StakingError::TransitiveRedelegation(_) => 33,
            StakingError::MaxEntries(_) => 34,
            StakingError::InvalidStaking(_) => 40,
        }
    }

    /// The codespace of the code.
    pub fn codespace(&self) -> &'static str {
        CODESPACE
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AppError;

    #[test]
    fn converts_into_app_error_with_the_same_code_codespace_and_text() {
        let e: AppError = StakingError::MaxEntries("x".into()).into();
        assert_eq!(e.code(), 34);
        assert_eq!(e.codespace(), "staking");
        assert_eq!(
            e.to_string(),
            "too many unbonding delegation entries for (delegator, validator) tuple: x"
        );
        let e: AppError = StakingError::ValidatorJailed("v".into()).into();
        assert_eq!((e.code(), e.codespace()), (7, "staking"));
    }
}
