//! The bank module's keeper. Read side: [`balance`], [`balances`], [`supply_of`],
//! [`total_supply`], [`params`] (what other modules import). Write side: the balance and
//! supply setters used by `hooks.rs` and [`init_genesis`]; other modules move coins only
//! through the hooks (`transfer`, `send_checked`, `mint`, `burn`).

use std::collections::BTreeMap;

use dcloud_store::{StateRead, StateWrite};
use dcloud_types::{AccAddress, Coin, Coins};

use super::keys::{balance_key, balance_prefix, supply_key, SUPPLY};
use super::{BankGenesis, BankParams, RawCoin, NAME};
use crate::AppError;
use crate::{auth, get_params, set_params};

// ---- read side -------------------------------------------------------------------------

/// Decodes a stored amount (u128 BE).
pub(super) fn decode_amount(b: &[u8]) -> Result<u128, AppError> {
    Ok(u128::from_be_bytes(
        b.try_into().map_err(|_| AppError::ChainState("corrupt amount".into()))?,
    ))
}

/// Balance of one denom.
pub fn balance(state: &dyn StateRead, addr: &AccAddress, denom: &str) -> Result<u128, AppError> {
    state.get(&balance_key(addr, denom))?.map_or(Ok(0), |b| decode_amount(&b))
}

/// All balances of an account.
pub fn balances(state: &dyn StateRead, addr: &AccAddress) -> Result<Coins, AppError> {
    let prefix = balance_prefix(addr);
    let mut coins = Vec::new();
    for (k, v) in state.prefix_range(&prefix, None, 10_000)? {
        let denom = String::from_utf8(k[prefix.len()..].to_vec())
            .map_err(|_| AppError::ChainState("corrupt denom".into()))?;
        coins.push(Coin::new(decode_amount(&v)?, denom));
    }
    Ok(Coins::from_coins(coins)?)
}

/// Total supply of one denom.
pub fn supply_of(state: &dyn StateRead, denom: &str) -> Result<u128, AppError> {
    state.get(&supply_key(denom))?.map_or(Ok(0), |b| decode_amount(&b))
}

/// Total supply of every denom.
pub fn total_supply(state: &dyn StateRead) -> Result<Coins, AppError> {
    let mut coins = Vec::new();
    for (k, v) in state.prefix_range(&[SUPPLY], None, 10_000)? {
        let denom = String::from_utf8(k[1..].to_vec())
            .map_err(|_| AppError::ChainState("corrupt denom".into()))?;
        coins.push(Coin::new(decode_amount(&v)?, denom));
    }
    Ok(Coins::from_coins(coins)?)
}

/// Params.
pub fn params(state: &dyn StateRead) -> Result<BankParams, AppError> {
    get_params(state, NAME)
}

// ---- write side ------------------------------------------------------------------------

pub(super) fn set_balance(
    state: &mut dyn StateWrite,
    addr: &AccAddress,
    denom: &str,
    amount: u128,
) {
    if amount == 0 {
        state.delete(balance_key(addr, denom));
    } else {
        state.put(balance_key(addr, denom), amount.to_be_bytes().to_vec());
    }
}

pub(super) fn set_supply(state: &mut dyn StateWrite, denom: &str, amount: u128) {
    if amount == 0 {
        state.delete(supply_key(denom));
    } else {
        state.put(supply_key(denom), amount.to_be_bytes().to_vec());
    }
}

pub(super) fn sub_balance(
    state: &mut dyn StateWrite,
    addr: &AccAddress,
    coins: &Coins,
) -> Result<(), AppError> {
    for c in coins.iter() {
        let have = balance(state, addr, &c.denom)?;
        let left = have.checked_sub(c.amount).ok_or_else(|| {
            AppError::InsufficientFunds(format!("{addr} has {have}{} but needs {c}", c.denom))
        })?;
        set_balance(state, addr, &c.denom, left);
    }
    Ok(())
}

pub(super) fn add_balance(
    state: &mut dyn StateWrite,
    addr: &AccAddress,
    coins: &Coins,
) -> Result<(), AppError> {
    for c in coins.iter() {
        let have = balance(state, addr, &c.denom)?;
        let new = have
            .checked_add(c.amount)
            .ok_or_else(|| AppError::InvalidCoins(format!("balance overflow for {c}")))?;
        set_balance(state, addr, &c.denom, new);
    }
    Ok(())
}

/// Writes genesis state (balances, supply). Assumes `validate_genesis` passed.
pub fn init_genesis(state: &mut dyn StateWrite, g: &BankGenesis) -> Result<(), AppError> {
    set_params(state, NAME, &g.params)?;
    let mut supply: BTreeMap<String, u128> = BTreeMap::new();
    for b in &g.balances {
        let addr: AccAddress =
            b.address.parse().map_err(|e| AppError::InvalidAddress(format!("{e}")))?;
        let coins = Coins::from_coins(
            b.coins
                .iter()
                .map(RawCoin::parse)
                .collect::<Result<Vec<_>, _>>()
                .map_err(AppError::InvalidCoins)?,
        )?;
        auth::ensure_account(state, &addr)?;
        add_balance(state, &addr, &coins)?;
        for c in coins.iter() {
            let e = supply.entry(c.denom.clone()).or_insert(0);
            *e = e
                .checked_add(c.amount)
                .ok_or_else(|| AppError::InvalidCoins("supply overflow".into()))?;
        }
    }
    for (d, a) in supply {
        set_supply(state, &d, a);
    }
    Ok(())
}
