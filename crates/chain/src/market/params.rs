//! The market's params, their defaults and `validate`, the only copy of their rules
//! (genesis and gov both call it).

use serde::{Deserialize, Serialize};

use crate::AppError;

/// Market params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketParams {
    /// Minimum bid deposit per allowed denom.
    pub bid_min_deposits: Vec<(String, u128)>,
    /// Most bids an order takes.
    pub order_max_bids: u32,
    /// Blocks an order stays open without any bid before it closes.
    pub order_timeout: u64,
    /// Shortest reclamation window (seconds) a deployment may ask for or a bid may offer.
    #[serde(default = "default_min_reclamation_window_s")]
    pub min_reclamation_window_s: u64,
    /// Longest reclamation window (seconds).
    #[serde(default = "default_max_reclamation_window_s")]
    pub max_reclamation_window_s: u64,
    /// Most entries of each end-block index (order work, low-funds warnings, exhausted
    /// escrow accounts) processed at one height; the rest stay in the index, in key order,
    /// for the next heights. At least 1.
    #[serde(default = "default_max_end_block_items")]
    pub max_end_block_items: u32,
}

fn default_min_reclamation_window_s() -> u64 {
    3600
}

fn default_max_reclamation_window_s() -> u64 {
    720 * 3600
}

fn default_max_end_block_items() -> u32 {
    1000
}

impl MarketParams {
    /// Every broken rule, relative to the params object (empty = valid). The only copy of
    /// the market's param checks: genesis and gov both call it.
    pub fn validate(&self) -> Vec<String> {
        let mut e = Vec::new();
        if self.order_max_bids == 0 || self.order_max_bids > 500 {
            e.push("order_max_bids must be in 1..=500".to_string());
        }
        if self.bid_min_deposits.is_empty() {
            e.push("bid_min_deposits: at least one denom is required".into());
        }
        if self.max_reclamation_window_s <= self.min_reclamation_window_s {
            e.push("max_reclamation_window_s must exceed min_reclamation_window_s".into());
        }
        if self.max_end_block_items == 0 {
            e.push("max_end_block_items must be at least 1".into());
        }
        e
    }

    /// Checks a reclamation window (seconds) against the allowed range.
    pub fn check_reclamation_window(&self, window_s: u64, what: &str) -> Result<(), AppError> {
        if window_s < self.min_reclamation_window_s || window_s > self.max_reclamation_window_s {
            return Err(AppError::InvalidRequest(format!(
                "{what} {window_s}s is outside the allowed {}s..={}s",
                self.min_reclamation_window_s, self.max_reclamation_window_s
            )));
        }
        Ok(())
    }
}

impl Default for MarketParams {
    fn default() -> Self {
        Self {
            bid_min_deposits: vec![("uact".into(), 500_000), ("uakt".into(), 500_000)],
            order_max_bids: 20,
            order_timeout: 100,
            min_reclamation_window_s: default_min_reclamation_window_s(),
            max_reclamation_window_s: default_max_reclamation_window_s(),
            max_end_block_items: default_max_end_block_items(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert!(MarketParams::default().validate().is_empty());
    }

    #[test]
    fn every_rule_is_reported() {
        let p = MarketParams {
            bid_min_deposits: vec![],
            order_max_bids: 0,
            order_timeout: 1,
            min_reclamation_window_s: 10,
            max_reclamation_window_s: 10,
            max_end_block_items: 0,
        };
        assert_eq!(p.validate().len(), 4);
    }

    #[test]
    fn reclamation_window_range() {
        let p = MarketParams::default();
        assert!(p.check_reclamation_window(3600, "w").is_ok());
        let e = p.check_reclamation_window(10, "w").unwrap_err().to_string();
        assert_eq!(e, "invalid request: w 10s is outside the allowed 3600s..=2592000s");
    }
}
