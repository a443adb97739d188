//! [`AuthzError`]: the errors only the authz module raises (codespace `authz`).

/// The authz codespace.
pub const CODESPACE: &str = "authz";

/// An authz error; the numbers are the Cosmos SDK authz codes.
#[derive(Debug, thiserror::Error)]
pub enum AuthzError {
    /// No such grant (authz 2).
    #[error("authorization not found: {0}")]
    NotFound(String),
    /// An expiration not after the block time (authz 3).
    #[error("expiration time of authorization should be more than current time: {0}")]
    InvalidExpiration(String),
    /// An authorization type the chain does not support (authz 4).
    #[error("unknown authorization type: {0}")]
    UnknownType(String),
    /// Granter and grantee are the same (authz 7).
    #[error("grantee and granter should be different: {0}")]
    GranteeIsGranter(String),
}

impl AuthzError {
    /// The stable ABCI code under [`CODESPACE`].
    pub fn code(&self) -> u32 {
        match self {
            AuthzError::NotFound(_) => 2,
            AuthzError::InvalidExpiration(_) => 3,
            AuthzError::UnknownType(_) => 4,
            AuthzError::GranteeIsGranter(_) => 7,
        }
    }

    /// The codespace of the code.
    pub fn codespace(&self) -> &'static str {
        CODESPACE
    }
}
