//! Mint params, their defaults and their rules (the only copy, used by genesis and by gov's
//! param changes).

use dcloud_types::DENOM_AKT;
use serde::{Deserialize, Serialize};

use crate::dec::{dec_str, ATTO};

/// Mint parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MintParams {
    /// The minted denom.
    pub mint_denom: String,
    /// Maximum yearly change of the inflation rate (SDK 13%).
    #[serde(with = "dec_str")]
    pub inflation_rate_change: u128,
    /// Ceiling (Akash mainnet band since 2025: 8%).
    #[serde(with = "dec_str")]
    pub inflation_max: u128,
    /// Floor (Akash: 4%).
    #[serde(with = "dec_str")]
    pub inflation_min: u128,
    /// Bonded ratio the inflation steers toward (SDK 67%).
    #[serde(with = "dec_str")]
    pub goal_bonded: u128,
    /// Blocks per year (6 s blocks: 5,256,000).
    pub blocks_per_year: u64,
}

impl Default for MintParams {
    fn default() -> Self {
        Self {
            mint_denom: DENOM_AKT.into(),
            inflation_rate_change: ATTO * 13 / 100,
            inflation_max: ATTO * 8 / 100,
            inflation_min: ATTO * 4 / 100,
            goal_bonded: ATTO * 67 / 100,
            blocks_per_year: 5_256_000,
        }
    }
}

impl MintParams {
    /// Every problem, prefixed with `at`.
    pub fn validate(&self, at: &str) -> Vec<String> {
        let mut e = Vec::new();
        if self.mint_denom != DENOM_AKT {
            e.push(format!("{at}.mint_denom must be {DENOM_AKT}"));
        }
        if self.inflation_max > ATTO || self.inflation_min > self.inflation_max {
            e.push(format!("{at}: need inflation_min ≤ inflation_max ≤ 1"));
        }
        if self.inflation_rate_change > ATTO {
            e.push(format!("{at}.inflation_rate_change must be at most 1"));
        }
        if self.goal_bonded == 0 || self.goal_bonded > ATTO {
            e.push(format!("{at}.goal_bonded must be in (0, 1]"));
        }
        if self.blocks_per_year == 0 {
            e.push(format!("{at}.blocks_per_year must be positive"));
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_each_rule_is_checked() {
        assert!(MintParams::default().validate("p").is_empty());
        let bad = MintParams {
            mint_denom: "uact".into(),
            inflation_rate_change: ATTO + 1,
            inflation_max: ATTO / 100,
            inflation_min: ATTO / 10,
            goal_bonded: 0,
            blocks_per_year: 0,
        };
        assert_eq!(bad.validate("p").len(), 5);
    }
}
