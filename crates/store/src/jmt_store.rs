//! The persistent store: a Jellyfish Merkle Tree (sha256) over one redb file.
//!
//! * Every block is one redb write transaction ([`Store::commit`]): JMT nodes, the flat
//!   latest-state table, the superseded values (history), key preimages, the stale indexes, the
//!   meta record (latest version, root per version), the caller's aux writes, and the pruning of
//!   versions that fell out of the retention window. A crash leaves the store at the last
//!   committed version.
//! * Reads go through [`Snapshot`]s, each holding a redb read transaction, so a reader keeps
//!   seeing its version while commits and pruning go on.
//! * Each value is stored once: the latest in the flat table, superseded ones in the history.
//!   Reads of the latest version use the flat table (one B-tree lookup, ordered prefix ranges);
//!   reads of an older retained version use the flat table when its value was set by then, else
//!   the history (one reverse seek; ordered prefix ranges merge the flat range with the history
//!   at two seeks per distinct key).
//!
//! See [`crate::tables`] for the on-disk layout.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use jmt::storage::TreeUpdateBatch;
use jmt::{JellyfishMerkleTree, KeyHash};
use redb::{Database, ReadableDatabase, ReadableTable, Table, WriteTransaction};
use sha2::Sha256;

use crate::cache::{LatestCache, Lookup, ReadCacheBypass};
use crate::proof::StateProof;
use crate::tables::{
    as_slice_bounds, flat_entry_into, flat_part, flat_part_table, key_hash, node_db_key,
    prefix_bounds, root_node_db_key, split_flat, stale_db_key, value_db_key, ReadTables, AUX,
    FLAT_PARTS, FORMAT, META, META_FORMAT, META_LATEST, META_OLDEST, NODES, PREIMAGES, ROOTS,
    STALE_BEFORE, STALE_NODES, STALE_THROUGH, STALE_VALUES, TAG_DELETED, TAG_SET, VALUES,
};
use crate::{Changes, KvPair, StateRead, StoreError};

/// The JMT flavour used for state: sha256 for keys, values and nodes.
type Jmt<'a, R> = JellyfishMerkleTree<'a, R, Sha256>;

/// Options for [`Store::open`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoreOptions {
    /// How many versions (the latest included) stay readable and provable; older ones are pruned
    /// at commit. Default 100; 0 keeps every version.
    pub keep_recent: u64,
    /// Bytes of redb's page cache ([`StoreOptions::DEFAULT_CACHE_SIZE_BYTES`] by default). More
    /// helps large states whose hot pages outgrow it (e.g. bulk seeding of benchmarks).
    pub cache_size_bytes: usize,
    /// Bytes of the in-memory cache of point reads at the latest version (keys read every
    /// block stay there, so their cost does not grow with the state); 0 disables it.
    /// [`StoreOptions::DEFAULT_READ_CACHE_BYTES`] by default.
    pub read_cache_bytes: usize,
}

impl StoreOptions {
    /// The default page cache: 1 GiB (redb's own default).
    pub const DEFAULT_CACHE_SIZE_BYTES: usize = 1 << 30;
    /// The default latest-version read cache: 32 MiB.
    pub const DEFAULT_READ_CACHE_BYTES: usize = 32 << 20;
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            keep_recent: 100,
            cache_size_bytes: Self::DEFAULT_CACHE_SIZE_BYTES,
            read_cache_bytes: Self::DEFAULT_READ_CACHE_BYTES,
        }
    }
}

/// The persistent, versioned, merkleized state store.
///
/// `Send + Sync`; every method takes `&self`. Commits are serialized by redb's single writer;
/// reads (snapshots, proofs, aux queries) run concurrently with them.
pub struct Store {
    db: Database,
    path: Option<PathBuf>,
    opts: StoreOptions,
    /// Cached `(oldest retained, latest)`; `None` on a fresh store.
    versions: Mutex<Option<(u64, u64)>>,
    /// Point reads at the latest version, shared with its snapshots.
    cache: Arc<LatestCache>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("opts", &self.opts)
            .field("versions", &self.cached_versions())
            .finish()
    }
}

/// Storage use of one table ([`Store::table_usage`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableUsage {
    /// Table name (see the layout in the crate docs).
    pub name: &'static str,
    /// Entries.
    pub entries: u64,
    /// Bytes of keys and values.
    pub stored_bytes: u64,
    /// Bytes of branch pages and other metadata.
    pub metadata_bytes: u64,
    /// Bytes lost to fragmentation (unused space in its pages).
    pub fragmented_bytes: u64,
    /// B-tree height.
    pub tree_height: u32,
}

