//! The redb layout and the Jellyfish Merkle Tree storage adapter.
//!
//! The table layout, the key encodings and the jmt `TreeReader`/`HasPreimage` adapter live here
//! (the write and prune paths are in `jmt_store`). Root hashes depend only on the JMT, not on
//! this layout, so the byte store can be swapped (e.g. for RocksDB) without a consensus change.
//!
//! | table | key | value |
//! |---|---|---|
//! | `jmt_nodes` | [`node_db_key`]: `version_BE(8) ‖ num_nibbles(1) ‖ nibble bytes` | borsh(`Node`) |
//! | `jmt_values` | `key_hash(32) ‖ version_BE(8)` | history: `1 ‖ value` (set at that version and superseded since) or `0` (deleted at that version) |
//! | `preimages` | `key_hash(32)` | raw key |
//! | `flat` | raw key | `version_BE(8) ‖ value`: the latest value and the version that set it |
//! | `stale_nodes` | `stale_since_BE(8) ‖ node_db_key` | `()` |
//! | `stale_values` | `stale_since_BE(8) ‖ key_hash(32)` | [`STALE_BEFORE`] or [`STALE_THROUGH`] |
//! | `meta` | name | u64 (`latest`, `oldest`) |
//! | `roots` | version | root hash |
//! | `aux` | raw key | raw value (not merkleized) |
//!
//! Pruning to a new oldest retained version `O` deletes: nodes indexed stale since `<= O`
//! (jmt reports which nodes each version replaces), root nodes and roots of versions `< O` (an
//! unchanged version copies its root without marking the old one stale), value entries
//! superseded at `<= O` (indexed in `stale_values` when a key is overwritten or deleted), and
//! preimages of keys left with no value entry and no latest value. A key's entry that is still
//! current at `O` is never indexed as stale, so every retained version stays readable and
//! provable.
//!
//! A value is stored once: the latest in `flat` only, moved to `jmt_values` when a later
//! version overwrites or deletes it. The value of a key at version `V` is its `flat` value if
//! that was set at or before `V`, else the newest `jmt_values` entry at or before `V`.

use std::ops::Bound;

use jmt::storage::{HasPreimage, LeafNode, Node, NodeKey, TreeReader};
use jmt::{KeyHash, OwnedValue, Version};
use redb::{ReadOnlyTable, ReadTransaction, TableDefinition};
use sha2::{Digest, Sha256};

use crate::StoreError;

/// A byte-keyed, byte-valued table.
pub(crate) type BytesTable = TableDefinition<'static, &'static [u8], &'static [u8]>;

pub(crate) const NODES: BytesTable = TableDefinition::new("jmt_nodes");
pub(crate) const VALUES: BytesTable = TableDefinition::new("jmt_values");
pub(crate) const PREIMAGES: BytesTable = TableDefinition::new("preimages");
pub(crate) const FLAT: BytesTable = TableDefinition::new("flat");
pub(crate) const STALE_NODES: TableDefinition<'static, &'static [u8], ()> =
    TableDefinition::new("stale_nodes");
pub(crate) const STALE_VALUES: TableDefinition<'static, &'static [u8], u8> =
    TableDefinition::new("stale_values");
pub(crate) const META: TableDefinition<'static, &'static str, u64> = TableDefinition::new("meta");
pub(crate) const ROOTS: TableDefinition<'static, u64, [u8; 32]> = TableDefinition::new("roots");
pub(crate) const AUX: BytesTable = TableDefinition::new("aux");

/// `meta` key: the latest committed version (absent on a fresh database).
pub(crate) const META_LATEST: &str = "latest";
/// `meta` key: the oldest retained version.
pub(crate) const META_OLDEST: &str = "oldest";
/// `meta` key: the layout version of the database.
pub(crate) const META_FORMAT: &str = "format";
/// The layout version written by this code (2: latest values in `flat` only, with their
/// version; 1, never marked: every value in `jmt_values` too).
pub(crate) const FORMAT: u64 = 2;

