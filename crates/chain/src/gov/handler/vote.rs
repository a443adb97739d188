//! `MsgVote` and `MsgVoteWeighted`: records (or replaces) a voter's vote.

use dcloud_store::StateWrite;
use dcloud_types::{AccAddress, Event};

use crate::dec::{fmt_dec18, put_json};
use crate::gov::events as ev;
use crate::gov::keys::{sub_key, VOTE};
use crate::gov::state::must_proposal;
use crate::gov::{GovError, ProposalStatus, Vote, VoteOption, WeightDec};
use crate::AppError;

/// Records a vote on proposal `id`, which must be in its voting period.
pub(crate) fn cast_vote(
    state: &mut dyn StateWrite,
    id: u64,
    voter: AccAddress,
    options: Vec<(VoteOption, WeightDec)>,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let p = must_proposal(state, id)?;
    if p.status != ProposalStatus::VotingPeriod {
        return Err(AppError::from(GovError::InactiveProposal(format!(
            "proposal {id} is not in its voting period"
        ))));
    }
    let opts_text = options
        .iter()
        .map(|(o, w)| format!("{o:?}:{}", fmt_dec18(w.0)))
        .collect::<Vec<_>>()
        .join(",");
    put_json(
        state,
        sub_key(VOTE, id, &voter),
        &Vote { proposal_id: id, voter: voter.clone(), options },
    )?;
    events.push(ev::proposal_vote(id, &voter, &opts_text));
    Ok(())
}
