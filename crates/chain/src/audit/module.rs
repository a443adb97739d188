//! The audit module's entry in the registry: what the app runs for it.

use dcloud_proto::Msg;

use crate::{AppError, Module};

/// The audit module.
#[derive(Debug, Clone, Copy)]
pub struct AuditModule;

impl Module for AuditModule {
    fn name(&self) -> &'static str {
        super::NAME
    }

    fn validate_msg(&self, msg: &Msg) -> Result<(), AppError> {
        match msg {
            Msg::SignProviderAttributes(m) => super::validate_sign(m).map(|_| ()),
            Msg::DeleteProviderAttributes(m) => super::validate_delete(m).map(|_| ()),
            other => Err(crate::unrouted(self.name(), other)),
        }
    }

    crate::forward!(handler_deliver, query, invariants);
}
