//! Every store key of the market (ids are binary: `dep = len ‖ owner ‖ dseq`,
//! `order = dep ‖ gseq ‖ oseq`, `bid = order ‖ len ‖ provider`; a lease has its bid's id).

use dcloud_types::AccAddress;

/// `0x22 ‖ order` → [`Order`](super::Order) (JSON).
pub const ORDER: u8 = 0x22;
/// `0x23 ‖ bid` → [`Bid`](super::Bid) (JSON).
pub const BID: u8 = 0x23;
/// `0x24 ‖ bid` → [`Lease`](super::Lease) (JSON).
pub const LEASE: u8 = 0x24;
/// `0x25 ‖ len ‖ provider ‖ bid` → `` : a provider's bids and leases.
pub const BY_PROVIDER: u8 = 0x25;
/// `0x2C ‖ height ‖ kind ‖ order` → `` : order work due at `height`.
pub const ORDER_DUE: u8 = 0x2C;
/// Due kind 1: the bid window of a `lowest` auction closes.
pub const DUE_AUCTION: u8 = 1;
/// Due kind 2: the no-bid timeout.
pub const DUE_TIMEOUT: u8 = 2;
/// Every key prefix the market owns.
pub const PREFIXES: &[u8] = &[ORDER, BID, LEASE, BY_PROVIDER, ORDER_DUE];

/// `prefix ‖ id`.
pub fn pk(prefix: u8, id: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + id.len());
    k.push(prefix);
    k.extend_from_slice(id);
    k
}

/// `0x2C ‖ height ‖ kind ‖ order`.
pub fn due_key(height: u64, kind: u8, order: &[u8]) -> Vec<u8> {
    let mut k = vec![ORDER_DUE];
    k.extend_from_slice(&height.to_be_bytes());
    k.push(kind);
    k.extend_from_slice(order);
    k
}

/// The due kind and order id of a [`due_key`] (`0x2C ‖ height(8) ‖ kind ‖ order`).
pub fn split_due_key(k: &[u8]) -> Option<(u8, &[u8])> {
    Some((*k.get(9)?, k.get(10..)?))
}

/// `0x25 ‖ len ‖ provider`: the prefix of a provider's index entries.
pub fn by_provider_prefix(provider: &AccAddress) -> Vec<u8> {
    let mut k = vec![BY_PROVIDER, provider.as_bytes().len() as u8];
    k.extend_from_slice(provider.as_bytes());
    k
}

/// `0x25 ‖ len ‖ provider ‖ bid`.
pub fn by_provider_key(provider: &AccAddress, bid: &[u8]) -> Vec<u8> {
    let mut k = by_provider_prefix(provider);
    k.extend_from_slice(bid);
    k
}

/// `what ‖ [len ‖ owner]`: the prefix of a listing of orders, bids or leases.
pub fn list_prefix(what: u8, owner: Option<&AccAddress>) -> Vec<u8> {
    let mut prefix = vec![what];
    if let Some(o) = owner {
        prefix.push(o.as_bytes().len() as u8);
        prefix.extend_from_slice(o.as_bytes());
    }
    prefix
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_key_round_trip() {
        let k = due_key(7, DUE_TIMEOUT, b"order");
        assert_eq!(k[0], ORDER_DUE);
        assert_eq!(u64::from_be_bytes(k[1..9].try_into().unwrap()), 7);
        assert_eq!(split_due_key(&k), Some((DUE_TIMEOUT, &b"order"[..])));
    }

    #[test]
    fn provider_keys_share_the_prefix() {
        let a = AccAddress::from_bytes(&[3u8; 20]).unwrap();
        assert!(by_provider_key(&a, b"bid").starts_with(&by_provider_prefix(&a)));
        assert_eq!(list_prefix(BID, None), vec![BID]);
        assert_eq!(list_prefix(BID, Some(&a)).len(), 22);
    }
}
