//! [`parse_field`]: parse one string field of a message and name the field in the error
//! (`"from_address: invalid bech32 address …"`).

use std::fmt;
use std::str::FromStr;

/// A message field that did not parse; displays as `field: reason`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct FieldError {
    /// The field's name as the message spells it (`id.owner`, `from_address`).
    pub field: String,
    /// Why its value was refused.
    pub reason: String,
}

/// Parses `value` as a `T` (an address, an id, a decimal…); the error names `field`.
pub fn parse_field<T>(value: &str, field: &str) -> Result<T, FieldError>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    value
        .parse()
        .map_err(|e: T::Err| FieldError { field: field.to_string(), reason: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AccAddress, Dec};

    #[test]
    fn errors_name_the_field() {
        let a = AccAddress::from_bytes(&[1; 20]).unwrap();
        assert_eq!(parse_field::<AccAddress>(&a.to_string(), "owner").unwrap(), a);
        let e = parse_field::<AccAddress>("nope", "id.owner").unwrap_err();
        assert_eq!(e.field, "id.owner");
        assert_eq!(
            e.to_string(),
            format!("id.owner: {}", "nope".parse::<AccAddress>().unwrap_err())
        );
        assert_eq!(
            parse_field::<Dec>("1.", "price").unwrap_err().to_string(),
            "price: malformed decimal \"1.\" (digits with at most 18 decimals)"
        );
    }
}
