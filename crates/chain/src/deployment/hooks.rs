//! The writes other modules may ask of the deployment module, by name. The market calls
//! them when a lease or an order ends (`set_group_state`, `reauction_group`,
//! `close_deployment`) and to lock a bid deposit (`gather_deposit`); nothing else writes
//! deployment state from outside. Also the group transitions its own handlers share.

use dcloud_store::StateWrite;
use dcloud_types::{AccAddress, Event};

use super::events::{dep_event, group_event};
use super::state::{group_mut, must_active, must_get, put};
use super::types::{escrow_id, Deployment, DeploymentState, Group, GroupState};
use super::DeploymentError;
use crate::{authz, bank, escrow, market, AppError, BlockCtx};

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

/// Collects `amount` of `denom` from the sources in order: the depositor's balance, then the
/// deposit grants held by the depositor (the granters' balances, up to each grant's limit).
/// Fails when the sources cannot cover it all.
pub fn gather_deposit(
    state: &mut dyn StateWrite,
    depositor: &AccAddress,
    sources: &[escrow::DepositSource],
    denom: &str,
    amount: u128,
    ctx: &BlockCtx,
    scope: authz::DepositScope,
) -> Result<Vec<escrow::Depositor>, AppError> {
    let mut funds = Vec::new();
    let mut left = amount;
    for src in sources {
        if left == 0 {
            break;
        }
        match src {
            escrow::DepositSource::Balance => {
                let take = bank::balance(state, depositor, denom)?.min(left);
                if take > 0 {
                    funds.push(escrow::Depositor {
                        owner: depositor.clone(),
                        height: ctx.height,
                        source: escrow::DepositSource::Balance,
                        grantee: None,
                        balance: take,
                    });
                    left -= take;
                }
            }
            escrow::DepositSource::Grant => {
                let taken =
                    authz::take_for_deposit(state, depositor, denom, left, scope, ctx.time_ms)?;
                for (granter, take) in taken {
                    funds.push(escrow::Depositor {
                        owner: granter,
                        height: ctx.height,
                        source: escrow::DepositSource::Grant,
                        grantee: Some(depositor.clone()),
                        balance: take,
                    });
                    left -= take;
                }
            }
        }
    }
    if left > 0 {
        let names: Vec<&str> = sources
            .iter()
            .map(|s| match s {
                escrow::DepositSource::Balance => "balance",
                escrow::DepositSource::Grant => "grant",
            })
            .collect();
        return Err(AppError::InsufficientFunds(format!(
            "deposit of {amount}{denom} by {depositor}: sources [{}] cover only {}{denom}",
            names.join(", "),
            amount - left
        )));
    }
    Ok(funds)
}

pub(crate) fn group_transition(
    state: &mut dyn StateWrite,
    owner: &AccAddress,
    dseq: u64,
    gseq: u32,
    to: GroupState,
    now: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let mut d = must_active(state, owner, dseq)?;
    let g = group_mut(&mut d, gseq)?;
    if g.state == GroupState::Closed || (to == GroupState::Paused && g.state == GroupState::Paused)
    {
        return Err(
            DeploymentError::GroupState(format!("group {gseq} is already {:?}", g.state)).into()
        );
    }
    let oseq = g.oseq;
    g.state = to;
    put(state, &d)?;
    market::close_group_market(state, &d, gseq, oseq, market::REASON_OWNER, now, events)?;
    let kind = if to == GroupState::Closed { "EventGroupClosed" } else { "EventGroupPaused" };
    events.push(group_event(kind, &d, gseq));
    Ok(())
}

/// Closes a deployment: every group's order, bids and lease; groups go to `group_state`;
/// the escrow account closes (the rest refunded to the owner).
pub fn close_deployment(
    state: &mut dyn StateWrite,
    mut d: Deployment,
    group_state: GroupState,
    reason: &str,
    now: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    for g in d.groups.clone() {
        if g.state != GroupState::Closed {
            market::close_group_market(state, &d, g.gseq, g.oseq, reason, now, events)?;
        }
    }
    let refund = escrow::close_account(state, &escrow_id(&d.owner, d.dseq), now, events)?;
    for g in &mut d.groups {
        if g.state != GroupState::Closed {
            g.state = group_state;
        }
    }
    d.state = DeploymentState::Closed;
    put(state, &d)?;
    events.push(
        dep_event("EventDeploymentClosed", &d)
            .attr("reason", reason)
            .attr("refund", format!("{refund}{}", d.denom)),
    );
    Ok(())
}
