//! The audit module's errors (codespace `audit`).

/// An error only the audit module raises.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// Malformed, duplicate or too many attributes or keys (audit 2).
    #[error("invalid audit attributes: {0}")]
    InvalidAttributes(String),
    /// The auditor keeps no record on that provider (audit 3).
    #[error("audit record not found: {0}")]
    RecordNotFound(String),
    /// A key the auditor did not sign (audit 4).
    #[error("audited attribute not found: {0}")]
    AttributeNotFound(String),
}

impl AuditError {
    /// The module's codespace.
    pub const CODESPACE: &'static str = "audit";

    /// The stable ABCI code under [`Self::CODESPACE`].
    pub fn code(&self) -> u32 {
        match self {
            AuditError::InvalidAttributes(_) => 2,
            AuditError::RecordNotFound(_) => 3,
            AuditError::AttributeNotFound(_) => 4,
        }
    }

    /// The codespace of the code.
    pub fn codespace(&self) -> &'static str {
        Self::CODESPACE
    }
}
