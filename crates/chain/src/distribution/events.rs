//! The events the distribution module emits.

use dcloud_types::{AccAddress, Coins, Event, DENOM_AKT};

use crate::dec;

/// A delegation's rewards were paid (`paid` micro-units).
pub fn withdraw_rewards_event(paid: u128, validator: &str, delegator: &AccAddress) -> Event {
    Event::new("withdraw_rewards")
        .attr("amount", format!("{paid}{DENOM_AKT}"))
        .attr("validator", validator)
        .attr("delegator", delegator)
}

/// A validator was allocated `tokens` (18-decimal) this block, `commission` of it as
/// commission.
pub fn rewards_event(validator: &str, tokens: u128, commission: u128) -> Event {
    Event::new("rewards")
        .attr("validator", validator)
        .attr("amount", dec::fmt_dec18(tokens))
        .attr("commission", dec::fmt_dec18(commission))
}

/// A validator withdrew `whole` micro-units of commission.
pub fn withdraw_commission_event(whole: u128, validator: &str) -> Event {
    Event::new("withdraw_commission")
        .attr("amount", format!("{whole}{DENOM_AKT}"))
        .attr("validator", validator)
}

/// A delegator set its withdraw address.
pub fn set_withdraw_address_event(withdraw_address: &AccAddress) -> Event {
    Event::new("set_withdraw_address").attr("withdraw_address", withdraw_address)
}

/// A depositor funded the community pool.
pub fn fund_community_pool_event(depositor: &AccAddress, amount: &Coins) -> Event {
    Event::new("fund_community_pool").attr("depositor", depositor).attr("amount", amount)
}