/// A new version computed in memory by [`Store::prepare_commit`], ready for [`Store::commit`].
pub struct PreparedCommit {
    /// The latest version when prepared (`None`: fresh store).
    base: Option<u64>,
    version: u64,
    root: [u8; 32],
    batch: TreeUpdateBatch,
    /// Raw keys and their hashes, in key order; the values are in `batch`.
    keys: Vec<(Vec<u8>, KeyHash)>,
}

impl PreparedCommit {
    /// The version this commit will create.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The state root hash of that version (the app hash).
    pub fn root_hash(&self) -> [u8; 32] {
        self.root
    }
}

impl fmt::Debug for PreparedCommit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedCommit")
            .field("base", &self.base)
            .field("version", &self.version)
            .field("root", &HexHash(&self.root))
            .field("keys", &self.keys.len())
            .field("new_nodes", &self.batch.node_batch.nodes().len())
            .finish()
    }
}

struct HexHash<'a>(&'a [u8; 32]);

impl fmt::Debug for HexHash<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// The `flat` partitions of a write transaction (see [`crate::tables::flat_part`]), each
/// opened (and created) when first written.
struct FlatWrite<'t> {
    txn: &'t WriteTransaction,
    open: BTreeMap<usize, Table<'t, &'static [u8], &'static [u8]>>,
}

impl<'t> FlatWrite<'t> {
    fn table(
        &mut self,
        key: &[u8],
    ) -> Result<&mut Table<'t, &'static [u8], &'static [u8]>, StoreError> {
        Ok(match self.open.entry(flat_part(key)) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                let t = self.txn.open_table(flat_part_table(*e.key()))?;
                e.insert(t)
            }
        })
    }

    /// Sets the raw entry of `key`; returns the one it replaced.
    fn insert(&mut self, key: &[u8], raw: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.table(key)?.insert(key, raw)?.map(|g| g.value().to_vec()))
    }

    /// Deletes the entry of `key`; returns it.
    fn remove(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.table(key)?.remove(key)?.map(|g| g.value().to_vec()))
    }

    fn contains(&mut self, key: &[u8]) -> Result<bool, StoreError> {
        Ok(self.table(key)?.get(key)?.is_some())
    }
}

/// All tables of a write transaction, opened once per commit.
struct WriteTables<'t> {
    nodes: Table<'t, &'static [u8], &'static [u8]>,
    values: Table<'t, &'static [u8], &'static [u8]>,
    preimages: Table<'t, &'static [u8], &'static [u8]>,
    flat: FlatWrite<'t>,
    stale_nodes: Table<'t, &'static [u8], ()>,
    stale_values: Table<'t, &'static [u8], u8>,
    meta: Table<'t, &'static str, u64>,
    roots: Table<'t, u64, [u8; 32]>,
    aux: Table<'t, &'static [u8], &'static [u8]>,
}

impl<'t> WriteTables<'t> {
    fn open(txn: &'t WriteTransaction) -> Result<Self, StoreError> {
        Ok(Self {
            nodes: txn.open_table(NODES)?,
            values: txn.open_table(VALUES)?,
            preimages: txn.open_table(PREIMAGES)?,
            flat: FlatWrite { txn, open: BTreeMap::new() },
            stale_nodes: txn.open_table(STALE_NODES)?,
            stale_values: txn.open_table(STALE_VALUES)?,
            meta: txn.open_table(META)?,
            roots: txn.open_table(ROOTS)?,
            aux: txn.open_table(AUX)?,
        })
    }
}

fn unavailable(requested: u64, versions: Option<(u64, u64)>) -> StoreError {
    let (oldest, latest) = versions.unwrap_or((0, 0));
    StoreError::VersionUnavailable { requested, oldest, latest }
}

fn jmt_error(e: anyhow::Error) -> StoreError {
    StoreError::Db(format!("merkle tree: {e:#}"))
}

