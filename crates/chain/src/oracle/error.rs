//! [`OracleError`]: the errors only the oracle module raises (codespace `oracle`).

/// The oracle codespace.
pub const CODESPACE: &str = "oracle";

/// An oracle error.
#[derive(Debug, thiserror::Error)]
pub enum OracleError {
    /// The signer is not an authorised price source (oracle 2).
    #[error("not authorized oracle provider: {0}")]
    Unauthorized(String),
    /// A malformed, zero or out-of-range price, or an unsupported pair (oracle 3).
    #[error("invalid price: {0}")]
    InvalidPrice(String),
    /// The aggregated price is stale, deviating or absent (oracle 4).
    #[error("oracle price unavailable: {0}")]
    PriceUnavailable(String),
    /// A timestamp older than the source's latest, or too far in the future (oracle 5).
    #[error("invalid price timestamp: {0}")]
    PriceTimestamp(String),
}

impl OracleError {
    /// The stable ABCI code under [`CODESPACE`].
    pub fn code(&self) -> u32 {
        match self {
            OracleError::Unauthorized(_) => 2,
            OracleError::InvalidPrice(_) => 3,
            OracleError::PriceUnavailable(_) => 4,
            OracleError::PriceTimestamp(_) => 5,
        }
    }

    /// The codespace of the code.
    pub fn codespace(&self) -> &'static str {
        CODESPACE
    }
}
