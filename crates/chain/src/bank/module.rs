//! The bank module's entry in the registry: what the app runs for it.

use dcloud_proto::Msg;
use dcloud_store::{StateRead, StateWrite};
use dcloud_types::Event;

use crate::genesis::AppGenesis;
use crate::{AppError, BlockCtx, Module, QueryCtx};

/// The bank module.
#[derive(Debug, Clone, Copy)]
pub struct BankModule;

impl Module for BankModule {
    fn name(&self) -> &'static str {
        super::NAME
    }

    fn validate_genesis(&self, genesis: &AppGenesis) -> Vec<String> {
        super::validate_genesis(&genesis.bank)
    }

    fn init_genesis(
        &self,
        state: &mut dyn StateWrite,
        genesis: &AppGenesis,
    ) -> Result<(), AppError> {
        super::init_genesis(state, &genesis.bank)
    }

    fn validate_msg(&self, msg: &Msg) -> Result<(), AppError> {
        super::validate_basic(msg)
    }

    fn deliver(
        &self,
        state: &mut dyn StateWrite,
        _ctx: &BlockCtx,
        msg: &Msg,
        events: &mut Vec<Event>,
    ) -> Result<(), AppError> {
        super::handler::deliver(state, msg, events)
    }

    fn query(
        &self,
        path: &str,
        data: &[u8],
        q: &QueryCtx<'_>,
    ) -> Option<Result<Vec<u8>, AppError>> {
        super::query::route(path, data, q)
    }

    fn check_invariants(&self, state: &dyn StateRead) -> Result<(), AppError> {
        super::check_invariants(state)
    }
}
