//! `dcloud.provider.v1`: providers register their host URI, attributes and contact info.

/// Type URL of [`MsgCreateProvider`].
pub const MSG_CREATE_PROVIDER_URL: &str = "/dcloud.provider.v1.MsgCreateProvider";
/// Type URL of [`MsgUpdateProvider`].
pub const MSG_UPDATE_PROVIDER_URL: &str = "/dcloud.provider.v1.MsgUpdateProvider";

/// A key/value attribute (`region=us-west`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct Attribute {
    /// Key, matching `^[a-zA-Z][\w/.-]{1,126}$`.
    #[prost(string, tag = "1")]
    pub key: String,
    /// Value, non-empty.
    #[prost(string, tag = "2")]
    pub value: String,
}

/// Contact info of a provider.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ProviderInfo {
    /// Contact e-mail (may be empty).
    #[prost(string, tag = "1")]
    pub email: String,
    /// Website (may be empty).
    #[prost(string, tag = "2")]
    pub website: String,
}

/// Registers the signer as a provider.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MsgCreateProvider {
    /// The provider's account (signer).
    #[prost(string, tag = "1")]
    pub owner: String,
    /// `https://host[:port]` of the provider's API.
    #[prost(string, tag = "2")]
    pub host_uri: String,
    /// Self-declared attributes.
    #[prost(message, repeated, tag = "3")]
    pub attributes: Vec<Attribute>,
    /// Contact info.
    #[prost(message, optional, tag = "4")]
    pub info: Option<ProviderInfo>,
}

/// Replaces a provider's host URI, attributes and info wholesale.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MsgUpdateProvider {
    /// The provider's account (signer).
    #[prost(string, tag = "1")]
    pub owner: String,
    /// `https://host[:port]` of the provider's API.
    #[prost(string, tag = "2")]
    pub host_uri: String,
    /// Self-declared attributes.
    #[prost(message, repeated, tag = "3")]
    pub attributes: Vec<Attribute>,
    /// Contact info.
    #[prost(message, optional, tag = "4")]
    pub info: Option<ProviderInfo>,
}
