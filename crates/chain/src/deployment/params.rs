//! The deployment module's params, their defaults and `validate`, the only copy of their
//! rules (genesis and gov both call it).

use serde::{Deserialize, Serialize};

/// Deployment params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentParams {
    /// Allowed deposit denoms with their minimum deposit.
    pub min_deposits: Vec<(String, u128)>,
    /// Default bid window (blocks) of `lowest` auctions.
    pub bid_window: u64,
    /// Largest bid window a deployment may ask for.
    pub max_bid_window: u64,
}

impl DeploymentParams {
    /// Every broken rule, relative to the params object (empty = valid). The only copy of
    /// the deployment module's param checks: genesis and gov both call it.
    pub fn validate(&self) -> Vec<String> {
        let mut e = Vec::new();
        if self.min_deposits.is_empty() {
            e.push("min_deposits: at least one denom is required".to_string());
        }
        if self.bid_window == 0 || self.bid_window > self.max_bid_window {
            e.push("bid_window must be in 1..=max_bid_window".into());
        }
        e
    }
}

impl Default for DeploymentParams {
    fn default() -> Self {
        Self {
            min_deposits: vec![("uact".into(), 500_000), ("uakt".into(), 500_000)],
            bid_window: 5,
            max_bid_window: 1_000,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_rules_are_reported() {
        assert!(DeploymentParams::default().validate().is_empty());
        let p = DeploymentParams { min_deposits: vec![], bid_window: 0, max_bid_window: 10 };
        assert_eq!(p.validate().len(), 2);
    }
}
