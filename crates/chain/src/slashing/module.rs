//! The slashing module's entry in the registry: what the app runs for it.

use dcloud_store::StateWrite;
use dcloud_types::Event;

use crate::genesis::AppGenesis;
use crate::{AppError, BlockCtx, BlockEvidence, Module, ParamsCheck};

/// The slashing module.
#[derive(Debug, Clone, Copy)]
pub struct SlashingModule;

impl Module for SlashingModule {
    fn name(&self) -> &'static str {
        super::NAME
    }

    fn validate_genesis(&self, genesis: &AppGenesis) -> Vec<String> {
        genesis.slashing.as_ref().map_or_else(Vec::new, |s| s.validate("app_state.slashing"))
    }

    fn init_genesis(
        &self,
        state: &mut dyn StateWrite,
        genesis: &AppGenesis,
    ) -> Result<(), AppError> {
        // Only a proof-of-stake chain slashes.
        if genesis.staking.is_none() {
            return Ok(());
        }
        super::init_genesis(state, &genesis.slashing.clone().unwrap_or_default())
    }

    fn check_params(&self, json: &str) -> Option<ParamsCheck> {
        Some(crate::check_params_json(json, |p: &super::SlashingParams| p.validate(super::NAME)))
    }

    fn pre_block(
        &self,
        state: &mut dyn StateWrite,
        ctx: &BlockCtx,
        block: &BlockEvidence<'_>,
        events: &mut Vec<Event>,
    ) -> Result<(), AppError> {
        // Evidence is punished before anything else of the block runs (mint reads the
        // bonded ratio it changes), and only on a proof-of-stake chain.
        if crate::staking::enabled(state)? {
            super::handle_evidence(state, ctx, block.misbehavior, events)?;
        }
        Ok(())
    }

    crate::forward!(validate_msg, deliver, query, begin_block, invariants);
}
