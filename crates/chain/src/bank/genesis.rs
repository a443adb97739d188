//! The bank module's genesis section (params, balances, declared supply) and its
//! stateless checks.

use std::collections::BTreeMap;

use dcloud_types::{AccAddress, Coin};
use serde::{Deserialize, Serialize};

use super::BankParams;

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
        check_declared_supply(&g.supply, &sum, &mut errs);
    }
    errs.extend(g.params.validate());
    errs
}

/// The declared supply must parse and equal the sum of the balances.
fn check_declared_supply(supply: &[RawCoin], sum: &BTreeMap<String, u128>, errs: &mut Vec<String>) {
    let mut declared = BTreeMap::new();
    for (j, c) in supply.iter().enumerate() {
        match c.parse() {
            Ok(c) => {
                declared.insert(c.denom, c.amount);
            }
            Err(e) => errs.push(format!("bank.supply[{j}]: {e}")),
        }
    }
    if &declared != sum {
        errs.push(format!("bank.supply {declared:?} does not equal the sum of balances {sum:?}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coin(amount: serde_json::Value, denom: &str) -> RawCoin {
        RawCoin { denom: denom.into(), amount }
    }

    #[test]
    fn raw_coins_parse_strings_and_numbers_only() {
        assert_eq!(coin("5".into(), "uakt").parse().ok(), Some(Coin::new(5, "uakt")));
        assert_eq!(coin(7.into(), "uakt").parse().ok(), Some(Coin::new(7, "uakt")));
        assert!(coin("-1".into(), "uakt").parse().is_err());
        assert!(coin(serde_json::Value::Bool(true), "uakt").parse().is_err());
    }

    #[test]
    fn declared_supply_must_equal_the_balances() {
        let g = BankGenesis { supply: vec![coin("1".into(), "uakt")], ..Default::default() };
        let errs = validate_genesis(&g);
        assert_eq!(errs.len(), 1);
        assert!(errs[0].starts_with("bank.supply {"));
    }
}
