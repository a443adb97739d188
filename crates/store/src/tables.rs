//! The redb layout and the Jellyfish Merkle Tree storage adapter.
//!
//! The table layout, the key encodings and the jmt `TreeReader`/`HasPreimage` adapter live here
//! (the write and prune paths are in `jmt_store`). Root hashes depend only on the JMT, not on
//! this layout, so the byte store can be swapped (e.g. for RocksDB) without a consensus change.
//!
//! | table | key | value |
//! |---|---|---|
//! | `jmt_nodes` | [`node_db_key`]: `version_BE(8) ‖ num_nibbles(1) ‖ nibble bytes` | borsh(`Node`) |
//! | `values` | [`value_db_key`]: `escaped key ‖ 0x00 0x00 ‖ version_BE(8)` | history: `1 ‖ value` (set at that version, superseded since) or `0` (deleted at that version) |
//! | `preimages` | `key_hash(32)` | raw key |
//! | `flat` and `flat_00` … `flat_ff` | raw key | `version_BE(8) ‖ value`: the latest value and the version that set it; partitioned by the key's first byte ([`flat_part`]) |
//! | `stale_nodes` | `stale_since_BE(8) ‖ node_db_key` | `()` |
//! | `stale_values` | `stale_since_BE(8) ‖ raw key` | [`STALE_BEFORE`] or [`STALE_THROUGH`] |
//! | `meta` | name | u64 (`latest`, `oldest`, `format`) |
//! | `roots` | version | root hash |
//! | `aux` | raw key | raw value (not merkleized) |
//!
//! Each value is stored once: the latest in `flat` only; when a later version `V` overwrites or
//! deletes it, it moves to `values` at the version that set it (a deletion also records a
//! deletion entry at `V`). The value of a key at version `V` is its `flat` value if that was set
//! at or before `V`, else the newest `values` entry at or before `V`.
//!
//! Pruning to a new oldest retained version `O` deletes: nodes indexed stale since `<= O`
//! (jmt reports which nodes each version replaces), root nodes and roots of versions `< O` (an
//! unchanged version copies its root without marking the old one stale), history entries
//! superseded at `<= O` (indexed in `stale_values` when a key is overwritten or deleted), and
//! preimages of keys left with no history entry and no latest value. A key's entry that is still
//! current at `O` is never indexed as stale (and the latest value is never in `values`), so
//! every retained version stays readable and provable.
//!
//! The latest values are partitioned by the key's first byte (each module owns one or a few
//! prefix bytes): `flat_XX` holds the keys starting with byte `XX`, `flat` the empty key. A
//! module's reads then descend a B-tree as deep as its own state needs, not as deep as the
//! whole state's: the per-block reads of small modules (queue heads, params) cost the same
//! with a million leases as without, and a module's keys appended in order fill their pages
//! instead of splitting pages in the middle of another module's range. Concatenated in byte
//! order the partitions are the whole key space in order ([`ReadTables::flat_range`]).
//!
//! Both value tables are ordered by raw key (`values` escapes it so that no key's encoding is a
//! prefix of another's, then orders by version): a key's versions are adjacent, so an ordered
//! prefix scan at any retained version merges one `flat` range with one seek per distinct key
//! of `values` ([`ReadTables::range_at`]). The JMT asks for values by key hash (proofs only);
//! those go through `preimages` first.

use std::cmp::Ordering;
use std::ops::Bound;
use std::sync::{LazyLock, OnceLock};

use jmt::storage::{HasPreimage, LeafNode, Node, NodeKey, TreeReader};
use jmt::{KeyHash, OwnedValue, Version};
use redb::{AccessGuard, ReadOnlyTable, ReadTransaction, TableDefinition, TableError};

use crate::{KvPair, StoreError};

/// A byte-keyed, byte-valued table.
pub(crate) type BytesTable = TableDefinition<'static, &'static [u8], &'static [u8]>;

pub(crate) const NODES: BytesTable = TableDefinition::new("jmt_nodes");
pub(crate) const VALUES: BytesTable = TableDefinition::new("values");
pub(crate) const PREIMAGES: BytesTable = TableDefinition::new("preimages");
/// The `flat` partition of the empty key (see [`flat_part`]).
pub(crate) const FLAT: BytesTable = TableDefinition::new("flat");
/// Number of `flat` partitions: the empty key, then one per first byte.
pub(crate) const FLAT_PARTS: usize = 257;
static FLAT_PART_NAMES: LazyLock<Vec<String>> =
    LazyLock::new(|| (0..=255u8).map(|b| format!("flat_{b:02x}")).collect());