impl Store {
    /// Opens (or creates) the store in the redb file at `path`, creating parent directories.
    pub fn open(path: &Path, opts: StoreOptions) -> Result<Self, StoreError> {
        if let Some(parent) = path.parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)?;
            }
        }
        let db = Database::builder().set_cache_size(opts.cache_size_bytes).create(path)?;
        Self::init(db, Some(path.to_path_buf()), opts)
    }

    /// A store kept in memory only (for tests and tools); same behaviour, nothing persisted.
    pub fn in_memory(opts: StoreOptions) -> Result<Self, StoreError> {
        let db = Database::builder()
            .set_cache_size(opts.cache_size_bytes)
            .create_with_backend(redb::backends::InMemoryBackend::new())?;
        Self::init(db, None, opts)
    }

    fn init(db: Database, path: Option<PathBuf>, opts: StoreOptions) -> Result<Self, StoreError> {
        // Create every table, so read transactions can always open them.
        let mut txn = db.begin_write()?;
        txn.set_quick_repair(true);
        {
            let mut tables = WriteTables::open(&txn)?;
            let format = tables.meta.get(META_FORMAT)?.map(|g| g.value());
            let committed = tables.meta.get(META_LATEST)?.is_some();
            match format {
                Some(FORMAT) => {}
                None if !committed => {
                    tables.meta.insert(META_FORMAT, FORMAT)?;
                }
                other => {
                    return Err(StoreError::Layout { found: other.unwrap_or(1), expected: FORMAT })
                }
            }
        }
        txn.commit()?;
        let cache = Arc::new(LatestCache::new(opts.read_cache_bytes));
        let store = Self { db, path, opts, versions: Mutex::new(None), cache };
        let versions = store.read_tables()?.versions()?;
        *store.lock_versions() = versions;
        if let Some((_, latest)) = versions {
            store.cache.advance(None, latest, &[]);
        }
        Ok(store)
    }

    fn lock_versions(&self) -> std::sync::MutexGuard<'_, Option<(u64, u64)>> {
        self.versions.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn cached_versions(&self) -> Option<(u64, u64)> {
        *self.lock_versions()
    }

    fn read_tables(&self) -> Result<ReadTables, StoreError> {
        ReadTables::open(self.db.begin_read()?)
    }

    /// Skips the latest-version read cache ([`StoreOptions::read_cache_bytes`]) for scans or
    /// for everything, or uses it again ([`ReadCacheBypass::None`]); commits keep it current
    /// either way. For measuring what reads cost without it.
    pub fn set_read_cache_bypass(&self, bypass: ReadCacheBypass) {
        self.cache.set_bypass(bypass);
    }

    /// The options the store was opened with.
    pub fn options(&self) -> StoreOptions {
        self.opts
    }

    /// The latest committed version; `None` for a fresh store. Genesis is version 0, block `h`
    /// is version `h`.
    pub fn latest_version(&self) -> Option<u64> {
        self.cached_versions().map(|(_, latest)| latest)
    }

    /// The oldest version still readable and provable; `None` for a fresh store.
    pub fn oldest_version(&self) -> Option<u64> {
        self.cached_versions().map(|(oldest, _)| oldest)
    }

    /// The state root hash of a retained `version` ([`StoreError::VersionUnavailable`] if it is
    /// pruned or not committed yet).
    pub fn root_hash(&self, version: u64) -> Result<[u8; 32], StoreError> {
        let tables = self.read_tables()?;
        Self::checked_root(&tables, version)
    }

    fn checked_root(tables: &ReadTables, version: u64) -> Result<[u8; 32], StoreError> {
        let versions = tables.versions()?;
        match versions {
            Some((oldest, latest)) if (oldest..=latest).contains(&version) => tables
                .roots
                .get(version)?
                .map(|g| g.value())
                .ok_or_else(|| StoreError::Corrupt(format!("no root for version {version}"))),
            _ => Err(unavailable(version, versions)),
        }
    }

    /// A consistent read view of the latest committed version (empty on a fresh store). It keeps
    /// reading that version after later commits. Should the database fail to start a read, the
    /// snapshot reports that error from every read.
    pub fn latest(&self) -> Snapshot {
        match self.try_latest() {
            Ok(s) => s,
            Err(e) => Snapshot {
                inner: Arc::new(SnapInner {
                    version: None,
                    root: None,
                    is_latest: true,
                    tables: Err(e.to_string()),
                    cache: Arc::clone(&self.cache),
                }),
            },
        }
    }

    fn try_latest(&self) -> Result<Snapshot, StoreError> {
        let tables = self.read_tables()?;
        let (version, root) = match tables.versions()? {
            Some((_, latest)) => (Some(latest), Some(Self::checked_root(&tables, latest)?)),
            None => (None, None),
        };
        Ok(Snapshot {
            inner: Arc::new(SnapInner {
                version,
                root,
                is_latest: true,
                tables: Ok(tables),
                cache: Arc::clone(&self.cache),
            }),
        })
    }

    /// A read view of a retained `version` ([`StoreError::VersionUnavailable`] if it is pruned
    /// or not committed yet). The latest version's view serves `get` and `prefix_range` from the
    /// flat table; an older version's view serves both from the flat and history tables.
    pub fn snapshot(&self, version: u64) -> Result<Snapshot, StoreError> {
        let tables = self.read_tables()?;
        let root = Self::checked_root(&tables, version)?;
        let is_latest = tables.versions()?.map(|(_, latest)| latest) == Some(version);
        Ok(Snapshot {
            inner: Arc::new(SnapInner {
                version: Some(version),
                root: Some(root),
                is_latest,
                tables: Ok(tables),
                cache: Arc::clone(&self.cache),
            }),
        })
    }

    /// The value of `key` at a retained `version` with a proof against that version's root hash
    /// (membership if present, non-membership if absent). Check it with [`crate::verify_proof`].
    pub fn get_with_proof(
        &self,
        key: &[u8],
        version: u64,
    ) -> Result<(Option<Vec<u8>>, StateProof), StoreError> {
        self.snapshot(version)?.get_with_proof(key)
    }

    /// Computes the next version (latest + 1, or 0 on a fresh store) from `changes` in memory:
    /// its root hash and the tree nodes to write. Writes nothing.
    pub fn prepare_commit(&self, changes: &Changes) -> Result<PreparedCommit, StoreError> {
        let tables = self.read_tables()?;
        let base = tables.versions()?.map(|(_, latest)| latest);
        let version = match base {
            Some(latest) => latest
                .checked_add(1)
                .ok_or_else(|| StoreError::OutOfOrder("version overflow".into()))?,
            None => 0,
        };
        let mut keys = Vec::with_capacity(changes.len());
        let mut value_set = Vec::with_capacity(changes.len());
        for (key, value) in changes {
            let kh = key_hash(key);
            keys.push((key.clone(), kh));
            value_set.push((kh, value.clone()));
        }
        let (root, batch) =
            Jmt::new(&tables).put_value_set(value_set, version).map_err(jmt_error)?;
        Ok(PreparedCommit { base, version, root: root.0, batch, keys })
    }

    /// Writes `prepared` and the `aux` writes (`None` deletes) in one fsync'd redb transaction,
    /// then prunes versions older than the retention window within that same transaction.
    /// Returns the new version. Fails with [`StoreError::OutOfOrder`] if another version was
    /// committed since `prepared` was computed.
    pub fn commit(
        &self,
        prepared: PreparedCommit,
        aux: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    ) -> Result<u64, StoreError> {
        let mut txn = self.db.begin_write()?;
        txn.set_quick_repair(true);
        let written = WriteTables::open(&txn)
            .and_then(|mut tables| self.write_commit(&mut tables, &prepared, &aux));
        match written {
            Ok(versions) => {
                txn.commit()?;
                *self.lock_versions() = Some(versions);
                if self.cache.enabled() {
                    // `keys` are in key order; write_commit checked every value is there.
                    let values = prepared.batch.node_batch.values();
                    let changes: Vec<(&[u8], Option<&[u8]>)> = prepared
                        .keys
                        .iter()
                        .filter_map(|(key, kh)| {
                            values.get(&(prepared.version, *kh)).map(|v| (&key[..], v.as_deref()))
                        })
                        .collect();
                    self.cache.advance(prepared.base, prepared.version, &changes);
                }
                Ok(prepared.version)
            }
            Err(e) => {
                // Nothing was committed; an abort failure adds nothing useful to `e`.
                let _ = txn.abort();
                Err(e)
            }
        }
    }

    /// Fills the write transaction; returns the new `(oldest, latest)`.
    fn write_commit(
        &self,
        t: &mut WriteTables<'_>,
        p: &PreparedCommit,
        aux: &[(Vec<u8>, Option<Vec<u8>>)],
    ) -> Result<(u64, u64), StoreError> {
        let current = t.meta.get(META_LATEST)?.map(|g| g.value());
        if current != p.base {
            return Err(StoreError::OutOfOrder(format!(
                "commit of version {} was prepared on top of {:?}, but the latest version is {:?}",
                p.version, p.base, current
            )));
        }
        let v = p.version;

        for (node_key, node) in p.batch.node_batch.nodes() {
            let k = node_db_key(node_key)?;
            let bytes = borsh::to_vec(node)
                .map_err(|e| StoreError::Corrupt(format!("encode node: {e}")))?;
            t.nodes.insert(&k[..], &bytes[..])?;
        }
        for stale in &p.batch.stale_node_index_batch {
            let k = stale_db_key(stale.stale_since_version, &node_db_key(&stale.node_key)?);
            t.stale_nodes.insert(&k[..], ())?;
        }

        // The flat and history tables in key order; preimages in key-hash order (B-tree
        // locality). Each value is stored once: the latest in `flat` (with the version that set
        // it); the value it replaces moves to the history at that version.
        let batch_values = p.batch.node_batch.values();
        let mut by_hash = Vec::with_capacity(p.keys.len());
        let (mut flat_buf, mut entry) = (Vec::new(), Vec::new());
        for (key, kh) in &p.keys {
            let value = batch_values
                .get(&(v, *kh))
                .ok_or_else(|| StoreError::Corrupt("prepared value missing".into()))?;
            let replaced = match value {
                Some(value) => {
                    flat_entry_into(&mut flat_buf, v, value);
                    t.flat.insert(key, &flat_buf)?
                }
                None => t.flat.remove(key)?,
            };
            let existed = match replaced {
                Some(raw) => {
                    let (set_at, old) = split_flat(&raw)?;
                    entry.clear();
                    entry.push(TAG_SET);
                    entry.extend_from_slice(old);
                    t.values.insert(&value_db_key(key, set_at)[..], &entry[..])?;
                    true
                }
                None => false,
            };
            // Deleting an absent key changes nothing (the tree ignores it too).
            if value.is_none() && existed {
                t.values.insert(&value_db_key(key, v)[..], &[TAG_DELETED][..])?;
            }
            if existed {
                let marker = if value.is_some() { STALE_BEFORE } else { STALE_THROUGH };
                t.stale_values.insert(&stale_db_key(v, key)[..], marker)?;
            }
            by_hash.push((kh, key, value, existed));
        }
        by_hash.sort_unstable_by_key(|e| e.0);
        for &(kh, key, value, existed) in &by_hash {
            if value.is_some() && !existed {
                t.preimages.insert(&kh.0[..], &key[..])?;
            }
        }
        t.roots.insert(v, p.root)?;
        t.meta.insert(META_LATEST, v)?;

        // Insert in key order: B-tree inserts in order touch each page once.
        // (A stable sort: for a key written twice, the later write still wins.)
        let mut sorted: Vec<&(Vec<u8>, Option<Vec<u8>>)> = aux.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        for (k, value) in sorted {
            match value {
                Some(value) => {
                    t.aux.insert(&k[..], &value[..])?;
                }
                None => {
                    t.aux.remove(&k[..])?;
                }
            }
        }

        let mut oldest = t.meta.get(META_OLDEST)?.map(|g| g.value()).unwrap_or(0);
        if self.opts.keep_recent > 0 {
            let target = (v + 1).saturating_sub(self.opts.keep_recent);
            if target > oldest {
                prune(t, target)?;
                oldest = target;
            }
        }
        t.meta.insert(META_OLDEST, oldest)?;
        Ok((oldest, v))
    }

    /// A value of the non-merkleized aux table (latest committed state).
    pub fn aux_get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let txn = self.db.begin_read()?;
        let aux = txn.open_table(AUX)?;
        Ok(aux.get(key)?.map(|g| g.value().to_vec()))
    }

    /// Aux entries whose key starts with `prefix`, at most `limit` of them. Ascending and strictly
    /// after `start_after`; or, with `reverse`, descending and strictly before `start_after`.
    pub fn aux_range(
        &self,
        prefix: &[u8],
        start_after: Option<&[u8]>,
        limit: usize,
        reverse: bool,
    ) -> Result<Vec<KvPair>, StoreError> {
        let bounds = if reverse {
            prefix_bounds(prefix, None, start_after)
        } else {
            prefix_bounds(prefix, start_after, None)
        };
        let Some(bounds) = bounds.filter(|_| limit > 0) else {
            return Ok(Vec::new());
        };
        let txn = self.db.begin_read()?;
        let aux = txn.open_table(AUX)?;
        let range = aux.range::<&[u8]>(as_slice_bounds(&bounds))?;
        let iter: Box<dyn Iterator<Item = _>> =
            if reverse { Box::new(range.rev()) } else { Box::new(range) };
        let mut out = Vec::new();
        for item in iter.take(limit) {
            let (k, v) = item?;
            out.push((k.value().to_vec(), v.value().to_vec()));
        }
        Ok(out)
    }

    /// Compacts the database file, returning freed space (e.g. after pruning a long history) to
    /// the file system. Slow on large files (seconds per GB); fails while snapshots are alive.
    pub fn compact(&mut self) -> Result<bool, StoreError> {
        self.db.compact().map_err(|e| StoreError::Db(e.to_string()))
    }

    /// Bytes of the database file (0 for an in-memory store).
    pub fn disk_size(&self) -> u64 {
        self.path.as_ref().and_then(|p| std::fs::metadata(p).ok()).map(|m| m.len()).unwrap_or(0)
    }

    /// Storage use of every table (entries and bytes, from redb's own accounting), for
    /// benchmarks and operators.
    pub fn table_usage(&self) -> Result<Vec<TableUsage>, StoreError> {
        use redb::ReadableTableMetadata;
        fn usage<K: redb::Key + 'static, V: redb::Value + 'static>(
            name: &'static str,
            t: &redb::ReadOnlyTable<K, V>,
        ) -> Result<TableUsage, StoreError> {
            let s = t.stats()?;
            Ok(TableUsage {
                name,
                entries: t.len()?,
                stored_bytes: s.stored_bytes(),
                metadata_bytes: s.metadata_bytes(),
                fragmented_bytes: s.fragmented_bytes(),
                tree_height: s.tree_height(),
            })
        }
        // The `flat` partitions as one table: summed, with the tallest partition's height.
        let flat_usage = |txn: &redb::ReadTransaction| -> Result<TableUsage, StoreError> {
            let mut total = TableUsage {
                name: "flat",
                entries: 0,
                stored_bytes: 0,
                metadata_bytes: 0,
                fragmented_bytes: 0,
                tree_height: 0,
            };
            for part in 0..FLAT_PARTS {
                let t = match txn.open_table(flat_part_table(part)) {
                    Ok(t) => t,
                    Err(redb::TableError::TableDoesNotExist(_)) => continue,
                    Err(e) => return Err(e.into()),
                };
                let u = usage("flat", &t)?;
                total.entries += u.entries;
                total.stored_bytes += u.stored_bytes;
                total.metadata_bytes += u.metadata_bytes;
                total.fragmented_bytes += u.fragmented_bytes;
                total.tree_height = total.tree_height.max(u.tree_height);
            }
            Ok(total)
        };
        let txn = self.db.begin_read()?;
        Ok(vec![
            usage("jmt_nodes", &txn.open_table(NODES)?)?,
            usage("values", &txn.open_table(VALUES)?)?,
            usage("preimages", &txn.open_table(PREIMAGES)?)?,
            flat_usage(&txn)?,
            usage("stale_nodes", &txn.open_table(STALE_NODES)?)?,
            usage("stale_values", &txn.open_table(STALE_VALUES)?)?,
            usage("roots", &txn.open_table(ROOTS)?)?,
            usage("aux", &txn.open_table(AUX)?)?,
        ])
    }
}

