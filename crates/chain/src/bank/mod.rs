//! The bank module: balances, total supply per denom, sends, and mint/burn for modules.
//!
//! State: `0x10 ‖ len ‖ addr ‖ denom` → amount (u128 BE), `0x11 ‖ denom` → supply (u128 BE).
//! Zero balances are deleted, never stored.
//! Invariant: for every denom, supply = sum of balances.

mod module;
mod msg;
pub mod query;
pub use module::BankModule;

use std::collections::BTreeMap;

use dcloud_store::{StateRead, StateWrite};
use dcloud_types::{AccAddress, Coin, Coins, Event};
use serde::{Deserialize, Serialize};

use crate::AppError;
use crate::{auth, get_params, set_params};

/// The module name.
pub const NAME: &str = "bank";

/// Bank params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankParams {
    /// Whether denoms not listed in `send_enabled` can be sent.
    pub default_send_enabled: bool,
    /// Per-denom overrides.
    #[serde(default)]
    pub send_enabled: Vec<SendEnabled>,
}

impl Default for BankParams {
    fn default() -> Self {
        Self { default_send_enabled: true, send_enabled: Vec::new() }
    }
}

impl BankParams {
    /// Whether `denom` may be sent between accounts.
    pub fn is_send_enabled(&self, denom: &str) -> bool {
        self.send_enabled
            .iter()
            .find(|s| s.denom == denom)
            .map_or(self.default_send_enabled, |s| s.enabled)
    }
}

/// A per-denom send switch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendEnabled {
    /// Denomination.
    pub denom: String,
    /// Whether it can be sent.
    pub enabled: bool,
}

/// Genesis state of bank.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankGenesis {
    /// Params.
    #[serde(default)]
    pub params: BankParams,
    /// Initial balances.
    #[serde(default)]
    pub balances: Vec<GenesisBalance>,
    /// Expected total supply; empty means "sum of balances".
    #[serde(default)]
    pub supply: Vec<RawCoin>,
}

/// A coin as written in genesis JSON: amount as a string, checked on validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawCoin {
    /// Denomination.
    pub denom: String,
    /// Amount as written (may be invalid; validation reports it).
    pub amount: serde_json::Value,
}

impl RawCoin {
    /// Parses into a coin, with a reason on failure.
    pub fn parse(&self) -> Result<Coin, String> {
        let s = match &self.amount {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            other => return Err(format!("amount {other} is not a number")),
        };
        if s.starts_with('-') {
            return Err(format!("negative amount {s}{}", self.denom));
        }
        let amount: u128 =
            s.parse().map_err(|_| format!("malformed amount {s:?} for {}", self.denom))?;
        dcloud_types::coin::validate_denom(&self.denom).map_err(|e| e.to_string())?;
        Ok(Coin::new(amount, self.denom.clone()))
    }
}

impl From<&Coin> for RawCoin {
    fn from(c: &Coin) -> Self {
        Self { denom: c.denom.clone(), amount: serde_json::Value::String(c.amount.to_string()) }
    }
}

/// One genesis balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenesisBalance {
    /// Address (bech32).
    pub address: String,
    /// Coins.
    pub coins: Vec<RawCoin>,
}

fn balance_prefix(addr: &AccAddress) -> Vec<u8> {
    let b = addr.as_bytes();
    let mut k = Vec::with_capacity(2 + b.len() + 8);
    k.push(0x10);
    k.push(b.len() as u8);
    k.extend_from_slice(b);
    k
}

fn balance_key(addr: &AccAddress, denom: &str) -> Vec<u8> {
    let mut k = balance_prefix(addr);
    k.extend_from_slice(denom.as_bytes());
    k
}

fn supply_key(denom: &str) -> Vec<u8> {
    let mut k = vec![0x11];
    k.extend_from_slice(denom.as_bytes());
    k
}

