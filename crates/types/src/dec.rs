//! The one 18-decimal fixed-point type of the workspace ([`Dec`], Cosmos `LegacyDec`) and
//! exact integer helpers around it ([`mul_div`] with a 256-bit intermediate).
//!
//! A [`Dec`] is a non-negative count of atto-units (10^-18) in a `u128`. No floats anywhere;
//! every rounding is explicit (`floor` unless a name says `ceil`). The text form is the
//! Cosmos one: always 18 decimals (`"1.500000000000000000"`), and the parser is strict
//! (digits with an optional fraction of at most 18 digits; no sign, exponent or spaces).
//! State and wire JSON carry decimals as that string, see [`Dec`]'s serde impls and
//! [`dec_str`] for plain `u128` atto fields.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Number of fractional digits of a [`Dec`].
pub const DEC_PRECISION: u32 = 18;

/// 10^18: atto-units in one unit (the scale of [`Dec`]). The only definition of this constant.
pub const ATTO: u128 = 1_000_000_000_000_000_000;

/// A non-negative decimal with 18 fractional digits, stored exactly as a number of
/// 10^-18 units.
///
/// Ordering, equality and hashing are those of the atto count. `Display` always prints 18
/// decimals; `FromStr` accepts what `Display` prints and shorter fractions (`"0.5"`, `".5"`,
/// `"7"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Dec(u128);

/// Why a decimal string was refused. The messages are those the chain has always returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecError {
    /// Empty input (or a lone `.`).
    #[error("malformed decimal {0:?}")]
    Empty(String),
    /// Something other than digits with an optional `.fraction` (signs, exponents, spaces,
    /// a trailing `.`).
    #[error("malformed decimal {0:?} (digits with at most 18 decimals)")]
    Syntax(String),
    /// More than 18 digits after the point.
    #[error("malformed decimal {0:?} (digits with at most 18 decimals)")]
    TooPrecise(String),
    /// The value does not fit a `u128` of atto-units.
    #[error("decimal {0:?} too large")]
    TooLarge(String),
}

impl Dec {
    /// Zero.
    pub const ZERO: Self = Self(0);
    /// One (10^18 atto-units).
    pub const ONE: Self = Self(ATTO);
    /// The largest representable value.
    pub const MAX: Self = Self(u128::MAX);

    /// From the raw count of 10^-18 units.
    pub const fn from_atomics(atto: u128) -> Self {
        Self(atto)
    }

    /// The raw count of 10^-18 units.
    pub const fn atomics(self) -> u128 {
        self.0
    }

    /// From a whole number (always fits: `u64::MAX × 10^18 < u128::MAX`).
    pub fn from_integer(n: u64) -> Self {
        Self(u128::from(n) * ATTO)
    }

    /// From a whole number, `None` when it does not fit.
    pub fn checked_from_integer(n: u128) -> Option<Self> {
        n.checked_mul(ATTO).map(Self)
    }

    /// Whether the value is zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// The whole part (fraction dropped).
    pub const fn trunc(self) -> u128 {
        self.0 / ATTO
    }

    /// The fractional part in atto-units (`0..10^18`).
    pub const fn fract_atomics(self) -> u128 {
        self.0 % ATTO
    }

    /// `self + other`, `None` on overflow.
    pub fn checked_add(self, other: Self) -> Option<Self> {
        self.0.checked_add(other.0).map(Self)
    }

    /// `self − other`, `None` when it would go negative.
    pub fn checked_sub(self, other: Self) -> Option<Self> {
        self.0.checked_sub(other.0).map(Self)
    }

    /// `self × n` for a whole `n`, `None` on overflow.
    pub fn checked_mul_int(self, n: u128) -> Option<Self> {
        self.0.checked_mul(n).map(Self)
    }

    /// `floor(self × num / den)` with a 256-bit intermediate; `None` when `den == 0` or the
    /// result does not fit.
    pub fn checked_mul_div(self, num: u128, den: u128) -> Option<Self> {
        mul_div_floor(self.0, num, den).map(Self)
    }

