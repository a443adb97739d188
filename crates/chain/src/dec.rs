//! Fixed-point decimals with 18 fractional digits (`u128` atto-units), as Cosmos `LegacyDec`,
//! for the staking, distribution and mint modules. No floats; every rounding is explicit.

#[cfg(feature = "state")]
use dcloud_store::{StateRead, StateWrite};
#[cfg(feature = "state")]
use serde::{de::DeserializeOwned, Serialize};

pub use dcloud_types::dec::dec_str;
use dcloud_types::dec::mul_div;
use dcloud_types::Dec;
pub use dcloud_types::ATTO;

use crate::AppError;

/// Parses a decimal with at most 18 fractional digits into atto-units ([`Dec`]'s parser;
/// the error is its message).
pub fn parse_dec18(s: &str) -> Result<u128, String> {
    s.parse::<Dec>().map(Dec::atomics).map_err(|e| e.to_string())
}

/// Formats atto-units as a decimal with 18 fractional digits ([`Dec`]'s `Display`).
pub fn fmt_dec18(v: u128) -> String {
    Dec::from_atomics(v).to_string()
}

/// `floor(a × b / d)` with a 256-bit intermediate.
pub fn mul_div_floor(a: u128, b: u128, d: u128) -> Result<u128, AppError> {
    mul_div(a, b, d)
        .map(|(q, _)| q)
        .ok_or_else(|| AppError::InvalidRequest(format!("{a} × {b} / {d} overflows")))
}

/// `ceil(a × b / d)` with a 256-bit intermediate.
pub fn mul_div_ceil(a: u128, b: u128, d: u128) -> Result<u128, AppError> {
    let (q, rem) = mul_div(a, b, d)
        .ok_or_else(|| AppError::InvalidRequest(format!("{a} × {b} / {d} overflows")))?;
    Ok(q + u128::from(rem))
}

/// `a + b`, an invariant error on overflow.
pub fn add(a: u128, b: u128) -> Result<u128, AppError> {
    a.checked_add(b).ok_or_else(|| AppError::Invariant(format!("{a} + {b} overflows")))
}

/// `a − b`, an invariant error when it would go negative.
pub fn sub(a: u128, b: u128, what: &str) -> Result<u128, AppError> {
    a.checked_sub(b).ok_or_else(|| AppError::Invariant(format!("{what}: {a} − {b} < 0")))
}

/// Parses a rate as a Cosmos tool sends it: a decimal (`"0.05"`), or the proto wire form of
/// `LegacyDec` (the atto-unit integer without a point, `"50000000000000000"`).
pub fn parse_rate(s: &str) -> Result<u128, String> {
    let s = s.trim();
    if s.contains('.') {
        parse_dec18(s)
    } else if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().map_err(|_| format!("decimal {s:?} too large"))
    } else {
        Err(format!("malformed decimal {s:?}"))
    }
}

#[cfg(feature = "state")]
/// Reads a JSON record.
pub fn get_json<T: DeserializeOwned>(
    state: &dyn StateRead,
    key: &[u8],
    what: &str,
) -> Result<Option<T>, AppError> {
    match state.get(key)? {
        Some(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| AppError::ChainState(format!("corrupt {what}: {e}"))),
        None => Ok(None),
    }
}

#[cfg(feature = "state")]
/// Writes a JSON record.
pub fn put_json<T: Serialize>(
    state: &mut dyn StateWrite,
    key: Vec<u8>,
    v: &T,
) -> Result<(), AppError> {
    let b = serde_json::to_vec(v).map_err(|e| AppError::InvalidRequest(e.to_string()))?;
    state.put(key, b);
    Ok(())
}

#[cfg(feature = "state")]
/// Every entry under `prefix` (paged reads).
pub fn scan(state: &dyn StateRead, prefix: &[u8]) -> Result<Vec<dcloud_store::KvPair>, AppError> {
    let mut out = Vec::new();
    let mut after: Option<Vec<u8>> = None;
    loop {
        let page = state.prefix_range(prefix, after.as_deref(), 1000)?;
        let n = page.len();
        after = page.last().map(|(k, _)| k.clone());
        out.extend(page);
        if n < 1000 {
            return Ok(out);
        }
    }
}

/// `len ‖ bytes` (address key component).
pub fn lp(b: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(b.len() + 1);
    v.push(b.len() as u8);
    v.extend_from_slice(b);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_in_both_wire_forms() {
        assert_eq!(parse_rate("0.05").unwrap(), ATTO / 20);
        assert_eq!(parse_rate("50000000000000000").unwrap(), ATTO / 20);
        assert!(parse_rate("-0.1").is_err());
        assert!(parse_rate("").is_err());
        assert_eq!(mul_div_ceil(10, 1, 3).unwrap(), 4);
        assert_eq!(mul_div_floor(10, 1, 3).unwrap(), 3);
    }
}
