//! [`BmeParams`]: the governance-tunable BME params, their defaults and their rules.

use dcloud_types::{AccAddress, DENOM_ACT, DENOM_AKT};
use serde::{Deserialize, Serialize};

use super::MAX_EPOCH_BLOCKS;

/// BME params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BmeParams {
    /// CR (bp) at or below which the status is `warning`; `halt < warn ≤ 10000`.
    pub circuit_breaker_warn_threshold: u64,
    /// CR (bp) at or below which the status is `halt_cr`.
    pub circuit_breaker_halt_threshold: u64,
    /// Blocks between batches while healthy (and always for burns).
    pub min_epoch_blocks: u64,
    /// Growth of the mint epoch per 10 bp of CR below `warn` (percent, ≤ 100).
    pub epoch_blocks_backoff_percent: u64,
    /// Spread on AKT→ACT (bp, ≤ 1000).
    pub mint_spread_bps: u64,
    /// Spread on ACT→AKT (bp, ≤ 1000).
    pub settle_spread_bps: u64,
    /// Pending records processed per batch.
    pub max_endblocker_records: u64,
    /// Minimum output per request, per minted denom (micro-units).
    pub min_mint: Vec<(String, u128)>,
    /// Attempts for retriable failures before a request is cancelled.
    pub max_pending_attempts: u32,
    /// The account allowed to fund the vault (the governance authority until a gov module
    /// exists); empty = nobody.
    #[serde(default)]
    pub authority: String,
    /// Hysteresis of the circuit breaker (bp of CR, ≤ 1000): the status worsens at the
    /// thresholds, but improves only once the CR is above the threshold plus this band
    /// (warning → healthy above `warn + band`, halt_cr → warning above `halt + band`), so
    /// price noise around a threshold does not flip it back and forth.
    #[serde(default = "default_recovery_band_bps")]
    pub recovery_band_bps: u64,
    /// The market runs on ACT (the BME era): deployments must be priced and funded in `uact`
    /// and bids priced in it; AKT reaches a deployment's escrow only as the fallback paid
    /// while the BME is halted. On by default; a genesis without `app_state.bme` starts
    /// with it off (a pre-BME chain, where the deployment params decide the denoms).
    #[serde(default = "default_act_market")]
    pub act_market: bool,
}

fn default_recovery_band_bps() -> u64 {
    100
}

fn default_act_market() -> bool {
    true
}

impl Default for BmeParams {
    fn default() -> Self {
        Self {
            circuit_breaker_warn_threshold: 9_500,
            circuit_breaker_halt_threshold: 9_000,
            min_epoch_blocks: 10,
            epoch_blocks_backoff_percent: 10,
            mint_spread_bps: 25,
            settle_spread_bps: 0,
            max_endblocker_records: 50,
            min_mint: vec![(DENOM_ACT.into(), 10_000_000)],
            max_pending_attempts: 3,
            authority: String::new(),
            recovery_band_bps: default_recovery_band_bps(),
            act_market: default_act_market(),
        }
    }
}

impl BmeParams {
    /// Every problem with these params.
    pub fn validate(&self, prefix: &str) -> Vec<String> {
        let mut e = Vec::new();
        let (w, h) = (self.circuit_breaker_warn_threshold, self.circuit_breaker_halt_threshold);
        if h == 0 {
            e.push(format!("{prefix}.circuit_breaker_halt_threshold must be positive"));
        }
        if w <= h || w > 10_000 {
            e.push(format!(
                "{prefix}.circuit_breaker_warn_threshold ({w}) must be above the halt threshold ({h}) and at most 10000"
            ));
        }
        if self.min_epoch_blocks == 0 || self.min_epoch_blocks > MAX_EPOCH_BLOCKS {
            e.push(format!("{prefix}.min_epoch_blocks must be in 1..={MAX_EPOCH_BLOCKS}"));
        }
        if self.epoch_blocks_backoff_percent > 100 {
            e.push(format!("{prefix}.epoch_blocks_backoff_percent must be at most 100"));
        }
        if self.mint_spread_bps > 1_000 {
            e.push(format!("{prefix}.mint_spread_bps must be at most 1000"));
        }
        if self.settle_spread_bps > 1_000 {
            e.push(format!("{prefix}.settle_spread_bps must be at most 1000"));
        }
        if self.max_endblocker_records == 0 {
            e.push(format!("{prefix}.max_endblocker_records must be at least 1"));
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, (d, _)) in self.min_mint.iter().enumerate() {
            if d != DENOM_ACT && d != DENOM_AKT {
                e.push(format!("{prefix}.min_mint[{i}]: denom {d:?} is neither uact nor uakt"));
            }
            if !seen.insert(d) {
                e.push(format!("{prefix}.min_mint[{i}]: duplicate denom {d}"));
            }
        }
        if self.max_pending_attempts == 0 {
            e.push(format!("{prefix}.max_pending_attempts must be at least 1"));
        }
        if self.recovery_band_bps > 1_000 {
            e.push(format!(
                "{prefix}.recovery_band_bps ({}) must be at most 1000",
                self.recovery_band_bps
            ));
        }
        if !self.authority.is_empty() {
            if let Err(err) = self.authority.parse::<AccAddress>() {
                e.push(format!("{prefix}.authority: {err}"));
            }
        }
        e
    }

    /// The minimum output of a request minting `denom` (0 when none is set).
    pub fn min_mint_of(&self, denom: &str) -> u128 {
        self.min_mint.iter().find(|(d, _)| d == denom).map_or(0, |(_, a)| *a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_thresholds_are_ordered() {
        let p = BmeParams::default();
        assert!(p.validate("p").is_empty());
        assert_eq!(p.min_mint_of(DENOM_ACT), 10_000_000);
        assert_eq!(p.min_mint_of(DENOM_AKT), 0);
        let bad = BmeParams { circuit_breaker_warn_threshold: 9_000, ..p };
        assert_eq!(bad.validate("p").len(), 1);
    }
}
