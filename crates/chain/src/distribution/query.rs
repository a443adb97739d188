//! Distribution queries: `params`; `rewards` (delegator address → [`RewardsView`], decimal
//! uakt); `validator` (operator → commission and outstanding rewards); `community-pool`.

use dcloud_store::StateRead;
use dcloud_types::AccAddress;

pub use super::types::{RewardView, RewardsView};
use crate::query::{addr_arg, json};
use crate::staking::query::operator_arg;
use crate::{auth, bank, dec, staking, AppError, QueryCtx};

/// Answers `/distribution/<path>`; `None` = not a distribution path.
pub fn route(path: &str, data: &[u8], q: &QueryCtx<'_>) -> Option<Result<Vec<u8>, AppError>> {
    answer(path, data, q).transpose()
}

fn answer(path: &str, data: &[u8], q: &QueryCtx<'_>) -> Result<Option<Vec<u8>>, AppError> {
    let snap = q.state;
    Ok(Some(match path {
        "params" => json(&super::params(snap)?)?,
        "rewards" => json(&rewards(snap, &addr_arg(data)?)?)?,
        "validator" => {
            let op = operator_arg(data)?;
            staking::get_validator(snap, &op)?
                .ok_or_else(|| AppError::ValidatorNotFound(staking::valoper(&op)))?;
            let vd = super::validator_dist(snap, &op)?;
            json(&serde_json::json!({
                "validator_address": staking::valoper(&op),
                "commission": dec::fmt_dec18(vd.commission),
                "outstanding_rewards": dec::fmt_dec18(vd.outstanding),
            }))?
        }
        "community-pool" => json(&serde_json::json!({
            "pool": bank::balances(snap, &auth::module_address(super::COMMUNITY_POOL))?,
            "fee_pool": super::fee_pool(snap)?,
        }))?,
        _ => return Ok(None),
    }))
}

fn rewards(snap: &dyn StateRead, d: &AccAddress) -> Result<RewardsView, AppError> {
    let mut rewards = Vec::new();
    let mut total = 0u128;
    for del in staking::delegations_of(snap, d)? {
        let op = staking::parse_valoper(&del.validator, "validator")?;
        let r = super::pending_rewards(snap, d, &op)?;
        total = dec::add(total, r)?;
        rewards.push(RewardView { validator_address: del.validator, reward: dec::fmt_dec18(r) });
    }
    Ok(RewardsView { rewards, total: dec::fmt_dec18(total) })
}
