//! The deployment module's invariants.

use dcloud_store::StateRead;

use super::keys::DEPLOYMENT;
use super::types::{escrow_id, Deployment, DeploymentState};
use crate::{escrow, AppError};

/// Invariants: an active deployment has an open escrow account; a closed one a closed account.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    let mut after: Option<Vec<u8>> = None;
    loop {
        let page = state.prefix_range(&[DEPLOYMENT], after.as_deref(), 1000)?;
        for (k, v) in &page {
            after = Some(k.clone());
            let d: Deployment = serde_json::from_slice(v)
                .map_err(|e| AppError::Invariant(format!("undecodable deployment: {e}")))?;
            let a = escrow::get_account(state, &escrow_id(&d.owner, d.dseq))?.ok_or_else(|| {
                AppError::Invariant(format!(
                    "deployment {}/{} has no escrow account",
                    d.owner, d.dseq
                ))
            })?;
            let open = a.state == escrow::AccountState::Open;
            if open != (d.state == DeploymentState::Active) {
                return Err(AppError::Invariant(format!(
                    "deployment {}/{} is {:?} but its escrow account is {:?}",
                    d.owner, d.dseq, d.state, a.state
                )));
            }
        }
        if page.len() < 1000 {
            return Ok(());
        }
    }
}
