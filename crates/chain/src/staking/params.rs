//! Staking params, their defaults and their rules (the only copy, used by genesis and by
//! gov's param changes).

use dcloud_types::DENOM_AKT;
use serde::{Deserialize, Serialize};

use crate::dec::{dec_str, ATTO};

/// Staking parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StakingParams {
    /// How long unbonding takes, in ms of block time (default 14 days, Akash).
    pub unbonding_time_ms: u64,
    /// Size of the active set.
    pub max_validators: u32,
    /// Maximum unbonding entries per (delegator, validator), and redelegation entries per
    /// (delegator, src, dst).
    pub max_entries: u32,
    /// The staking denom.
    pub bond_denom: String,
    /// Minimum commission rate of every validator (Akash: 5%).
    #[serde(with = "dec_str")]
    pub min_commission_rate: u128,
}

impl Default for StakingParams {
    fn default() -> Self {
        Self {
            unbonding_time_ms: 14 * 24 * 3600 * 1000,
            max_validators: 100,
            max_entries: 7,
            bond_denom: DENOM_AKT.into(),
            min_commission_rate: ATTO / 20,
        }
    }
}

impl StakingParams {
    /// Every problem, prefixed with `at`.
    pub fn validate(&self, at: &str) -> Vec<String> {
        let mut e = Vec::new();
        if self.unbonding_time_ms == 0 {
            e.push(format!("{at}.unbonding_time_ms must be positive"));
        }
        if self.max_validators == 0 {
            e.push(format!("{at}.max_validators must be positive"));
        }
        if self.max_entries == 0 {
            e.push(format!("{at}.max_entries must be positive"));
        }
        if self.bond_denom != DENOM_AKT {
            e.push(format!("{at}.bond_denom must be {DENOM_AKT}"));
        }
        if self.min_commission_rate > ATTO {
            e.push(format!("{at}.min_commission_rate must be at most 1"));
        }
        e
    }
}
