//! Slashing params, their defaults and their rules (the only copy, used by genesis and by
//! gov's param changes).

use serde::{Deserialize, Serialize};

use crate::dec::{dec_str, ATTO};

/// Slashing parameters (Akash mainnet values as defaults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlashingParams {
    /// Blocks in the liveness window.
    pub signed_blocks_window: u64,
    /// Share of the window a validator must sign.
    #[serde(with = "dec_str")]
    pub min_signed_per_window: u128,
    /// How long (ms) a validator jailed for downtime stays jailed.
    pub downtime_jail_duration_ms: u64,
    /// Share of stake slashed for double signing.
    #[serde(with = "dec_str")]
    pub slash_fraction_double_sign: u128,
    /// Share of stake slashed for downtime.
    #[serde(with = "dec_str")]
    pub slash_fraction_downtime: u128,
    /// Evidence older than this many blocks *and* `evidence_max_age_ms` is ignored
    /// (CometBFT's `max_age_num_blocks`).
    #[serde(default = "default_max_age_blocks")]
    pub evidence_max_age_num_blocks: u64,
    /// Evidence older than this (ms) *and* `evidence_max_age_num_blocks` is ignored
    /// (CometBFT's `max_age_duration`, 48 h).
    #[serde(default = "default_max_age_ms")]
    pub evidence_max_age_ms: u64,
}

fn default_max_age_blocks() -> u64 {
    100_000
}

fn default_max_age_ms() -> u64 {
    48 * 3600 * 1000
}

impl Default for SlashingParams {
    fn default() -> Self {
        Self {
            signed_blocks_window: 30_000,
            min_signed_per_window: ATTO / 20,
            downtime_jail_duration_ms: 60_000,
            slash_fraction_double_sign: ATTO / 20,
            slash_fraction_downtime: ATTO / 10_000,
            evidence_max_age_num_blocks: default_max_age_blocks(),
            evidence_max_age_ms: default_max_age_ms(),
        }
    }
}

impl SlashingParams {
    /// Every problem, prefixed with `at`.
    pub fn validate(&self, at: &str) -> Vec<String> {
        let mut e = Vec::new();
        if self.signed_blocks_window == 0 {
            e.push(format!("{at}.signed_blocks_window must be positive"));
        }
        if self.min_signed_per_window > ATTO {
            e.push(format!("{at}.min_signed_per_window must be at most 1"));
        }
        if self.slash_fraction_double_sign > ATTO {
            e.push(format!("{at}.slash_fraction_double_sign must be at most 1"));
        }
        if self.slash_fraction_downtime > ATTO {
            e.push(format!("{at}.slash_fraction_downtime must be at most 1"));
        }
        if self.evidence_max_age_num_blocks == 0 {
            e.push(format!("{at}.evidence_max_age_num_blocks must be positive"));
        }
        if self.evidence_max_age_ms == 0 {
            e.push(format!("{at}.evidence_max_age_ms must be positive"));
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_each_rule_is_checked() {
        assert!(SlashingParams::default().validate("p").is_empty());
        let bad = SlashingParams {
            signed_blocks_window: 0,
            min_signed_per_window: ATTO + 1,
            downtime_jail_duration_ms: 0,
            slash_fraction_double_sign: ATTO + 1,
            slash_fraction_downtime: ATTO + 1,
            evidence_max_age_num_blocks: 0,
            evidence_max_age_ms: 0,
        };
        assert_eq!(bad.validate("p").len(), 6);
    }

    #[test]
    fn missing_evidence_ages_take_their_defaults() {
        let json = r#"{"signed_blocks_window":1,"min_signed_per_window":"0.5","downtime_jail_duration_ms":1,"slash_fraction_double_sign":"0.05","slash_fraction_downtime":"0.0001"}"#;
        let p: SlashingParams = serde_json::from_str(json).unwrap();
        assert_eq!(p.evidence_max_age_num_blocks, 100_000);
        assert_eq!(p.evidence_max_age_ms, 48 * 3600 * 1000);
    }
}
