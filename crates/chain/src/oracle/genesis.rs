//! [`OracleGenesis`]: the oracle's genesis section and its stateless checks.

use dcloud_types::AccAddress;
use serde::{Deserialize, Serialize};

use super::msg::check_price;
use super::OracleParams;

/// A price set at genesis (as if the source had submitted it in block 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenesisPrice {
    /// The source (must be listed in the params).
    pub source: String,
    /// Decimal price (≤ 18 decimals).
    pub price: String,
}

/// Genesis state of the oracle.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OracleGenesis {
    /// Params.
    #[serde(default)]
    pub params: OracleParams,
    /// Initial prices, at most one per source.
    #[serde(default)]
    pub prices: Vec<GenesisPrice>,
}

impl OracleGenesis {
    /// Every problem in the oracle genesis.
    pub fn validate(&self) -> Vec<String> {
        let mut e = self.params.validate("app_state.oracle.params");
        let mut seen = std::collections::BTreeSet::new();
        for (i, p) in self.prices.iter().enumerate() {
            match p.source.parse::<AccAddress>() {
                Ok(a) => {
                    if !self.params.is_source(&a) {
                        e.push(format!(
                            "app_state.oracle.prices[{i}]: {} is not an authorised source",
                            p.source
                        ));
                    }
                    if !seen.insert(a) {
                        e.push(format!(
                            "app_state.oracle.prices[{i}]: second price of {}",
                            p.source
                        ));
                    }
                }
                Err(err) => e.push(format!("app_state.oracle.prices[{i}]: {err}")),
            }
            if let Err(err) = check_price(&p.price) {
                e.push(format!("app_state.oracle.prices[{i}]: {err}"));
            }
        }
        e
    }
}
