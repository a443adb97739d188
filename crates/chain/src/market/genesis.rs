//! The market's genesis section: its params (`app_state.market`), checked by
//! [`MarketParams::validate`].

use super::params::MarketParams;

/// The market's genesis section (`app_state.market`): its params.
pub type MarketGenesis = MarketParams;

/// Every broken rule of the market's genesis section, prefixed with its JSON path.
pub fn validate_genesis(g: &MarketGenesis) -> Vec<String> {
    g.validate().into_iter().map(|e| format!("app_state.market.{e}")).collect()
}
