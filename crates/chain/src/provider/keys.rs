//! The provider module's store keys: `0x30 ‖ len ‖ owner` → provider.

use dcloud_types::AccAddress;

/// Prefix of the provider records.
pub(super) const PROVIDER: u8 = 0x30;

/// Key of `owner`'s provider record.
pub(super) fn provider_key(owner: &AccAddress) -> Vec<u8> {
    let b = owner.as_bytes();
    let mut k = Vec::with_capacity(2 + b.len());
    k.push(PROVIDER);
    k.push(b.len() as u8);
    k.extend_from_slice(b);
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_key_is_prefix_len_owner() {
        let owner = AccAddress::from_bytes(&[7u8; 20]).expect("20 bytes");
        let k = provider_key(&owner);
        assert_eq!(k[0], 0x30);
        assert_eq!(k[1], 20);
        assert_eq!(&k[2..], owner.as_bytes());
    }
}
