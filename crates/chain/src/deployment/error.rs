//! `DeploymentError`: the errors only the deployment module raises, under the `deployment`
//! codespace with the Akash `x/deployment` codes. Converted into [`AppError`](crate::AppError) by `?`.

/// The deployment module's codespace.
pub const CODESPACE: &str = "deployment";

/// An error only the deployment module raises.
#[derive(Debug, thiserror::Error)]
pub enum DeploymentError {
    /// Deployment already exists (deployment 2).
    #[error("deployment already exists: {0}")]
    DeploymentExists(String),
    /// Deployment not found (deployment 3).
    #[error("deployment not found: {0}")]
    DeploymentNotFound(String),
    /// Deployment closed (deployment 4).
    #[error("deployment closed: {0}")]
    DeploymentClosed(String),
    /// Invalid groups (deployment 5).
    #[error("invalid groups: {0}")]
    InvalidGroups(String),
    /// Invalid deposit (deployment 6).
    #[error("invalid deposit: {0}")]
    InvalidDeposit(String),
    /// Group not found (deployment 7).
    #[error("group not found: {0}")]
    GroupNotFound(String),
    /// Invalid group state (deployment 8).
    #[error("invalid group state: {0}")]
    GroupState(String),
    /// Invalid deployment hash (deployment 9).
    #[error("invalid deployment hash: {0}")]
    InvalidHash(String),
}

impl DeploymentError {
    /// The ABCI code under [`CODESPACE`] (stable: changing one is a breaking change).
    pub fn code(&self) -> u32 {
        match self {
            DeploymentError::DeploymentExists(_) => 2,
            DeploymentError::DeploymentNotFound(_) => 3,
            DeploymentError::DeploymentClosed(_) => 4,
            DeploymentError::InvalidGroups(_) => 5,
            DeploymentError::InvalidDeposit(_) => 6,
            DeploymentError::GroupNotFound(_) => 7,
            DeploymentError::GroupState(_) => 8,
            DeploymentError::InvalidHash(_) => 9,
        }
    }

    /// The codespace, `deployment`.
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
        let e: AppError = DeploymentError::InvalidHash("x".into()).into();
        assert_eq!(e.to_string(), "invalid deployment hash: x");
        assert_eq!((e.code(), e.codespace()), (9, "deployment"));
    }
}
