//! The auth module's store keys: `0x01 ‖ len ‖ addr` → account, `0x02 "next_acc"` → the
//! next account number.

use dcloud_types::AccAddress;

use crate::AppError;

/// Prefix of the accounts.
pub(super) const ACCOUNT: u8 = 0x01;

/// The next account number (u64 BE).
pub(super) const NEXT_ACCOUNT_NUMBER: &[u8] = b"\x02next_acc";

/// Key of `addr`'s account.
pub(super) fn account_key(addr: &AccAddress) -> Vec<u8> {
    let b = addr.as_bytes();
    let mut k = Vec::with_capacity(2 + b.len());
    k.push(ACCOUNT);
    k.push(b.len() as u8);
    k.extend_from_slice(b);
    k
}

/// The address an account key holds.
pub(super) fn address_from_key(k: &[u8]) -> Result<AccAddress, AppError> {
    AccAddress::from_bytes(k.get(2..).unwrap_or_default())
        .map_err(|e| AppError::ChainState(format!("corrupt account key: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_key_round_trips() {
        let a = AccAddress::from_bytes(&[5u8; 20]).expect("20 bytes");
        let k = account_key(&a);
        assert_eq!((k[0], k[1]), (0x01, 20));
        assert_eq!(address_from_key(&k).ok(), Some(a));
        assert_eq!(NEXT_ACCOUNT_NUMBER[0], 0x02);
    }
}
