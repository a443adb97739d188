//! [`BmeError`]: the errors only the BME module raises (codespace `bme`).

/// The BME codespace.
pub const CODESPACE: &str = "bme";

/// A BME error.
#[derive(Debug, thiserror::Error)]
pub enum BmeError {
    /// Mints are halted by the circuit breaker (bme 2).
    #[error("circuit breaker is active: {0}")]
    CircuitBreakerActive(String),
    /// A denom pair other than uakt↔uact (bme 3).
    #[error("invalid denom: {0}")]
    InvalidDenom(String),
    /// The conversion would mint less than the minimum (bme 4).
    #[error("below minimum mint: {0}")]
    BelowMinimumMint(String),
    /// The conversion rounds to nothing (bme 5).
    #[error("amount too small to convert: {0}")]
    ConversionEpsilon(String),
}

impl BmeError {
    /// The stable ABCI code under [`CODESPACE`].
    pub fn code(&self) -> u32 {
        match self {
            BmeError::CircuitBreakerActive(_) => 2,
            BmeError::InvalidDenom(_) => 3,
            BmeError::BelowMinimumMint(_) => 4,
            BmeError::ConversionEpsilon(_) => 5,
        }
    }

    /// The codespace of the code.
    pub fn codespace(&self) -> &'static str {
        CODESPACE
    }
}