    /// `ceil(self × num / den)` with a 256-bit intermediate; `None` when `den == 0` or the
    /// result does not fit.
    pub fn checked_mul_div_ceil(self, num: u128, den: u128) -> Option<Self> {
        mul_div_ceil(self.0, num, den).map(Self)
    }

    /// `self × other`, rounded down to 18 decimals; `None` on overflow.
    pub fn checked_mul(self, other: Self) -> Option<Self> {
        self.checked_mul_div(other.0, ATTO)
    }

    /// `self ÷ other`, rounded down to 18 decimals; `None` on overflow or division by zero.
    pub fn checked_div(self, other: Self) -> Option<Self> {
        mul_div_floor(self.0, ATTO, other.0).map(Self)
    }

    /// The decimal text without trailing zeros: `"1.5"`, `"2"`, `"0.000000000000000001"`.
    pub fn to_string_trimmed(self) -> String {
        let (whole, frac) = (self.trunc(), self.fract_atomics());
        if frac == 0 {
            whole.to_string()
        } else {
            let f = format!("{frac:018}");
            format!("{whole}.{}", f.trim_end_matches('0'))
        }
    }

    /// Parses a rate as Cosmos tools send it: a decimal (`"0.05"`), or the proto wire form of
    /// `LegacyDec`, the atto-unit integer without a point (`"50000000000000000"`).
    /// Surrounding whitespace is ignored.
    pub fn parse_rate(s: &str) -> Result<Self, DecError> {
        let s = s.trim();
        if s.contains('.') {
            s.parse()
        } else if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse().map(Self).map_err(|_| DecError::TooLarge(s.to_string()))
        } else {
            Err(DecError::Empty(s.to_string()))
        }
    }
}

impl FromStr for Dec {
    type Err = DecError;

    /// Digits with an optional fraction of at most 18 digits (`"1"`, `"0.5"`, `".5"`); no
    /// sign, exponent, whitespace or trailing point.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        if int.is_empty() && frac.is_empty() {
            return Err(DecError::Empty(s.to_string()));
        }
        let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
        if !digits(int) || !digits(frac) || (s.contains('.') && frac.is_empty()) {
            return Err(DecError::Syntax(s.to_string()));
        }
        if frac.len() > DEC_PRECISION as usize {
            return Err(DecError::TooPrecise(s.to_string()));
        }
        let too_large = || DecError::TooLarge(s.to_string());
        let whole: u128 = if int.is_empty() { 0 } else { int.parse().map_err(|_| too_large())? };
        let mut f: u128 = 0;
        for (n, c) in frac.bytes().enumerate() {
            f += u128::from(c - b'0') * 10u128.pow(DEC_PRECISION - 1 - n as u32);
        }
        whole.checked_mul(ATTO).and_then(|v| v.checked_add(f)).map(Self).ok_or_else(too_large)
    }
}

impl fmt::Display for Dec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:018}", self.trunc(), self.fract_atomics())
    }
}

impl Serialize for Dec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Dec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// `#[serde(with = "dcloud_types::dec::dec_str")]` for a `u128` atto-unit field that travels
/// as a decimal string with 18 decimals (`"0.050000000000000000"`).
pub mod dec_str {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::Dec;

    /// Serializes as a decimal string.
    pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&Dec::from_atomics(*v))
    }

    /// Parses a decimal string.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        let s = String::deserialize(d)?;
        s.parse::<Dec>().map(Dec::atomics).map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------------
// Exact integer arithmetic with a 256-bit intermediate.

const LO: u128 = u64::MAX as u128;

/// The full 256-bit product `a × b` as `(high, low)` halves.
fn mul_wide(a: u128, b: u128) -> (u128, u128) {
    let (a1, a0, b1, b0) = (a >> 64, a & LO, b >> 64, b & LO);
    let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
    let mid = (p00 >> 64) + (p01 & LO) + (p10 & LO);
    let lo = (p00 & LO) | (mid << 64);
    let hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    (hi, lo)
}