/// The `flat` partition of a key: 0 for the empty key, `1 + b` for keys starting with byte `b`.
pub(crate) fn flat_part(key: &[u8]) -> usize {
    key.first().map_or(0, |&b| 1 + usize::from(b))
}

/// The table of `flat` partition `part`.
pub(crate) fn flat_part_table(part: usize) -> BytesTable {
    match part.checked_sub(1) {
        None => FLAT,
        Some(b) => TableDefinition::new(&FLAT_PART_NAMES[b]),
    }
}

/// The `flat` partitions holding keys within `bounds`, in key order.
pub(crate) fn flat_parts_in(bounds: &KeyBounds) -> std::ops::RangeInclusive<usize> {
    let lo = match &bounds.0 {
        Bound::Included(l) | Bound::Excluded(l) => flat_part(l),
        Bound::Unbounded => 0,
    };
    let hi = match &bounds.1 {
        // Every key of partition `1 + b` is at least `[b]`: a range ending before `[b]` (the
        // end of every one-byte prefix) stops at the partition before.
        Bound::Excluded(u) if u.len() == 1 => flat_part(u) - 1,
        Bound::Included(u) | Bound::Excluded(u) => flat_part(u),
        Bound::Unbounded => FLAT_PARTS - 1,
    };
    lo..=hi
}
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
/// `meta` key: the on-disk layout version ([`FORMAT`]).
pub(crate) const META_FORMAT: &str = "format";
/// The on-disk layout this code writes: 4 = layout 3 with `flat` partitioned by the key's
/// first byte. 3 stored each value once (the latest in one `flat` table with its version,
/// superseded ones in `values`); 2 kept every version, the latest included, in `values` and the
/// bare latest value in `flat`; 1, without a `format` record, keyed `values` by key hash and
/// cannot serve scans at past versions.
pub(crate) const FORMAT: u64 = 4;

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

/// sha256 of the key: the JMT key hash (same as `KeyHash::with::<Sha256>`, without its tracing);
/// the one proofs are checked with.
pub(crate) fn key_hash(key: &[u8]) -> KeyHash {
    dcloud_proof::key_hash(key)
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

/// Appends `key` with every `0x00` byte written as `0x00 0xff`. Order-preserving, and the
/// escape of a key starts with the escape of `p` exactly when the key starts with `p`.
pub(crate) fn escape_into(out: &mut Vec<u8>, key: &[u8]) {
    for &b in key {
        out.push(b);
        if b == 0 {
            out.push(0xff);
        }
    }
}

/// The terminator after an escaped key (sorts below any escaped continuation).
const KEY_END: [u8; 2] = [0, 0];

/// `escaped key ‖ 0x00 0x00`: the part of a value entry's database key naming the key.
pub(crate) fn value_key_part(key: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(key.len() + 10);
    escape_into(&mut out, key);
    out.extend_from_slice(&KEY_END);
    out
}

/// `escaped key ‖ 0x00 0x00 ‖ version_BE`: ordered by key, then version.
pub(crate) fn value_db_key(key: &[u8], version: u64) -> Vec<u8> {
    let mut out = value_key_part(key);
    out.extend_from_slice(&version.to_be_bytes());
    out
}

/// Splits a value entry's database key into (raw key, version).
pub(crate) fn split_value_db_key(db_key: &[u8]) -> Result<(Vec<u8>, u64), StoreError> {
    let bad = || StoreError::Corrupt("bad value entry key".into());
    let (part, version) = db_key.split_last_chunk::<8>().ok_or_else(bad)?;
    let escaped = part.strip_suffix(&KEY_END).ok_or_else(bad)?;
    let mut key = Vec::with_capacity(escaped.len());
    let mut bytes = escaped.iter();
    while let Some(&b) = bytes.next() {
        key.push(b);
        if b == 0 && bytes.next() != Some(&0xff) {
            return Err(bad());
        }
    }
    Ok((key, u64::from_be_bytes(*version)))
}

/// `stale_since_BE ‖ rest`.
pub(crate) fn stale_db_key(stale_since: u64, rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + rest.len());
    out.extend_from_slice(&stale_since.to_be_bytes());
    out.extend_from_slice(rest);
    out
}

