//! `MsgCreateDeployment`: a tenant creates a deployment: its groups, its funded escrow
//! account and one open order per group.

use dcloud_proto::dcloud::deployment::{self as pb, MsgCreateDeployment};
use dcloud_store::{StateRead, StateWrite};
use dcloud_types::{AccAddress, Event};

use super::super::events::dep_event;
use super::super::hooks::gather_deposit;
use super::super::msg::{dep_id, parse_amount, parse_sources, validate_groups};
use super::super::params::DeploymentParams;
use super::super::state::{get, params, put};
use super::super::types::{
    escrow_id, AuctionKind, Deployment, DeploymentState, Group, GroupSpec, GroupState,
};
use super::super::DeploymentError;
use crate::{authz, escrow, market, AppError, BlockCtx};

/// Executes `MsgCreateDeployment` (its stateless checks ran in `validate_basic`).
pub fn handle(
    state: &mut dyn StateWrite,
    m: &MsgCreateDeployment,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let now = ctx.height;
    let (owner, dseq) = dep_id(&m.id)?;
    // The (owner, dseq) is new.
    if get(state, &owner, dseq)?.is_some() {
        return Err(DeploymentError::DeploymentExists(format!("{owner}/{dseq}")).into());
    }
    let specs = validate_groups(&m.groups)?;
    let (denom, amount) = parse_amount(&m.deposit, "deposit")?;
    let p = check_deposit(state, &denom, amount)?;
    let auction = match pb::Auction::try_from(m.auction) {
        Ok(pb::Auction::Manual) => AuctionKind::Manual,
        _ => AuctionKind::Lowest,
    };
    let bid_window = if m.bid_window == 0 { p.bid_window } else { m.bid_window };
    let reclamation_min_window_s =
        (m.reclamation_min_window_s > 0).then_some(m.reclamation_min_window_s);
    // A reclamation window the deployment asks for is within the market's range.
    if let Some(w) = reclamation_min_window_s {
        market::params(state)?.check_reclamation_window(w, "reclamation min_window")?;
    }
    // The bid window is at most the params' maximum.
    if bid_window > p.max_bid_window {
        return Err(AppError::InvalidRequest(format!(
            "bid window {bid_window} above the maximum {}",
            p.max_bid_window
        )));
    }
    let d = Deployment {
        reclamation_min_window_s,
        owner: owner.clone(),
        dseq,
        state: DeploymentState::Active,
        hash: hex::encode(&m.hash),
        created_at: now,
        auction,
        bid_window,
        denom: denom.clone(),
        groups: new_groups(specs),
    };
    fund(state, m, &owner, dseq, &denom, amount, ctx, events)?;
    put(state, &d)?;
    events.push(
        dep_event("EventDeploymentCreated", &d)
            .attr("hash", &d.hash)
            .attr("auction", format!("{:?}", d.auction).to_lowercase())
            .attr("deposit", format!("{amount}{denom}")),
    );
    for g in &d.groups {
        market::create_order(state, &d, g, now, events)?;
    }
    Ok(())
}

/// The deposit is in an accepted ACT denom and at least its minimum; returns the params.
fn check_deposit(
    state: &dyn StateRead,
    denom: &str,
    amount: u128,
) -> Result<DeploymentParams, AppError> {
    // The deposit denom is one the BME currently accepts.
    if let Some(why) = crate::bme::act_denom_problem(state, denom)? {
        return Err(DeploymentError::InvalidDeposit(why).into());
    }
    let p = params(state)?;
    // The denom has a minimum deposit, and the deposit reaches it.
    let min =
        p.min_deposits.iter().find(|(d, _)| *d == denom).map(|(_, a)| *a).ok_or_else(|| {
            DeploymentError::InvalidDeposit(format!(
                "denom {denom} not accepted (allowed: {})",
                p.min_deposits.iter().map(|(d, _)| d.as_str()).collect::<Vec<_>>().join(", ")
            ))
        })?;
    if amount < min {
        return Err(DeploymentError::InvalidDeposit(format!(
            "{amount}{denom} is below the minimum deposit {min}{denom}"
        ))
        .into());
    }
    Ok(p)
}

/// The groups of a new deployment, numbered from 1, open, on their first order.
fn new_groups(specs: Vec<GroupSpec>) -> Vec<Group> {
    specs
        .into_iter()
        .enumerate()
        .map(|(i, spec)| Group { gseq: i as u32 + 1, state: GroupState::Open, spec, oseq: 1 })
        .collect()
}

/// Gathers the deposit from its sources into the deployment's new escrow account.
#[allow(clippy::too_many_arguments)]
fn fund(
    state: &mut dyn StateWrite,
    m: &MsgCreateDeployment,
    owner: &AccAddress,
    dseq: u64,
    denom: &str,
    amount: u128,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let sources = parse_sources(&m.deposit_sources)?;
    let funds = gather_deposit(
        state,
        owner,
        &sources,
        denom,
        amount,
        ctx,
        authz::DepositScope::Deployment,
    )?;
    escrow::create_account_funded(
        state,
        &escrow_id(owner, dseq),
        format!("deployment/{owner}/{dseq}"),
        owner,
        denom,
        funds,
        ctx.height,
        events,
    )
}
