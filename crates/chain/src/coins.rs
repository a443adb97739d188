//! Coin amounts as messages carry them (proto coins) parsed into [`Coins`].

use dcloud_proto::cosmos::cosmos::base::v1beta1::Coin as ProtoCoin;
use dcloud_types::{Coin, Coins};

use crate::AppError;

/// Parses proto coins into a valid, positive, duplicate-free set.
pub fn parse_coins(coins: &[ProtoCoin]) -> Result<Coins, AppError> {
    let mut v = Vec::with_capacity(coins.len());
    for c in coins {
        if c.amount.starts_with('-') {
            return Err(AppError::InvalidCoins(format!("negative amount {}{}", c.amount, c.denom)));
        }
        let amount: u128 = c.amount.parse().map_err(|_| {
            AppError::InvalidCoins(format!(
                "malformed amount {:?} for denom {:?}",
                c.amount, c.denom
            ))
        })?;
        v.push(Coin::new(amount, c.denom.clone()));
    }
    Ok(Coins::from_coins(v)?)
}
