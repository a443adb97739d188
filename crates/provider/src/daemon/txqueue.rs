//! One signer, many callers: the provider's transactions go through a single worker so
//! that account sequences never collide. Requests that queue up while a transaction is in
//! flight are sent together in one transaction (bids for several orders of one block land
//! in the next block); if that combined transaction fails, each request is retried alone
//! so one bad message does not sink the others.

use dcloud_client::{BroadcastMode, RpcClient, TxOptions, TxOutcome, TxSender};
use dcloud_crypto::secp256k1::SigningKey;
use dcloud_proto::Msg;
use tokio::sync::{mpsc, oneshot};

/// Why a transaction did not succeed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TxError {
    /// The node refused or the tx failed on chain.
    #[error("{0}")]
    Failed(String),
    /// The worker has stopped (daemon shutting down).
    #[error("transaction worker stopped")]
    Stopped,
}

type Request = (Vec<Msg>, oneshot::Sender<Result<TxOutcome, TxError>>);

/// Handle to the transaction worker.
#[derive(Clone)]
pub struct TxQueue {
    tx: mpsc::Sender<Request>,
    address: dcloud_types::AccAddress,
}

/// Most requests merged into one transaction.
const MAX_BATCH: usize = 16;

impl TxQueue {
    /// Starts the worker.
    pub fn start(client: RpcClient, key: SigningKey, chain_id: Option<String>) -> Self {
        let (tx, mut rx) = mpsc::channel::<Request>(1024);
        let address = key.public_key().address();
        tokio::spawn(async move {
            let opts = TxOptions { chain_id, mode: BroadcastMode::Commit, ..TxOptions::default() };
            let sender = TxSender::new(&client, &key);
            while let Some(first) = rx.recv().await {
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(r) => batch.push(r),
                        Err(_) => break,
                    }
                }
                if batch.len() > 1 {
                    let msgs: Vec<Msg> =
                        batch.iter().flat_map(|(m, _)| m.iter().cloned()).collect();
                    if let Ok(out) = send(&sender, &msgs, &opts).await {
                        for (_, reply) in batch {
                            let _ = reply.send(Ok(out.clone()));
                        }
                        continue;
                    }
                }
                for (msgs, reply) in batch {
                    let _ = reply.send(send(&sender, &msgs, &opts).await);
                }
            }
        });
        Self { tx, address }
    }

    /// The signer's address.
    pub fn address(&self) -> &dcloud_types::AccAddress {
        &self.address
    }

    /// Sends `msgs` (possibly together with other queued requests) and waits for the block.
    pub async fn submit(&self, msgs: Vec<Msg>) -> Result<TxOutcome, TxError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send((msgs, reply)).await.map_err(|_| TxError::Stopped)?;
        rx.await.map_err(|_| TxError::Stopped)?
    }
}

async fn send(sender: &TxSender<'_>, msgs: &[Msg], opts: &TxOptions) -> Result<TxOutcome, TxError> {
    match sender.send(msgs, opts).await {
        Ok(out) if out.code == 0 => Ok(out),
        Ok(out) => {
            Err(TxError::Failed(format!("code {} ({}): {}", out.code, out.codespace, out.log)))
        }
        Err(e) => Err(TxError::Failed(e.to_string())),
    }
}
