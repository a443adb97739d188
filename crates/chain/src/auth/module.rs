//! The auth module's entry in the registry: what the app runs for it.

use dcloud_store::StateWrite;

use crate::genesis::AppGenesis;
use crate::{AppError, Module};

/// The auth module.
#[derive(Debug, Clone, Copy)]
pub struct AuthModule;

impl Module for AuthModule {
    fn name(&self) -> &'static str {
        super::NAME
    }

    fn validate_genesis(&self, genesis: &AppGenesis) -> Vec<String> {
        let mut e = genesis.auth.params.validate();
        e.extend(super::validate_genesis_accounts(&genesis.auth));
        e
    }

    fn init_genesis(
        &self,
        state: &mut dyn StateWrite,
        genesis: &AppGenesis,
    ) -> Result<(), AppError> {
        super::init_genesis(state, &genesis.auth)
    }

    crate::forward!(query, invariants);
}