/// Deletes everything only versions below `target` need: tree nodes stale since `<= target`,
/// root nodes and roots of versions `< target`, history entries superseded at `<= target` (a
/// latest value, in `flat`, is never among them), and the preimages of keys left without any
/// history entry or latest value.
fn prune(t: &mut WriteTables<'_>, target: u64) -> Result<(), StoreError> {
    let stale_end = target.saturating_add(1).to_be_bytes();

    let stale_nodes = t.stale_nodes.extract_from_if::<&[u8], _>(..&stale_end[..], |_, _| true)?;
    for item in stale_nodes {
        let (k, _) = item?;
        if let Some(node_key) = k.value().get(8..) {
            t.nodes.remove(node_key)?;
        }
    }

    // Roots (and root nodes: an unchanged version copies its root without marking the
    // previous one stale) of the pruned versions.
    let roots = t.roots.extract_from_if(..target, |_, _| true)?;
    for item in roots {
        let (version, _) = item?;
        t.nodes.remove(&root_node_db_key(version.value())[..])?;
    }

    let mut emptied = Vec::new();
    let stale_values = t.stale_values.extract_from_if::<&[u8], _>(..&stale_end[..], |_, _| true)?;
    for item in stale_values {
        let (k, marker) = item?;
        let (since, key) = match k.value().split_first_chunk::<8>() {
            Some((since, key)) => (u64::from_be_bytes(*since), key.to_vec()),
            None => return Err(StoreError::Corrupt("bad stale value index key".into())),
        };
        let lo = value_db_key(&key, 0);
        let hi = value_db_key(&key, since);
        let upper = if marker.value() == STALE_THROUGH {
            emptied.push(key);
            Bound::Included(&hi[..])
        } else {
            Bound::Excluded(&hi[..])
        };
        t.values.retain_in::<&[u8], _>((Bound::Included(&lo[..]), upper), |_, _| false)?;
    }
    for key in emptied {
        let lo = value_db_key(&key, 0);
        let hi = value_db_key(&key, u64::MAX);
        // Deleted, then set again: the latest value (in `flat`) still needs its preimage.
        if t.values.range::<&[u8]>(&lo[..]..=&hi[..])?.next().is_none() && !t.flat.contains(&key)? {
            t.preimages.remove(&key_hash(&key).0[..])?;
        }
    }
    Ok(())
}

