//! The gov module's entry in the registry: what the app runs for it.

use dcloud_store::StateWrite;

use crate::genesis::AppGenesis;
use crate::{AppError, Module, ParamsCheck};

/// The gov module.
#[derive(Debug, Clone, Copy)]
pub struct GovModule;

impl Module for GovModule {
    fn name(&self) -> &'static str {
        super::NAME
    }

    fn validate_genesis(&self, genesis: &AppGenesis) -> Vec<String> {
        genesis.gov.as_ref().map_or_else(Vec::new, |g| g.params.validate("app_state.gov.params"))
    }

    fn init_genesis(
        &self,
        state: &mut dyn StateWrite,
        genesis: &AppGenesis,
    ) -> Result<(), AppError> {
        super::init_genesis(state, &genesis.gov.clone().unwrap_or_default())
    }

    fn check_params(&self, json: &str) -> Option<ParamsCheck> {
        Some(crate::check_params_json(json, |p: &super::GovParams| p.validate(super::NAME)))
    }

    crate::forward!(validate_msg, deliver, query, begin_block, end_block, invariants);
}
