//! Editing a genesis document: balances (keeping a declared supply consistent) and the
//! final validation every builder ends with.

use dcloud_app::modules::bank::{GenesisBalance, RawCoin};
use dcloud_app::Genesis;
use dcloud_types::{AccAddress, CoinError, Coins};

/// Why a genesis could not be built.
#[derive(Debug, thiserror::Error)]
pub enum GenesisBuildError {
    /// A balance already in the genesis does not parse.
    #[error("existing balance of {address}: {reason}")]
    ExistingBalance {
        /// Whose balance.
        address: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The declared `bank.supply` does not parse.
    #[error("bank.supply: {0}")]
    Supply(String),
    /// Adding the coins overflowed.
    #[error(transparent)]
    Coins(#[from] CoinError),
    /// The genesis has no validator key to build on.
    #[error("the devnet genesis has no validator key")]
    NoValidator,
    /// The result failed `Genesis::validate`.
    #[error("devnet genesis is invalid:\n  - {}", .0.join("\n  - "))]
    Invalid(Vec<String>),
}

/// Adds `coins` to the genesis balance of `addr`; a declared `bank.supply` grows with it.
pub fn add_balance(
    g: &mut Genesis,
    addr: &AccAddress,
    coins: &Coins,
) -> Result<(), GenesisBuildError> {
    let a = addr.to_string();
    let balances = &mut g.app_state.bank.balances;
    let existing = match balances.iter().position(|b| b.address == a) {
        Some(i) => {
            let bad = |e: &dyn std::fmt::Display| GenesisBuildError::ExistingBalance {
                address: a.clone(),
                reason: e.to_string(),
            };
            let parsed = balances[i]
                .coins
                .iter()
                .map(RawCoin::parse)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| bad(&e))?;
            let old = Coins::from_coins(parsed).map_err(|e| bad(&e))?;
            balances.remove(i);
            old
        }
        None => Coins::new(),
    };
    let total = existing.checked_add(coins)?;
    balances.push(GenesisBalance {
        address: a,
        coins: total.iter().map(|c| RawCoin::from(&c)).collect(),
    });
    if !g.app_state.bank.supply.is_empty() {
        let declared = g
            .app_state
            .bank
            .supply
            .iter()
            .map(RawCoin::parse)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| GenesisBuildError::Supply(e.to_string()))?;
        let supply = Coins::from_coins(declared)?.checked_add(coins)?;
        g.app_state.bank.supply = supply.iter().map(|c| RawCoin::from(&c)).collect();
    }
    Ok(())
}

/// Fails with every problem `Genesis::validate` finds.
pub fn validated(g: &Genesis) -> Result<(), GenesisBuildError> {
    let problems = g.validate();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(GenesisBuildError::Invalid(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dcloud_types::DENOM_AKT;

    fn addr(b: u8) -> AccAddress {
        AccAddress::from_bytes(&[b; 20]).unwrap()
    }

    fn amount(c: &RawCoin) -> u128 {
        RawCoin::parse(c).unwrap().amount
    }

    #[test]
    fn balances_add_up_and_a_declared_supply_follows() {
        let mut g = dcloud_app::testkit::genesis(&dcloud_app::testkit::TestConfig {
            funded: 0,
            ..Default::default()
        });
        add_balance(&mut g, &addr(1), &Coins::one(5, DENOM_AKT)).unwrap();
        add_balance(&mut g, &addr(1), &Coins::one(7, DENOM_AKT)).unwrap();
        assert_eq!(g.app_state.bank.balances.len(), 1);
        assert_eq!(amount(&g.app_state.bank.balances[0].coins[0]), 12);
        g.app_state.bank.supply = vec![RawCoin::from(&dcloud_types::Coin::new(12, DENOM_AKT))];
        add_balance(&mut g, &addr(2), &Coins::one(3, DENOM_AKT)).unwrap();
        assert_eq!(amount(&g.app_state.bank.supply[0]), 15);
        assert!(validated(&g).is_ok(), "{:?}", g.validate());
    }

    #[test]
    fn a_bad_existing_balance_is_reported_with_its_address() {
        let mut g = dcloud_app::testkit::genesis(&dcloud_app::testkit::TestConfig::default());
        g.app_state.bank.balances[0].coins[0].amount = serde_json::json!("-3");
        let who = g.app_state.bank.balances[0].address.clone();
        let e = add_balance(&mut g, &who.parse().unwrap(), &Coins::one(1, DENOM_AKT)).unwrap_err();
        assert!(e.to_string().starts_with(&format!("existing balance of {who}")), "{e}");
    }
}
