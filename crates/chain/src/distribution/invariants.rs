//! The distribution invariants.

use std::collections::BTreeMap;

use dcloud_store::StateRead;
use dcloud_types::{AccAddress, DENOM_AKT};

use super::keys::start_key;
use super::rewards::pending_rewards;
use super::state::{fee_pool, validator_dist};
use super::MODULE_ACCOUNT;
use crate::dec::{self, ATTO};
use crate::{auth, bank, staking, AppError};

/// Invariants: the module account × 10^18 = Σ outstanding + community remainder;
/// allocated = released + Σ outstanding; each validator's outstanding covers its
/// commission and its delegations' pending rewards; every delegation has starting info.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    if !staking::enabled(state)? {
        return Ok(());
    }
    let inv = |m: String| Err(AppError::Invariant(format!("distribution: {m}")));
    let fp = fee_pool(state)?;
    let mut outstanding = 0u128;
    let mut owed: BTreeMap<AccAddress, u128> = BTreeMap::new();
    for d in staking::all_delegations(state)? {
        let v = staking::parse_valoper(&d.validator, "validator")?;
        if state.get(&start_key(&d.delegator, &v))?.is_none() {
            return inv(format!(
                "delegation {} → {} has no starting info",
                d.delegator, d.validator
            ));
        }
        let r = pending_rewards(state, &d.delegator, &v)?;
        let e = owed.entry(v).or_default();
        *e = dec::add(*e, r)?;
    }
    for v in staking::validators(state)? {
        let vd = validator_dist(state, &v.account)?;
        outstanding = dec::add(outstanding, vd.outstanding)?;
        let need = dec::add(vd.commission, owed.get(&v.account).copied().unwrap_or(0))?;
        if need > vd.outstanding {
            return inv(format!(
                "validator {} owes {} but has {} outstanding",
                v.operator_address,
                dec::fmt_dec18(need),
                dec::fmt_dec18(vd.outstanding)
            ));
        }
    }
    let bal = bank::balance(state, &auth::module_address(MODULE_ACCOUNT), DENOM_AKT)?;
    let want = dec::add(outstanding, fp.community_remainder)?;
    if bal.checked_mul(ATTO) != Some(want) {
        return inv(format!(
            "module holds {bal}{DENOM_AKT} but outstanding + community remainder = {}",
            dec::fmt_dec18(want)
        ));
    }
    if fp.total_allocated != dec::add(fp.total_released, outstanding)? {
        return inv("allocated ≠ released + outstanding".into());
    }
    if fp.total_paid.checked_mul(ATTO).is_none_or(|p| p > fp.total_allocated) {
        return inv("paid more than allocated".into());
    }
    Ok(())
}
