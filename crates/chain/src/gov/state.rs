//! The gov keeper. Read side (queries, invariants, other modules): [`params`],
//! [`get_proposal`], [`proposals`], [`deposits`], [`votes`], [`total_burned`] (read by the
//! supply invariant), [`upgrade_plan`]. Write side (gov's own handlers and end block only):
//! `set_proposal`, [`init_genesis`].

use dcloud_store::{StateRead, StateWrite};
use dcloud_types::AccAddress;
use serde::{Deserialize, Serialize};

use super::keys::{proposal_key, sub_prefix, DEPOSIT, PROPOSAL, TOTAL_BURNED, UPGRADE_PLAN, VOTE};
use super::{GovError, GovGenesis, GovParams, Proposal, UpgradePlan, Vote, NAME};
use crate::dec::{get_json, put_json, scan};
use crate::{get_params, set_params, AppError};

/// Params.
pub fn params(state: &dyn StateRead) -> Result<GovParams, AppError> {
    get_params(state, NAME)
}

/// Writes genesis.
pub fn init_genesis(state: &mut dyn StateWrite, g: &GovGenesis) -> Result<(), AppError> {
    set_params(state, NAME, &g.params)
}

/// A proposal.
pub fn get_proposal(state: &dyn StateRead, id: u64) -> Result<Option<Proposal>, AppError> {
    get_json(state, &proposal_key(id), "proposal")
}

/// Every stored proposal, by id.
pub fn proposals(state: &dyn StateRead) -> Result<Vec<Proposal>, AppError> {
    scan(state, &[PROPOSAL])?
        .into_iter()
        .map(|(_, v)| {
            serde_json::from_slice(&v)
                .map_err(|e| AppError::ChainState(format!("corrupt proposal: {e}")))
        })
        .collect()
}

/// The deposits of a proposal: (depositor, uakt).
pub fn deposits(state: &dyn StateRead, id: u64) -> Result<Vec<(AccAddress, u128)>, AppError> {
    let mut out = Vec::new();
    for (k, v) in scan(state, &sub_prefix(DEPOSIT, id))? {
        let a = AccAddress::from_bytes(k.get(10..).unwrap_or_default())
            .map_err(|e| AppError::ChainState(format!("deposit key: {e}")))?;
        let amt: AmountRec = serde_json::from_slice(&v)
            .map_err(|e| AppError::ChainState(format!("corrupt deposit: {e}")))?;
        out.push((a, amt.0));
    }
    Ok(out)
}

#[derive(Serialize, Deserialize)]
pub(crate) struct AmountRec(#[serde(with = "dcloud_types::coin::amount_str")] pub(crate) u128);

/// The votes cast on a proposal (kept until its tally).
pub fn votes(state: &dyn StateRead, id: u64) -> Result<Vec<Vote>, AppError> {
    scan(state, &sub_prefix(VOTE, id))?
        .into_iter()
        .map(|(_, v)| {
            serde_json::from_slice(&v)
                .map_err(|e| AppError::ChainState(format!("corrupt vote: {e}")))
        })
        .collect()
}

/// Σ uakt burned from deposits (vetoed, quorum-failed or expired proposals).
pub fn total_burned(state: &dyn StateRead) -> Result<u128, AppError> {
    Ok(get_json::<AmountRec>(state, TOTAL_BURNED, "gov burned")?.map_or(0, |a| a.0))
}

/// The scheduled upgrade plan, if any.
pub fn upgrade_plan(state: &dyn StateRead) -> Result<Option<UpgradePlan>, AppError> {
    get_json(state, UPGRADE_PLAN, "upgrade plan")
}

pub(crate) fn set_proposal(state: &mut dyn StateWrite, p: &Proposal) -> Result<(), AppError> {
    put_json(state, proposal_key(p.id), p)
}

pub(crate) fn must_proposal(state: &dyn StateRead, id: u64) -> Result<Proposal, AppError> {
    get_proposal(state, id)?
        .ok_or_else(|| AppError::from(GovError::UnknownProposal(id.to_string())))
}