/// `stale_values` marker: once pruned, drop every value entry of the key older than
/// `stale_since` (a newer value was written at `stale_since`).
pub(crate) const STALE_BEFORE: u8 = 0;
/// `stale_values` marker: once pruned, drop every value entry of the key up to and including
/// `stale_since` (the key was deleted at `stale_since`; with nothing older left, the tombstone is
/// redundant too).
pub(crate) const STALE_THROUGH: u8 = 1;

/// Value-entry tag: the key was deleted at this version.
pub(crate) const TAG_DELETED: u8 = 0;
/// Value-entry tag: the key was set at this version.
pub(crate) const TAG_SET: u8 = 1;

/// sha256 of the key: the JMT key hash (same as `KeyHash::with::<Sha256>`, without its tracing).
pub(crate) fn key_hash(key: &[u8]) -> KeyHash {
    KeyHash(Sha256::digest(key).into())
}

/// The database key of a JMT node: `version_BE ‖ num_nibbles ‖ nibble bytes` (injective, and
/// 12 bytes shorter than borsh).
pub(crate) fn node_db_key(node_key: &NodeKey) -> Result<Vec<u8>, StoreError> {
    // NibblePath's bytes are not public; its borsh form is `num_nibbles u64 LE ‖ len u32 LE ‖ bytes`.
    let path = borsh::to_vec(node_key.nibble_path())
        .map_err(|e| StoreError::Corrupt(format!("encode nibble path: {e}")))?;
    let bytes =
        path.get(12..).ok_or_else(|| StoreError::Corrupt("short nibble path encoding".into()))?;
    let mut out = Vec::with_capacity(9 + bytes.len());
    out.extend_from_slice(&node_key.version().to_be_bytes());
    // At most 64 nibbles (256-bit key hashes), so it fits a byte.
    out.push(node_key.nibble_path().num_nibbles() as u8);
    out.extend_from_slice(bytes);
    Ok(out)
}

/// The database key of the root node of `version` (empty nibble path).
pub(crate) fn root_node_db_key(version: u64) -> [u8; 9] {
    let mut out = [0u8; 9];
    out[..8].copy_from_slice(&version.to_be_bytes());
    out
}

/// `key_hash ‖ version_BE`.
pub(crate) fn value_db_key(key_hash: &KeyHash, version: u64) -> [u8; 40] {
    let mut out = [0u8; 40];
    out[..32].copy_from_slice(&key_hash.0);
    out[32..].copy_from_slice(&version.to_be_bytes());
    out
}

/// `stale_since_BE ‖ rest`.
pub(crate) fn stale_db_key(stale_since: u64, rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + rest.len());
    out.extend_from_slice(&stale_since.to_be_bytes());
    out.extend_from_slice(rest);
    out
}

/// A `flat` entry: `version_BE ‖ value`.
pub(crate) fn flat_entry(version: u64, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + value.len());
    out.extend_from_slice(&version.to_be_bytes());
    out.extend_from_slice(value);
    out
}

/// Splits a `flat` entry into (the version that set it, value).
pub(crate) fn split_flat(raw: &[u8]) -> Result<(u64, &[u8]), StoreError> {
    raw.split_first_chunk::<8>()
        .map(|(v, value)| (u64::from_be_bytes(*v), value))
        .ok_or_else(|| StoreError::Corrupt("short flat entry".into()))
}

/// Decodes a value entry: `Some(value)` for a set, `None` for a deletion.
pub(crate) fn decode_value_entry(raw: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
    match raw.split_first() {
        Some((&TAG_SET, value)) => Ok(Some(value.to_vec())),
        Some((&TAG_DELETED, [])) => Ok(None),
        _ => Err(StoreError::Corrupt("bad value entry".into())),
    }
}

