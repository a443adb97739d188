//! The bme module's entry in the registry: what the app runs for it.

use dcloud_store::StateWrite;

use crate::genesis::AppGenesis;
use crate::{AppError, Module, ParamsCheck};

/// The bme module.
#[derive(Debug, Clone, Copy)]
pub struct BmeModule;

impl Module for BmeModule {
    fn name(&self) -> &'static str {
        super::NAME
    }

    fn validate_genesis(&self, genesis: &AppGenesis) -> Vec<String> {
        genesis.bme.as_ref().map_or_else(Vec::new, |p| p.validate("app_state.bme"))
    }

    fn init_genesis(
        &self,
        state: &mut dyn StateWrite,
        genesis: &AppGenesis,
    ) -> Result<(), AppError> {
        // A genesis without BME params is a pre-BME chain: the market is not ACT-only.
        let p = genesis.bme.clone().unwrap_or_else(|| super::BmeParams {
            act_market: false,
            ..super::BmeParams::default()
        });
        super::init_genesis(state, &p)
    }

    fn check_params(&self, json: &str) -> Option<ParamsCheck> {
        Some(crate::check_params_json(json, |p: &super::BmeParams| p.validate(super::NAME)))
    }

    crate::forward!(validate_msg, deliver, query, end_block, invariants);
}
