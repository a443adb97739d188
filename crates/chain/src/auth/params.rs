//! The auth module's params: tx-level limits and prices (memo size, per-byte and
//! signature gas, minimum gas price), with their defaults and checks.

use serde::{Deserialize, Serialize};

use crate::AppError;

/// Tx-level parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthParams {
    /// Maximum memo length in characters.
    pub max_memo_characters: u64,
    /// Gas per tx byte.
    pub tx_size_cost_per_byte: u64,
    /// Gas per secp256k1 signature verification.
    pub sig_verify_cost_secp256k1: u64,
    /// Minimum fee per unit of gas, in uakt, as a decimal string with up to 6 decimals
    /// (e.g. "0.025"). Held as an exact fixed-point value, never a float.
    pub min_gas_price: String,
}

impl Default for AuthParams {
    fn default() -> Self {
        Self {
            max_memo_characters: 256,
            tx_size_cost_per_byte: 10,
            sig_verify_cost_secp256k1: 1000,
            min_gas_price: "0.025".into(),
        }
    }
}

impl AuthParams {
    /// `min_gas_price` scaled by 10^6 (exact).
    pub fn min_gas_price_micro(&self) -> Result<u128, AppError> {
        parse_decimal_micro(&self.min_gas_price)
    }

    /// The minimum fee (uakt) for `gas_limit`, rounded up.
    pub fn min_fee(&self, gas_limit: u64) -> Result<u128, AppError> {
        let p = self.min_gas_price_micro()?;
        let fee = p.checked_mul(u128::from(gas_limit)).ok_or_else(|| {
            AppError::InsufficientFee(format!(
                "minimum fee for gas {gas_limit} at {} overflows",
                self.min_gas_price
            ))
        })?;
        Ok(fee.div_ceil(1_000_000))
    }

    /// Checks ranges.
    pub fn validate(&self) -> Vec<String> {
        let mut e = Vec::new();
        if self.max_memo_characters == 0 {
            e.push("auth.params.max_memo_characters must be positive".into());
        }
        if let Err(err) = self.min_gas_price_micro() {
            e.push(format!("auth.params.min_gas_price: {err}"));
        }
        e
    }
}

/// Parses a non-negative decimal with at most 6 fractional digits into micro units.
pub fn parse_decimal_micro(s: &str) -> Result<u128, AppError> {
    let bad = || AppError::InvalidRequest(format!("invalid decimal {s:?} (max 6 decimals)"));
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() || frac.len() > 6 || !int.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let i: u128 = int.parse().map_err(|_| bad())?;
    let f: u128 =
        if frac.is_empty() { 0 } else { format!("{frac:0<6}").parse().map_err(|_| bad())? };
    i.checked_mul(1_000_000).and_then(|v| v.checked_add(f)).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals() {
        assert_eq!(parse_decimal_micro("0.025").unwrap(), 25_000);
        assert_eq!(parse_decimal_micro("1").unwrap(), 1_000_000);
        assert!(parse_decimal_micro("0.0000001").is_err());
        assert!(parse_decimal_micro("-1").is_err());
        assert!(parse_decimal_micro("1e3").is_err());
        let p = AuthParams::default();
        assert_eq!(p.min_fee(200_000).unwrap(), 5000);
        assert_eq!(p.min_fee(1).unwrap(), 1);
    }

    #[test]
    fn validate_names_the_bad_fields() {
        let p =
            AuthParams { max_memo_characters: 0, min_gas_price: "x".into(), ..Default::default() };
        let e = p.validate();
        assert_eq!(e.len(), 2);
        assert!(e[0].starts_with("auth.params.max_memo_characters"));
        assert!(e[1].starts_with("auth.params.min_gas_price: "));
        assert!(AuthParams::default().validate().is_empty());
    }
}
