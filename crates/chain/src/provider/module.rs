//! The provider module's entry in the registry: what the app runs for it.

use dcloud_proto::Msg;

use crate::{AppError, Module};

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

    crate::forward!(handler_deliver, query, invariants);
}
