//! The gov invariants.

use dcloud_store::StateRead;
use dcloud_types::DENOM_AKT;

use super::keys::ACTIVE;
use super::{authority, deposits, get_proposal, ProposalStatus};
use crate::dec::{self, scan};
use crate::{bank, AppError};

/// Invariants: the gov module account holds exactly Σ deposits of active proposals; every
/// active proposal is in its deposit or voting period and its total matches its deposits.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    let mut sum = 0u128;
    for (k, _) in scan(state, &[ACTIVE])? {
        let id = k
            .get(1..9)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_be_bytes)
            .ok_or_else(|| AppError::Invariant("gov: bad active key".into()))?;
        let p = get_proposal(state, id)?
            .ok_or_else(|| AppError::Invariant(format!("gov: active proposal {id} missing")))?;
        if !matches!(p.status, ProposalStatus::DepositPeriod | ProposalStatus::VotingPeriod) {
            return Err(AppError::Invariant(format!(
                "gov: proposal {id} active but {:?}",
                p.status
            )));
        }
        let d: u128 = deposits(state, id)?.iter().map(|(_, a)| *a).sum();
        if d != p.total_deposit {
            return Err(AppError::Invariant(format!(
                "gov: proposal {id} total deposit {} ≠ Σ deposits {d}",
                p.total_deposit
            )));
        }
        sum = dec::add(sum, d)?;
    }
    let bal = bank::balance(state, &authority(), DENOM_AKT)?;
    if bal != sum {
        return Err(AppError::Invariant(format!(
            "gov: module account holds {bal}{DENOM_AKT} but active deposits total {sum}{DENOM_AKT}"
        )));
    }
    Ok(())
}
