//! The distribution module's typed error: the failures only distribution raises, under the
//! `distribution` codespace with the Cosmos SDK's codes.

/// The codespace of [`DistributionError`].
pub const CODESPACE: &str = "distribution";

/// A distribution failure. The texts are the SDK's (and must not change: clients match
/// them).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DistributionError {
    /// No such delegation or validator distribution info (distribution 2).
    #[error("no distribution info: {0}")]
    NoDistributionInfo(String),
    /// Withdraw-address changes are disabled (distribution 5).
    #[error("set withdraw address disabled: {0}")]
    WithdrawAddressDisabled(String),
}

impl DistributionError {
    /// The stable ABCI code (Cosmos SDK numbering).
    pub fn code(&self) -> u32 {
        match self {
            DistributionError::NoDistributionInfo(_) => 2,
            DistributionError::WithdrawAddressDisabled(_) => 5,
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
        let e: AppError = DistributionError::NoDistributionInfo("x".into()).into();
        assert_eq!((e.code(), e.codespace()), (2, "distribution"));
        assert_eq!(e.to_string(), "no distribution info: x");
        let e: AppError = DistributionError::WithdrawAddressDisabled("y".into()).into();
        assert_eq!((e.code(), e.codespace()), (5, "distribution"));
        assert_eq!(e.to_string(), "set withdraw address disabled: y");
    }
}