/// The smallest byte string greater than every string starting with `prefix`, or `None` if
/// there is none (empty prefix or all `0xff`).
pub(crate) fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Owned lower and upper key bounds.
pub(crate) type KeyBounds = (Bound<Vec<u8>>, Bound<Vec<u8>>);

/// The key bounds of "starts with `prefix`, strictly after `start_after`, strictly before
/// `end_before`", or `None` when that range is empty.
pub(crate) fn prefix_bounds(
    prefix: &[u8],
    start_after: Option<&[u8]>,
    end_before: Option<&[u8]>,
) -> Option<KeyBounds> {
    let lower = match start_after {
        Some(s) if s >= prefix => Bound::Excluded(s.to_vec()),
        _ => Bound::Included(prefix.to_vec()),
    };
    let upper = match (prefix_end(prefix), end_before) {
        (Some(pe), Some(eb)) if eb < pe.as_slice() => Bound::Excluded(eb.to_vec()),
        (Some(pe), _) => Bound::Excluded(pe),
        (None, Some(eb)) => Bound::Excluded(eb.to_vec()),
        (None, None) => Bound::Unbounded,
    };
    let nonempty = match (&lower, &upper) {
        (_, Bound::Unbounded) => true,
        (Bound::Included(l), Bound::Excluded(u)) => l < u,
        (Bound::Excluded(l), Bound::Excluded(u)) => l < u,
        _ => true,
    };
    nonempty.then_some((lower, upper))
}

/// Converts a slice bound pair into the borrowed form redb's `range` takes.
pub(crate) fn as_slice_bounds(
    b: &(Bound<Vec<u8>>, Bound<Vec<u8>>),
) -> (Bound<&[u8]>, Bound<&[u8]>) {
    fn conv(b: &Bound<Vec<u8>>) -> Bound<&[u8]> {
        match b {
            Bound::Included(v) => Bound::Included(v.as_slice()),
            Bound::Excluded(v) => Bound::Excluded(v.as_slice()),
            Bound::Unbounded => Bound::Unbounded,
        }
    }
    (conv(&b.0), conv(&b.1))
}

/// The read-only tables of one redb read transaction: a consistent view of the whole store.
///
/// Each table keeps the read transaction alive, so this view stays valid (and unchanged) while
/// commits and pruning go on.
pub(crate) struct ReadTables {
    pub(crate) nodes: ReadOnlyTable<&'static [u8], &'static [u8]>,
    pub(crate) values: ReadOnlyTable<&'static [u8], &'static [u8]>,
    pub(crate) preimages: ReadOnlyTable<&'static [u8], &'static [u8]>,
    pub(crate) flat: ReadOnlyTable<&'static [u8], &'static [u8]>,
    pub(crate) meta: ReadOnlyTable<&'static str, u64>,
    pub(crate) roots: ReadOnlyTable<u64, [u8; 32]>,
}

impl ReadTables {
    /// Opens every table of `txn`.
    pub(crate) fn open(txn: &ReadTransaction) -> Result<Self, StoreError> {
        Ok(Self {
            nodes: txn.open_table(NODES)?,
            values: txn.open_table(VALUES)?,
            preimages: txn.open_table(PREIMAGES)?,
            flat: txn.open_table(FLAT)?,
            meta: txn.open_table(META)?,
            roots: txn.open_table(ROOTS)?,
        })
    }

    /// `(oldest retained, latest)` versions, `None` on a fresh database.
    pub(crate) fn versions(&self) -> Result<Option<(u64, u64)>, StoreError> {
        let Some(latest) = self.meta.get(META_LATEST)?.map(|g| g.value()) else {
            return Ok(None);
        };
        let oldest = self.meta.get(META_OLDEST)?.map(|g| g.value()).unwrap_or(0);
        Ok(Some((oldest, latest)))
    }

