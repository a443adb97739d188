//! The consensus module's entry in the registry: what the app runs for it.

use dcloud_store::StateWrite;
use dcloud_types::Event;

use crate::{AppError, BlockCtx, BlockEvidence, Module};

/// The consensus module.
#[derive(Debug, Clone, Copy)]
pub struct ConsensusModule;

impl Module for ConsensusModule {
    fn name(&self) -> &'static str {
        super::NAME
    }

    fn pre_block(
        &self,
        state: &mut dyn StateWrite,
        _ctx: &BlockCtx,
        block: &BlockEvidence<'_>,
        _events: &mut Vec<Event>,
    ) -> Result<(), AppError> {
        // Only a proof-of-stake chain tracks signers (for downtime slashing and payouts).
        if crate::staking::enabled(state)? {
            super::set_last_commit(state, block.last_commit)?;
        }
        Ok(())
    }

    crate::forward!(query);
}
