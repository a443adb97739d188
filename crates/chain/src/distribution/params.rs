//! Distribution params, their defaults and their rules (the only copy, used by genesis and
//! by gov's param changes).

use serde::{Deserialize, Serialize};

use crate::dec::{dec_str, ATTO};

/// Distribution parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistributionParams {
    /// Share of every block's rewards for the community pool (SDK default 2%).
    #[serde(with = "dec_str")]
    pub community_tax: u128,
    /// Whether delegators may set a withdraw address.
    pub withdraw_addr_enabled: bool,
}

impl Default for DistributionParams {
    fn default() -> Self {
        Self { community_tax: ATTO / 50, withdraw_addr_enabled: true }
    }
}

impl DistributionParams {
    /// Every problem, prefixed with `at`.
    pub fn validate(&self, at: &str) -> Vec<String> {
        if self.community_tax > ATTO {
            vec![format!("{at}.community_tax must be at most 1")]
        } else {
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn community_tax_is_at_most_one() {
        assert!(DistributionParams::default().validate("p").is_empty());
        let p = DistributionParams { community_tax: ATTO + 1, withdraw_addr_enabled: true };
        assert_eq!(p.validate("p"), vec!["p.community_tax must be at most 1".to_string()]);
    }
}
