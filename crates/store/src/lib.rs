//! Versioned, merkleized key-value state for dcloud.
//!
//! * [`StateRead`] / [`StateWrite`]: the traits every module keeper is written against.
//! * [`Overlay`]: uncommitted writes layered over any reader (block delta, per-tx delta).
//! * [`Store`]: the persistent Jellyfish Merkle Tree over redb, one atomic redb transaction
//!   per block, yielding the app hash; [`Snapshot`]s read a fixed version.
//! * [`StateProof`] / [`verify_proof`]: membership and non-membership proofs against a root.
//!
//! Typical block flow:
//!
//! ```
//! use dcloud_store::{Changes, Overlay, StateRead, StateWrite, Store, StoreOptions};
//!
//! let store = Store::in_memory(StoreOptions::default())?;
//! let mut block = Overlay::new(store.latest());
//! block.put(b"balance/alice".to_vec(), b"100".to_vec());
//! let prepared = store.prepare_commit(block.changes())?;
//! let app_hash = prepared.root_hash();
//! let version = store.commit(prepared, vec![(b"block/0".to_vec(), Some(b"...".to_vec()))])?;
//! assert_eq!(version, 0);
//! assert_eq!(store.root_hash(0)?, app_hash);
//! assert_eq!(store.latest().get(b"balance/alice")?, Some(b"100".to_vec()));
//!
//! let (value, proof) = store.get_with_proof(b"balance/alice", 0)?;
//! dcloud_store::verify_proof(app_hash, b"balance/alice", value.as_deref(), &proof)?;
//! # Ok::<(), dcloud_store::StoreError>(())
//! ```
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

mod cache;
mod jmt_store;
mod overlay;
mod proof;
mod tables;

pub use cache::ReadCacheBypass;
pub use jmt_store::{PreparedCommit, Snapshot, Store, StoreOptions, TableUsage};
pub use overlay::{Changes, Overlay};
pub use proof::{verify_proof, StateProof};

/// The ICS-23 proof spec of the state tree, for verifying
/// [`Snapshot::get_with_ics23_proof`] proofs (e.g. by IBC light clients).
pub fn ics23_spec() -> ics23::ProofSpec {
    jmt::ics23_spec()
}

/// Errors from the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The embedded database failed.
    #[error("database error: {0}")]
    Db(String),
    /// Data on disk could not be decoded.
    #[error("corrupt store data: {0}")]
    Corrupt(String),
    /// The database was written in another on-disk layout than this build reads.
    #[error(
        "corrupt store data: the store was written in layout {found}, this build reads layout \
         {expected}; re-create the data directory"
    )]
    Layout {
        /// The layout on disk.
        found: u64,
        /// The layout this build reads and writes.
        expected: u64,
    },
    /// The requested version is not retained (pruned or in the future).
    #[error("version {requested} is not available (retained: {oldest}..={latest})")]
    VersionUnavailable {
        /// Requested version.
        requested: u64,
        /// Oldest retained version.
        oldest: u64,
        /// Latest committed version.
        latest: u64,
    },
    /// A commit was attempted out of order.
    #[error("commit out of order: {0}")]
    OutOfOrder(String),
    /// A proof failed verification or could not be decoded.
    #[error("invalid proof: {0}")]
    ProofInvalid(String),
    /// The operation is not offered in this situation (e.g. a proof before any commit).
    #[error("unsupported: {0}")]
    Unsupported(String),
}

/// One key/value pair.
pub type KvPair = (Vec<u8>, Vec<u8>);

/// Read access to state, at one fixed version.
pub trait StateRead {
    /// The value of `key`, if set.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;

    /// Entries whose key starts with `prefix`, ascending by key, strictly after `start_after`
    /// when given, at most `limit` of them.
    fn prefix_range(
        &self,
        prefix: &[u8],
        start_after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<KvPair>, StoreError>;
}

/// Write access to state (buffered; nothing reaches disk until a block commits).
pub trait StateWrite: StateRead {
    /// Sets `key` to `value`.
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>);
    /// Removes `key`.
    fn delete(&mut self, key: Vec<u8>);
}

impl<T: StateRead + ?Sized> StateRead for &T {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        (**self).get(key)
    }
    fn prefix_range(
        &self,
        prefix: &[u8],
        start_after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<KvPair>, StoreError> {
        (**self).prefix_range(prefix, start_after, limit)
    }
}

impl<T: StateRead + ?Sized> StateRead for &mut T {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        (**self).get(key)
    }
    fn prefix_range(
        &self,
        prefix: &[u8],
        start_after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<KvPair>, StoreError> {
        (**self).prefix_range(prefix, start_after, limit)
    }
}

impl<T: StateWrite + ?Sized> StateWrite for &mut T {
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        (**self).put(key, value)
    }
    fn delete(&mut self, key: Vec<u8>) {
        (**self).delete(key)
    }
}

/// An empty state (reads nothing); the base of a chain that has no committed version yet.
#[derive(Debug, Default, Clone, Copy)]
pub struct EmptyState;

impl StateRead for EmptyState {
    fn get(&self, _key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(None)
    }
    fn prefix_range(
        &self,
        _prefix: &[u8],
        _start_after: Option<&[u8]>,
        _limit: usize,
    ) -> Result<Vec<KvPair>, StoreError> {
        Ok(Vec::new())
    }
}
