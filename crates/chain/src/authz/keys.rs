//! Every store key of the authz module (`len` is one byte, the address length):
//! - `0x90 ‖ len ‖ grantee ‖ len ‖ granter ‖ msg type URL` → grant;
//! - `0x91 ‖ len ‖ granter ‖ len ‖ grantee ‖ msg type URL` → `` (by-granter index);
//! - `0x92 ‖ expiration_ms_BE ‖ len ‖ grantee ‖ len ‖ granter ‖ msg type URL` → `` (expiry
//!   queue).

use dcloud_types::AccAddress;

/// Grants, by grantee then granter then message type URL.
pub(crate) const GRANT: u8 = 0x90;
/// The by-granter index.
pub(crate) const BY_GRANTER: u8 = 0x91;
/// The expiry queue, by expiration (ms, big endian).
pub(crate) const EXPIRY_QUEUE: u8 = 0x92;

/// Appends `len ‖ address`.
pub(crate) fn push_addr(k: &mut Vec<u8>, a: &AccAddress) {
    k.push(a.as_bytes().len() as u8);
    k.extend_from_slice(a.as_bytes());
}

/// The key of a grant.
pub(crate) fn grant_key(granter: &AccAddress, grantee: &AccAddress, url: &str) -> Vec<u8> {
    let mut k = vec![GRANT];
    push_addr(&mut k, grantee);
    push_addr(&mut k, granter);
    k.extend_from_slice(url.as_bytes());
    k
}

/// The prefix of every grant to `grantee`.
pub(crate) fn grantee_prefix(grantee: &AccAddress) -> Vec<u8> {
    let mut k = vec![GRANT];
    push_addr(&mut k, grantee);
    k
}

/// The prefix of the by-granter index entries of `granter`.
pub(crate) fn granter_prefix(granter: &AccAddress) -> Vec<u8> {
    let mut k = vec![BY_GRANTER];
    push_addr(&mut k, granter);
    k
}

/// The by-granter index entry of a grant.
pub(crate) fn granter_key(granter: &AccAddress, grantee: &AccAddress, url: &str) -> Vec<u8> {
    let mut k = granter_prefix(granter);
    push_addr(&mut k, grantee);
    k.extend_from_slice(url.as_bytes());
    k
}

/// The expiry queue entry of a grant expiring at `expiration_ms`.
pub(crate) fn expiry_key(
    granter: &AccAddress,
    grantee: &AccAddress,
    url: &str,
    expiration_ms: u64,
) -> Vec<u8> {
    let mut k = vec![EXPIRY_QUEUE];
    k.extend_from_slice(&expiration_ms.to_be_bytes());
    k.extend_from_slice(&grant_key(granter, grantee, url)[1..]);
    k
}

/// The grant key an expiry queue entry names (the entry without its prefix and expiration).
pub(crate) fn grant_key_of_expiry(expiry_key: &[u8]) -> Vec<u8> {
    let mut gk = vec![GRANT];
    gk.extend_from_slice(expiry_key.get(9..).unwrap_or_default());
    gk
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_entry_names_its_grant() {
        let a = AccAddress::from_bytes(&[1; 20]).unwrap();
        let b = AccAddress::from_bytes(&[2; 32]).unwrap();
        let e = expiry_key(&a, &b, "/x.Msg", 42);
        assert_eq!(e[0], EXPIRY_QUEUE);
        assert_eq!(&e[1..9], &42u64.to_be_bytes());
        assert_eq!(grant_key_of_expiry(&e), grant_key(&a, &b, "/x.Msg"));
        assert!(grant_key(&a, &b, "/x.Msg").starts_with(&grantee_prefix(&b)));
        assert!(granter_key(&a, &b, "/x.Msg").starts_with(&granter_prefix(&a)));
    }
}
