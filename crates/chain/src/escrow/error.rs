//! `EscrowError`: the errors only the escrow module raises, under the `escrow`
//! codespace with the Akash `x/escrow` codes. Converted into [`AppError`](crate::AppError) by `?`.

/// The escrow module's codespace.
pub const CODESPACE: &str = "escrow";

/// An error only the escrow module raises.
#[derive(Debug, thiserror::Error)]
pub enum EscrowError {
    /// Escrow account not found (escrow 2).
    #[error("escrow account not found: {0}")]
    EscrowAccountNotFound(String),
    /// Escrow account closed (escrow 3).
    #[error("escrow account closed: {0}")]
    EscrowAccountClosed(String),
    /// Escrow denom mismatch (escrow 4).
    #[error("escrow denom mismatch: {0}")]
    EscrowDenom(String),
}

impl EscrowError {
    /// The ABCI code under [`CODESPACE`] (stable: changing one is a breaking change).
    pub fn code(&self) -> u32 {
        match self {
            EscrowError::EscrowAccountNotFound(_) => 2,
            EscrowError::EscrowAccountClosed(_) => 3,
            EscrowError::EscrowDenom(_) => 4,
        }
    }

    /// The codespace, `escrow`.
    pub fn codespace(&self) -> &'static str {
        CODESPACE
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AppError;

    #[test]
    fn text_code_and_codespace_survive_the_conversion() {
        let e: AppError = EscrowError::EscrowDenom("x".into()).into();
        assert_eq!(e.to_string(), "escrow denom mismatch: x");
        assert_eq!((e.code(), e.codespace()), (4, "escrow"));
    }
}
