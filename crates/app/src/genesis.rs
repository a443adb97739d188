//! The genesis file: chain id, initial accounts and balances, module params, validators.

use serde::{Deserialize, Serialize};

use crate::modules::auth::AuthGenesis;
use crate::modules::bank::BankGenesis;
use crate::modules::consensus::Validator;

/// The genesis document (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Genesis {
    /// Chain id; every SignDoc binds to it.
    pub chain_id: String,
    /// Genesis time, RFC 3339 (informational; block times come from the driver).
    #[serde(default)]
    pub genesis_time: String,
    /// Height of the first block.
    #[serde(default = "one")]
    pub initial_height: u64,
    /// Block limits.
    #[serde(default)]
    pub consensus_params: ConsensusParams,
    /// The initial validator set.
    #[serde(default)]
    pub validators: Vec<Validator>,
    /// Module states.
    #[serde(default)]
    pub app_state: AppGenesis,
}

fn one() -> u64 {
    1
}

/// Block size limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsensusParams {
    /// Maximum bytes of txs in a block.
    pub max_block_bytes: u64,
    /// Maximum total gas wanted in a block (0 = unlimited).
    pub max_block_gas: u64,
}

impl Default for ConsensusParams {
    fn default() -> Self {
        Self { max_block_bytes: 22 * 1024 * 1024, max_block_gas: 0 }
    }
}

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
    pub deployment: Option<crate::modules::deployment::DeploymentParams>,
    /// Market params (defaults when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market: Option<crate::modules::market::MarketParams>,
    /// Escrow params (defaults when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escrow: Option<crate::modules::escrow::EscrowParams>,
    /// Oracle params and initial prices (defaults, no sources, when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oracle: Option<crate::modules::oracle::OracleGenesis>,
    /// BME params (defaults when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bme: Option<crate::modules::bme::BmeParams>,
    /// Staking: params, validators and delegations. Present = a proof-of-stake chain (the
    /// staking active set is the consensus set; mint and distribution run); absent = the
    /// fixed `validators` set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staking: Option<crate::modules::staking::StakingGenesis>,
    /// Mint params and minter (defaults when absent; only with staking).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mint: Option<crate::modules::mint::MintGenesis>,
    /// Distribution params (defaults when absent; only with staking).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<crate::modules::distribution::DistributionParams>,
    /// Gov genesis (defaults when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gov: Option<crate::modules::gov::GovGenesis>,
    /// Slashing params (defaults when absent; only with staking).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slashing: Option<crate::modules::slashing::SlashingParams>,
}

impl Genesis {
    /// Parses JSON.
    pub fn from_json(s: &str) -> Result<Self, String> {
        serde_json::from_str(s).map_err(|e| format!("genesis is not valid JSON for dcloud: {e}"))
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Every problem found (empty = valid).
    pub fn validate(&self) -> Vec<String> {
        let mut e = Vec::new();
        let cid = &self.chain_id;
        if cid.is_empty()
            || cid.len() > 50
            || !cid
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        {
            e.push(format!("chain_id {cid:?} must be 1-50 characters of [A-Za-z0-9._-]"));
        }
        if self.initial_height == 0 {
            e.push("initial_height must be at least 1".into());
        }
        if self.consensus_params.max_block_bytes == 0 {
            e.push("consensus_params.max_block_bytes must be positive".into());
        }
        if let Some(p) = &self.app_state.deployment {
            if p.min_deposits.is_empty() {
                e.push("app_state.deployment.min_deposits: at least one denom is required".into());
            }
            if p.bid_window == 0 || p.bid_window > p.max_bid_window {
                e.push("app_state.deployment.bid_window must be in 1..=max_bid_window".into());
            }
        }
        if let Some(p) = &self.app_state.market {
            if p.order_max_bids == 0 || p.order_max_bids > 500 {
                e.push("app_state.market.order_max_bids must be in 1..=500".into());
            }
            if p.bid_min_deposits.is_empty() {
                e.push("app_state.market.bid_min_deposits: at least one denom is required".into());
            }
            if p.max_reclamation_window_s <= p.min_reclamation_window_s {
                e.push(
                    "app_state.market.max_reclamation_window_s must exceed min_reclamation_window_s"
                        .into(),
                );
            }
            if p.max_end_block_items == 0 {
                e.push("app_state.market.max_end_block_items must be at least 1".into());
            }
        }
        if let Some(p) = &self.app_state.escrow {
            if p.take_rate_bps > 10_000 {
                e.push("app_state.escrow.take_rate_bps must be at most 10000".into());
            }
        }
        if let Some(o) = &self.app_state.oracle {
            e.extend(o.validate());
        }
        if let Some(p) = &self.app_state.bme {
            e.extend(p.validate("app_state.bme"));
        }
        let staking_vals = self.app_state.staking.as_ref().map_or(0, |s| s.validators.len());
        if self.validators.is_empty() && staking_vals == 0 {
            e.push("validators: at least one validator is required".into());
        }
        if let Some(s) = &self.app_state.staking {
            e.extend(s.validate());
        }
        if let Some(m) = &self.app_state.mint {
            e.extend(m.params.validate("app_state.mint.params"));
        }
        if let Some(d) = &self.app_state.distribution {
            e.extend(d.validate("app_state.distribution"));
        }
        if let Some(s) = &self.app_state.slashing {
            e.extend(s.validate("app_state.slashing"));
        }
        if let Some(g) = &self.app_state.gov {
            e.extend(g.params.validate("app_state.gov.params"));
        }
        let mut vaddrs = std::collections::BTreeSet::new();
        for (i, v) in self.validators.iter().enumerate() {
            use base64::Engine;
            match base64::engine::general_purpose::STANDARD.decode(&v.pub_key) {
                Ok(pk) if pk.len() == 32 => {
                    let want = hex::encode_upper(&dcloud_types::sha256(&pk)[..20]);
                    if !v.address.eq_ignore_ascii_case(&want) {
                        e.push(format!("validators[{i}]: address {} does not match its pub_key (expected {want})", v.address));
                    }
                }
                _ => e.push(format!(
                    "validators[{i}]: pub_key must be a base64 ed25519 key (32 bytes)"
                )),
            }
            if v.power == 0 {
                e.push(format!("validators[{i}]: power must be positive"));
            }
            if !vaddrs.insert(v.address.to_uppercase()) {
                e.push(format!("validators[{i}]: duplicate validator {}", v.address));
            }
        }
        e.extend(self.app_state.auth.params.validate());
        let mut accs = std::collections::BTreeSet::new();
        for (i, a) in self.app_state.auth.accounts.iter().enumerate() {
            if let Err(err) = a.address.parse::<dcloud_types::AccAddress>() {
                e.push(format!("auth.accounts[{i}]: {err}"));
            }
            if !accs.insert(a.address.clone()) {
                e.push(format!("auth.accounts[{i}]: duplicate account {}", a.address));
            }
        }
        e.extend(crate::modules::bank::validate_genesis(&self.app_state.bank));
        e
    }
}