struct SnapInner {
    version: Option<u64>,
    root: Option<[u8; 32]>,
    /// Whether `version` was the latest when the snapshot was taken (reads use the flat table).
    is_latest: bool,
    tables: Result<ReadTables, String>,
    /// The store's latest-version read cache (used while it holds this snapshot's version).
    cache: Arc<LatestCache>,
}

/// A read view of one committed version (or of the empty state of a fresh store).
///
/// Cheap to clone; `Send + Sync`. It holds a redb read transaction, so it keeps seeing its
/// version however many commits follow. Drop it when done: while it lives, redb cannot reuse
/// pages freed after it was taken.
#[derive(Clone)]
pub struct Snapshot {
    inner: Arc<SnapInner>,
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("version", &self.inner.version)
            .field("is_latest", &self.inner.is_latest)
            .finish()
    }
}

impl Snapshot {
    /// The version this snapshot reads; `None` for the empty state of a fresh store.
    pub fn version(&self) -> Option<u64> {
        self.inner.version
    }

    /// The root hash of this version; `None` for the empty state of a fresh store.
    pub fn root_hash(&self) -> Option<[u8; 32]> {
        self.inner.root
    }

    fn tables(&self) -> Result<&ReadTables, StoreError> {
        self.inner.tables.as_ref().map_err(|e| StoreError::Db(e.clone()))
    }

