//! The bank module's store keys: `0x10 ‖ len ‖ addr ‖ denom` → balance, `0x11 ‖ denom` →
//! supply (both u128 BE).

use dcloud_types::AccAddress;

use crate::AppError;

/// Prefix of the balances.
pub(super) const BALANCE: u8 = 0x10;
/// Prefix of the supplies.
pub(super) const SUPPLY: u8 = 0x11;

/// Prefix of `addr`'s balances.
pub(super) fn balance_prefix(addr: &AccAddress) -> Vec<u8> {
    let b = addr.as_bytes();
    let mut k = Vec::with_capacity(2 + b.len() + 8);
    k.push(BALANCE);
    k.push(b.len() as u8);
    k.extend_from_slice(b);
    k
}

/// Key of `addr`'s balance of `denom`.
pub(super) fn balance_key(addr: &AccAddress, denom: &str) -> Vec<u8> {
    let mut k = balance_prefix(addr);
    k.extend_from_slice(denom.as_bytes());
    k
}

/// Key of the supply of `denom`.
pub(super) fn supply_key(denom: &str) -> Vec<u8> {
    let mut k = vec![SUPPLY];
    k.extend_from_slice(denom.as_bytes());
    k
}

/// The denom a balance key ends with.
pub(super) fn denom_of_balance_key(k: &[u8]) -> Result<String, AppError> {
    let alen = *k.get(1).ok_or_else(|| AppError::Invariant("short balance key".into()))? as usize;
    String::from_utf8(k.get(2 + alen..).unwrap_or_default().to_vec())
        .map_err(|_| AppError::Invariant("non-utf8 denom".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balance_key_round_trips_its_denom() {
        let a = AccAddress::from_bytes(&[8u8; 20]).expect("20 bytes");
        let k = balance_key(&a, "uakt");
        assert!(k.starts_with(&balance_prefix(&a)));
        assert_eq!((k[0], k[1]), (0x10, 20));
        assert_eq!(denom_of_balance_key(&k).ok().as_deref(), Some("uakt"));
        assert_eq!(supply_key("uakt"), b"\x11uakt");
    }
}
