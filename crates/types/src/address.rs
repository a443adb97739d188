//! Account addresses: 20 bytes, shown as bech32 with the `akash` prefix.

use std::fmt;
use std::str::FromStr;

use bech32::{Bech32, Hrp};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::BECH32_PREFIX;

/// Why a string or byte slice is not a valid address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// Not valid bech32 at all (bad checksum, bad characters, mixed case).
    #[error("invalid bech32 address {input:?}: {reason}")]
    Bech32 {
        /// The offending input.
        input: String,
        /// What the decoder said.
        reason: String,
    },
    /// Valid bech32 with a different human-readable prefix.
    #[error("address {input:?} has prefix {found:?}, expected {expected:?}")]
    WrongPrefix {
        /// The offending input.
        input: String,
        /// The prefix found.
        found: String,
        /// The prefix expected.
        expected: String,
    },
    /// Payload of the wrong length.
    #[error("address must be 20 or 32 bytes, got {0}")]
    Length(usize),
}

/// An account address (20 bytes for key accounts, 32 bytes allowed for module-derived ones).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccAddress(Vec<u8>);

impl AccAddress {
    /// Wraps raw address bytes (20 or 32 long).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, AddressError> {
        match bytes.len() {
            20 | 32 => Ok(Self(bytes.to_vec())),
            n => Err(AddressError::Length(n)),
        }
    }

    /// The address of a module account: first 20 bytes of SHA-256(name), as Cosmos does.
    pub fn module(name: &str) -> Self {
        Self(crate::sha256(name.as_bytes())[..20].to_vec())
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Parses with an explicit prefix.
    pub fn from_bech32_with_prefix(s: &str, prefix: &str) -> Result<Self, AddressError> {
        let (hrp, data) = bech32::decode(s)
            .map_err(|e| AddressError::Bech32 { input: s.to_string(), reason: e.to_string() })?;
        if hrp.as_str() != prefix {
            return Err(AddressError::WrongPrefix {
                input: s.to_string(),
                found: hrp.as_str().to_string(),
                expected: prefix.to_string(),
            });
        }
        Self::from_bytes(&data)
    }

    /// Bech32 string with an explicit prefix.
    pub fn to_bech32_with_prefix(&self, prefix: &str) -> String {
        match Hrp::parse(prefix) {
            Ok(hrp) => bech32::encode::<Bech32>(hrp, &self.0).unwrap_or_default(),
            Err(_) => String::new(),
        }
    }
}

impl fmt::Display for AccAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_bech32_with_prefix(BECH32_PREFIX))
    }
}

impl fmt::Debug for AccAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccAddress({self})")
    }
}

impl FromStr for AccAddress {
    type Err = AddressError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_bech32_with_prefix(s, BECH32_PREFIX)
    }
}

impl Serialize for AccAddress {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for AccAddress {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_errors() {
        let a = AccAddress::from_bytes(&[7u8; 20]).unwrap();
        let s = a.to_string();
        assert!(s.starts_with("akash1"));
        assert_eq!(s.parse::<AccAddress>().unwrap(), a);
        let cosmos = a.to_bech32_with_prefix("cosmos");
        assert!(matches!(cosmos.parse::<AccAddress>(), Err(AddressError::WrongPrefix { .. })));
        let mut bad = s.clone();
        bad.pop();
        bad.push(if s.ends_with('q') { 'p' } else { 'q' });
        assert!(matches!(bad.parse::<AccAddress>(), Err(AddressError::Bech32 { .. })));
        assert!(matches!(AccAddress::from_bytes(&[1, 2, 3]), Err(AddressError::Length(3))));
    }
}
