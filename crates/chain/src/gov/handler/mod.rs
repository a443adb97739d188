//! One file per gov message: stateless checks (in [`super::msg`]) → stateful checks → writes →
//! events; [`deliver`] dispatches (also for the messages of a passed proposal).

pub mod authority;
pub mod deposit;
pub mod submit_proposal;
pub mod vote;

use dcloud_proto::Msg;
use dcloud_store::StateWrite;
use dcloud_types::{Event, ATTO};

use super::msg::{parse_deposit, parse_weighted};
use super::state::must_proposal;
use super::{GovError, ProposalStatus, VoteOption, WeightDec};
use crate::{parse_addr, AppError, BlockCtx};

/// Delivers a gov message (from a tx, or from a passed proposal for the authority ones).
pub fn deliver(
    state: &mut dyn StateWrite,
    msg: &Msg,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    match msg {
        Msg::SubmitProposal(m) => submit_proposal::deliver(state, m, ctx, events),
        Msg::GovDeposit(m) => {
            let who = parse_addr(&m.depositor, "depositor")?;
            let amt = parse_deposit(&m.amount, false)?;
            let p = must_proposal(state, m.proposal_id)?;
            if p.status != ProposalStatus::DepositPeriod {
                return Err(AppError::from(GovError::InactiveProposal(format!(
                    "proposal {} is not in its deposit period",
                    p.id
                ))));
            }
            deposit::add_deposit(state, p, &who, amt, ctx, events)
        }
        Msg::Vote(m) => {
            let voter = parse_addr(&m.voter, "voter")?;
            let opt = VoteOption::from_i32(m.option)?;
            vote::cast_vote(state, m.proposal_id, voter, vec![(opt, WeightDec(ATTO))], events)
        }
        Msg::VoteWeighted(m) => {
            let voter = parse_addr(&m.voter, "voter")?;
            let opts = parse_weighted(&m.options)?;
            vote::cast_vote(state, m.proposal_id, voter, opts, events)
        }
        Msg::UpdateParams(..) | Msg::CommunityPoolSpend(_) | Msg::SoftwareUpgrade(_) => {
            authority::deliver(state, msg, ctx, events)
        }
        other => Err(AppError::UnknownRequest(format!("not a gov message: {}", other.type_url()))),
    }
}
