//! The distribution module's entry in the registry: what the app runs for it.

use dcloud_store::StateWrite;

use crate::genesis::AppGenesis;
use crate::{AppError, Module, ParamsCheck};

/// The distribution module.
#[derive(Debug, Clone, Copy)]
pub struct DistributionModule;

impl Module for DistributionModule {
    fn name(&self) -> &'static str {
        super::NAME
    }

    fn validate_genesis(&self, genesis: &AppGenesis) -> Vec<String> {
        genesis
            .distribution
            .as_ref()
            .map_or_else(Vec::new, |d| d.validate("app_state.distribution"))
    }

    fn init_genesis(
        &self,
        state: &mut dyn StateWrite,
        genesis: &AppGenesis,
    ) -> Result<(), AppError> {
        // Only a proof-of-stake chain runs distribution.
        if genesis.staking.is_none() {
            return Ok(());
        }
        super::init_genesis(state, &genesis.distribution.clone().unwrap_or_default())
    }

    fn check_params(&self, json: &str) -> Option<ParamsCheck> {
        Some(crate::check_params_json(json, |p: &super::DistributionParams| {
            p.validate(super::NAME)
        }))
    }

    crate::forward!(validate_msg, deliver, query, begin_block, invariants);
}
