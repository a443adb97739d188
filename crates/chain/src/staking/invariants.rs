//! The staking invariants.

use std::collections::{BTreeMap, BTreeSet};

use dcloud_store::StateRead;
use dcloud_types::{AccAddress, DENOM_AKT};

use super::state::*;
use super::{BondStatus, BONDED_POOL, NOT_BONDED_POOL};
use crate::dec;
use crate::{auth, bank, consensus, AppError};

/// Invariants: the bonded pool holds exactly the bonded validators' tokens; the not-bonded
/// pool exactly the other validators' tokens plus every unbonding entry's balance; each
/// validator's shares are the sum of its delegations' shares (and no shares means no
/// tokens); the last active set matches the bonded validators and the consensus set.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    if !enabled(state)? {
        return Ok(());
    }
    let inv = |m: String| Err(AppError::Invariant(format!("staking: {m}")));
    let vals = validators(state)?;
    let (mut bonded, mut not_bonded) = (0u128, 0u128);
    let mut shares: BTreeMap<String, u128> = BTreeMap::new();
    for d in all_delegations(state)? {
        let e = shares.entry(d.validator.clone()).or_default();
        *e = dec::add(*e, d.shares)?;
    }
    for v in &vals {
        match v.status {
            BondStatus::Bonded => bonded = dec::add(bonded, v.tokens)?,
            _ => not_bonded = dec::add(not_bonded, v.tokens)?,
        }
        let s = shares.remove(&v.operator_address).unwrap_or(0);
        if s != v.delegator_shares {
            return inv(format!(
                "validator {} has {} shares but its delegations sum to {}",
                v.operator_address,
                dec::fmt_dec18(v.delegator_shares),
                dec::fmt_dec18(s)
            ));
        }
        if v.delegator_shares == 0 && v.tokens != 0 {
            return inv(format!("validator {} has tokens but no shares", v.operator_address));
        }
    }
    if let Some((v, _)) = shares.into_iter().next() {
        return inv(format!("delegations to unknown validator {v}"));
    }
    for u in all_unbondings(state)? {
        for e in &u.entries {
            not_bonded = dec::add(not_bonded, e.balance)?;
        }
    }
    let bp = bank::balance(state, &auth::module_address(BONDED_POOL), DENOM_AKT)?;
    if bp != bonded {
        return inv(format!("bonded pool holds {bp} but bonded validators have {bonded}"));
    }
    let np = bank::balance(state, &auth::module_address(NOT_BONDED_POOL), DENOM_AKT)?;
    if np != not_bonded {
        return inv(format!(
            "not-bonded pool holds {np} but unbonded validators and unbonding entries have {not_bonded}"
        ));
    }
    let last = last_powers(state)?;
    let bonded_set: BTreeSet<&AccAddress> =
        vals.iter().filter(|v| v.status == BondStatus::Bonded).map(|v| &v.account).collect();
    if last.keys().collect::<BTreeSet<_>>() != bonded_set {
        return inv("the last active set differs from the bonded validators".into());
    }
    let cons: BTreeMap<String, u64> =
        consensus::validators(state)?.into_iter().map(|v| (v.address, v.power)).collect();
    for v in vals.iter().filter(|v| v.status == BondStatus::Bonded) {
        if cons.get(&v.consensus_address) != last.get(&v.account) {
            return inv(format!("consensus power of {} is out of date", v.operator_address));
        }
    }
    if cons.len() != last.len() {
        return inv("the consensus set has validators outside the active set".into());
    }
    Ok(())
}
