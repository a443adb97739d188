//! The escrow module's entry in the registry: what the app runs for it.

use dcloud_store::StateWrite;

use crate::genesis::AppGenesis;
use crate::{AppError, Module, ParamsCheck};

/// The escrow module.
#[derive(Debug, Clone, Copy)]
pub struct EscrowModule;

impl Module for EscrowModule {
    fn name(&self) -> &'static str {
        super::NAME
    }

    fn validate_genesis(&self, genesis: &AppGenesis) -> Vec<String> {
        genesis.escrow.as_ref().map_or_else(Vec::new, super::validate_genesis)
    }

    fn init_genesis(
        &self,
        state: &mut dyn StateWrite,
        genesis: &AppGenesis,
    ) -> Result<(), AppError> {
        match &genesis.escrow {
            Some(p) => crate::set_params(state, super::NAME, p),
            None => Ok(()),
        }
    }

    fn check_params(&self, json: &str) -> Option<ParamsCheck> {
        Some(crate::check_params_json(json, |p: &super::EscrowParams| p.validate()))
    }

    crate::forward!(query, invariants);
}