/// A `flat` entry: `version_BE ‖ value`, written into `out` (cleared first).
pub(crate) fn flat_entry_into(out: &mut Vec<u8>, version: u64, value: &[u8]) {
    out.clear();
    out.reserve(8 + value.len());
    out.extend_from_slice(&version.to_be_bytes());
    out.extend_from_slice(value);
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

/// A key with history: (raw key, its [`value_key_part`], its oldest history version).
type HistoryKey = (Vec<u8>, Vec<u8>, u64);

/// The read-only tables of one redb read transaction: a consistent view of the whole store.
///
/// Each table keeps the read transaction alive, so this view stays valid (and unchanged) while
/// commits and pruning go on.
pub(crate) struct ReadTables {
    pub(crate) nodes: ReadOnlyTable<&'static [u8], &'static [u8]>,
    pub(crate) values: ReadOnlyTable<&'static [u8], &'static [u8]>,
    pub(crate) preimages: ReadOnlyTable<&'static [u8], &'static [u8]>,
    pub(crate) meta: ReadOnlyTable<&'static str, u64>,
    pub(crate) roots: ReadOnlyTable<u64, [u8; 32]>,
    /// The transaction, for opening `flat` partitions when first read.
    txn: ReadTransaction,
    /// The `flat` partitions opened so far (`None`: the partition does not exist). Boxed, so
    /// that the slots a snapshot starts with stay small (16 bytes each).
    flat: Box<[OnceLock<Option<Box<FlatTable>>>]>,
}

type FlatTable = ReadOnlyTable<&'static [u8], &'static [u8]>;
/// A key or raw entry read from a `flat` partition (borrowed from redb's page, no copy).
pub(crate) type FlatGuard = AccessGuard<'static, &'static [u8]>;

impl ReadTables {
    /// Opens the tables of `txn` (the `flat` partitions when first read).
    pub(crate) fn open(txn: ReadTransaction) -> Result<Self, StoreError> {
        Ok(Self {
            nodes: txn.open_table(NODES)?,
            values: txn.open_table(VALUES)?,
            preimages: txn.open_table(PREIMAGES)?,
            meta: txn.open_table(META)?,
            roots: txn.open_table(ROOTS)?,
            flat: (0..FLAT_PARTS).map(|_| OnceLock::new()).collect(),
            txn,
        })
    }

    /// `flat` partition `part`, if it exists.
    fn flat_table(&self, part: usize) -> Result<Option<&FlatTable>, StoreError> {
        let slot = &self.flat[part];
        if let Some(t) = slot.get() {
            return Ok(t.as_deref());
        }
        let table = match self.txn.open_table(flat_part_table(part)) {
            Ok(t) => Some(Box::new(t)),
            Err(TableError::TableDoesNotExist(_)) => None,
            Err(e) => return Err(e.into()),
        };
        // Another thread may have opened it meanwhile: either copy will do.
        let _ = slot.set(table);
        Ok(slot.get().and_then(|t| t.as_deref()))
    }

    /// The raw `flat` entry (`version ‖ value`) of `key`.
    pub(crate) fn flat_get(&self, key: &[u8]) -> Result<Option<FlatGuard>, StoreError> {
        match self.flat_table(flat_part(key))? {
            Some(t) => Ok(t.get(key)?),
            None => Ok(None),
        }
    }

    /// The raw `flat` entries within `bounds`, ascending by key, across partitions.
    pub(crate) fn flat_range(&self, bounds: KeyBounds) -> FlatRange<'_> {
        let parts = flat_parts_in(&bounds);
        FlatRange { tables: self, bounds, parts, cur: None }
    }

    /// `(oldest retained, latest)` versions, `None` on a fresh database.
    pub(crate) fn versions(&self) -> Result<Option<(u64, u64)>, StoreError> {
        let Some(latest) = self.meta.get(META_LATEST)?.map(|g| g.value()) else {
            return Ok(None);
        };
        let oldest = self.meta.get(META_OLDEST)?.map(|g| g.value()).unwrap_or(0);
        Ok(Some((oldest, latest)))
    }

    /// The latest value of `key` (the `flat` entry without its version).
    pub(crate) fn latest_value(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        match self.flat_get(key)? {
            Some(raw) => Ok(Some(split_flat(raw.value())?.1.to_vec())),
            None => Ok(None),
        }
    }

    /// The value of `key` at `version` (at most this view's latest version): the latest value
    /// if it was set at or before `version`, else the newest history entry at or below
    /// `version`.
    pub(crate) fn value_at(&self, key: &[u8], version: u64) -> Result<Option<Vec<u8>>, StoreError> {
        if let Some(raw) = self.flat_get(key)? {
            let (set_at, value) = split_flat(raw.value())?;
            if set_at <= version {
                return Ok(Some(value.to_vec()));
            }
        }
        let part = value_key_part(key);
        self.history_at_part(&part, version)
    }

    /// The newest history entry at or below `version` of the key given as its
    /// [`value_key_part`] (`None` also when it was deleted then).
    fn history_at_part(&self, part: &[u8], version: u64) -> Result<Option<Vec<u8>>, StoreError> {
        let mut lo = part.to_vec();
        lo.extend_from_slice(&0u64.to_be_bytes());
        let mut hi = part.to_vec();
        hi.extend_from_slice(&version.to_be_bytes());
        let mut range = self.values.range::<&[u8]>(&lo[..]..=&hi[..])?;
        match range.next_back() {
            Some(entry) => {
                let (_, v) = entry?;
                decode_value_entry(v.value())
            }
            None => Ok(None),
        }
    }

    /// The first key with history within `bounds` (escaped value-table bounds), as
    /// `(raw key, value_key_part, oldest version)`; moves `bounds` past all of its entries.
    fn next_history_key(&self, bounds: &mut KeyBounds) -> Result<Option<HistoryKey>, StoreError> {
        if let (Bound::Excluded(l) | Bound::Included(l), Bound::Excluded(u)) = &*bounds {
            if l >= u {
                return Ok(None);
            }
        }
        let next = {
            let mut range = self.values.range::<&[u8]>(as_slice_bounds(bounds))?;
            match range.next() {
                Some(entry) => entry?.0.value().to_vec(),
                None => return Ok(None),
            }
        };
        let (key, first_version) = split_value_db_key(&next)?;
        let part = next[..next.len() - 8].to_vec();
        let mut after = part.clone();
        after.extend_from_slice(&u64::MAX.to_be_bytes());
        bounds.0 = Bound::Excluded(after);
        Ok(Some((key, part, first_version)))
    }

    /// Entries whose key starts with `prefix` as they were at `version`, ascending by key,
    /// strictly after `start_after` when given, at most `limit` of them; keys deleted (or not
    /// yet written) at `version` are skipped. Merges the `flat` range (latest values, taken
    /// when set at or before `version`) with the keys of the history range (one seek for the
    /// next key with history, one for its newest entry at or below `version`).
    pub(crate) fn range_at(
        &self,
        prefix: &[u8],
        start_after: Option<&[u8]>,
        limit: usize,
        version: u64,
    ) -> Result<Vec<KvPair>, StoreError> {
        let Some(flat_bounds) = prefix_bounds(prefix, start_after, None).filter(|_| limit > 0)
        else {
            return Ok(Vec::new());
        };
        let mut flat = self.flat_range(flat_bounds);

        let mut escaped_prefix = Vec::with_capacity(prefix.len() + 1);
        escape_into(&mut escaped_prefix, prefix);
        let upper = match prefix_end(&escaped_prefix) {
            Some(end) => Bound::Excluded(end),
            None => Bound::Unbounded,
        };
        let lower = match start_after {
            Some(s) if s >= prefix => Bound::Excluded(value_db_key(s, u64::MAX)),
            _ => Bound::Included(escaped_prefix),
        };
        let mut history_bounds: KeyBounds = (lower, upper);

        // The next unconsumed key of each side: `flat` as (key, value if set at or before
        // `version`), history as (key, value_key_part, oldest version).
        let mut next_flat: Option<(Vec<u8>, Option<Vec<u8>>)> = None;
        let mut next_history: Option<HistoryKey> = None;
        let (mut flat_done, mut history_done) = (false, false);
        let mut out = Vec::new();
        while out.len() < limit {
            if next_flat.is_none() && !flat_done {
                next_flat = match flat.next() {
                    Some(entry) => {
                        let (k, v) = entry?;
                        let (set_at, value) = split_flat(v.value())?;
                        Some((k.value().to_vec(), (set_at <= version).then(|| value.to_vec())))
                    }
                    None => None,
                };
                flat_done = next_flat.is_none();
            }
            if next_history.is_none() && !history_done {
                next_history = self.next_history_key(&mut history_bounds)?;
                history_done = next_history.is_none();
            }
            let order = match (&next_flat, &next_history) {
                (None, None) => break,
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some(f), Some(h)) => f.0.cmp(&h.0),
            };
            let from_flat = if order.is_le() { next_flat.take() } else { None };
            let from_history = if order.is_ge() { next_history.take() } else { None };
            let (key, value) = match (from_flat, from_history) {
                (Some((key, Some(value))), _) => (key, Some(value)),
                (_, Some((key, part, first_version))) => {
                    let value = if first_version <= version {
                        self.history_at_part(&part, version)?
                    } else {
                        None
                    };
                    (key, value)
                }
                // Set after `version`, with no history: not written yet at `version`.
                (Some((key, None)), None) => (key, None),
                (None, None) => break,
            };
            if let Some(value) = value {
                out.push((key, value));
            }
        }
        Ok(out)
    }
}

