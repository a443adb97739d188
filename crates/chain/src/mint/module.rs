//! The mint module's entry in the registry: what the app runs for it.

use dcloud_store::StateWrite;

use crate::genesis::AppGenesis;
use crate::{AppError, Module, ParamsCheck};

/// The mint module.
#[derive(Debug, Clone, Copy)]
pub struct MintModule;

impl Module for MintModule {
    fn name(&self) -> &'static str {
        super::NAME
    }

    fn validate_genesis(&self, genesis: &AppGenesis) -> Vec<String> {
        genesis.mint.as_ref().map_or_else(Vec::new, |m| m.params.validate("app_state.mint.params"))
    }

    fn init_genesis(
        &self,
        state: &mut dyn StateWrite,
        genesis: &AppGenesis,
    ) -> Result<(), AppError> {
        // Only a proof-of-stake chain mints.
        if genesis.staking.is_none() {
            return Ok(());
        }
        super::init_genesis(state, &genesis.mint.clone().unwrap_or_default())
    }

    fn check_params(&self, json: &str) -> Option<ParamsCheck> {
        Some(crate::check_params_json(json, |p: &super::MintParams| p.validate(super::NAME)))
    }

    crate::forward!(query, begin_block, invariants);
}
