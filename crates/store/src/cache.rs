//! An in-memory cache of point reads at the latest committed version.
//!
//! Every block reads the same few dozen keys (each module's params, globals, the validator
//! set…) and scans the heads of the same few height- or time-keyed queues (the market's due
//! indexes, staking's unbonding queues, gov's active proposals…). Served from the flat table,
//! each of those descends a B-tree whose depth grows with the whole state, so a chain with a
//! million leases would pay more per block for reads that have nothing to do with leases.
//! This cache answers them from memory instead: point reads by key, and prefix scans by
//! (prefix, start after, limit).
//!
//! It holds values of **one version**: an entry is served only to snapshots of exactly that
//! version. [`Store::commit`](crate::Store::commit) moves it to the new version by rewriting
//! the entries of the keys the commit changed and dropping every cached scan whose prefix a
//! changed key starts with (or clearing it all when it was at another version), under its
//! write lock; a snapshot of an older version then misses and reads redb as
//! before. A value read from redb is inserted only if the cache is still at the version it was
//! read at, so a reader racing a commit cannot leave an old value behind. Absent keys are
//! cached too (`None`).
//!
//! Bounded by bytes: entries go to a `hot` generation; when it is full it becomes `cold` (the
//! previous `cold` is dropped) and a hit in `cold` moves the entry back to `hot`, so keys read
//! every block stay while one-off reads age out within two generations. Which entries are
//! cached never changes a result, only its cost (state transitions stay deterministic).

// Hash maps allowed here: the cache's maps are only probed, never iterated into a result (a
// scan's result is a stored Vec in key order), so hash order cannot reach state.
#![allow(clippy::disallowed_types)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Bookkeeping bytes charged per entry besides its key and value.
const ENTRY_OVERHEAD: usize = 64;

type Map = HashMap<Box<[u8]>, Option<Box<[u8]>>>;

/// A cached scan: (prefix, start after, limit).
type ScanKey = (Box<[u8]>, Option<Box<[u8]>>, usize);
/// A scan's result: (key, value) pairs in key order.
pub(crate) type ScanResult = Vec<(Vec<u8>, Vec<u8>)>;

/// Scans cached at most (few modules scan more than a handful of queue heads per block).
const MAX_SCANS: usize = 4096;

#[derive(Default)]
struct Inner {
    /// The version the entries hold values of (`None`: nothing cached yet).
    version: Option<u64>,
    hot: Map,
    cold: Map,
    /// Bytes charged to `hot`.
    hot_bytes: usize,
    scans: HashMap<ScanKey, ScanResult>,
    /// Bytes charged to `scans`.
    scan_bytes: usize,
}

fn charge(key_len: usize, value: Option<&[u8]>) -> usize {
    key_len + value.map_or(0, <[u8]>::len) + ENTRY_OVERHEAD
}

fn scan_cost(prefix: &[u8], start_after: Option<&[u8]>, result: &[(Vec<u8>, Vec<u8>)]) -> usize {
    ENTRY_OVERHEAD
        + prefix.len()
        + start_after.map_or(0, <[u8]>::len)
        + result.iter().map(|(k, v)| k.len() + v.len() + ENTRY_OVERHEAD).sum::<usize>()
}

impl Inner {
    fn insert_hot(&mut self, key: Box<[u8]>, value: Option<Box<[u8]>>, capacity: usize) {
        let (cost, key_len) = (charge(key.len(), value.as_deref()), key.len());
        // Each generation gets half the capacity.
        if self.hot_bytes + cost > capacity / 2 {
            self.cold = std::mem::take(&mut self.hot);
            self.hot_bytes = 0;
        }
        self.hot_bytes += cost;
        if let Some(old) = self.hot.insert(key, value) {
            // Replaced in place: the old entry's charge is returned.
            self.hot_bytes -= charge(key_len, old.as_deref());
        }
    }

