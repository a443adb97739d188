//! The authz module's entry in the registry: what the app runs for it.

use crate::Module;

/// The authz module.
#[derive(Debug, Clone, Copy)]
pub struct AuthzModule;

impl Module for AuthzModule {
    fn name(&self) -> &'static str {
        super::NAME
    }

    crate::forward!(validate_msg, deliver, query, begin_block, invariants);
}
