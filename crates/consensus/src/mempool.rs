//! The mempool: txs admitted by `check_tx`, in arrival order (which is per-sender sequence
//! order, since `check_tx` only admits a sender's next sequence), bounded by count and bytes,
//! re-checked after every block.

use std::collections::{BTreeMap, HashMap};

use std::sync::Arc;

use parking_lot::Mutex;
use tokio::sync::{broadcast, Notify};

/// Why a tx was not added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MempoolError {
    /// The mempool holds its maximum number of txs or bytes.
    #[error("mempool is full: {txs} txs, {bytes} bytes (limits {max_txs} txs, {max_bytes} bytes)")]
    Full {
        /// Current tx count.
        txs: usize,
        /// Current bytes.
        bytes: usize,
        /// Max txs.
        max_txs: usize,
        /// Max bytes.
        max_bytes: usize,
    },
    /// The same tx is already pending.
    #[error("tx already exists in mempool")]
    Duplicate,
}

impl MempoolError {
    /// ABCI-style code (Cosmos: 19 = tx in mempool cache, 20 = mempool full).
    pub fn code(&self) -> u32 {
        match self {
            MempoolError::Full { .. } => 20,
            MempoolError::Duplicate => 19,
        }
    }
}

#[derive(Debug)]
struct Entry {
    raw: Vec<u8>,
    hash: [u8; 32],
}

#[derive(Debug, Default)]
struct Inner {
    order: BTreeMap<u64, Entry>,
    by_hash: HashMap<[u8; 32], u64>,
    bytes: usize,
    next: u64,
}

/// A bounded, ordered mempool.
#[derive(Debug)]
pub struct Mempool {
    inner: Mutex<Inner>,
    max_txs: usize,
    max_bytes: usize,
    notify: Notify,
    /// Newly admitted txs, for drivers that gossip them to peers.
    admitted: broadcast::Sender<Arc<Vec<u8>>>,
}

impl Mempool {
    /// A mempool with limits.
    pub fn new(max_txs: usize, max_bytes: usize) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            max_txs,
            max_bytes,
            notify: Notify::new(),
            admitted: broadcast::channel(4096).0,
        }
    }

    /// Subscribes to txs as they are admitted (a lagging subscriber loses the oldest).
    pub fn subscribe_admitted(&self) -> broadcast::Receiver<Arc<Vec<u8>>> {
        self.admitted.subscribe()
    }

    /// Checks capacity and duplicates before the (costly, state-changing) `check_tx`.
    pub fn precheck(&self, hash: &[u8; 32], size: usize) -> Result<(), MempoolError> {
        self.check_room(&self.inner.lock(), hash, size)
    }

    fn check_room(&self, g: &Inner, hash: &[u8; 32], size: usize) -> Result<(), MempoolError> {
        if g.by_hash.contains_key(hash) {
            return Err(MempoolError::Duplicate);
        }
        if g.order.len() + 1 > self.max_txs || g.bytes + size > self.max_bytes {
            return Err(MempoolError::Full {
                txs: g.order.len(),
                bytes: g.bytes,
                max_txs: self.max_txs,
                max_bytes: self.max_bytes,
            });
        }
        Ok(())
    }

    /// Adds an admitted tx.
    pub fn insert(&self, raw: Vec<u8>) -> Result<(), MempoolError> {
        let hash = dcloud_types::sha256(&raw);
        // Check and insert under one lock: concurrent inserts must not both pass the check.
        let mut g = self.inner.lock();
        self.check_room(&g, &hash, raw.len())?;
        let n = g.next;
        g.next += 1;
        g.bytes += raw.len();
        g.by_hash.insert(hash, n);
        // Published under the lock, so subscribers see txs in admission order.
        if self.admitted.receiver_count() > 0 {
            let _ = self.admitted.send(Arc::new(raw.clone()));
        }
        g.order.insert(n, Entry { raw, hash });
        drop(g);
        self.notify.notify_one();
        Ok(())
    }

    /// True if the tx is pending.
    pub fn contains(&self, hash: &[u8; 32]) -> bool {
        self.inner.lock().by_hash.contains_key(hash)
    }

    /// Number of pending txs.
    pub fn len(&self) -> usize {
        self.inner.lock().order.len()
    }

    /// True if empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes of pending txs.
    pub fn bytes(&self) -> usize {
        self.inner.lock().bytes
    }

    /// Pending txs in order, up to `max_bytes` in total and `max_txs` in count.
    pub fn reap(&self, max_bytes: usize, max_txs: usize) -> Vec<Vec<u8>> {
        let g = self.inner.lock();
        let mut out = Vec::new();
        let mut bytes = 0;
        for e in g.order.values() {
            if out.len() >= max_txs || bytes + e.raw.len() > max_bytes {
                break;
            }
            bytes += e.raw.len();
            out.push(e.raw.clone());
        }
        out
    }

    /// After a block: drops committed txs, then re-checks the rest in order with `recheck`
    /// (true = still valid) and drops those that fail.
    pub fn update(&self, committed: &[Vec<u8>], mut recheck: impl FnMut(&[u8]) -> bool) {
        let mut g = self.inner.lock();
        for tx in committed {
            let h = dcloud_types::sha256(tx);
            if let Some(n) = g.by_hash.remove(&h) {
                if let Some(e) = g.order.remove(&n) {
                    g.bytes -= e.raw.len();
                }
            }
        }
        let keys: Vec<u64> = g.order.keys().copied().collect();
        for n in keys {
            let ok = g.order.get(&n).is_some_and(|e| recheck(&e.raw));
            if !ok {
                if let Some(e) = g.order.remove(&n) {
                    g.bytes -= e.raw.len();
                    g.by_hash.remove(&e.hash);
                }
            }
        }
    }

    /// Waits until a tx is inserted.
    pub async fn wait_for_tx(&self) {
        self.notify.notified().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_ordered_rechecked() {
        let m = Mempool::new(3, 1000);
        m.insert(b"a".to_vec()).unwrap();
        m.insert(b"b".to_vec()).unwrap();
        assert_eq!(m.insert(b"a".to_vec()), Err(MempoolError::Duplicate));
        m.insert(b"c".to_vec()).unwrap();
        assert!(matches!(m.insert(b"d".to_vec()), Err(MempoolError::Full { .. })));
        assert_eq!(m.reap(1000, 2), vec![b"a".to_vec(), b"b".to_vec()]);
        m.update(&[b"a".to_vec()], |tx| tx != b"c");
        assert_eq!(m.reap(1000, 10), vec![b"b".to_vec()]);
        assert_eq!(m.bytes(), 1);
        let small = Mempool::new(10, 2);
        small.insert(b"xy".to_vec()).unwrap();
        assert!(matches!(small.insert(b"z".to_vec()), Err(MempoolError::Full { .. })));
    }
}
