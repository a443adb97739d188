//! `dcloud.bme.v1`: Burn-Mint Equilibrium — AKT ↔ ACT conversion through the vault.
//!
//! Field numbers follow Akash's `akash.bme.v1` where they exist.

pub use super::deployment::Coin;

/// Type URL of [`MsgMintAct`].
pub const MSG_MINT_ACT_URL: &str = "/dcloud.bme.v1.MsgMintACT";
/// Type URL of [`MsgBurnAct`].
pub const MSG_BURN_ACT_URL: &str = "/dcloud.bme.v1.MsgBurnACT";
/// Type URL of [`MsgBurnMint`].
pub const MSG_BURN_MINT_URL: &str = "/dcloud.bme.v1.MsgBurnMint";
/// Type URL of [`MsgFundVault`].
pub const MSG_FUND_VAULT_URL: &str = "/dcloud.bme.v1.MsgFundVault";

/// Queue a conversion of `coins_to_burn` uakt into uact at the oracle price.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MsgMintAct {
    /// Owner (signer); pays the AKT.
    #[prost(string, tag = "1")]
    pub owner: String,
    /// Recipient of the ACT; must equal `owner`.
    #[prost(string, tag = "2")]
    pub to: String,
    /// AKT to convert (denom `uakt`).
    #[prost(message, optional, tag = "3")]
    pub coins_to_burn: Option<Coin>,
}

/// Queue a conversion of `coins_to_burn` uact back into uakt at the oracle price.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MsgBurnAct {
    /// Owner (signer); pays the ACT.
    #[prost(string, tag = "1")]
    pub owner: String,
    /// Recipient of the AKT; must equal `owner`.
    #[prost(string, tag = "2")]
    pub to: String,
    /// ACT to convert (denom `uact`).
    #[prost(message, optional, tag = "3")]
    pub coins_to_burn: Option<Coin>,
}

/// The generic form: burn `coins_to_burn`, mint `denom_to_mint` (only uakt↔uact).
#[derive(Clone, PartialEq, prost::Message)]
pub struct MsgBurnMint {
    /// Owner (signer).
    #[prost(string, tag = "1")]
    pub owner: String,
    /// Recipient; must equal `owner`.
    #[prost(string, tag = "2")]
    pub to: String,
    /// Coins to burn.
    #[prost(message, optional, tag = "3")]
    pub coins_to_burn: Option<Coin>,
    /// Denom to mint.
    #[prost(string, tag = "4")]
    pub denom_to_mint: String,
}

/// The BME authority moves AKT from `source` into the vault (collateral without remint
/// credits).
#[derive(Clone, PartialEq, prost::Message)]
pub struct MsgFundVault {
    /// The BME authority (signer).
    #[prost(string, tag = "1")]
    pub authority: String,
    /// AKT to add (denom `uakt`).
    #[prost(message, optional, tag = "2")]
    pub amount: Option<Coin>,
    /// The account the AKT comes from: a non-module account, today the authority itself.
    #[prost(string, tag = "3")]
    pub source: String,
}
