//! [`OracleParams`]: the governance-tunable oracle params, their defaults and their rules.

use dcloud_types::AccAddress;
use serde::{Deserialize, Serialize};

/// Largest TWAP window: one day.
pub const MAX_TWAP_WINDOW_MS: u64 = 86_400_000;

/// Oracle params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OracleParams {
    /// Authorised price sources (bech32 addresses).
    #[serde(default)]
    pub sources: Vec<String>,
    /// Fresh sources needed for a healthy price.
    pub min_price_sources: u32,
    /// A source's latest price is fresh for this many blocks after the block that included it.
    pub max_price_staleness_blocks: u64,
    /// TWAP window in milliseconds of block time.
    pub twap_window_ms: u64,
    /// Largest spread between the fresh sources' TWAPs, in basis points of the lowest.
    pub max_price_deviation_bps: u64,
    /// How far an observation's timestamp may be ahead of the block time (ms).
    pub max_future_time_drift_ms: u64,
}

impl Default for OracleParams {
    fn default() -> Self {
        Self {
            sources: Vec::new(),
            min_price_sources: 1,
            max_price_staleness_blocks: 30,
            twap_window_ms: 5_000,
            max_price_deviation_bps: 150,
            max_future_time_drift_ms: 10_000,
        }
    }
}

impl OracleParams {
    /// Every problem with these params (`prefix` names them in messages).
    pub fn validate(&self, prefix: &str) -> Vec<String> {
        let mut e = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for (i, s) in self.sources.iter().enumerate() {
            match s.parse::<AccAddress>() {
                Ok(a) => {
                    if !seen.insert(a) {
                        e.push(format!("{prefix}.sources[{i}]: duplicate source {s}"));
                    }
                }
                Err(err) => e.push(format!("{prefix}.sources[{i}]: {err}")),
            }
        }
        if self.min_price_sources == 0 {
            e.push(format!("{prefix}.min_price_sources must be at least 1"));
        } else if !self.sources.is_empty() && self.min_price_sources as usize > self.sources.len() {
            e.push(format!(
                "{prefix}.min_price_sources ({}) exceeds the number of sources ({})",
                self.min_price_sources,
                self.sources.len()
            ));
        }
        if self.max_price_staleness_blocks == 0 {
            e.push(format!("{prefix}.max_price_staleness_blocks must be at least 1"));
        }
        if self.twap_window_ms == 0 || self.twap_window_ms > MAX_TWAP_WINDOW_MS {
            e.push(format!("{prefix}.twap_window_ms must be in 1..={MAX_TWAP_WINDOW_MS}"));
        }
        if self.max_price_deviation_bps > 10_000 {
            e.push(format!("{prefix}.max_price_deviation_bps must be at most 10000"));
        }
        e
    }

    /// Whether `a` is an authorised source.
    pub fn is_source(&self, a: &AccAddress) -> bool {
        self.sources.iter().any(|s| s.parse::<AccAddress>().is_ok_and(|x| &x == a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_rules_hold() {
        assert!(OracleParams::default().validate("p").is_empty());
        let p = OracleParams { min_price_sources: 0, twap_window_ms: 0, ..Default::default() };
        assert_eq!(
            p.validate("p"),
            vec![
                "p.min_price_sources must be at least 1",
                "p.twap_window_ms must be in 1..=86400000"
            ]
        );
        let a = AccAddress::module("x").to_string();
        let p = OracleParams { sources: vec![a.clone(), a], ..Default::default() };
        assert_eq!(p.validate("p").len(), 1);
        assert!(p.is_source(&AccAddress::module("x")));
    }
}