fn decode_amount(b: &[u8]) -> Result<u128, AppError> {
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

fn set_balance(state: &mut dyn StateWrite, addr: &AccAddress, denom: &str, amount: u128) {
    if amount == 0 {
        state.delete(balance_key(addr, denom));
    } else {
        state.put(balance_key(addr, denom), amount.to_be_bytes().to_vec());
    }
}

/// Total supply of one denom.
pub fn supply_of(state: &dyn StateRead, denom: &str) -> Result<u128, AppError> {
    state.get(&supply_key(denom))?.map_or(Ok(0), |b| decode_amount(&b))
}

/// Total supply of every denom.
pub fn total_supply(state: &dyn StateRead) -> Result<Coins, AppError> {
    let mut coins = Vec::new();
    for (k, v) in state.prefix_range(&[0x11], None, 10_000)? {
        let denom = String::from_utf8(k[1..].to_vec())
            .map_err(|_| AppError::ChainState("corrupt denom".into()))?;
        coins.push(Coin::new(decode_amount(&v)?, denom));
    }
    Ok(Coins::from_coins(coins)?)
}

fn set_supply(state: &mut dyn StateWrite, denom: &str, amount: u128) {
    if amount == 0 {
        state.delete(supply_key(denom));
    } else {
        state.put(supply_key(denom), amount.to_be_bytes().to_vec());
    }
}

/// Params.
pub fn params(state: &dyn StateRead) -> Result<BankParams, AppError> {
    get_params(state, NAME)
}

fn sub_balance(
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

fn add_balance(
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
    events.push(Event::new("coin_spent").attr("spender", from).attr("amount", coins));
    events.push(Event::new("coin_received").attr("receiver", to).attr("amount", coins));
    events.push(
        Event::new("transfer").attr("recipient", to).attr("sender", from).attr("amount", coins),
    );
    Ok(())
}

/// Denoms that users can never send to each other, whatever the params say: ACT is a
/// non-transferable compute credit (AEP-76). Module flows ([`transfer`]: escrow deposits
/// and payouts, BME) still move it.
pub const NON_TRANSFERABLE: &[&str] = &[dcloud_types::DENOM_ACT];

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
    events.push(Event::new("coinbase").attr("minter", addr).attr("amount", coins));
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
    events.push(Event::new("burn").attr("burner", addr).attr("amount", coins));
    Ok(())
}

/// Writes genesis state (balances, supply). Assumes [`validate_genesis`] passed.
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

/// Every problem in a bank genesis.
pub fn validate_genesis(g: &BankGenesis) -> Vec<String> {
    let mut errs = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut sum: BTreeMap<String, u128> = BTreeMap::new();
    for (i, b) in g.balances.iter().enumerate() {
        if let Err(e) = b.address.parse::<AccAddress>() {
            errs.push(format!("bank.balances[{i}]: {e}"));
        }
        if !seen.insert(b.address.clone()) {
            errs.push(format!("bank.balances[{i}]: duplicate balance entry for {}", b.address));
        }
        let mut denoms = std::collections::BTreeSet::new();
        for (j, c) in b.coins.iter().enumerate() {
            match c.parse() {
                Ok(c) if c.amount == 0 => {
                    errs.push(format!("bank.balances[{i}].coins[{j}]: zero amount of {}", c.denom))
                }
                Ok(c) => {
                    if !denoms.insert(c.denom.clone()) {
                        errs.push(format!(
                            "bank.balances[{i}].coins[{j}]: duplicate denom {}",
                            c.denom
                        ));
                    }
                    let e = sum.entry(c.denom.clone()).or_insert(0);
                    match e.checked_add(c.amount) {
                        Some(v) => *e = v,
                        None => errs.push(format!("bank: supply of {} overflows", c.denom)),
                    }
                }
                Err(e) => errs.push(format!("bank.balances[{i}].coins[{j}]: {e}")),
            }
        }
    }
    if !g.supply.is_empty() {
        let mut declared = BTreeMap::new();
        for (j, c) in g.supply.iter().enumerate() {
            match c.parse() {
                Ok(c) => {
                    declared.insert(c.denom, c.amount);
                }
                Err(e) => errs.push(format!("bank.supply[{j}]: {e}")),
            }
        }
        if declared != sum {
            errs.push(format!(
                "bank.supply {declared:?} does not equal the sum of balances {sum:?}"
            ));
        }
    }
    for (i, s) in g.params.send_enabled.iter().enumerate() {
        if let Err(e) = dcloud_types::coin::validate_denom(&s.denom) {
            errs.push(format!("bank.params.send_enabled[{i}]: {e}"));
        }
    }
    errs
}

/// Invariants: supply = sum of balances for every denom; no zero balances stored.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    let mut sum: BTreeMap<String, u128> = BTreeMap::new();
    let mut after: Option<Vec<u8>> = None;
    loop {
        let page = state.prefix_range(&[0x10], after.as_deref(), 1000)?;
        for (k, v) in &page {
            let amount = decode_amount(v)?;
            let alen =
                *k.get(1).ok_or_else(|| AppError::Invariant("short balance key".into()))? as usize;
            let denom = String::from_utf8(k.get(2 + alen..).unwrap_or_default().to_vec())
                .map_err(|_| AppError::Invariant("non-utf8 denom".into()))?;
            if amount == 0 {
                return Err(AppError::Invariant(format!("zero balance stored for {denom}")));
            }
            let e = sum.entry(denom.clone()).or_insert(0);
            *e = e.checked_add(amount).ok_or_else(|| AppError::Invariant("overflow".into()))?;
            after = Some(k.clone());
        }
        if page.len() < 1000 {
            break;
        }
    }
    let supply: BTreeMap<String, u128> =
        total_supply(state)?.iter().map(|c| (c.denom, c.amount)).collect();
    if supply != sum {
        return Err(AppError::Invariant(format!(
            "total supply {supply:?} != sum of balances {sum:?}"
        )));
    }
    Ok(())
}
