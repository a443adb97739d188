//! Coins: a denomination and an integer amount. `Coins` is a sorted set without zeros.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why a coin string or operation is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoinError {
    /// The denomination breaks the Cosmos rule `[a-zA-Z][a-zA-Z0-9/:._-]{2,127}`.
    #[error("invalid denom {0:?}: must match [a-zA-Z][a-zA-Z0-9/:._-]{{2,127}}")]
    InvalidDenom(String),
    /// The amount is not a non-negative integer.
    #[error("invalid coin {0:?}: expected an integer amount followed by a denom, e.g. 1000uakt")]
    Malformed(String),
    /// Zero amounts are not valid coins.
    #[error("coin amount must be positive: {0:?}")]
    Zero(String),
    /// The same denom appears twice.
    #[error("duplicate denom {0:?}")]
    DuplicateDenom(String),
    /// Arithmetic overflowed u128.
    #[error("amount overflow for {0}")]
    Overflow(String),
    /// Subtraction would go negative.
    #[error("insufficient {denom}: have {have}, need {need}")]
    Insufficient {
        /// Denomination.
        denom: String,
        /// Available amount.
        have: u128,
        /// Requested amount.
        need: u128,
    },
}

/// Checks a denomination against the Cosmos SDK rule.
pub fn validate_denom(denom: &str) -> Result<(), CoinError> {
    let b = denom.as_bytes();
    let ok = (3..=128).contains(&b.len())
        && b[0].is_ascii_alphabetic()
        && b[1..].iter().all(|c| c.is_ascii_alphanumeric() || b"/:._-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(CoinError::InvalidDenom(denom.to_string()))
    }
}

/// One amount of one denomination.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Coin {
    /// Denomination, e.g. `uakt`.
    pub denom: String,
    /// Integer amount in the smallest unit.
    #[serde(with = "amount_str")]
    pub amount: u128,
}

impl Coin {
    /// A new coin (not validated).
    pub fn new(amount: u128, denom: impl Into<String>) -> Self {
        Self { denom: denom.into(), amount }
    }

    /// Checks the denom; zero is allowed here (use `validate_positive` for transfers).
    pub fn validate(&self) -> Result<(), CoinError> {
        validate_denom(&self.denom)
    }
}

impl fmt::Display for Coin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.amount, self.denom)
    }
}

impl FromStr for Coin {
    type Err = CoinError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        let (num, denom) = t.split_at(split);
        if num.is_empty() {
            return Err(CoinError::Malformed(s.to_string()));
        }
        let amount: u128 = num.parse().map_err(|_| CoinError::Malformed(s.to_string()))?;
        validate_denom(denom)?;
        Ok(Self { denom: denom.to_string(), amount })
    }
}

/// A set of coins with distinct denoms and positive amounts, kept sorted by denom.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Coins(BTreeMap<String, u128>);

impl Coins {
    /// The empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds from coins, rejecting duplicates, zero amounts and bad denoms.
    pub fn from_coins(coins: impl IntoIterator<Item = Coin>) -> Result<Self, CoinError> {
        let mut m = BTreeMap::new();
        for c in coins {
            c.validate()?;
            if c.amount == 0 {
                return Err(CoinError::Zero(c.to_string()));
            }
            if m.insert(c.denom.clone(), c.amount).is_some() {
                return Err(CoinError::DuplicateDenom(c.denom));
            }
        }
        Ok(Self(m))
    }

    /// One coin (zero gives the empty set).
    pub fn one(amount: u128, denom: &str) -> Self {
        let mut m = BTreeMap::new();
        if amount > 0 {
            m.insert(denom.to_string(), amount);
        }
        Self(m)
    }

    /// Amount of `denom` (0 if absent).
    pub fn amount_of(&self, denom: &str) -> u128 {
        self.0.get(denom).copied().unwrap_or(0)
    }

