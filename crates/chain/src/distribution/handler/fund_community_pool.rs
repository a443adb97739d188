//! `MsgFundCommunityPool`: a depositor sends coins to the community pool.

use dcloud_proto::cosmos::cosmos::distribution::v1beta1::MsgFundCommunityPool;
use dcloud_store::StateWrite;
use dcloud_types::{AccAddress, Event};

use super::super::events::fund_community_pool_event;
use super::super::COMMUNITY_POOL;
use crate::{auth, bank, AppError};

/// Executes `MsgFundCommunityPool` (its stateless checks ran in `validate_basic`).
pub fn handle(
    state: &mut dyn StateWrite,
    m: &MsgFundCommunityPool,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let from: AccAddress =
        m.depositor.parse().map_err(|e| AppError::InvalidAddress(format!("depositor: {e}")))?;
    let coins = crate::parse_coins(&m.amount)?;
    if coins.is_empty() {
        return Err(AppError::InvalidCoins("amount is empty".into()));
    }
    // Non-transferable denoms cannot fund it.
    for c in coins.iter() {
        if bank::NON_TRANSFERABLE.contains(&c.denom.as_str()) {
            return Err(AppError::SendDisabled(format!(
                "{} is non-transferable and cannot fund the community pool",
                c.denom
            )));
        }
    }
    // The depositor has every coin.
    for c in coins.iter() {
        let have = bank::balance(state, &from, &c.denom)?;
        if have < c.amount {
            return Err(AppError::InsufficientFunds(format!(
                "{from} has {have}{} but funds the community pool with {c}",
                c.denom
            )));
        }
    }
    bank::transfer(state, &from, &auth::module_address(COMMUNITY_POOL), &coins, events)?;
    events.push(fund_community_pool_event(&from, &coins));
    Ok(())
}
