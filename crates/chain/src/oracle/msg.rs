//! Stateless checks of `MsgSubmitPrice` and of decimal prices (no store access).

use dcloud_proto::dcloud::oracle::MsgSubmitPrice;
use dcloud_types::{AccAddress, Dec};

use super::{OracleError, BASE_DENOM, DENOM, MAX_PRICE_ATTO};
use crate::AppError;

/// Parses a decimal price (atto-USD per AKT): positive and at most [`MAX_PRICE_ATTO`].
pub fn check_price(s: &str) -> Result<u128, AppError> {
    let p =
        s.parse::<Dec>().map(Dec::atomics).map_err(|e| OracleError::InvalidPrice(e.to_string()))?;
    if p == 0 {
        return Err(OracleError::InvalidPrice("price must be positive".into()).into());
    }
    if p > MAX_PRICE_ATTO {
        return Err(OracleError::InvalidPrice(format!("price {s} exceeds 10^12")).into());
    }
    Ok(p)
}

/// The source of a `MsgSubmitPrice`.
pub fn source(m: &MsgSubmitPrice) -> Result<AccAddress, AppError> {
    m.source.parse().map_err(|e| AppError::InvalidAddress(format!("source: {e}")))
}

/// Stateless checks of `MsgSubmitPrice`.
pub fn validate_submit(m: &MsgSubmitPrice) -> Result<(), AppError> {
    source(m)?;
    // Only the AKT/USD pair is priced.
    if m.denom != DENOM || m.base_denom != BASE_DENOM {
        return Err(OracleError::InvalidPrice(format!(
            "unsupported pair {}/{} (only {DENOM}/{BASE_DENOM})",
            m.denom, m.base_denom
        ))
        .into());
    }
    check_price(&m.price)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use dcloud_types::ATTO;

    #[test]
    fn prices_are_positive_bounded_decimals() {
        assert_eq!(check_price("1.5").unwrap(), ATTO + ATTO / 2);
        assert_eq!(
            check_price("0").unwrap_err().to_string(),
            "invalid price: price must be positive"
        );
        assert_eq!(
            check_price("1.").unwrap_err().to_string(),
            "invalid price: malformed decimal \"1.\" (digits with at most 18 decimals)"
        );
        assert!(check_price("1000000000001").is_err());
        assert!(check_price("1000000000000").is_ok());
    }
}
