//! Begin block: the inflation step and this block's provision.

use dcloud_store::StateWrite;
use dcloud_types::{Coin, Coins, Event};

use super::state::{minter, params, put_minter};
use super::{mint_event, next_inflation, NAME};
use crate::dec::{self, mul_div_floor, ATTO};
use crate::{auth, bank, staking, AppError, BlockCtx};

/// Begin block: updates inflation and annual provisions, mints this block's provision into
/// the fee collector.
pub fn begin_block(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let _ = ctx;
    if !staking::enabled(state)? {
        return Ok(());
    }
    let p = params(state)?;
    let mut m = minter(state)?;
    let supply = bank::supply_of(state, &p.mint_denom)?;
    let bonded = staking::bonded_tokens(state)?;
    let ratio = if supply == 0 { 0 } else { mul_div_floor(bonded, ATTO, supply)? };
    m.inflation = next_inflation(&p, m.inflation, ratio)?;
    m.annual_provisions = m
        .inflation
        .checked_mul(supply)
        .ok_or_else(|| AppError::InvalidRequest("annual provisions overflow".into()))?;
    let per_block = m.annual_provisions / ATTO / u128::from(p.blocks_per_year);
    if per_block > 0 {
        let coins = Coins::from_coins(vec![Coin::new(per_block, p.mint_denom.clone())])?;
        bank::mint(state, NAME, &coins, events)?;
        bank::transfer(
            state,
            &auth::module_address(NAME),
            &auth::module_address(auth::FEE_COLLECTOR),
            &coins,
            events,
        )?;
        m.total_minted = dec::add(m.total_minted, per_block)?;
    }
    events.push(mint_event(ratio, m.inflation, m.annual_provisions, per_block));
    put_minter(state, &m)
}
