//! The provider module's records: a provider, its attributes and contact info, the
//! limits on them, and the `/provider/list` answer.

use dcloud_types::AccAddress;
use serde::{Deserialize, Serialize};

/// Most attributes a provider (or an audit record) may carry.
pub const MAX_ATTRIBUTES: usize = 64;
/// Longest attribute value, in bytes.
pub const MAX_ATTRIBUTE_VALUE_LEN: usize = 256;
/// Longest host URI, in bytes.
pub const MAX_HOST_URI_LEN: usize = 256;
/// Longest e-mail or website, in bytes.
pub const MAX_INFO_LEN: usize = 256;

/// A key/value attribute (`region=us-west`, `capabilities/storage/1/class=beta2`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Attribute {
    /// Key.
    pub key: String,
    /// Value.
    pub value: String,
}

/// Contact info of a provider.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderInfo {
    /// Contact e-mail.
    #[serde(default)]
    pub email: String,
    /// Website.
    #[serde(default)]
    pub website: String,
}

/// A registered provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provider {
    /// The provider's account.
    pub owner: AccAddress,
    /// `https://host[:port]` of its API.
    pub host_uri: String,
    /// Self-declared attributes, sorted by key.
    pub attributes: Vec<Attribute>,
    /// Contact info.
    #[serde(default)]
    pub info: ProviderInfo,
}

/// `/provider/list` answer.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ProviderPage {
    /// Providers in address-key order.
    pub providers: Vec<Provider>,
    /// Pass as `start_after` for the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}
