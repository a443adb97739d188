//! The `solo` driver: one validator that proposes, executes, signs and commits blocks.
//!
//! It makes a block every `block_time`, and sooner — as soon as the mempool is non-empty
//! and the last block is at least `min_block_interval` old — so a tx is usually committed
//! within ~100 ms of arriving.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use dcloud_app::{App, BlockInfo};
use dcloud_crypto::ed25519::NodeKey;
use parking_lot::Mutex;
use tokio::sync::{broadcast, watch};

use crate::block::{tx_merkle_root, Block, BlockResults, Commit, CommitSig, Hash, Header};
use crate::blockstore::BlockStore;
use crate::mempool::Mempool;
use crate::ConsensusError;

/// Driver settings.
#[derive(Debug, Clone)]
pub struct SoloConfig {
    /// Longest gap between blocks (empty blocks are made when idle).
    pub block_time: Duration,
    /// Shortest gap between blocks when txs are waiting.
    pub min_block_interval: Duration,
    /// Most txs per block.
    pub max_block_txs: usize,
}

impl Default for SoloConfig {
    fn default() -> Self {
        Self {
            block_time: Duration::from_secs(1),
            min_block_interval: Duration::from_millis(100),
            max_block_txs: 20_000,
        }
    }
}

/// A block that was just committed, as published to subscribers.
#[derive(Debug, Clone)]
pub struct CommittedBlock {
    /// The block.
    pub block: Block,
    /// Its commit certificate.
    pub commit: Commit,
    /// Execution results.
    pub results: BlockResults,
    /// Time spent in finalize + commit.
    pub exec_time: Duration,
    /// Time spent in the store commit alone.
    pub commit_time: Duration,
}

struct Last {
    height: u64,
    hash: Hash,
    time_ms: u64,
    commit: Option<Commit>,
}

/// The solo consensus driver.
pub struct SoloDriver {
    app: Arc<App>,
    mempool: Arc<Mempool>,
    blocks: BlockStore,
    key: NodeKey,
    cfg: SoloConfig,
    events: broadcast::Sender<Arc<CommittedBlock>>,
    last: Mutex<Last>,
}

impl std::fmt::Debug for SoloDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoloDriver").field("cfg", &self.cfg).finish_non_exhaustive()
    }
}

impl SoloDriver {
    /// Prepares the driver, resuming after the last committed block.
    pub fn new(
        app: Arc<App>,
        mempool: Arc<Mempool>,
        key: NodeKey,
        cfg: SoloConfig,
    ) -> Result<Self, ConsensusError> {
        let blocks = BlockStore::new(app.store().clone());
        let our = hex::encode_upper(key.address());
        let vals = app.validators()?;
        if !vals.iter().any(|v| v.address.eq_ignore_ascii_case(&our)) {
            return Err(ConsensusError::Rejected(format!(
                "this node's validator key {our} is not in the genesis validator set; \
                 the solo driver needs the validator's key"
            )));
        }
        let tip = blocks.tip(app.info()?.last_height.unwrap_or(0))?;
        let last =
            Last { height: tip.height, hash: tip.hash, time_ms: tip.time_ms, commit: tip.commit };
        let (events, _) = broadcast::channel(1024);
        Ok(Self { app, mempool, blocks, key, cfg, events, last: Mutex::new(last) })
    }

