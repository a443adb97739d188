//! The provider module's errors (codespace `provider`).

/// An error only the provider module raises.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The signer is already registered (provider 2).
    #[error("provider already exists: {0}")]
    Exists(String),
    /// No such provider (provider 3).
    #[error("provider not found: {0}")]
    NotFound(String),
    /// A host URI that is not `https://host[:port]` (provider 4).
    #[error("invalid provider host URI: {0}")]
    InvalidUri(String),
    /// Malformed, duplicate or too many attributes (provider 5).
    #[error("invalid attributes: {0}")]
    InvalidAttributes(String),
    /// Malformed e-mail or website (provider 6).
    #[error("invalid provider info: {0}")]
    InvalidInfo(String),
}

impl ProviderError {
    /// The module's codespace.
    pub const CODESPACE: &'static str = "provider";

    /// The stable ABCI code under [`Self::CODESPACE`].
    pub fn code(&self) -> u32 {
        match self {
            ProviderError::Exists(_) => 2,
            ProviderError::NotFound(_) => 3,
            ProviderError::InvalidUri(_) => 4,
            ProviderError::InvalidAttributes(_) => 5,
            ProviderError::InvalidInfo(_) => 6,
        }
    }

    /// The codespace of the code.
    pub fn codespace(&self) -> &'static str {
        Self::CODESPACE
    }
}
