//! Every store key of escrow: accounts (`0x28`), payments (`0x29`), the exhaustion index
//! (`0x2A`) and the low-funds warning index (`0x2B`).

/// `0x28 ‖ account id` → [`Account`](super::Account) (JSON); account id = scope (1
/// deployment, 2 bid) ‖ key.
pub const ACCOUNT: u8 = 0x28;

/// `0x29 ‖ account id ‖ lease key` → [`Payment`](super::Payment) (JSON), while open.
pub const PAYMENT: u8 = 0x29;

/// `0x2A ‖ height ‖ account id` → `` : the account runs out after `height`.
pub const DUE: u8 = 0x2A;

/// `0x2B ‖ height ‖ account id` → `` : its low-funds warning is due at `height`.
pub const WARN: u8 = 0x2B;

/// Every key prefix escrow owns.
pub const PREFIXES: &[u8] = &[ACCOUNT, PAYMENT, DUE, WARN];

/// `0x28 ‖ id`.
pub fn acct_key(id: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + id.len());
    k.push(ACCOUNT);
    k.extend_from_slice(id);
    k
}

/// `0x29 ‖ id`: the prefix of an account's payments.
pub fn payment_prefix(id: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + id.len() + 64);
    k.push(PAYMENT);
    k.extend_from_slice(id);
    k
}

/// `0x29 ‖ id ‖ lease`.
pub fn payment_key(id: &[u8], lease: &[u8]) -> Vec<u8> {
    let mut k = payment_prefix(id);
    k.extend_from_slice(lease);
    k
}

/// `prefix ‖ height ‖ id` (the due and warning indexes).
pub fn height_key(prefix: u8, height: u64, id: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(9 + id.len());
    k.push(prefix);
    k.extend_from_slice(&height.to_be_bytes());
    k.extend_from_slice(id);
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_nest_and_sort_by_height() {
        assert!(payment_key(b"a", b"l").starts_with(&payment_prefix(b"a")));
        assert_eq!(acct_key(b"a"), vec![ACCOUNT, b'a']);
        assert!(height_key(DUE, 2, b"z") < height_key(DUE, 10, b"a"));
        assert_eq!(height_key(WARN, 1, b"x").len(), 10);
    }
}
