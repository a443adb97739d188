//! [`GovError`]: the errors only the gov module raises (codespace `gov`, Cosmos SDK numbers).

/// The gov codespace.
pub const CODESPACE: &str = "gov";

/// A gov error.
#[derive(Debug, thiserror::Error)]
pub enum GovError {
    /// No such proposal (gov 2).
    #[error("unknown proposal: {0}")]
    UnknownProposal(String),
    /// The proposal is not in the right period (gov 3).
    #[error("inactive proposal: {0}")]
    InactiveProposal(String),
    /// A proposal's content or messages are invalid (gov 5).
    #[error("invalid proposal content: {0}")]
    InvalidProposal(String),
    /// An invalid vote option or weight (gov 7).
    #[error("invalid vote option: {0}")]
    InvalidVote(String),
    /// A governance-only message not signed by the gov module account (gov 12).
    #[error("expected gov account as only signer for proposal message: {0}")]
    InvalidSigner(String),
    /// The initial deposit is below the minimum (gov 14).
    #[error("minimum deposit is too small: {0}")]
    MinDepositTooSmall(String),
}

impl GovError {
    /// The stable ABCI code under [`CODESPACE`].
    pub fn code(&self) -> u32 {
        match self {
            GovError::UnknownProposal(_) => 2,
            GovError::InactiveProposal(_) => 3,
            GovError::InvalidProposal(_) => 5,
            GovError::InvalidVote(_) => 7,
            GovError::InvalidSigner(_) => 12,
            GovError::MinDepositTooSmall(_) => 14,
        }
    }

    /// The codespace of the code.
    pub fn codespace(&self) -> &'static str {
        CODESPACE
    }
}
