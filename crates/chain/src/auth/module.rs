//! The auth module's entry in the registry: what the app runs for it.

use dcloud_store::{StateRead, StateWrite};

use crate::genesis::AppGenesis;
use crate::{AppError, Module, QueryCtx};

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

    fn check_invariants(&self, state: &dyn StateRead) -> Result<(), AppError> {
        super::check_invariants(state)
    }

    fn query(
        &self,
        path: &str,
        data: &[u8],
        q: &QueryCtx<'_>,
    ) -> Option<Result<Vec<u8>, AppError>> {
        super::query::route(path, data, q)
    }
}
