//! The modules' part of the genesis document (`app_state`): one section per module. Each
//! module reads and checks its own section (see [`crate::Module::init_genesis`]).

use serde::{Deserialize, Serialize};

use crate::auth::AuthGenesis;
use crate::bank::BankGenesis;

/// Module genesis states.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppGenesis {
    /// Auth.
    #[serde(default)]
    pub auth: AuthGenesis,
    /// Bank.
    #[serde(default)]
    pub bank: BankGenesis,
    /// Deployment params (defaults when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment: Option<crate::deployment::DeploymentParams>,
    /// Market params (defaults when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market: Option<crate::market::MarketParams>,
    /// Escrow params (defaults when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escrow: Option<crate::escrow::EscrowParams>,
    /// Oracle params and initial prices (defaults, no sources, when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oracle: Option<crate::oracle::OracleGenesis>,
    /// BME params (defaults when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bme: Option<crate::bme::BmeParams>,
    /// Staking: params, validators and delegations. Present = a proof-of-stake chain (the
    /// staking active set is the consensus set; mint and distribution run); absent = the
    /// fixed `validators` set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staking: Option<crate::staking::StakingGenesis>,
    /// Mint params and minter (defaults when absent; only with staking).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mint: Option<crate::mint::MintGenesis>,
    /// Distribution params (defaults when absent; only with staking).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<crate::distribution::DistributionParams>,
    /// Gov genesis (defaults when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gov: Option<crate::gov::GovGenesis>,
    /// Slashing params (defaults when absent; only with staking).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slashing: Option<crate::slashing::SlashingParams>,
}
