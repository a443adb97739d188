//! The authz module's entry in the registry: what the app runs for it.

use dcloud_proto::Msg;
use dcloud_store::{StateRead, StateWrite};
use dcloud_types::Event;

use crate::{AppError, BlockCtx, Module, QueryCtx};

/// The authz module.
#[derive(Debug, Clone, Copy)]
pub struct AuthzModule;

impl Module for AuthzModule {
    fn name(&self) -> &'static str {
        super::NAME
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
