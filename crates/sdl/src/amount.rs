//! Exact decimal amounts (Cosmos `Dec`, 18 fractional digits) and prices.

use std::fmt;
use std::str::FromStr;

use dcloud_types::{Dec, DecError};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use dcloud_types::dec::DEC_PRECISION;

/// A non-negative decimal with 18 fractional digits, stored exactly as an integer
/// number of 10^-18 units (no floating point anywhere): the workspace's [`Dec`] with the
/// SDL's more forgiving text parser (surrounding spaces, a `+` sign and a trailing `.` are
/// accepted; errors name what is wrong in SDL terms).
///
/// Displays like Cosmos `LegacyDec`: always 18 decimals (`"150.000000000000000000"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct DecAmount(Dec);

/// Why a decimal string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// The text is negative.
    #[error("invalid: negative value not allowed")]
    Negative,
    /// The text is not a plain decimal number.
    #[error("invalid decimal {0:?}: expected digits with an optional fraction, e.g. 100 or 0.5")]
    Syntax(String),
    /// More than 18 digits after the point.
    #[error("invalid decimal {0:?}: too many decimal places (at most 18)")]
    TooPrecise(String),
    /// The value does not fit.
    #[error("decimal value out of range")]
    Overflow,
}

impl DecAmount {
    /// Zero.
    pub const ZERO: Self = Self(Dec::ZERO);

    /// From a whole number.
    pub fn from_integer(n: u64) -> Self {
        Self(Dec::from_integer(n))
    }

    /// From the raw count of 10^-18 units.
    pub fn from_atomics(raw: u128) -> Self {
        Self(Dec::from_atomics(raw))
    }

    /// The raw count of 10^-18 units.
    pub fn atomics(self) -> u128 {
        self.0.atomics()
    }

    /// The amount as the workspace decimal.
    pub fn dec(self) -> Dec {
        self.0
    }

    /// Whether the amount is zero.
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// The whole part (fraction dropped).
    pub fn trunc(self) -> u128 {
        self.0.trunc()
    }

    /// `self + other`, `None` on overflow.
    pub fn checked_add(self, other: Self) -> Option<Self> {
        self.0.checked_add(other.0).map(Self)
    }

    /// `self * n`, `None` on overflow.
    pub fn checked_mul_int(self, n: u128) -> Option<Self> {
        self.0.checked_mul_int(n).map(Self)
    }

    /// `self * num / den`, rounded down (256-bit intermediate); `None` on overflow or
    /// `den == 0`.
    pub fn checked_mul_div(self, num: u128, den: u128) -> Option<Self> {
        self.0.checked_mul_div(num, den).map(Self)
    }
}

impl From<Dec> for DecAmount {
    fn from(d: Dec) -> Self {
        Self(d)
    }
}

impl From<DecAmount> for Dec {
    fn from(d: DecAmount) -> Self {
        d.0
    }
}

impl FromStr for DecAmount {
    type Err = AmountError;

    /// What [`Dec`] parses, plus surrounding spaces, a leading `+` and a trailing `.`
    /// (`"1."`); a leading `-` is reported as [`AmountError::Negative`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if let Some(rest) = t.strip_prefix('-') {
            if !rest.is_empty() {
                return Err(AmountError::Negative);
            }
        }
        let t = t.strip_prefix('+').unwrap_or(t);
        // `"1."` means `"1"` here; a lone `"."` stays an error.
        let t = match t.strip_suffix('.') {
            Some(int) if !int.is_empty() && !int.contains('.') => int,
            _ => t,
        };
        t.parse::<Dec>().map(Self).map_err(|e| match e {
            DecError::Empty(_) | DecError::Syntax(_) => AmountError::Syntax(s.to_string()),
            DecError::TooPrecise(_) => AmountError::TooPrecise(s.to_string()),
            DecError::TooLarge(_) => AmountError::Overflow,
        })
    }
}

impl fmt::Display for DecAmount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for DecAmount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DecAmount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A decimal coin: denomination plus [`DecAmount`] (Cosmos `DecCoin`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DecCoin {
    /// Denomination, e.g. `uakt` or `uact`.
    pub denom: String,
    /// Amount in that denomination.
    pub amount: DecAmount,
}

impl fmt::Display for DecCoin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.amount, self.denom)
    }
}

/// Milliseconds in 30 days, the "month" used for price estimates.
pub const MONTH_MS: u128 = 30 * 24 * 60 * 60 * 1000;

