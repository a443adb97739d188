//! The provider module's entry in the registry: what the app runs for it.

use dcloud_proto::Msg;
use dcloud_store::{StateRead, StateWrite};
use dcloud_types::Event;

use crate::{AppError, BlockCtx, Module, QueryCtx};

/// The provider module.
#[derive(Debug, Clone, Copy)]
pub struct ProviderModule;

impl Module for ProviderModule {
    fn name(&self) -> &'static str {
        super::NAME
    }

    fn validate_msg(&self, msg: &Msg) -> Result<(), AppError> {
        match msg {
            Msg::CreateProvider(m) => super::validate_create(m).map(|_| ()),
            Msg::UpdateProvider(m) => super::validate_update(m).map(|_| ()),
            other => Err(crate::unrouted(self.name(), other)),
        }
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