    /// Subscribes to committed blocks.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<CommittedBlock>> {
        self.events.subscribe()
    }

    /// The block store.
    pub fn blocks(&self) -> &BlockStore {
        &self.blocks
    }

    /// Last committed height.
    pub fn height(&self) -> u64 {
        self.last.lock().height
    }

    /// Proposes, executes, signs and commits one block with time `now_ms`.
    pub fn produce_block(&self, now_ms: u64) -> Result<Arc<CommittedBlock>, ConsensusError> {
        let mut last = self.last.lock();
        let started = Instant::now();
        let info = self.app.info()?;
        let cp = self.app.consensus_params()?;
        let candidates = self.mempool.reap(cp.max_block_bytes as usize, self.cfg.max_block_txs);
        let txs = self.app.prepare_proposal(candidates)?;
        if !self.app.process_proposal(&txs)? {
            return Err(ConsensusError::Rejected("own proposal failed process_proposal".into()));
        }
        let vals = self.app.validators()?;
        let height = last.height + 1;
        let time_ms = now_ms.max(last.time_ms + 1);
        let proposer = hex::encode_upper(self.key.address());
        let header = Header {
            chain_id: info.chain_id.clone(),
            height,
            time_ms,
            last_block_hash: last.hash,
            last_commit_hash: last.commit.as_ref().map_or([0; 32], Commit::hash),
            data_hash: tx_merkle_root(&txs),
            validators_hash: dcloud_types::sha256(&serde_json::to_vec(&vals).unwrap_or_default()),
            app_hash: info.last_app_hash,
            proposer_address: proposer.clone(),
            evidence_hash: [0; 32],
        };
        let last_commit_info = crate::commit_votes(&vals, last.commit.as_ref());
        let binfo = BlockInfo {
            height,
            time_ms,
            proposer: proposer.clone(),
            last_commit: last_commit_info,
            misbehavior: Vec::new(),
        };
        let resp = match self.app.finalize_block(&binfo, &txs) {
            Ok(r) => r,
            Err(e) => {
                self.app.abort_pending();
                return Err(e.into());
            }
        };
        let block_hash = header.hash();
        let sig = self.key.sign(&Commit::sign_bytes(&info.chain_id, height, 0, &block_hash));
        let commit = Commit {
            height,
            round: 0,
            block_hash,
            signatures: vec![CommitSig {
                validator_address: proposer,
                signature: base64::engine::general_purpose::STANDARD.encode(sig),
            }],
        };
        let results = BlockResults {
            height,
            tx_results: resp.tx_results,
            finalize_block_events: resp.events,
            validator_updates: resp.validator_updates,
            app_hash: resp.app_hash,
        };
        let block = Block { header, txs, last_commit: last.commit.clone(), evidence: Vec::new() };
        let aux = match BlockStore::writes_for(&block, &commit, &results) {
            Ok(a) => a,
            Err(e) => {
                self.app.abort_pending();
                return Err(e);
            }
        };
        let commit_started = Instant::now();
        let mempool = &self.mempool;
        let committed = &block.txs;
        let mut commit_time = Duration::ZERO;
        self.app.commit_then(aux, |recheck| {
            commit_time = commit_started.elapsed();
            mempool.update(committed, |raw| recheck(raw))
        })?;
        *last = Last { height, hash: block_hash, time_ms, commit: Some(commit.clone()) };
        let cb = Arc::new(CommittedBlock {
            block,
            commit,
            results,
            exec_time: started.elapsed(),
            commit_time,
        });
        let _ = self.events.send(cb.clone());
        Ok(cb)
    }

    /// Runs until `shutdown` turns true. Returns an error if a block fails (the node halts
    /// rather than continue from a state it cannot explain).
    pub async fn run(
        self: Arc<Self>,
        mut shutdown: watch::Receiver<bool>,
    ) -> Result<(), ConsensusError> {
        let mut last_block = Instant::now();
        loop {
            if *shutdown.borrow() {
                return Ok(());
            }
            let since = last_block.elapsed();
            let due = if !self.mempool.is_empty() {
                since >= self.cfg.min_block_interval
            } else {
                since >= self.cfg.block_time
            };
            if due {
                let me = self.clone();
                let now_ms = now_ms();
                let r = tokio::task::spawn_blocking(move || me.produce_block(now_ms))
                    .await
                    .map_err(|e| ConsensusError::Rejected(format!("block task panicked: {e}")))?;
                let cb = r?;
                tracing::info!(
                    height = cb.block.header.height,
                    txs = cb.block.txs.len(),
                    exec_ms = cb.exec_time.as_millis() as u64,
                    "committed block"
                );
                last_block = Instant::now();
                continue;
            }
            let wait = if self.mempool.is_empty() {
                self.cfg.block_time.saturating_sub(since)
            } else {
                self.cfg.min_block_interval.saturating_sub(since)
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.mempool.wait_for_tx(), if self.mempool.is_empty() => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}

/// Wall-clock milliseconds (the driver's, never the app's).
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
