//! `MsgDepositDeployment`: anyone (or a grantee, from its grant) adds funds to an active deployment's escrow account.

use dcloud_proto::dcloud::deployment::MsgDepositDeployment;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use super::super::events::dep_event;
use super::super::hooks::gather_deposit;
use super::super::msg::{dep_id, deposit_sources, parse_amount};
use super::super::state::must_active;
use super::super::types::escrow_id;
use crate::{authz, escrow};
use crate::{AppError, BlockCtx};

/// Executes `MsgDepositDeployment` (its stateless checks ran in `validate_basic`).
pub fn handle(
    state: &mut dyn StateWrite,
    m: &MsgDepositDeployment,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let now = ctx.height;
    let (owner, dseq) = dep_id(&m.id)?;
    let d = must_active(state, &owner, dseq)?;
    let (denom, amount) = parse_amount(&m.amount, "amount")?;
    let (depositor, sources) = deposit_sources(m)?;
    // The account takes this denom (its own, or uakt as a uact account's AKT fallback).
    escrow::check_deposit(state, &escrow_id(&owner, dseq), &denom)?;
    let funds = gather_deposit(
        state,
        &depositor,
        &sources,
        &denom,
        amount,
        ctx,
        authz::DepositScope::Deployment,
    )?;
    let a = escrow::deposit(state, &escrow_id(&owner, dseq), funds, &denom, now, events)?;
    // A uakt deposit to a uact account is its AKT fallback (see escrow).
    let balance = if denom == a.denom {
        format!("{}{}", a.balance, a.denom)
    } else {
        format!("{}{denom}", a.akt_balance)
    };
    events.push(
        dep_event("EventDeploymentDeposit", &d)
            .attr("amount", format!("{amount}{denom}"))
            .attr("depositor", &depositor)
            .attr("balance", balance),
    );
    Ok(())
}
