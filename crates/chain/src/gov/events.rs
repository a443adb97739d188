//! The events gov emits (Cosmos `x/gov` event and attribute names).

use dcloud_types::{AccAddress, Coins, Event, DENOM_AKT};

/// `submit_proposal`: a proposal was opened; `messages` lists its type URLs.
pub fn submit_proposal(id: u64, proposer: &AccAddress, messages: &[&str]) -> Event {
    Event::new("submit_proposal")
        .attr("proposal_id", id)
        .attr("proposer", proposer)
        .attr("proposal_messages", messages.join(","))
}

/// `proposal_deposit`: `depositor` added `amount` uakt.
pub fn proposal_deposit(id: u64, depositor: &AccAddress, amount: u128) -> Event {
    Event::new("proposal_deposit")
        .attr("proposal_id", id)
        .attr("depositor", depositor)
        .attr("amount", format!("{amount}{DENOM_AKT}"))
}

/// `active_proposal` with `voting_period_start`: the deposits reached the minimum.
pub fn voting_period_started(id: u64) -> Event {
    Event::new("active_proposal").attr("proposal_id", id).attr("voting_period_start", id)
}

/// `proposal_vote`: `voter` voted `options` (`Option:weight,…`).
pub fn proposal_vote(id: u64, voter: &AccAddress, options: &str) -> Event {
    Event::new("proposal_vote").attr("proposal_id", id).attr("voter", voter).attr("option", options)
}

/// `inactive_proposal`: the deposit period ended short of the minimum.
pub fn proposal_dropped(id: u64) -> Event {
    Event::new("inactive_proposal")
        .attr("proposal_id", id)
        .attr("proposal_result", "proposal_dropped")
}

/// `active_proposal` with `proposal_result`: the voting period ended with `result`.
pub fn voting_period_ended(id: u64, result: &str) -> Event {
    Event::new("active_proposal").attr("proposal_id", id).attr("proposal_result", result)
}

/// `update_params`: a proposal replaced `module`'s params.
pub fn update_params(module: &str) -> Event {
    Event::new("update_params").attr("module", module)
}

/// `community_pool_spend`: a proposal paid `amount` from the community pool.
pub fn community_pool_spend(recipient: &AccAddress, amount: &Coins) -> Event {
    Event::new("community_pool_spend").attr("recipient", recipient).attr("amount", amount)
}

/// `software_upgrade`: a proposal scheduled an upgrade.
pub fn software_upgrade(name: &str, height: u64) -> Event {
    Event::new("software_upgrade").attr("name", name).attr("height", height)
}
