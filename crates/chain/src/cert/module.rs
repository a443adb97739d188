//! The cert module's entry in the registry: what the app runs for it.

use dcloud_proto::Msg;

use crate::{AppError, Module};

/// The cert module.
#[derive(Debug, Clone, Copy)]
pub struct CertModule;

impl Module for CertModule {
    fn name(&self) -> &'static str {
        super::NAME
    }

    fn validate_msg(&self, msg: &Msg) -> Result<(), AppError> {
        match msg {
            Msg::CreateCertificate(m) => super::validate_create(m).map(|_| ()),
            Msg::RevokeCertificate(m) => super::validate_revoke(m).map(|_| ()),
            other => Err(crate::unrouted(self.name(), other)),
        }
    }

    crate::forward!(handler_deliver, query, invariants);
}
