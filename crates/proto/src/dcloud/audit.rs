//! `dcloud.audit.v1`: auditors sign attributes of providers.

use super::provider::Attribute;

/// Type URL of [`MsgSignProviderAttributes`].
pub const MSG_SIGN_PROVIDER_ATTRIBUTES_URL: &str = "/dcloud.audit.v1.MsgSignProviderAttributes";
/// Type URL of [`MsgDeleteProviderAttributes`].
pub const MSG_DELETE_PROVIDER_ATTRIBUTES_URL: &str = "/dcloud.audit.v1.MsgDeleteProviderAttributes";

/// The auditor (signer) vouches for attributes of a provider; merged into its record.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MsgSignProviderAttributes {
    /// The provider audited.
    #[prost(string, tag = "1")]
    pub owner: String,
    /// The auditor (signer).
    #[prost(string, tag = "2")]
    pub auditor: String,
    /// Attributes to add or overwrite.
    #[prost(message, repeated, tag = "3")]
    pub attributes: Vec<Attribute>,
}

/// The auditor (signer) withdraws attributes it signed; no keys withdraws all.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MsgDeleteProviderAttributes {
    /// The provider audited.
    #[prost(string, tag = "1")]
    pub owner: String,
    /// The auditor (signer).
    #[prost(string, tag = "2")]
    pub auditor: String,
    /// Keys to withdraw (each must be signed); empty withdraws the whole record.
    #[prost(string, repeated, tag = "3")]
    pub keys: Vec<String>,
}
