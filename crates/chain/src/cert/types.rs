//! The cert module's records: a published certificate and its state, the facts of a
//! checked certificate, and the list filter.

use dcloud_types::AccAddress;
use serde::{Deserialize, Serialize};

use crate::AppError;

/// Largest accepted certificate or public-key PEM, in bytes.
pub const MAX_PEM_BYTES: usize = 8 * 1024;

/// State of a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CertState {
    /// Usable.
    Valid,
    /// Revoked by its owner (terminal).
    Revoked,
}

impl std::str::FromStr for CertState {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, AppError> {
        match s {
            "valid" => Ok(Self::Valid),
            "revoked" => Ok(Self::Revoked),
            other => Err(AppError::InvalidRequest(format!(
                "unknown certificate state {other:?} (valid or revoked)"
            ))),
        }
    }
}

/// A published certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    /// Owner.
    pub owner: AccAddress,
    /// Serial number, decimal.
    pub serial: String,
    /// State.
    pub state: CertState,
    /// The certificate PEM.
    pub cert: String,
    /// The public key PEM.
    pub pubkey: String,
}

/// The facts of a checked certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCert {
    /// Serial number, decimal.
    pub serial: String,
}

/// A filter for [`list`](crate::cert::list).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertFilter {
    /// Only this owner's.
    #[serde(default)]
    pub owner: Option<String>,
    /// Only in this state (`valid` / `revoked`).
    #[serde(default)]
    pub state: Option<String>,
    /// Only this serial (decimal).
    #[serde(default)]
    pub serial: Option<String>,
}

/// `/cert/list` request.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct CertListReq {
    /// Filters.
    #[serde(flatten)]
    pub filter: CertFilter,
    /// At most this many (default 100, max 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cert_state_parses_its_serde_names() {
        assert_eq!("valid".parse::<CertState>().ok(), Some(CertState::Valid));
        assert_eq!("revoked".parse::<CertState>().ok(), Some(CertState::Revoked));
        assert!("Valid".parse::<CertState>().is_err());
        assert_eq!(serde_json::to_string(&CertState::Revoked).ok().as_deref(), Some("\"revoked\""));
    }
}