    /// The value of `key_hash` at `version` (at most this read's latest version): the latest
    /// value if it was set at or before `version`, else the newest history entry at or
    /// before `version`.
    pub(crate) fn value_at(
        &self,
        key_hash: &KeyHash,
        version: u64,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        if let Some(key) = self.preimages.get(&key_hash.0[..])? {
            if let Some(raw) = self.flat.get(key.value())? {
                let (set_at, value) = split_flat(raw.value())?;
                if set_at <= version {
                    return Ok(Some(value.to_vec()));
                }
            }
        }
        let lo = value_db_key(key_hash, 0);
        let hi = value_db_key(key_hash, version);
        let mut range = self.values.range::<&[u8]>(&lo[..]..=&hi[..])?;
        match range.next_back() {
            Some(entry) => {
                let (_, v) = entry?;
                decode_value_entry(v.value())
            }
            None => Ok(None),
        }
    }
}

fn to_anyhow(e: StoreError) -> anyhow::Error {
    anyhow::anyhow!(e)
}

impl TreeReader for ReadTables {
    fn get_node_option(&self, node_key: &NodeKey) -> anyhow::Result<Option<Node>> {
        let k = node_db_key(node_key).map_err(to_anyhow)?;
        match self.nodes.get(&k[..])? {
            Some(raw) => Ok(Some(borsh::from_slice::<Node>(raw.value())?)),
            None => Ok(None),
        }
    }

    fn get_value_option(
        &self,
        max_version: Version,
        key_hash: KeyHash,
    ) -> anyhow::Result<Option<OwnedValue>> {
        self.value_at(&key_hash, max_version).map_err(to_anyhow)
    }

    fn get_rightmost_leaf(&self) -> anyhow::Result<Option<(NodeKey, LeafNode)>> {
        // Only used by jmt's state-sync restore, which this store does not offer.
        anyhow::bail!("get_rightmost_leaf is not supported by this store")
    }
}

impl HasPreimage for ReadTables {
    fn preimage(&self, key_hash: KeyHash) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(self.preimages.get(&key_hash.0[..])?.map(|g| g.value().to_vec()))
    }
}

macro_rules! db_error {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                StoreError::Db(e.to_string())
            }
        }
    )*};
}

db_error!(
    redb::Error,
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError,
    std::io::Error
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_end_cases() {
        assert_eq!(prefix_end(b""), None);
        assert_eq!(prefix_end(&[0xff, 0xff]), None);
        assert_eq!(prefix_end(&[1, 0xff]), Some(vec![2]));
        assert_eq!(prefix_end(&[1, 2]), Some(vec![1, 3]));
    }

    #[test]
    fn prefix_bounds_cases() {
        assert!(prefix_bounds(b"b", Some(b"c"), None).is_none());
        assert!(prefix_bounds(b"b", None, Some(b"a")).is_none());
        assert_eq!(
            prefix_bounds(b"b", Some(b"a"), None),
            Some((Bound::Included(b"b".to_vec()), Bound::Excluded(b"c".to_vec())))
        );
        assert_eq!(
            prefix_bounds(b"", Some(b"x"), None),
            Some((Bound::Excluded(b"x".to_vec()), Bound::Unbounded))
        );
    }

    #[test]
    fn node_keys_are_compact_and_distinct() {
        let root = borsh::from_slice::<NodeKey>(&[
            7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ])
        .unwrap();
        assert_eq!(node_db_key(&root).unwrap(), root_node_db_key(7).to_vec());
        // version 7, 3 nibbles in 2 bytes.
        let mut raw = vec![7, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0xab, 0xc0];
        let k = borsh::from_slice::<NodeKey>(&raw).unwrap();
        assert_eq!(node_db_key(&k).unwrap(), vec![0, 0, 0, 0, 0, 0, 0, 7, 3, 0xab, 0xc0]);
        raw[8] = 4;
        let k4 = borsh::from_slice::<NodeKey>(&raw).unwrap();
        assert_ne!(node_db_key(&k).unwrap(), node_db_key(&k4).unwrap());
    }
}
