//! The cert module's errors (codespace `cert`).

/// An error only the cert module raises.
#[derive(Debug, thiserror::Error)]
pub enum CertError {
    /// Malformed PEM or X.509, wrong key type, bad signature (cert 2).
    #[error("invalid certificate: {0}")]
    Invalid(String),
    /// The subject common name is not the owner's address (cert 3).
    #[error("certificate subject CN does not match the owner: {0}")]
    CnMismatch(String),
    /// (owner, serial) already published, in any state (cert 4).
    #[error("certificate already exists: {0}")]
    Exists(String),
    /// No such certificate (cert 5).
    #[error("certificate not found: {0}")]
    NotFound(String),
    /// Already revoked (cert 6).
    #[error("certificate already revoked: {0}")]
    Revoked(String),
}

impl CertError {
    /// The module's codespace.
    pub const CODESPACE: &'static str = "cert";

    /// The stable ABCI code under [`Self::CODESPACE`].
    pub fn code(&self) -> u32 {
        match self {
            CertError::Invalid(_) => 2,
            CertError::CnMismatch(_) => 3,
            CertError::Exists(_) => 4,
            CertError::NotFound(_) => 5,
            CertError::Revoked(_) => 6,
        }
    }

    /// The codespace of the code.
    pub fn codespace(&self) -> &'static str {
        Self::CODESPACE
    }
}
