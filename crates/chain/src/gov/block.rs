//! Begin block (halt at a scheduled upgrade) and end block (end the deposit and voting
//! periods that are due, settle deposits, run passed proposals).

use dcloud_store::StateWrite;
use dcloud_types::Event;

use super::events as ev;
use super::handler::deliver;
use super::keys::{active_key, proposal_key, sub_key, ACTIVE, DEPOSIT, TOTAL_BURNED, VOTE};
use super::msg::uakt;
use super::state::{must_proposal, set_proposal, AmountRec};
use super::{authority, deposits, params, tally, total_burned, upgrade_plan, votes};
use super::{Proposal, ProposalStatus, NAME};
use crate::dec::{self, put_json, scan};
use crate::{bank, AppError, BlockCtx};

pub(crate) fn settle_deposits(
    state: &mut dyn StateWrite,
    id: u64,
    burn: bool,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let mut burned = 0u128;
    for (who, amt) in deposits(state, id)? {
        state.delete(sub_key(DEPOSIT, id, &who));
        if burn {
            burned = dec::add(burned, amt)?;
        } else {
            bank::transfer(state, &authority(), &who, &uakt(amt)?, events)?;
        }
    }
    if burned > 0 {
        bank::burn(state, NAME, &uakt(burned)?, events)?;
        let total = dec::add(total_burned(state)?, burned)?;
        put_json(state, TOTAL_BURNED.to_vec(), &AmountRec(total))?;
    }
    Ok(())
}

/// Begin block: halts at the height of a scheduled upgrade.
pub fn begin_block(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    _events: &mut Vec<Event>,
) -> Result<(), AppError> {
    if let Some(plan) = upgrade_plan(state)? {
        if ctx.height >= plan.height {
            return Err(AppError::UpgradeNeeded(format!(
                "UPGRADE \"{}\" NEEDED at height {}: this binary will not run block {}; \
                 install the upgraded binary and restart the node{}",
                plan.name,
                plan.height,
                ctx.height,
                if plan.info.is_empty() {
                    String::new()
                } else {
                    format!(" (info: {})", plan.info)
                }
            )));
        }
    }
    Ok(())
}

/// End block: ends deposit periods and voting periods that are due.
pub fn end_block(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let active: Vec<u64> = scan(state, &[ACTIVE])?
        .into_iter()
        .filter_map(|(k, _)| k.get(1..9).and_then(|b| b.try_into().ok()).map(u64::from_be_bytes))
        .collect();
    if active.is_empty() {
        return Ok(());
    }
    let p = params(state)?;
    for id in active {
        let prop = must_proposal(state, id)?;
        match prop.status {
            ProposalStatus::DepositPeriod if ctx.time_ms >= prop.deposit_end_time_ms => {
                settle_deposits(state, id, p.burn_proposal_deposit_prevote, events)?;
                state.delete(proposal_key(id));
                state.delete(active_key(id));
                events.push(ev::proposal_dropped(id));
            }
            ProposalStatus::VotingPeriod if ctx.time_ms >= prop.voting_end_time_ms => {
                end_voting_period(state, prop, ctx, events)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Ends the voting period of `prop`: tallies, settles the deposits, drops the votes, runs
/// the messages of a passed proposal atomically and records the outcome.
fn end_voting_period(
    state: &mut dyn StateWrite,
    mut prop: Proposal,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let id = prop.id;
    let t = tally(state, id)?;
    settle_deposits(state, id, t.burn_deposits, events)?;
    for v in votes(state, id)? {
        state.delete(sub_key(VOTE, id, &v.voter));
    }
    let result = if t.passes {
        let msgs = prop.messages.clone();
        let r = crate::atomically(state, events, |s, e| {
            for m in &msgs {
                let msg = m.decode()?;
                deliver(s, &msg, ctx, e)?;
            }
            Ok(())
        });
        match r {
            Ok(()) => {
                prop.status = ProposalStatus::Passed;
                "proposal_passed"
            }
            Err(e @ AppError::Store(_)) => return Err(e),
            Err(e) => {
                prop.status = ProposalStatus::Failed;
                prop.failed_reason = e.to_string();
                "proposal_failed"
            }
        }
    } else {
        prop.status = ProposalStatus::Rejected;
        if t.vetoed {
            "proposal_vetoed"
        } else if t.no_quorum {
            "proposal_no_quorum"
        } else {
            "proposal_rejected"
        }
    };
    prop.final_tally_result = Some(t.tally);
    set_proposal(state, &prop)?;
    state.delete(active_key(id));
    events.push(ev::voting_period_ended(id, result));
    Ok(())
}
