//! The slashing module's typed error: the failures only slashing raises (`MsgUnjail`),
//! under the `slashing` codespace with the Cosmos SDK's codes.

/// The codespace of [`SlashingError`].
pub const CODESPACE: &str = "slashing";

/// A slashing failure. The texts are the SDK's (and must not change: clients match them).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlashingError {
    /// Still jailed (jail time not over, or tombstoned) (slashing 4).
    #[error("validator still jailed; cannot be unjailed: {0}")]
    StillJailed(String),
    /// The validator is not jailed; carries its operator address (slashing 5).
    #[error("validator not jailed; cannot be unjailed: {0}")]
    NotJailed(String),
}

impl SlashingError {
    /// The stable ABCI code (Cosmos SDK numbering).
    pub fn code(&self) -> u32 {
        match self {
            SlashingError::StillJailed(_) => 4,
            SlashingError::NotJailed(_) => 5,
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
        let e: AppError = SlashingError::NotJailed("v".into()).into();
        assert_eq!((e.code(), e.codespace()), (5, "slashing"));
        assert_eq!(e.to_string(), "validator not jailed; cannot be unjailed: v");
        let e: AppError = SlashingError::StillJailed("v".into()).into();
        assert_eq!((e.code(), e.codespace()), (4, "slashing"));
    }
}