    fn committed_version(&self) -> Result<u64, StoreError> {
        self.inner
            .version
            .ok_or_else(|| StoreError::Unsupported("no version has been committed yet".into()))
    }

    /// The value of `key` with a proof against [`Snapshot::root_hash`].
    pub fn get_with_proof(&self, key: &[u8]) -> Result<(Option<Vec<u8>>, StateProof), StoreError> {
        let version = self.committed_version()?;
        let (value, proof) =
            Jmt::new(self.tables()?).get_with_proof(key_hash(key), version).map_err(jmt_error)?;
        let proof = crate::proof::new_proof(version, key, value.as_deref(), &proof)?;
        Ok((value, proof))
    }

    /// The value of `key` with an ICS-23 commitment proof (IBC-compatible) against
    /// [`Snapshot::root_hash`]; verify with the `ics23` crate and [`crate::ics23_spec`].
    /// ICS-23 non-existence proofs need non-empty keys, so an empty key is refused.
    pub fn get_with_ics23_proof(
        &self,
        key: &[u8],
    ) -> Result<(Option<Vec<u8>>, ics23::CommitmentProof), StoreError> {
        if key.is_empty() {
            return Err(StoreError::Unsupported("ICS-23 proofs of the empty key".into()));
        }
        let version = self.committed_version()?;
        Jmt::new(self.tables()?).get_with_ics23_proof(key.to_vec(), version).map_err(jmt_error)
    }
}

