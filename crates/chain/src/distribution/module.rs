//! The distribution module's entry in the registry: what the app runs for it.

use dcloud_proto::Msg;
use dcloud_store::{StateRead, StateWrite};
use dcloud_types::Event;

use crate::genesis::AppGenesis;
use crate::{AppError, BlockCtx, Module, ParamsCheck, QueryCtx};

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

    fn validate_msg(&self, msg: &Msg) -> Result<(), AppError> {
        super::validate_basic(msg)
    }

    fn deliver(
        &self,
        state: &mut dyn StateWrite,
        ctx: &BlockCtx,
        msg: &Msg,
        events: &mut Vec<Event>,
    ) -> Result<(), AppError> {
        super::deliver(state, msg, ctx, events)
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
