//! The deployment module's entry in the registry: what the app runs for it.

use dcloud_store::StateWrite;

use crate::genesis::AppGenesis;
use crate::{AppError, Module, ParamsCheck};

/// The deployment module.
#[derive(Debug, Clone, Copy)]
pub struct DeploymentModule;

impl Module for DeploymentModule {
    fn name(&self) -> &'static str {
        super::NAME
    }

    fn validate_genesis(&self, genesis: &AppGenesis) -> Vec<String> {
        genesis.deployment.as_ref().map_or_else(Vec::new, super::validate_genesis)
    }

    fn init_genesis(
        &self,
        state: &mut dyn StateWrite,
        genesis: &AppGenesis,
    ) -> Result<(), AppError> {
        match &genesis.deployment {
            Some(p) => crate::set_params(state, super::NAME, p),
            None => Ok(()),
        }
    }

    fn check_params(&self, json: &str) -> Option<ParamsCheck> {
        Some(crate::check_params_json(json, |p: &super::DeploymentParams| p.validate()))
    }

    crate::forward!(validate_msg, deliver, query, invariants);
}
