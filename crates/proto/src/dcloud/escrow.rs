//! `dcloud.escrow.v1`: the deposit authorization granted through `cosmos.authz.v1beta1`.
//!
//! Akash grants `/akash.escrow.v1.DepositAuthorization` keyed by its `MsgAccountDeposit` type
//! URL. dcloud tops up deployments with `/dcloud.deployment.v1.MsgDepositDeployment`, so the
//! grant is keyed by that URL and the authorization is `/dcloud.escrow.v1.DepositAuthorization`
//! (same shape: spend limits per denom, scopes).

/// A coin (`amount` is an integer string of micro-units).
pub use cosmos_sdk_proto::cosmos::base::v1beta1::Coin;

/// Type URL of [`DepositAuthorization`].
pub const DEPOSIT_AUTHORIZATION_URL: &str = "/dcloud.escrow.v1.DepositAuthorization";

/// The escrow account kinds a deposit authorization may fund.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum DepositScope {
    /// Not set (invalid).
    Unspecified = 0,
    /// Deployment escrow accounts.
    Deployment = 1,
    /// Bid deposit escrow accounts.
    Bid = 2,
}

/// Lets the grantee deposit the granter's funds into escrow accounts, up to a spend limit.
#[derive(Clone, PartialEq, prost::Message)]
pub struct DepositAuthorization {
    /// The most the grantee may still spend, per denom.
    #[prost(message, repeated, tag = "1")]
    pub spend_limits: Vec<Coin>,
    /// The account kinds it may fund ([`DepositScope`] values).
    #[prost(enumeration = "DepositScope", repeated, tag = "2")]
    pub scopes: Vec<i32>,
}

/// Where a deposit's funds come from, tried in the listed order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum DepositSource {
    /// Not set (invalid).
    Unspecified = 0,
    /// The signer's own balance.
    Balance = 1,
    /// Deposit authorizations granted to the signer (the granters' balances).
    Grant = 2,
}