/// Price for 30 days given a price per block and the block time in milliseconds:
/// `per_block * (30 days / block_time)`, exact to 10^-18 (rounded down).
/// Returns `None` when `block_time_ms` is zero or the result overflows.
pub fn monthly_price(per_block: &DecCoin, block_time_ms: u64) -> Option<DecCoin> {
    let amount = per_block.amount.checked_mul_div(MONTH_MS, u128::from(block_time_ms))?;
    Some(DecCoin { denom: per_block.denom.clone(), amount })
}

/// Whether `denom` is a valid Cosmos denomination (`[a-zA-Z][a-zA-Z0-9/:._-]{2,127}`).
pub fn is_valid_denom(denom: &str) -> bool {
    let b = denom.as_bytes();
    (3..=128).contains(&b.len())
        && b[0].is_ascii_alphabetic()
        && b[1..].iter().all(|c| c.is_ascii_alphanumeric() || b"/:._-".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parse_and_display() {
        let d: DecAmount = "150".parse().expect("ok");
        assert_eq!(d.to_string(), "150.000000000000000000");
        let d: DecAmount = "0.5".parse().expect("ok");
        assert_eq!(d.to_string(), "0.500000000000000000");
        let d: DecAmount = ".25".parse().expect("ok");
        assert_eq!(d.to_string(), "0.250000000000000000");
        assert_eq!("-1".parse::<DecAmount>(), Err(AmountError::Negative));
        assert!(matches!("1e3".parse::<DecAmount>(), Err(AmountError::Syntax(_))));
        assert!(matches!("".parse::<DecAmount>(), Err(AmountError::Syntax(_))));
        assert!(matches!(".".parse::<DecAmount>(), Err(AmountError::Syntax(_))));
        assert_eq!(" +2. ".parse::<DecAmount>(), Ok(DecAmount::from_integer(2)));
        assert!(matches!("-".parse::<DecAmount>(), Err(AmountError::Syntax(_))));
        assert!(matches!("+".parse::<DecAmount>(), Err(AmountError::Syntax(_))));
        assert!(matches!("1..".parse::<DecAmount>(), Err(AmountError::Syntax(_))));
        assert!(matches!("1.2.".parse::<DecAmount>(), Err(AmountError::Syntax(_))));
        assert!(matches!(
            "0.1234567890123456789.".parse::<DecAmount>(),
            Err(AmountError::Syntax(_))
        ));
        assert_eq!("1000000000000000000000".parse::<DecAmount>(), Err(AmountError::Overflow));
        assert!(matches!(
            "0.0000000000000000001".parse::<DecAmount>(),
            Err(AmountError::TooPrecise(_))
        ));
    }

    #[test]
    fn monthly_price_at_six_seconds() {
        let p = DecCoin { denom: "uakt".into(), amount: "1000".parse().expect("ok") };
        let m = monthly_price(&p, 6000).expect("fits");
        // 432,000 blocks in 30 days at 6 s.
        assert_eq!(m.amount.to_string(), "432000000.000000000000000000");
        let m = monthly_price(&p, 7000).expect("fits");
        assert_eq!(m.amount.to_string(), "370285714.285714285714285714");
        assert_eq!(monthly_price(&p, 0), None);
    }

    #[test]
    fn denoms() {
        assert!(is_valid_denom("uakt"));
        assert!(is_valid_denom(
            "ibc/170C677610AC31DF0904FFE09CD3B5C657492170E7E52372E48756B71E56F2F1"
        ));
        assert!(!is_valid_denom("u"));
        assert!(!is_valid_denom("1abc"));
    }

    proptest! {
        #[test]
        fn display_parse_roundtrip(raw in 0u128..u128::MAX / 2) {
            let d = DecAmount::from_atomics(raw);
            let back: DecAmount = d.to_string().parse().expect("own output parses");
            prop_assert_eq!(back, d);
        }

        #[test]
        fn mul_div_matches_wide_math(raw in 0u128..1_000_000_000_000_000_000_000_000u128,
                                     den in 1u64..100_000) {
            let d = DecAmount::from_atomics(raw);
            let got = d.checked_mul_div(MONTH_MS, u128::from(den)).expect("fits");
            // reference via two-step exact arithmetic in u128 (raw*MONTH_MS fits below 2^128 here)
            let expect = raw * MONTH_MS / u128::from(den);
            prop_assert_eq!(got.atomics(), expect);
        }
    }
}
