//! Every store key of the oracle (`len` is one byte, the address length):
//! `0x34 "state"` → state; `0x35 ‖ len ‖ source ‖ time_ms ‖ height` → observation;
//! `0x36 ‖ len ‖ source` → the source's latest observation.

use dcloud_types::AccAddress;

/// The evaluated state.
pub(crate) const STATE_KEY: &[u8] = b"\x34state";
/// Observations, by source then time then height.
const ENTRY: u8 = 0x35;
/// The latest observation per source.
const LATEST: u8 = 0x36;

fn source_prefix(kind: u8, source: &AccAddress) -> Vec<u8> {
    let b = source.as_bytes();
    let mut k = Vec::with_capacity(2 + b.len() + 16);
    k.push(kind);
    k.push(b.len() as u8);
    k.extend_from_slice(b);
    k
}

/// The prefix of a source's observations.
pub(crate) fn entries_prefix(source: &AccAddress) -> Vec<u8> {
    source_prefix(ENTRY, source)
}

/// The key of one observation.
pub(crate) fn entry_key(source: &AccAddress, time_ms: u64, height: u64) -> Vec<u8> {
    let mut k = source_prefix(ENTRY, source);
    k.extend_from_slice(&time_ms.to_be_bytes());
    k.extend_from_slice(&height.to_be_bytes());
    k
}

/// The key of a source's latest observation.
pub(crate) fn latest_key(source: &AccAddress) -> Vec<u8> {
    source_prefix(LATEST, source)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_keys_sort_by_time_under_their_source() {
        let a = AccAddress::module("x");
        let (k1, k2) = (entry_key(&a, 1, 9), entry_key(&a, 2, 0));
        assert!(k1.starts_with(&entries_prefix(&a)) && k1 < k2);
        assert_eq!(latest_key(&a)[0], 0x36);
        assert_eq!(STATE_KEY[0], 0x34);
    }
}
