//! `MsgDeposit` (the proposal checks are in [`super::deliver`]): adds to a proposal's
//! deposits; reaching `min_deposit` starts the voting period.

use dcloud_store::StateWrite;
use dcloud_types::{AccAddress, Event};

use crate::dec::{self, get_json, put_json};
use crate::gov::events as ev;
use crate::gov::keys::{sub_key, DEPOSIT};
use crate::gov::msg::uakt;
use crate::gov::state::{set_proposal, AmountRec};
use crate::gov::{authority, params, Proposal, ProposalStatus};
use crate::{bank, AppError, BlockCtx};

/// Moves `amount` uakt from `who` into the gov account for proposal `p`.
pub(crate) fn add_deposit(
    state: &mut dyn StateWrite,
    mut p: Proposal,
    who: &AccAddress,
    amount: u128,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    bank::transfer(state, who, &authority(), &uakt(amount)?, events)?;
    let key = sub_key(DEPOSIT, p.id, who);
    let prev: u128 = get_json::<AmountRec>(state, &key, "deposit")?.map_or(0, |a| a.0);
    put_json(state, key, &AmountRec(dec::add(prev, amount)?))?;
    p.total_deposit = dec::add(p.total_deposit, amount)?;
    events.push(ev::proposal_deposit(p.id, who, amount));
    let params = params(state)?;
    if p.total_deposit >= params.min_deposit {
        p.status = ProposalStatus::VotingPeriod;
        p.voting_start_time_ms = ctx.time_ms;
        p.voting_end_time_ms = ctx.time_ms.saturating_add(params.voting_period_ms);
        events.push(ev::voting_period_started(p.id));
    }
    set_proposal(state, &p)
}
