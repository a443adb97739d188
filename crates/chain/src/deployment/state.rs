//! The deployment module's keeper: typed reads (the only side other modules import) and the
//! deployment write.

use dcloud_store::{StateRead, StateWrite};
use dcloud_types::AccAddress;

use super::keys::{key, DEPLOYMENT};
use super::params::DeploymentParams;
use super::types::{Deployment, DeploymentState, Group, NAME};
use super::DeploymentError;
use crate::{get_params, AppError};

/// Params.
pub fn params(state: &dyn StateRead) -> Result<DeploymentParams, AppError> {
    get_params(state, NAME)
}

/// Reads a deployment.
pub fn get(
    state: &dyn StateRead,
    owner: &AccAddress,
    dseq: u64,
) -> Result<Option<Deployment>, AppError> {
    match state.get(&key(owner, dseq))? {
        Some(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| AppError::ChainState(format!("corrupt deployment: {e}"))),
        None => Ok(None),
    }
}

/// Reads a deployment that must exist.
pub fn must_get(
    state: &dyn StateRead,
    owner: &AccAddress,
    dseq: u64,
) -> Result<Deployment, AppError> {
    Ok(get(state, owner, dseq)?
        .ok_or_else(|| DeploymentError::DeploymentNotFound(format!("{owner}/{dseq}")))?)
}

pub(crate) fn must_active(
    state: &dyn StateRead,
    owner: &AccAddress,
    dseq: u64,
) -> Result<Deployment, AppError> {
    let d = must_get(state, owner, dseq)?;
    if d.state != DeploymentState::Active {
        return Err(DeploymentError::DeploymentClosed(format!("{owner}/{dseq}")).into());
    }
    Ok(d)
}

/// Lists deployments (optionally of one owner / in one state), in key order after
/// `start_after` (an `owner/dseq` pair).
pub fn list(
    state: &dyn StateRead,
    owner: Option<&AccAddress>,
    filter_state: Option<DeploymentState>,
    start_after: Option<(&AccAddress, u64)>,
    limit: usize,
) -> Result<Vec<Deployment>, AppError> {
    let mut prefix = vec![DEPLOYMENT];
    if let Some(o) = owner {
        prefix.push(o.as_bytes().len() as u8);
        prefix.extend_from_slice(o.as_bytes());
    }
    let mut after = start_after.map(|(o, d)| key(o, d));
    let mut out = Vec::new();
    loop {
        let page = state.prefix_range(&prefix, after.as_deref(), 500)?;
        for (k, v) in &page {
            after = Some(k.clone());
            let d: Deployment = serde_json::from_slice(v)
                .map_err(|e| AppError::ChainState(format!("corrupt deployment: {e}")))?;
            if filter_state.is_none_or(|s| s == d.state) {
                out.push(d);
                if out.len() >= limit {
                    return Ok(out);
                }
            }
        }
        if page.len() < 500 {
            return Ok(out);
        }
    }
}

pub(crate) fn group_mut(d: &mut Deployment, gseq: u32) -> Result<&mut Group, AppError> {
    let label = format!("{}/{}/{gseq}", d.owner, d.dseq);
    d.groups.iter_mut().find(|g| g.gseq == gseq).ok_or(DeploymentError::GroupNotFound(label).into())
}

/// Writes a deployment.
pub fn put(state: &mut dyn StateWrite, d: &Deployment) -> Result<(), AppError> {
    let b = serde_json::to_vec(d).map_err(|e| AppError::InvalidRequest(e.to_string()))?;
    state.put(key(&d.owner, d.dseq), b);
    Ok(())
}
