//! [`GovParams`]: the governance-tunable gov params, their defaults and their rules.

use dcloud_types::dec::dec_str;
use dcloud_types::ATTO;
use serde::{Deserialize, Serialize};

/// Gov parameters (Akash mainnet values as defaults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GovParams {
    /// Deposit (uakt) needed to enter the voting period.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub min_deposit: u128,
    /// Share of `min_deposit` the proposer must deposit on submission.
    #[serde(with = "dec_str")]
    pub min_initial_deposit_ratio: u128,
    /// How long (ms) a proposal may collect deposits.
    pub max_deposit_period_ms: u64,
    /// How long (ms) voting lasts (block time).
    pub voting_period_ms: u64,
    /// Minimum turnout (share of bonded stake).
    #[serde(with = "dec_str")]
    pub quorum: u128,
    /// Minimum yes share of the non-abstain votes to pass.
    #[serde(with = "dec_str")]
    pub threshold: u128,
    /// No-with-veto share of the turnout above which the proposal is vetoed.
    #[serde(with = "dec_str")]
    pub veto_threshold: u128,
    /// Burn the deposits of a vetoed proposal.
    pub burn_vote_veto: bool,
    /// Burn the deposits of a proposal that misses quorum.
    pub burn_vote_quorum: bool,
    /// Burn the deposits of a proposal that never reaches the voting period.
    pub burn_proposal_deposit_prevote: bool,
}

impl Default for GovParams {
    fn default() -> Self {
        Self {
            min_deposit: 2_500_000_000,
            min_initial_deposit_ratio: ATTO * 40 / 100,
            max_deposit_period_ms: 14 * 24 * 3600 * 1000,
            voting_period_ms: 3 * 24 * 3600 * 1000,
            quorum: ATTO * 20 / 100,
            threshold: ATTO / 2,
            veto_threshold: ATTO * 334 / 1000,
            burn_vote_veto: true,
            burn_vote_quorum: false,
            burn_proposal_deposit_prevote: false,
        }
    }
}

impl GovParams {
    /// Every problem, prefixed with `at`.
    pub fn validate(&self, at: &str) -> Vec<String> {
        let mut e = Vec::new();
        if self.min_deposit == 0 {
            e.push(format!("{at}.min_deposit must be positive"));
        }
        if self.min_initial_deposit_ratio > ATTO {
            e.push(format!("{at}.min_initial_deposit_ratio must be at most 1"));
        }
        if self.max_deposit_period_ms == 0 {
            e.push(format!("{at}.max_deposit_period_ms must be positive"));
        }
        if self.voting_period_ms == 0 {
            e.push(format!("{at}.voting_period_ms must be positive"));
        }
        for (n, v) in [
            ("quorum", self.quorum),
            ("threshold", self.threshold),
            ("veto_threshold", self.veto_threshold),
        ] {
            if v == 0 || v > ATTO {
                e.push(format!("{at}.{n} must be in (0, 1]"));
            }
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_ratios_are_bounded() {
        assert!(GovParams::default().validate("p").is_empty());
        let p = GovParams { quorum: 0, threshold: ATTO + 1, ..Default::default() };
        assert_eq!(
            p.validate("p"),
            vec!["p.quorum must be in (0, 1]", "p.threshold must be in (0, 1]"]
        );
    }
}
