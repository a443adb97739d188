//! The writes other modules may ask of the deployment module, by name. The market calls
//! them when a lease or an order ends; nothing else writes deployment state from outside.

use dcloud_store::StateWrite;
use dcloud_types::{AccAddress, Event};

use super::{
    group_event, group_mut, must_get, put, Deployment, DeploymentState, Group, GroupState,
};
use crate::AppError;

/// Sets one group's state (used by the market when a lease or order ends).
pub fn set_group_state(
    state: &mut dyn StateWrite,
    owner: &AccAddress,
    dseq: u64,
    gseq: u32,
    to: GroupState,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let mut d = must_get(state, owner, dseq)?;
    let g = group_mut(&mut d, gseq)?;
    if g.state == to || g.state == GroupState::Closed {
        return Ok(());
    }
    g.state = to;
    put(state, &d)?;
    let kind = match to {
        GroupState::InsufficientFunds => "EventGroupInsufficientFunds",
        GroupState::InsufficientBids => "EventGroupInsufficientBids",
        GroupState::Paused => "EventGroupPaused",
        GroupState::Closed => "EventGroupClosed",
        GroupState::Open => "EventGroupStarted",
    };
    events.push(group_event(kind, &d, gseq));
    Ok(())
}

/// Re-auctions a group whose lease the owner closed: if the deployment is active and the
/// group still open, the group's order sequence moves on (`oseq + 1`) and is stored; the
/// deployment and group are returned for the market to open the new order. `None` = the
/// group is not re-auctioned.
pub fn reauction_group(
    state: &mut dyn StateWrite,
    owner: &AccAddress,
    dseq: u64,
    gseq: u32,
) -> Result<Option<(Deployment, Group)>, AppError> {
    let mut d = must_get(state, owner, dseq)?;
    if d.state != DeploymentState::Active {
        return Ok(None);
    }
    let Some(g) = d.groups.iter_mut().find(|g| g.gseq == gseq) else { return Ok(None) };
    if g.state != GroupState::Open {
        return Ok(None);
    }
    g.oseq += 1;
    let g = g.clone();
    put(state, &d)?;
    Ok(Some((d, g)))
}
