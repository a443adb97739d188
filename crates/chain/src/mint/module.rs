//! The mint module's entry in the registry: what the app runs for it.

use dcloud_store::{StateRead, StateWrite};
use dcloud_types::Event;

use crate::genesis::AppGenesis;
use crate::{AppError, BlockCtx, Module, ParamsCheck, QueryCtx};

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

    fn query(
        &self,
        path: &str,
        data: &[u8],
        q: &QueryCtx<'_>,
    ) -> Option<Result<Vec<u8>, AppError>> {
        super::query::route(path, data, q)
    }

    fn begin_block(
        &self,
        state: &mut dyn StateWrite,
        ctx: &BlockCtx,
        events: &mut Vec<Event>,
    ) -> Result<(), AppError> {
        super::begin_block(state, ctx, events)
    }

    fn check_invariants(&self, state: &dyn StateRead) -> Result<(), AppError> {
        super::check_invariants(state)
    }
}
