//! `MsgUpdateDeployment`: the owner sets a new manifest hash on an active deployment.

use dcloud_proto::dcloud::deployment::MsgUpdateDeployment;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use super::super::events::dep_event;
use super::super::msg::dep_id;
use super::super::state::{must_active, put};
use super::super::DeploymentError;
use crate::{AppError, BlockCtx};

/// Executes `MsgUpdateDeployment` (its stateless checks ran in `validate_basic`).
pub fn handle(
    state: &mut dyn StateWrite,
    m: &MsgUpdateDeployment,
    _ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let (owner, dseq) = dep_id(&m.id)?;
    let mut d = must_active(state, &owner, dseq)?;
    // The hash changes.
    let h = hex::encode(&m.hash);
    if h == d.hash {
        return Err(
            DeploymentError::InvalidHash("the new hash equals the current one".into()).into()
        );
    }
    d.hash = h;
    put(state, &d)?;
    events.push(dep_event("EventDeploymentUpdated", &d).attr("hash", &d.hash));
    Ok(())
}
