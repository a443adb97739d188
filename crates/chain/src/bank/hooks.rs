//! The writes other modules ask of bank, by name: [`transfer`] (module flows: escrow,
//! distribution, staking, gov, BME…), [`send_checked`] (user sends: bank's own messages
//! and authz), [`mint`] and [`burn`] (module accounts with the permission).

use dcloud_store::StateWrite;
use dcloud_types::{AccAddress, Coins, Event};

use super::state::{add_balance, params, set_supply, sub_balance, supply_of};
use super::{events, NON_TRANSFERABLE};
use crate::auth;
use crate::AppError;

/// Moves coins between any two accounts (modules included), creating the recipient account.
/// No send-enabled check: that applies to user messages only (see [`send_checked`]).
pub fn transfer(
    state: &mut dyn StateWrite,
    from: &AccAddress,
    to: &AccAddress,
    coins: &Coins,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    sub_balance(state, from, coins)?;
    auth::ensure_account(state, to)?;
    add_balance(state, to, coins)?;
    events.extend(events::transfer(from, to, coins));
    Ok(())
}

/// A user-initiated send: checks non-transferable and send-enabled denoms and blocked
/// (module) recipients.
pub fn send_checked(
    state: &mut dyn StateWrite,
    from: &AccAddress,
    to: &AccAddress,
    coins: &Coins,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let p = params(state)?;
    for c in coins.iter() {
        if NON_TRANSFERABLE.contains(&c.denom.as_str()) {
            return Err(AppError::SendDisabled(format!(
                "{} (ACT is a non-transferable compute credit: spend it on deployments or \
                 convert it with `dcloud tx bme burn-act`)",
                c.denom
            )));
        }
        if !p.is_send_enabled(&c.denom) {
            return Err(AppError::SendDisabled(c.denom));
        }
    }
    if auth::is_module_address(to) {
        return Err(AppError::Unauthorized(format!(
            "{to} is a module account and cannot receive funds"
        )));
    }
    transfer(state, from, to, coins, events)
}

/// Mints `coins` into module account `module` (needs the `minter` permission).
pub fn mint(
    state: &mut dyn StateWrite,
    module: &str,
    coins: &Coins,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    if !auth::has_permission(module, "minter") {
        return Err(AppError::Unauthorized(format!("module {module} may not mint")));
    }
    let addr = auth::module_address(module);
    add_balance(state, &addr, coins)?;
    for c in coins.iter() {
        let s = supply_of(state, &c.denom)?;
        let new = s
            .checked_add(c.amount)
            .ok_or_else(|| AppError::InvalidCoins(format!("supply overflow for {c}")))?;
        set_supply(state, &c.denom, new);
    }
    events.push(events::coinbase(&addr, coins));
    Ok(())
}

/// Burns `coins` from module account `module` (needs the `burner` permission).
pub fn burn(
    state: &mut dyn StateWrite,
    module: &str,
    coins: &Coins,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    if !auth::has_permission(module, "burner") {
        return Err(AppError::Unauthorized(format!("module {module} may not burn")));
    }
    let addr = auth::module_address(module);
    sub_balance(state, &addr, coins)?;
    for c in coins.iter() {
        let s = supply_of(state, &c.denom)?;
        let new = s
            .checked_sub(c.amount)
            .ok_or_else(|| AppError::Invariant(format!("supply underflow for {c}")))?;
        set_supply(state, &c.denom, new);
    }
    events.push(events::burn(&addr, coins));
    Ok(())
}