    fn clear(&mut self) {
        self.hot.clear();
        self.cold.clear();
        self.hot_bytes = 0;
        self.scans.clear();
        self.scan_bytes = 0;
    }
}

/// Outcome of a cache lookup.
pub(crate) enum Lookup {
    /// Cached at the snapshot's version: the value (`None`: the key is absent).
    Hit(Option<Vec<u8>>),
    /// Not cached at that version.
    Miss,
}

/// The latest-version point-read cache (see the module docs).
pub(crate) struct LatestCache {
    inner: RwLock<Inner>,
    /// Bytes of keys, values and bookkeeping at most; 0 disables the cache.
    capacity: usize,
    /// Which lookups and insertions are skipped ([`ReadCacheBypass`] as a byte; commits still
    /// keep the entries current), for measuring what reads cost without the cache.
    bypass: AtomicU8,
}

/// What the latest-version read cache skips ([`crate::Store::set_read_cache_bypass`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReadCacheBypass {
    /// Nothing: point reads and scans are served from the cache (normal operation).
    #[default]
    None,
    /// Scans (point reads still cached): what a block pays when its txs changed every queue
    /// whose head it reads.
    Scans,
    /// Everything: every read is a redb lookup.
    All,
}

impl LatestCache {
    pub(crate) fn new(capacity: usize) -> Self {
        Self { inner: RwLock::new(Inner::default()), capacity, bypass: AtomicU8::new(0) }
    }

    /// Which lookups and insertions are skipped.
    pub(crate) fn set_bypass(&self, bypass: ReadCacheBypass) {
        self.bypass.store(bypass as u8, Ordering::Relaxed);
    }

    /// Whether the cache has room at all (commits need not tell it their changes otherwise).
    pub(crate) fn enabled(&self) -> bool {
        self.capacity > 0
    }

    /// Whether point reads skip the cache.
    fn off(&self) -> bool {
        self.capacity == 0 || self.bypass.load(Ordering::Relaxed) == ReadCacheBypass::All as u8
    }

    /// Whether scans skip the cache.
    fn scans_off(&self) -> bool {
        self.capacity == 0 || self.bypass.load(Ordering::Relaxed) != ReadCacheBypass::None as u8
    }

