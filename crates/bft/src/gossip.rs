//! Tx gossip: every tx this node admits to its mempool is forwarded to each peer's JSON-RPC
//! `broadcast_tx_async`, in admission order, one sender task per peer.
//!
//! Why JSON-RPC and not Malachite's network: the 0.8.2 app channel offers the app no
//! broadcast of its own messages (`NetworkMsg` carries only proposal parts). A forwarded tx
//! is admitted by the peer's own `check_tx` and forwarded again from there; duplicates stop
//! at the mempool's duplicate check, so each node sends each tx to each peer at most once.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use dcloud_consensus::Mempool;
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;

/// The running forwarders.
#[derive(Debug)]
pub struct TxGossip {
    tasks: Vec<JoinHandle<()>>,
}

impl TxGossip {
    /// Starts forwarding admitted txs to `peers` (JSON-RPC base URLs).
    pub fn start(mempool: &Mempool, peers: Vec<String>) -> Self {
        let mut rx = mempool.subscribe_admitted();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        let mut tasks = Vec::new();
        let mut outs = Vec::new();
        for url in peers {
            let (tx, mut prx) = mpsc::channel::<Arc<Vec<u8>>>(16_384);
            outs.push(tx);
            let client = client.clone();
            tasks.push(tokio::spawn(async move {
                while let Some(raw) = prx.recv().await {
                    let body = serde_json::json!({
                        "jsonrpc": "2.0",
                        "id": 0,
                        "method": "broadcast_tx_async",
                        "params": { "tx": base64::engine::general_purpose::STANDARD.encode(&*raw) },
                    });
                    if let Err(e) = client.post(&url).json(&body).send().await {
                        tracing::debug!(peer = %url, "tx gossip failed: {e}");
                    }
                }
            }));
        }
        tasks.push(tokio::spawn(async move {
            loop {
                match rx.recv().await {
                    Ok(raw) => {
                        for o in &outs {
                            // A full queue (peer down for long) drops the tx for that peer.
                            let _ = o.try_send(raw.clone());
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(skipped = n, "tx gossip lagged");
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
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
