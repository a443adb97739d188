//! Begin block: the fee collector's `uakt` is allocated among the previous block's signers
//! by power (commission first), the community tax and any remainder to the community pool.

use dcloud_store::StateWrite;
use dcloud_types::{Coin, Coins, Event, DENOM_AKT};

use super::events::rewards_event;
use super::rewards::flush_community;
use super::state::*;
use super::MODULE_ACCOUNT;
use crate::dec::{self, mul_div_floor, ATTO};
use crate::{auth, bank, consensus, staking, AppError, BlockCtx};

/// Credits a validator with `tokens` (18-decimal): commission at its rate, the rest to its
/// delegators' current period.
fn allocate_to_validator(
    state: &mut dyn StateWrite,
    v: &staking::Validator,
    tokens: u128,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let commission = mul_div_floor(tokens, v.commission.rate, ATTO)?;
    let mut vd = validator_dist(state, &v.account)?;
    vd.commission = dec::add(vd.commission, commission)?;
    vd.current_rewards = dec::add(vd.current_rewards, tokens - commission)?;
    vd.outstanding = dec::add(vd.outstanding, tokens)?;
    set_validator_dist(state, &v.account, &vd)?;
    events.push(rewards_event(&v.operator_address, tokens, commission));
    Ok(())
}

/// Begin block: distributes the fee collector's `uakt` among the previous block's signers
/// by power (see the module docs).
pub fn begin_block(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let _ = ctx;
    if !staking::enabled(state)? {
        return Ok(());
    }
    let collector = auth::module_address(auth::FEE_COLLECTOR);
    let fees = bank::balance(state, &collector, DENOM_AKT)?;
    if fees == 0 {
        return Ok(());
    }
    let coins = Coins::from_coins(vec![Coin::new(fees, DENOM_AKT)])?;
    bank::transfer(state, &collector, &auth::module_address(MODULE_ACCOUNT), &coins, events)?;
    let p = params(state)?;
    let total =
        fees.checked_mul(ATTO).ok_or_else(|| AppError::Invariant("fees overflow".into()))?;
    let mut signers = Vec::new();
    for vote in consensus::last_commit(state)?.into_iter().filter(|v| v.signed && v.power > 0) {
        if let Some(v) = staking::validator_by_consensus(state, &vote.validator_address)? {
            signers.push((v, vote.power));
        }
    }
    let total_power: u128 = signers.iter().map(|(_, p)| u128::from(*p)).sum();
    let mut remaining = total;
    if total_power > 0 {
        let for_validators = mul_div_floor(total, ATTO - p.community_tax, ATTO)?;
        for (v, power) in &signers {
            let reward = mul_div_floor(for_validators, u128::from(*power), total_power)?;
            allocate_to_validator(state, v, reward, events)?;
            remaining -= reward;
        }
    }
    let mut fp = fee_pool(state)?;
    fp.total_allocated = dec::add(fp.total_allocated, total - remaining)?;
    fp.community_remainder = dec::add(fp.community_remainder, remaining)?;
    flush_community(state, &mut fp, events)?;
    set_fee_pool(state, &fp)
}