    fn read(&self) -> RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|p| p.into_inner())
    }

    /// The cached value of `key` at `version`, if the cache holds that version and the key.
    pub(crate) fn get(&self, version: u64, key: &[u8]) -> Lookup {
        if self.off() {
            return Lookup::Miss;
        }
        {
            let inner = self.read();
            if inner.version != Some(version) {
                return Lookup::Miss;
            }
            if let Some(v) = inner.hot.get(key) {
                return Lookup::Hit(v.as_deref().map(<[u8]>::to_vec));
            }
            if !inner.cold.contains_key(key) {
                return Lookup::Miss;
            }
        }
        // In the cold generation: move it back to hot (if still at that version).
        let mut inner = self.write();
        if inner.version != Some(version) {
            return Lookup::Miss;
        }
        match inner.cold.remove(key) {
            Some(value) => {
                let out = value.as_deref().map(<[u8]>::to_vec);
                inner.insert_hot(key.into(), value, self.capacity);
                Lookup::Hit(out)
            }
            None => match inner.hot.get(key) {
                Some(v) => Lookup::Hit(v.as_deref().map(<[u8]>::to_vec)),
                None => Lookup::Miss,
            },
        }
    }

    /// The cached result of the scan (`prefix`, `start_after`, `limit`) at `version`.
    pub(crate) fn get_scan(
        &self,
        version: u64,
        prefix: &[u8],
        start_after: Option<&[u8]>,
        limit: usize,
    ) -> Option<ScanResult> {
        if self.scans_off() {
            return None;
        }
        let inner = self.read();
        if inner.version != Some(version) {
            return None;
        }
        let key: ScanKey = (prefix.into(), start_after.map(Into::into), limit);
        inner.scans.get(&key).cloned()
    }

    /// Records the result of a scan read from redb at `version`, unless the cache has moved to
    /// another version meanwhile. Scans get a quarter of the capacity.
    pub(crate) fn insert_scan(
        &self,
        version: u64,
        prefix: &[u8],
        start_after: Option<&[u8]>,
        limit: usize,
        result: &[(Vec<u8>, Vec<u8>)],
    ) {
        let budget = self.capacity / 4;
        let cost = scan_cost(prefix, start_after, result);
        // Results bigger than 1/16 of the budget are pages of listings, not queue heads.
        if self.scans_off() || cost > budget / 16 {
            return;
        }
        let mut inner = self.write();
        if inner.version != Some(version) {
            return;
        }
        if inner.scan_bytes + cost > budget || inner.scans.len() >= MAX_SCANS {
            inner.scans.clear();
            inner.scan_bytes = 0;
        }
        let key: ScanKey = (prefix.into(), start_after.map(Into::into), limit);
        if inner.scans.insert(key, result.to_vec()).is_none() {
            inner.scan_bytes += cost;
        }
    }

    /// Records `value`, read from redb at `version`, unless the cache has moved to another
    /// version meanwhile.
    pub(crate) fn insert(&self, version: u64, key: &[u8], value: Option<&[u8]>) {
        if self.off() || charge(key.len(), value) > self.capacity / 2 {
            return;
        }
        let mut inner = self.write();
        if inner.version == Some(version) {
            inner.insert_hot(key.into(), value.map(Into::into), self.capacity);
        }
    }

    /// Moves the cache from version `base` to `new` after a commit that changed `changes`
    /// (key, new value or `None` for a deletion; **in key order**): cached entries of changed
    /// keys are rewritten and cached scans whose prefix a changed key starts with are dropped;
    /// a cache at any version other than `base` is cleared.
    pub(crate) fn advance(&self, base: Option<u64>, new: u64, changes: &[(&[u8], Option<&[u8]>)]) {
        if self.capacity == 0 {
            return;
        }
        debug_assert!(changes.windows(2).all(|w| w[0].0 < w[1].0), "changes in key order");
        let mut inner = self.write();
        if inner.version.is_none() || inner.version != base {
            inner.clear();
        } else {
            for &(key, value) in changes {
                if inner.cold.remove(key).is_some() || inner.hot.contains_key(key) {
                    inner.insert_hot(key.into(), value.map(Into::into), self.capacity);
                }
            }
            // A scan is stale when a changed key lies under its prefix: the first changed key
            // at or after the prefix tells (the keys are sorted).
            let touched = |prefix: &[u8]| {
                let i = changes.partition_point(|(k, _)| *k < prefix);
                changes.get(i).is_some_and(|(k, _)| k.starts_with(prefix))
            };
            let mut freed = 0;
            inner.scans.retain(|(prefix, after, _), result| {
                let keep = !touched(prefix);
                if !keep {
                    freed += scan_cost(prefix, after.as_deref(), result);
                }
                keep
            });
            inner.scan_bytes -= freed;
        }
        inner.version = Some(new);
    }

    /// Entries cached (both generations), for tests.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        let inner = self.read();
        inner.hot.len() + inner.cold.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(c: &LatestCache, version: u64, key: &[u8]) -> Option<Option<Vec<u8>>> {
        match c.get(version, key) {
            Lookup::Hit(v) => Some(v),
            Lookup::Miss => None,
        }
    }

    #[test]
    fn serves_only_the_version_it_holds() {
        let c = LatestCache::new(1 << 20);
        c.advance(None, 0, &[]);
        c.insert(0, b"a", Some(b"1"));
        c.insert(0, b"gone", None);
        assert_eq!(hit(&c, 0, b"a"), Some(Some(b"1".to_vec())));
        assert_eq!(hit(&c, 0, b"gone"), Some(None));
        assert_eq!(hit(&c, 1, b"a"), None, "another version misses");
        // A commit of version 1 changes a and adds gone; b untouched.
        c.insert(0, b"b", Some(b"2"));
        c.advance(Some(0), 1, &[(&b"a"[..], None), (&b"gone"[..], Some(&b"back"[..]))]);
        assert_eq!(hit(&c, 1, b"a"), Some(None));
        assert_eq!(hit(&c, 1, b"gone"), Some(Some(b"back".to_vec())));
        assert_eq!(hit(&c, 1, b"b"), Some(Some(b"2".to_vec())));
        assert_eq!(hit(&c, 0, b"b"), None, "the old version is no longer served");
        // A value read at version 0 after the move to 1 is not recorded.
        c.insert(0, b"late", Some(b"old"));
        assert_eq!(hit(&c, 1, b"late"), None);
    }

    #[test]
    fn a_scan_is_dropped_when_a_key_under_its_prefix_changes() {
        let c = LatestCache::new(1 << 20);
        c.advance(None, 0, &[]);
        let head = vec![(b"q\x01".to_vec(), b"x".to_vec())];
        c.insert_scan(0, b"q", None, 1, &head);
        c.insert_scan(0, b"r", None, 1, &[]);
        c.insert_scan(0, b"q", Some(b"q\x01"), 5, &[]);
        assert_eq!(c.get_scan(0, b"q", None, 1), Some(head.clone()));
        assert_eq!(c.get_scan(0, b"q", None, 2), None, "another limit is another scan");
        assert_eq!(c.get_scan(1, b"q", None, 1), None, "another version misses");
        // Version 1 changes keys before, after and between the prefixes, none under them.
        c.advance(Some(0), 1, &[(&b"p"[..], None), (&b"qa"[..], None), (&b"s"[..], None)]);
        assert_eq!(c.get_scan(1, b"q", None, 1), None, "qa is under q");
        assert_eq!(c.get_scan(1, b"q", Some(b"q\x01"), 5), None);
        assert_eq!(c.get_scan(1, b"r", None, 1), Some(vec![]), "nothing under r changed");
        // A scan read at version 1 after the move to 2 is not recorded.
        c.advance(Some(1), 2, &[]);
        c.insert_scan(1, b"q", None, 1, &head);
        assert_eq!(c.get_scan(2, b"q", None, 1), None);
        assert_eq!(c.get_scan(2, b"r", None, 1), Some(vec![]));
    }

    #[test]
    fn a_commit_on_another_base_clears_everything() {
        let c = LatestCache::new(1 << 20);
        c.advance(None, 5, &[]);
        c.insert(5, b"a", Some(b"1"));
        c.advance(Some(7), 8, &[]);
        assert_eq!(c.len(), 0);
        assert_eq!(hit(&c, 8, b"a"), None);
    }

    #[test]
    fn stays_within_its_capacity_and_keeps_what_is_read_again() {
        let cap = 100 * (ENTRY_OVERHEAD + 8);
        let c = LatestCache::new(cap);
        c.advance(None, 0, &[]);
        c.insert(0, b"param", Some(b"p"));
        for i in 0u32..1_000 {
            c.insert(0, &i.to_be_bytes(), Some(b"vvvv"));
            // The hot key is read every "block".
            assert_eq!(hit(&c, 0, b"param"), Some(Some(b"p".to_vec())), "round {i}");
        }
        assert!(c.len() <= 100, "{} entries", c.len());
        assert_eq!(hit(&c, 0, &0u32.to_be_bytes()), None, "one-off reads age out");
    }

    #[test]
    fn zero_capacity_caches_nothing() {
        let c = LatestCache::new(0);
        c.advance(None, 0, &[]);
        c.insert(0, b"a", Some(b"1"));
        assert_eq!(hit(&c, 0, b"a"), None);
    }
}
