//! Tx gossip: txs this node admits from clients are forwarded, in batches and in admission
//! order, to every peer's `POST /bft/txs` (served next to the peer's JSON-RPC, see
//! [`router`]); the peer admits each through its own `check_tx` and mempool, exactly as its
//! `broadcast_tx_sync` would, and does not forward them again.
//!
//! Why HTTP next to JSON-RPC and not Malachite's network: the 0.8.2 app channel offers the app
//! no broadcast of its own messages (`NetworkMsg` carries only proposal parts). Why no
//! re-forwarding: the configured peers form a full mesh (as `dcloud testnet` writes them),
//! so one hop reaches every validator and each tx crosses each link once. A partial mesh
//! would need re-forwarding with a seen-set per peer (not done).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine;
use dcloud_app::{App, CheckTxKind};
use dcloud_consensus::Mempool;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;

/// Most txs in one forwarded batch.
const MAX_BATCH: usize = 2000;

/// Hashes of txs that arrived from peers (not forwarded again). Bounded: cleared when full.
#[derive(Debug, Default)]
pub struct FromPeers(Mutex<BTreeSet<[u8; 32]>>);

impl FromPeers {
    fn mark(&self, h: [u8; 32]) {
        let mut s = self.0.lock();
        if s.len() >= 200_000 {
            s.clear();
        }
        s.insert(h);
    }

    fn take(&self, h: &[u8; 32]) -> bool {
        self.0.lock().remove(h)
    }
}

/// A batch of txs, base64.
#[derive(Debug, Serialize, Deserialize)]
pub struct TxBatch {
    /// Raw txs, base64.
    pub txs: Vec<String>,
}

/// How a batch fared.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct BatchResult {
    /// Admitted to the mempool.
    pub admitted: usize,
    /// Refused (duplicate, invalid, full).
    pub refused: usize,
}

#[derive(Clone)]
struct GossipState {
    app: Arc<App>,
    mempool: Arc<Mempool>,
    from_peers: Arc<FromPeers>,
}

/// The `POST /bft/txs` route, to be merged into the node's RPC server.
pub fn router(app: Arc<App>, mempool: Arc<Mempool>, from_peers: Arc<FromPeers>) -> Router {
    Router::new()
        .route("/bft/txs", post(receive))
        .layer(DefaultBodyLimit::max(64 * 1024 * 1024))
        .with_state(GossipState { app, mempool, from_peers })
}

async fn receive(State(st): State<GossipState>, Json(batch): Json<TxBatch>) -> Json<BatchResult> {
    let r = tokio::task::spawn_blocking(move || {
        let mut res = BatchResult::default();
        for t in batch.txs {
            let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(t.as_bytes()) else {
                res.refused += 1;
                continue;
            };
            let hash = dcloud_types::sha256(&raw);
            if st.mempool.precheck(&hash, raw.len()).is_err() {
                res.refused += 1;
                continue;
            }
            st.from_peers.mark(hash);
            let mempool = &st.mempool;
            let c = st.app.check_tx_with(&raw, CheckTxKind::New, |_| {
                mempool.insert(raw.clone()).map_err(|e| (e.code(), e.to_string()))
            });
            if c.code == 0 {
                res.admitted += 1;
            } else {
                st.from_peers.take(&hash);
                res.refused += 1;
            }
        }
        tracing::debug!(admitted = res.admitted, refused = res.refused, "txs from a peer");
        res
    })
    .await
    .unwrap_or_default();
    Json(r)
}

/// The running forwarders.
#[derive(Debug)]
pub struct TxGossip {
    tasks: Vec<JoinHandle<()>>,
}

impl TxGossip {
    /// Starts forwarding admitted client txs to `peers` (JSON-RPC base URLs).
    pub fn start(mempool: &Mempool, peers: Vec<String>, from_peers: Arc<FromPeers>) -> Self {
        let mut rx = mempool.subscribe_admitted();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        let mut tasks = Vec::new();
        let mut outs = Vec::new();
        for base in peers {
            let url = format!("{}/bft/txs", base.trim_end_matches('/'));
            let (tx, mut prx) = mpsc::channel::<Arc<Vec<String>>>(1024);
            outs.push(tx);
            let client = client.clone();
            tasks.push(tokio::spawn(async move {
                while let Some(batch) = prx.recv().await {
                    let body = serde_json::json!({ "txs": &*batch });
                    if let Err(e) = client.post(&url).json(&body).send().await {
                        tracing::debug!(peer = %url, "tx gossip failed: {e}");
                    }
                }
            }));
        }
        tasks.push(tokio::spawn(async move {
            let b64 = base64::engine::general_purpose::STANDARD;
            loop {
                let first = match rx.recv().await {
                    Ok(raw) => raw,
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(skipped = n, "tx gossip lagged");
                        continue;
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                };
                // Batch what is already waiting, keeping admission order.
                let mut batch = Vec::new();
                let mut next = Some(first);
                while let Some(raw) = next.take() {
                    if !from_peers.take(&dcloud_types::sha256(&raw)) {
                        batch.push(b64.encode(&*raw));
                    }
                    if batch.len() < MAX_BATCH {
                        next = rx.try_recv().ok();
                    }
                }
                if batch.is_empty() {
                    continue;
                }
                let batch = Arc::new(batch);
                for o in &outs {
                    // A full queue (peer down for long) drops the batch for that peer.
                    let _ = o.try_send(batch.clone());
                }
            }
        }));
        Self { tasks }
    }

    /// Stops forwarding.
    pub fn stop(self) {
        for t in self.tasks {
            t.abort();
        }
    }
}
