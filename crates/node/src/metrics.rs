//! Prometheus metrics: height, txs, mempool size, block execution and commit time.

use std::sync::atomic::AtomicU64;

use dcloud_consensus::CommittedBlock;
use parking_lot::Mutex;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

pub(crate) struct Metrics {
    registry: Mutex<Registry>,
    pub height: Gauge,
    txs: Counter,
    failed_txs: Counter,
    mempool_size: Gauge,
    mempool_bytes: Gauge,
    exec: Histogram,
    commit: Histogram,
    last_commit_ms: Gauge<f64, AtomicU64>,
}

impl Metrics {
    pub fn new() -> Self {
        let mut r = Registry::with_prefix("dcloud");
        let height = Gauge::default();
        let txs = Counter::default();
        let failed_txs = Counter::default();
        let mempool_size = Gauge::default();
        let mempool_bytes = Gauge::default();
        let exec = Histogram::new(exponential_buckets(0.001, 2.0, 16));
        let commit = Histogram::new(exponential_buckets(0.001, 2.0, 16));
        let last_commit_ms = Gauge::<f64, AtomicU64>::default();
        r.register("block_height", "Latest committed block height", height.clone());
        r.register("txs", "Txs included in blocks", txs.clone());
        r.register("failed_txs", "Included txs with a non-zero code", failed_txs.clone());
        r.register("mempool_size", "Txs waiting in the mempool", mempool_size.clone());
        r.register("mempool_bytes", "Bytes waiting in the mempool", mempool_bytes.clone());
        r.register("block_exec_seconds", "Finalize + commit time per block", exec.clone());
        r.register("block_commit_seconds", "State commit time per block", commit.clone());
        r.register(
            "last_commit_milliseconds",
            "State commit time of the last block",
            last_commit_ms.clone(),
        );
        Self {
            registry: Mutex::new(r),
            height,
            txs,
            failed_txs,
            mempool_size,
            mempool_bytes,
            exec,
            commit,
            last_commit_ms,
        }
    }

    pub fn observe_block(&self, cb: &CommittedBlock, mempool_len: usize, mempool_bytes: usize) {
        self.height.set(cb.block.header.height as i64);
        self.txs.inc_by(cb.block.txs.len() as u64);
        self.failed_txs.inc_by(cb.results.tx_results.iter().filter(|r| r.code != 0).count() as u64);
        self.mempool_size.set(mempool_len as i64);
        self.mempool_bytes.set(mempool_bytes as i64);
        self.exec.observe(cb.exec_time.as_secs_f64());
        self.commit.observe(cb.commit_time.as_secs_f64());
        self.last_commit_ms.set(cb.commit_time.as_secs_f64() * 1000.0);
    }

    pub fn set_mempool(&self, len: usize, bytes: usize) {
        self.mempool_size.set(len as i64);
        self.mempool_bytes.set(bytes as i64);
    }

    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = encode(&mut s, &self.registry.lock());
        s
    }
}
