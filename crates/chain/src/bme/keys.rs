//! Every store key of BME: `0x40 "status"`, `0x40 "totals"`, `0x40 "seq"`;
//! `0x41 ‖ dir ‖ height ‖ seq` → pending; `0x42 ‖ height ‖ seq` → executed;
//! `0x43 ‖ height ‖ seq` → cancelled.

use dcloud_types::DENOM_ACT;

use super::RecordId;

/// The circuit breaker and epoch schedule.
pub(crate) const STATUS_KEY: &[u8] = b"\x40status";
/// The running totals.
pub(crate) const TOTALS_KEY: &[u8] = b"\x40totals";
/// The request sequence of the current block.
pub(crate) const SEQ_KEY: &[u8] = b"\x40seq";
/// Queued requests, by direction, height and sequence.
pub(crate) const PENDING: u8 = 0x41;
/// Executed requests, by height and sequence.
pub(crate) const LEDGER: u8 = 0x42;
/// Cancelled requests, by height and sequence.
pub(crate) const CANCELED: u8 = 0x43;

/// `height ‖ sequence`, both big endian.
pub(crate) fn id_suffix(height: u64, seq: u64) -> [u8; 16] {
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&height.to_be_bytes());
    k[8..].copy_from_slice(&seq.to_be_bytes());
    k
}

/// The queue direction of a request burning `denom`: 0 = mint (uakt→uact), 1 = burn.
pub(crate) fn dir(denom: &str) -> u8 {
    u8::from(denom == DENOM_ACT)
}

/// The queue key of a request.
pub(crate) fn pending_key(id: &RecordId) -> Vec<u8> {
    let mut k = vec![PENDING, dir(&id.denom)];
    k.extend_from_slice(&id_suffix(id.height, id.sequence));
    k
}

/// The ledger (`LEDGER`) or cancelled (`CANCELED`) key of a request.
pub(crate) fn record_key(prefix: u8, id: &RecordId) -> Vec<u8> {
    let mut k = vec![prefix];
    k.extend_from_slice(&id_suffix(id.height, id.sequence));
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    use dcloud_types::{AccAddress, DENOM_AKT};

    #[test]
    fn queue_keys_split_by_direction_and_sort_by_height() {
        let id = |denom: &str, height| RecordId {
            denom: denom.into(),
            to_denom: String::new(),
            source: AccAddress::module("x"),
            height,
            sequence: 0,
        };
        assert_eq!(&pending_key(&id(DENOM_AKT, 1))[..2], &[PENDING, 0]);
        assert_eq!(&pending_key(&id(DENOM_ACT, 1))[..2], &[PENDING, 1]);
        assert!(record_key(LEDGER, &id(DENOM_AKT, 1)) < record_key(LEDGER, &id(DENOM_AKT, 2)));
    }
}