/// `(floor(a × b / d), (a × b) mod d ≠ 0)` with a 256-bit product; `None` if `d = 0` or the
/// quotient does not fit `u128`.
pub fn mul_div(a: u128, b: u128, d: u128) -> Option<(u128, bool)> {
    if d == 0 {
        return None;
    }
    let (hi, lo) = mul_wide(a, b);
    if hi >= d {
        return None;
    }
    // Long division of the 256-bit (hi, lo) by d, one bit at a time; hi < d keeps the
    // quotient within 128 bits and the running remainder below 2d.
    let (mut r, mut q) = (hi, 0u128);
    for i in (0..128).rev() {
        let carry = r >> 127;
        r = (r << 1) | ((lo >> i) & 1);
        q <<= 1;
        if carry == 1 || r >= d {
            r = r.wrapping_sub(d);
            q |= 1;
        }
    }
    Some((q, r != 0))
}

/// `floor(a × b / d)` with a 256-bit intermediate; `None` if `d = 0` or it does not fit.
pub fn mul_div_floor(a: u128, b: u128, d: u128) -> Option<u128> {
    mul_div(a, b, d).map(|(q, _)| q)
}

/// `ceil(a × b / d)` with a 256-bit intermediate; `None` if `d = 0` or it does not fit.
pub fn mul_div_ceil(a: u128, b: u128, d: u128) -> Option<u128> {
    let (q, rem) = mul_div(a, b, d)?;
    q.checked_add(u128::from(rem))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(s: &str) -> Result<u128, DecError> {
        s.parse::<Dec>().map(Dec::atomics)
    }

    #[test]
    fn parses_exactly_and_refuses_what_the_chain_refuses() {
        assert_eq!(p("1").unwrap(), ATTO);
        assert_eq!(p("0.5").unwrap(), ATTO / 2);
        assert_eq!(p(".25").unwrap(), ATTO / 4);
        assert_eq!(p("0.000000000000000001").unwrap(), 1);
        assert_eq!(p("007.10").unwrap(), 7 * ATTO + ATTO / 10);
        assert_eq!(
            p("0.0000000000000000001"),
            Err(DecError::TooPrecise("0.0000000000000000001".into()))
        );
        assert_eq!(p("-1"), Err(DecError::Syntax("-1".into())));
        assert_eq!(p("+1"), Err(DecError::Syntax("+1".into())));
        assert_eq!(p("1e3"), Err(DecError::Syntax("1e3".into())));
        assert_eq!(p(" 1"), Err(DecError::Syntax(" 1".into())));
        assert_eq!(p("1."), Err(DecError::Syntax("1.".into())));
        assert_eq!(p("1.2.3"), Err(DecError::Syntax("1.2.3".into())));
        assert_eq!(p(""), Err(DecError::Empty(String::new())));
        assert_eq!(p("."), Err(DecError::Empty(".".into())));
        // u128::MAX / 10^18 = 340282366920938463463.374607431768211455
        assert_eq!(p("340282366920938463463.374607431768211455").unwrap(), u128::MAX);
        assert!(matches!(
            p("340282366920938463463.374607431768211456"),
            Err(DecError::TooLarge(_))
        ));
        assert!(matches!(
            p("99999999999999999999999999999999999999999"),
            Err(DecError::TooLarge(_))
        ));
    }

    #[test]
    fn error_messages_are_the_chains() {
        assert_eq!(p("").unwrap_err().to_string(), "malformed decimal \"\"");
        assert_eq!(
            p("1.").unwrap_err().to_string(),
            "malformed decimal \"1.\" (digits with at most 18 decimals)"
        );
        assert_eq!(
            p("0.0000000000000000001").unwrap_err().to_string(),
            "malformed decimal \"0.0000000000000000001\" (digits with at most 18 decimals)"
        );
        assert_eq!(
            p("999999999999999999999").unwrap_err().to_string(),
            "decimal \"999999999999999999999\" too large"
        );
    }

    #[test]
    fn formats_with_18_decimals_or_trimmed() {
        assert_eq!(Dec::from_atomics(ATTO + 5).to_string(), "1.000000000000000005");
        assert_eq!(Dec::ZERO.to_string(), "0.000000000000000000");
        assert_eq!(Dec::from_integer(150).to_string(), "150.000000000000000000");
        assert_eq!(Dec::from_atomics(ATTO * 3 / 2).to_string_trimmed(), "1.5");
        assert_eq!(Dec::from_integer(2).to_string_trimmed(), "2");
        assert_eq!(Dec::from_atomics(1).to_string_trimmed(), "0.000000000000000001");
        assert_eq!(Dec::ZERO.to_string_trimmed(), "0");
    }

    #[test]
    fn serde_is_the_decimal_string() {
        let d = Dec::from_atomics(ATTO / 20);
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"0.050000000000000000\"");
        assert_eq!(serde_json::from_str::<Dec>("\"0.05\"").unwrap(), d);
        assert!(serde_json::from_str::<Dec>("\"-1\"").is_err());
        assert!(serde_json::from_str::<Dec>("5").is_err());

        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        struct R {
            #[serde(with = "dec_str")]
            rate: u128,
        }
        let r = R { rate: ATTO / 20 };
        let j = serde_json::to_string(&r).unwrap();
        assert_eq!(j, r#"{"rate":"0.050000000000000000"}"#);
        assert_eq!(serde_json::from_str::<R>(&j).unwrap(), r);
    }

    #[test]
    fn rates_parse_in_both_wire_forms() {
        assert_eq!(Dec::parse_rate("0.05").unwrap().atomics(), ATTO / 20);
        assert_eq!(Dec::parse_rate(" 50000000000000000 ").unwrap().atomics(), ATTO / 20);
        assert_eq!(
            Dec::parse_rate("-0.1").unwrap_err().to_string(),
            "malformed decimal \"-0.1\" (digits with at most 18 decimals)"
        );
        assert_eq!(Dec::parse_rate("").unwrap_err().to_string(), "malformed decimal \"\"");
        assert_eq!(Dec::parse_rate("-1").unwrap_err().to_string(), "malformed decimal \"-1\"");
        assert!(matches!(
            Dec::parse_rate("999999999999999999999999999999999999999999"),
            Err(DecError::TooLarge(_))
        ));
    }

    #[test]
    fn arithmetic() {
        let one = Dec::ONE;
        assert_eq!(one.checked_add(one), Some(Dec::from_integer(2)));
        assert_eq!(Dec::MAX.checked_add(Dec::from_atomics(1)), None);
        assert_eq!(one.checked_sub(Dec::from_integer(2)), None);
        assert_eq!(Dec::from_integer(3).checked_sub(one), Some(Dec::from_integer(2)));
        assert_eq!(Dec::from_integer(3).checked_mul_int(2), Some(Dec::from_integer(6)));
        assert_eq!(Dec::from_integer(3).trunc(), 3);
        assert_eq!(Dec::checked_from_integer(u128::MAX), None);
        let half = Dec::from_atomics(ATTO / 2);
        assert_eq!(half.checked_mul(half), Some(Dec::from_atomics(ATTO / 4)));
        assert_eq!(
            one.checked_div(Dec::from_integer(3)).unwrap().to_string(),
            "0.333333333333333333"
        );
        assert_eq!(one.checked_div(Dec::ZERO), None);
        assert_eq!(Dec::from_atomics(10).checked_mul_div(1, 3), Some(Dec::from_atomics(3)));
        assert_eq!(Dec::from_atomics(10).checked_mul_div_ceil(1, 3), Some(Dec::from_atomics(4)));
        assert_eq!(mul_div_ceil(10, 1, 3), Some(4));
        assert_eq!(mul_div_floor(10, 1, 3), Some(3));
        assert_eq!(mul_div(10, 1, 0), None);
        assert_eq!(mul_div(u128::MAX, u128::MAX, u128::MAX), Some((u128::MAX, false)));
        assert_eq!(mul_div(u128::MAX, 2, 1), None);
        assert_eq!(mul_div(u128::MAX, 2, 3), Some((u128::MAX / 3 * 2, false)));
        assert_eq!(mul_div_ceil(u128::MAX, 1, 1), Some(u128::MAX));
    }

    /// The 256-bit product `a × b` as eight 32-bit limbs (little endian), by schoolbook
    /// multiplication: an independent reference for [`mul_div`].
    fn mul256(a: u128, b: u128) -> [u64; 8] {
        let limbs = |x: u128| [0, 32, 64, 96].map(|s| ((x >> s) as u64) & 0xFFFF_FFFF);
        let (la, lb) = (limbs(a), limbs(b));
        let mut p = [0u64; 8];
        for i in 0..4 {
            let mut carry = 0u64;
            for j in 0..4 {
                let t = p[i + j] + la[i] * lb[j] + carry;
                p[i + j] = t & 0xFFFF_FFFF;
                carry = t >> 32;
            }
            p[i + 4] = carry;
        }
        p
    }

    /// `x − y` on limb arrays, `None` when negative.
    fn sub256(x: [u64; 8], y: [u64; 8]) -> Option<[u64; 8]> {
        let mut out = [0u64; 8];
        let mut borrow = 0u64;
        for i in 0..8 {
            let (v, b1) = x[i].overflowing_sub(y[i]);
            let (v, b2) = v.overflowing_sub(borrow);
            out[i] = v & 0xFFFF_FFFF;
            borrow = u64::from(b1 || b2);
        }
        (borrow == 0).then_some(out)
    }

    fn to_u128(l: &[u64]) -> u128 {
        l.iter().rev().fold(0u128, |acc, &x| (acc << 32) | u128::from(x))
    }

    /// Checks `mul_div(a, b, d)` against the definition: `q × d + r = a × b` with `r < d`,
    /// or `None` exactly when the quotient needs more than 128 bits.
    fn check_mul_div(a: u128, b: u128, d: u128) -> Result<(), TestCaseError> {
        let ab = mul256(a, b);
        match mul_div(a, b, d) {
            None => prop_assert!(to_u128(&ab[4..]) >= d, "None although the quotient fits"),
            Some((q, inexact)) => {
                let r = sub256(ab, mul256(q, d));
                prop_assert!(r.is_some(), "q × d > a × b");
                let r = r.unwrap_or_default();
                prop_assert!(r[4..].iter().all(|&x| x == 0), "remainder over 128 bits");
                let r = to_u128(&r[..4]);
                prop_assert!(r < d, "remainder {} ≥ d", r);
                prop_assert_eq!(inexact, r != 0);
            }
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn display_parse_roundtrip(raw in any::<u128>()) {
            let d = Dec::from_atomics(raw);
            let back: Dec = d.to_string().parse().expect("own output parses");
            prop_assert_eq!(back, d);
            let back: Dec = d.to_string_trimmed().parse().expect("trimmed output parses");
            prop_assert_eq!(back, d);
        }

        #[test]
        fn parse_format_roundtrip(int in 0u128..100_000_000_000_000_000_000, frac in "[0-9]{0,18}") {
            let s = if frac.is_empty() { int.to_string() } else { format!("{int}.{frac}") };
            let d: Dec = s.parse().expect("valid decimal");
            let padded = format!("{int}.{frac:0<18}");
            prop_assert_eq!(d.to_string(), padded);
        }

        #[test]
        fn mul_div_matches_wide_math(a in any::<u128>(), b in any::<u128>(), d in 1u128..) {
            check_mul_div(a, b, d)?;
        }

        #[test]
        fn mul_div_near_the_limit(a in any::<u128>(), b in 1u128..1 << 40, d in 1u128..1 << 40) {
            check_mul_div(a, b, d)?;
        }

        #[test]
        fn mul_div_small_matches_u128(a in 0u128..1 << 64, b in 0u128..1 << 64, d in 1u128..) {
            let exact = a * b;
            prop_assert_eq!(mul_div(a, b, d), Some((exact / d, exact % d != 0)));
        }
    }
}