impl StateRead for Snapshot {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let tables = self.tables()?;
        let Some(version) = self.inner.version else { return Ok(None) };
        if let Lookup::Hit(value) = self.inner.cache.get(version, key) {
            return Ok(value);
        }
        let value = if self.inner.is_latest {
            tables.latest_value(key)?
        } else {
            tables.value_at(key, version)?
        };
        self.inner.cache.insert(version, key, value.as_deref());
        Ok(value)
    }

    /// At the latest version a scan of the flat table; at an older one the flat range merged
    /// with the history (per key the latest value if set by then, else the newest history entry
    /// at or below the version; deletions skipped).
    fn prefix_range(
        &self,
        prefix: &[u8],
        start_after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<KvPair>, StoreError> {
        let tables = self.tables()?;
        let Some(version) = self.inner.version else { return Ok(Vec::new()) };
        if let Some(hit) = self.inner.cache.get_scan(version, prefix, start_after, limit) {
            return Ok(hit);
        }
        let out = if self.inner.is_latest {
            let Some(bounds) = prefix_bounds(prefix, start_after, None).filter(|_| limit > 0)
            else {
                return Ok(Vec::new());
            };
            let mut out = Vec::new();
            for item in tables.flat_range(bounds).take(limit) {
                let (k, v) = item?;
                out.push((k.value().to_vec(), split_flat(v.value())?.1.to_vec()));
            }
            out
        } else {
            tables.range_at(prefix, start_after, limit, version)?
        };
        self.inner.cache.insert_scan(version, prefix, start_after, limit, &out);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::tables::{BytesTable, STALE_NODES, STALE_VALUES};
    use redb::ReadableTableMetadata;

    /// Entry counts: (nodes, values, preimages, flat, stale nodes, stale values, roots).
    fn counts(store: &Store) -> [u64; 7] {
        let txn = store.db.begin_read().unwrap();
        let len = |t: BytesTable| txn.open_table(t).unwrap().len().unwrap();
        [
            len(NODES),
            len(VALUES),
            len(PREIMAGES),
            (0..FLAT_PARTS)
                .filter_map(|p| txn.open_table(flat_part_table(p)).ok())
                .map(|t| t.len().unwrap())
                .sum(),
            txn.open_table(STALE_NODES).unwrap().len().unwrap(),
            txn.open_table(STALE_VALUES).unwrap().len().unwrap(),
            txn.open_table(ROOTS).unwrap().len().unwrap(),
        ]
    }

    fn commit(store: &Store, c: &Changes) -> [u8; 32] {
        let p = store.prepare_commit(c).unwrap();
        let root = p.root_hash();
        store.commit(p, vec![]).unwrap();
        root
    }

    /// A database written by the old layout (no `format` record, versions committed) is refused
    /// with a clear error rather than misread.
    #[test]
    fn a_store_of_the_old_layout_is_refused() {
        let dir = std::env::temp_dir().join(format!("dcloud-store-format-{}", std::process::id()));
        let path = dir.join("state.redb");
        let _ = std::fs::remove_dir_all(&dir);
        {
            let store = Store::open(&path, StoreOptions::default()).unwrap();
            commit(&store, &[(b"k".to_vec(), Some(b"v".to_vec()))].into_iter().collect());
            let txn = store.db.begin_write().unwrap();
            txn.open_table(META).unwrap().remove(META_FORMAT).unwrap();
            txn.commit().unwrap();
        }
        let err = Store::open(&path, StoreOptions::default()).unwrap_err();
        assert!(err.to_string().contains("re-create the data directory"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A database of an earlier layout (2: the latest value also in the history table; 3: one
    /// unpartitioned `flat` table) is refused rather than misread.
    #[test]
    fn stores_of_layouts_2_and_3_are_refused() {
        for layout in [2u64, 3] {
            let db = Database::builder()
                .create_with_backend(redb::backends::InMemoryBackend::new())
                .unwrap();
            let txn = db.begin_write().unwrap();
            {
                let mut meta = txn.open_table(META).unwrap();
                meta.insert(META_LATEST, 5).unwrap();
                meta.insert(META_FORMAT, layout).unwrap();
            }
            txn.commit().unwrap();
            let err = Store::init(db, None, StoreOptions::default()).unwrap_err();
            assert!(err.to_string().contains(&format!("written in layout {layout}")), "{err}");
            assert!(err.to_string().contains("re-create the data directory"), "{err}");
        }
    }

    /// A key set, overwritten, deleted and set again reads (get, scans) and proves its value at
    /// every version, whether the value is the latest (in `flat`) or superseded (in the
    /// history); the latest values are stored once.
    #[test]
    fn every_version_of_a_rewritten_key_reads_and_proves() {
        let store =
            Store::in_memory(StoreOptions { keep_recent: 0, ..StoreOptions::default() }).unwrap();
        let steps: [Option<&[u8]>; 6] =
            [Some(b"a"), Some(b"b"), None, None, Some(b"c"), Some(b"c2")];
        let mut roots = Vec::new();
        for step in steps {
            let mut c = Changes::new();
            c.insert(b"k".to_vec(), step.map(<[u8]>::to_vec));
            c.insert(b"other".to_vec(), Some(vec![roots.len() as u8]));
            roots.push(commit(&store, &c));
        }
        for (v, step) in steps.iter().enumerate() {
            let snap = store.snapshot(v as u64).unwrap();
            assert_eq!(snap.get(b"k").unwrap().as_deref(), *step, "version {v}");
            let scanned = snap.prefix_range(b"", None, 10).unwrap();
            let mut expected = Vec::new();
            if let Some(value) = step {
                expected.push((b"k".to_vec(), value.to_vec()));
            }
            expected.push((b"other".to_vec(), vec![v as u8]));
            assert_eq!(scanned, expected, "version {v}");
            let (value, proof) = store.get_with_proof(b"k", v as u64).unwrap();
            assert_eq!(value.as_deref(), *step, "version {v}");
            crate::verify_proof(roots[v], b"k", value.as_deref(), &proof).unwrap();
        }
        // History: a, b and the deletion of `k` (deleting an absent key writes nothing), c;
        // five superseded values of `other`. The latest values are in `flat` only.
        let [_, values, preimages, flat, ..] = counts(&store);
        assert_eq!((values, preimages, flat), (9, 2, 2));
    }

    /// With `keep_recent = 1`, pruning leaves exactly what a fresh store holding the same
    /// content has: no leaked nodes, values, tombstones or preimages.
    #[test]
    fn pruning_leaves_no_garbage() {
        let store =
            Store::in_memory(StoreOptions { keep_recent: 1, ..StoreOptions::default() }).unwrap();
        let mut model = BTreeMap::new();
        let mut seed = 7u64;
        for v in 0..40u64 {
            let mut c = Changes::new();
            for _ in 0..(v % 7) * 5 {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let k = format!("k{}", (seed >> 33) % 40).into_bytes();
                let val =
                    matches!((seed >> 20) % 3, 1 | 2).then(|| (seed >> 40).to_be_bytes().to_vec());
                c.insert(k, val);
            }
            for (k, val) in &c {
                match val {
                    Some(val) => model.insert(k.clone(), val.clone()),
                    None => model.remove(k),
                };
            }
            let root = commit(&store, &c);
            let fresh =
                Store::in_memory(StoreOptions { keep_recent: 1, ..StoreOptions::default() })
                    .unwrap();
            let content: Changes =
                model.iter().map(|(k, v)| (k.clone(), Some(v.clone()))).collect();
            assert_eq!(commit(&fresh, &content), root);
            let live = model.len() as u64;
            let [nodes, values, preimages, flat, stale_nodes, stale_values, roots] = counts(&store);
            assert_eq!(nodes, counts(&fresh)[0], "version {v}");
            // Latest values live in `flat` only; with one retained version, no history.
            assert_eq!((values, preimages, flat), (0, live, live), "version {v}");
            assert_eq!((stale_nodes, stale_values, roots), (0, 0, 1), "version {v}");
        }
    }
}
