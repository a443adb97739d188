//! The bank module's entry in the registry: what the app runs for it.

use dcloud_store::StateWrite;

use crate::genesis::AppGenesis;
use crate::{AppError, Module};

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

    crate::forward!(validate_msg, handler_deliver, query, invariants);
}
