//! The market module's entry in the registry: what the app runs for it.

use dcloud_store::StateWrite;

use crate::genesis::AppGenesis;
use crate::{AppError, Module, ParamsCheck};

/// The market module.
#[derive(Debug, Clone, Copy)]
pub struct MarketModule;

impl Module for MarketModule {
    fn name(&self) -> &'static str {
        super::NAME
    }

    fn validate_genesis(&self, genesis: &AppGenesis) -> Vec<String> {
        genesis.market.as_ref().map_or_else(Vec::new, super::validate_genesis)
    }

    fn init_genesis(
        &self,
        state: &mut dyn StateWrite,
        genesis: &AppGenesis,
    ) -> Result<(), AppError> {
        match &genesis.market {
            Some(p) => crate::set_params(state, super::NAME, p),
            None => Ok(()),
        }
    }

    fn check_params(&self, json: &str) -> Option<ParamsCheck> {
        Some(crate::check_params_json(json, |p: &super::MarketParams| p.validate()))
    }

    crate::forward!(validate_msg, deliver, query, end_block, invariants);
}
