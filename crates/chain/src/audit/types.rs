//! The audit module's records: what an auditor signed for a provider.

use dcloud_types::AccAddress;
use serde::{Deserialize, Serialize};

use crate::provider::Attribute;

/// What an auditor signed for a provider (query answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditedAttributes {
    /// The provider.
    pub owner: AccAddress,
    /// The auditor.
    pub auditor: AccAddress,
    /// Signed attributes, sorted by key.
    pub attributes: Vec<Attribute>,
}

/// `/audit/list` request.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct AuditListReq {
    /// Only records on this provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Only records by this auditor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auditor: Option<String>,
    /// At most this many (default 100, max 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}
