//! The oracle module's entry in the registry: what the app runs for it.

use dcloud_proto::Msg;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use crate::genesis::AppGenesis;
use crate::{AppError, BlockCtx, Module, ParamsCheck};

/// The oracle module.
#[derive(Debug, Clone, Copy)]
pub struct OracleModule;

impl Module for OracleModule {
    fn name(&self) -> &'static str {
        super::NAME
    }

    fn validate_genesis(&self, genesis: &AppGenesis) -> Vec<String> {
        genesis.oracle.as_ref().map_or_else(Vec::new, |o| o.validate())
    }

    fn init_genesis(
        &self,
        state: &mut dyn StateWrite,
        genesis: &AppGenesis,
    ) -> Result<(), AppError> {
        super::init_genesis(state, &genesis.oracle.clone().unwrap_or_default())
    }

    fn check_params(&self, json: &str) -> Option<ParamsCheck> {
        Some(crate::check_params_json(json, |p: &super::OracleParams| p.validate(super::NAME)))
    }

    fn validate_msg(&self, msg: &Msg) -> Result<(), AppError> {
        match msg {
            Msg::SubmitPrice(m) => super::validate_submit(m).map(|_| ()),
            other => Err(crate::unrouted(self.name(), other)),
        }
    }

    fn deliver(
        &self,
        state: &mut dyn StateWrite,
        ctx: &BlockCtx,
        msg: &Msg,
        events: &mut Vec<Event>,
    ) -> Result<(), AppError> {
        match msg {
            Msg::SubmitPrice(m) => super::deliver_submit(state, m, ctx, events),
            other => Err(crate::unrouted(self.name(), other)),
        }
    }

    crate::forward!(query, end_block, invariants);
}
