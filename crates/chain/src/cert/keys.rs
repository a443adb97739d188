//! The cert module's store keys: `0x32 ‖ len ‖ owner ‖ serial` (decimal ASCII) →
//! certificate.

use dcloud_types::AccAddress;

/// Prefix of the certificates.
pub(super) const CERT: u8 = 0x32;

/// The key of a certificate.
pub fn cert_key(owner: &AccAddress, serial: &str) -> Vec<u8> {
    let mut k = owner_prefix(owner);
    k.extend_from_slice(serial.as_bytes());
    k
}

/// The prefix of `owner`'s certificates.
pub(super) fn owner_prefix(owner: &AccAddress) -> Vec<u8> {
    let b = owner.as_bytes();
    let mut k = Vec::with_capacity(2 + b.len() + 40);
    k.push(CERT);
    k.push(b.len() as u8);
    k.extend_from_slice(b);
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cert_key_is_owner_prefix_then_serial() {
        let owner = AccAddress::from_bytes(&[4u8; 20]).expect("20 bytes");
        let k = cert_key(&owner, "42");
        assert_eq!(&k[..22], owner_prefix(&owner).as_slice());
        assert_eq!((k[0], k[1]), (0x32, 20));
        assert_eq!(&k[22..], b"42");
    }
}