    /// True if no coins.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Iterates coins in denom order.
    pub fn iter(&self) -> impl Iterator<Item = Coin> + '_ {
        self.0.iter().map(|(d, a)| Coin::new(*a, d.clone()))
    }

    /// As a vector of coins, denom order.
    pub fn to_vec(&self) -> Vec<Coin> {
        self.iter().collect()
    }

    /// Checked addition.
    pub fn checked_add(&self, other: &Self) -> Result<Self, CoinError> {
        let mut m = self.0.clone();
        for (d, a) in &other.0 {
            let e = m.entry(d.clone()).or_insert(0);
            *e = e.checked_add(*a).ok_or_else(|| CoinError::Overflow(d.clone()))?;
        }
        Ok(Self(m))
    }

    /// Checked subtraction; fails if any denom would go negative.
    pub fn checked_sub(&self, other: &Self) -> Result<Self, CoinError> {
        let mut m = self.0.clone();
        for (d, a) in &other.0 {
            let have = m.get(d).copied().unwrap_or(0);
            let left = have.checked_sub(*a).ok_or_else(|| CoinError::Insufficient {
                denom: d.clone(),
                have,
                need: *a,
            })?;
            if left == 0 {
                m.remove(d);
            } else {
                m.insert(d.clone(), left);
            }
        }
        Ok(Self(m))
    }

    /// True if every denom of `other` is covered by `self`.
    pub fn is_all_gte(&self, other: &Self) -> bool {
        other.0.iter().all(|(d, a)| self.amount_of(d) >= *a)
    }
}

impl fmt::Display for Coins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.iter().map(|c| c.to_string()).collect();
        f.write_str(&parts.join(","))
    }
}

impl FromStr for Coins {
    type Err = CoinError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().is_empty() {
            return Ok(Self::new());
        }
        let coins = s.split(',').map(str::parse).collect::<Result<Vec<Coin>, _>>()?;
        Self::from_coins(coins)
    }
}

impl Serialize for Coins {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_vec().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Coins {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Vec::<Coin>::deserialize(d)?;
        Self::from_coins(v).map_err(serde::de::Error::custom)
    }
}

/// Amounts travel as decimal strings in JSON (u128 does not fit JSON numbers), as in Cosmos.
pub mod amount_str {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serializes as a decimal string.
    pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    /// Accepts a decimal string or a JSON integer.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum N {
            S(String),
            U(u64),
        }
        match N::deserialize(d)? {
            N::S(s) => s.parse().map_err(|_| serde::de::Error::custom(format!("bad amount {s:?}"))),
            N::U(u) => Ok(u as u128),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display() {
        let c: Coins = "10uakt,5uact".parse().unwrap();
        assert_eq!(c.to_string(), "5uact,10uakt");
        assert_eq!(c.amount_of("uakt"), 10);
        assert!(matches!("0uakt".parse::<Coins>(), Err(CoinError::Zero(_))));
        assert!(matches!("-5uakt".parse::<Coin>(), Err(CoinError::Malformed(_))));
        assert!(matches!("5".parse::<Coin>(), Err(CoinError::InvalidDenom(_))));
        assert!(matches!("uakt".parse::<Coin>(), Err(CoinError::Malformed(_))));
        assert!(matches!("1uakt,2uakt".parse::<Coins>(), Err(CoinError::DuplicateDenom(_))));
        assert!(matches!("1.5uakt".parse::<Coin>(), Err(CoinError::InvalidDenom(_))));
    }

    #[test]
    fn arithmetic() {
        let a: Coins = "10uakt".parse().unwrap();
        let b: Coins = "4uakt,1uact".parse().unwrap();
        assert_eq!(a.checked_add(&b).unwrap().to_string(), "1uact,14uakt");
        assert!(matches!(a.checked_sub(&b), Err(CoinError::Insufficient { .. })));
        assert_eq!(a.checked_sub(&"10uakt".parse().unwrap()).unwrap(), Coins::new());
    }
}
