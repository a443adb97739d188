//! The staking module's entry in the registry: what the app runs for it.

use dcloud_store::StateWrite;

use crate::genesis::AppGenesis;
use crate::{AppError, Module, ParamsCheck};

/// The staking module.
#[derive(Debug, Clone, Copy)]
pub struct StakingModule;

impl Module for StakingModule {
    fn name(&self) -> &'static str {
        super::NAME
    }

    fn validate_genesis(&self, genesis: &AppGenesis) -> Vec<String> {
        genesis.staking.as_ref().map_or_else(Vec::new, |s| s.validate())
    }

    fn init_genesis(
        &self,
        state: &mut dyn StateWrite,
        genesis: &AppGenesis,
    ) -> Result<(), AppError> {
        match &genesis.staking {
            Some(s) => super::init_genesis(state, s),
            None => Ok(()),
        }
    }

    fn check_params(&self, json: &str) -> Option<ParamsCheck> {
        Some(crate::check_params_json(json, |p: &super::StakingParams| p.validate(super::NAME)))
    }

    crate::forward!(validate_msg, deliver, query, end_block, invariants);
}
