//! The market module's entry in the registry: what the app runs for it.

use dcloud_proto::Msg;
use dcloud_store::{StateRead, StateWrite};
use dcloud_types::Event;

use crate::genesis::AppGenesis;
use crate::{AppError, BlockCtx, Module, ParamsCheck, QueryCtx};

/// The market module.
#[derive(Debug, Clone, Copy)]
pub struct MarketModule;

impl Module for MarketModule {
    fn name(&self) -> &'static str {
        super::NAME
    }

    fn validate_genesis(&self, genesis: &AppGenesis) -> Vec<String> {
        genesis.market.as_ref().map_or_else(Vec::new, super::validate_genesis)
    }

    fn init_genesis(
        &self,
        state: &mut dyn StateWrite,
        genesis: &AppGenesis,
    ) -> Result<(), AppError> {
        match &genesis.market {
            Some(p) => crate::set_params(state, super::NAME, p),
            None => Ok(()),
        }
    }

    fn check_params(&self, json: &str) -> Option<ParamsCheck> {
        Some(crate::check_params_json(json, |p: &super::MarketParams| p.validate()))
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

    fn end_block(
        &self,
        state: &mut dyn StateWrite,
        ctx: &BlockCtx,
        events: &mut Vec<Event>,
    ) -> Result<(), AppError> {
        super::end_block(state, ctx, events)
    }

    fn check_invariants(&self, state: &dyn StateRead) -> Result<(), AppError> {
        super::check_invariants(state)
    }
}