/// An ascending scan of the `flat` partitions within some bounds: each partition's range in
/// turn (keys of partition `p` all sort before those of `p + 1`), opened when reached. Yields
/// (key, raw entry) as redb guards, like a single table's range.
pub(crate) struct FlatRange<'a> {
    tables: &'a ReadTables,
    bounds: KeyBounds,
    parts: std::ops::RangeInclusive<usize>,
    cur: Option<redb::Range<'static, &'static [u8], &'static [u8]>>,
}

impl Iterator for FlatRange<'_> {
    type Item = Result<(FlatGuard, FlatGuard), StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(range) = &mut self.cur {
                match range.next() {
                    Some(entry) => return Some(entry.map_err(Into::into)),
                    None => self.cur = None,
                }
            }
            let part = self.parts.next()?;
            match self.tables.flat_table(part) {
                Ok(Some(t)) => match t.range::<&[u8]>(as_slice_bounds(&self.bounds)) {
                    Ok(r) => self.cur = Some(r),
                    Err(e) => return Some(Err(e.into())),
                },
                Ok(None) => {}
                Err(e) => return Some(Err(e)),
            }
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
        match self.preimages.get(&key_hash.0[..])? {
            Some(key) => self.value_at(key.value(), max_version).map_err(to_anyhow),
            None => Ok(None),
        }
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
    fn value_keys_sort_by_key_then_version_and_round_trip() {
        let keys: [&[u8]; 7] = [b"", &[0], &[0, 0], &[0, 1], &[0, 0xff], &[1], &[1, 0]];
        let mut encoded = Vec::new();
        for key in keys {
            for version in [0, 5, u64::MAX] {
                let db_key = value_db_key(key, version);
                assert_eq!(split_value_db_key(&db_key).unwrap(), (key.to_vec(), version));
                encoded.push(db_key);
            }
        }
        let mut sorted = encoded.clone();
        sorted.sort();
        assert_eq!(sorted, encoded, "raw-key order, then version order");
        assert!(split_value_db_key(&[0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).is_err());
        assert!(split_value_db_key(&[1, 2]).is_err());
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
    fn flat_partitions_of_a_range() {
        let b = |l: Bound<&[u8]>, u: Bound<&[u8]>| -> KeyBounds {
            (l.map(<[u8]>::to_vec), u.map(<[u8]>::to_vec))
        };
        // Everything: the empty key's partition, then one per first byte.
        assert_eq!(flat_parts_in(&b(Bound::Unbounded, Bound::Unbounded)), 0..=256);
        // A one-byte prefix: its own partition only.
        assert_eq!(flat_parts_in(&b(Bound::Included(&[0x24]), Bound::Excluded(&[0x25]))), 37..=37);
        // Longer bounds: from the lower's partition through the upper's.
        assert_eq!(
            flat_parts_in(&b(Bound::Excluded(&[0x24, 9]), Bound::Excluded(&[0x26, 0]))),
            37..=39
        );
        assert_eq!(flat_parts_in(&b(Bound::Included(&[]), Bound::Excluded(&[0]))), 0..=0);
        assert_eq!((flat_part(b""), flat_part(&[0]), flat_part(&[0xff, 1])), (0, 1, 256));
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
