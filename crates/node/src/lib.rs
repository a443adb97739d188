//! The dcloud node: opens the store, hosts the app under a consensus driver, and serves
//! JSON-RPC (CometBFT-style, with websocket event subscriptions), a REST API with an OpenAPI
//! document, and Prometheus metrics.
//!
//! Data flow: client → `broadcast_tx_*` → `App::check_tx` → mempool → solo driver →
//! `finalize_block` + block store writes → one atomic `commit` → events to websocket
//! subscribers and `broadcast_tx_commit` waiters.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

pub mod config;
mod cosmos;
mod grpc;
mod metrics;
mod p2p;
mod rest;
mod rpc;
mod ws;

use std::net::SocketAddr;
use std::sync::Arc;

use dcloud_app::{App, Genesis};
use dcloud_bft::{BftConfig, BftDriver};
use dcloud_consensus::{BlockStore, CommittedBlock, Mempool, SoloConfig, SoloDriver};
use dcloud_crypto::ed25519::NodeKey;
use dcloud_store::{Store, StoreOptions};
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

pub use config::{
    genesis_path, init_home, ConsensusSettings, DriverKind, InitOutput, NodeConfig, P2pSettings,
};

/// Errors of the node.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// Bad or missing configuration.
    #[error("config error: {0}")]
    Config(String),
    /// File-system trouble.
    #[error("I/O error: {0}")]
    Io(String),
    /// The genesis file is unusable.
    #[error("genesis error: {0}")]
    Genesis(String),
    /// The app failed.
    #[error(transparent)]
    App(#[from] dcloud_app::AppError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] dcloud_store::StoreError),
    /// Consensus failed; the chain halted.
    #[error("chain halted: {0}")]
    Consensus(#[from] dcloud_consensus::ConsensusError),
}

/// The consensus driver, as the servers see it.
pub(crate) enum Driver {
    Solo(Arc<SoloDriver>),
    Bft(Arc<std::sync::atomic::AtomicU64>, dcloud_bft::net::NetHandle),
}

impl Driver {
    /// Last committed height.
    pub(crate) fn height(&self) -> u64 {
        match self {
            Driver::Solo(d) => d.height(),
            Driver::Bft(h, _) => h.load(std::sync::atomic::Ordering::SeqCst),
        }
    }

    /// The driver's name, as `status` reports it.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Driver::Solo(_) => "solo",
            Driver::Bft(..) => "bft",
        }
    }

    /// The P2P view (`None` for `solo`, which has no peers).
    pub(crate) async fn net_info(&self) -> Option<dcloud_bft::net::NetInfo> {
        match self {
            Driver::Solo(_) => None,
            Driver::Bft(_, n) => n.net_info().await,
        }
    }
}

/// Everything the servers share.
pub(crate) struct Shared {
    pub app: Arc<App>,
    pub mempool: Arc<Mempool>,
    pub driver: Driver,
    pub blocks: BlockStore,
    pub events: broadcast::Sender<Arc<CommittedBlock>>,
    pub metrics: metrics::Metrics,
    pub moniker: String,
    pub chain_id: String,
    pub validator_address: String,
    pub validator_pub_key: String,
    /// The p2p listen address as `status.node_info.listen_addr` shows it.
    pub p2p_listen: String,
    /// The RPC listen address (`status.node_info.other.rpc_address`).
    pub rpc_listen: String,
}

/// `/ip4/1.2.3.4/tcp/26656` → `tcp://1.2.3.4:26656` (CometBFT's form); other text as is.
fn multiaddr_to_tcp(m: &str) -> String {
    let parts: Vec<&str> = m.split('/').collect();
    match parts.as_slice() {
        ["", "ip4" | "ip6" | "dns" | "dns4" | "dns6", host, "tcp", port, ..] => {
            format!("tcp://{host}:{port}")
        }
        _ => m.to_string(),
    }
}

/// A driver between construction and its run task.
enum Starting {
    Solo(Arc<SoloDriver>),
    Bft(BftDriver),
}

/// A started node.
pub struct RunningNode {
    /// JSON-RPC address actually bound.
    pub rpc_addr: SocketAddr,
    /// REST API address actually bound.
    pub api_addr: SocketAddr,
    /// gRPC address actually bound (None when `grpc_listen` is off).
    pub grpc_addr: Option<SocketAddr>,
    shutdown: watch::Sender<bool>,
    driver: Option<JoinHandle<Result<(), dcloud_consensus::ConsensusError>>>,
    servers: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for RunningNode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningNode").field("rpc_addr", &self.rpc_addr).finish_non_exhaustive()
    }
}

impl RunningNode {
    /// Opens the home, initialises the chain from genesis on first start (otherwise resumes
    /// from the last committed block), and starts the driver and the servers.
    pub async fn start(cfg: NodeConfig) -> Result<RunningNode, NodeError> {
        let home = cfg.home.clone();
        let gpath = genesis_path(&home);
        let gtext = std::fs::read_to_string(&gpath).map_err(|e| {
            NodeError::Genesis(format!("{}: {e} (run `dcloud init` first)", gpath.display()))
        })?;
        let genesis = Genesis::from_json(&gtext).map_err(NodeError::Genesis)?;
        let store = Arc::new(Store::open(
            &config::state_path(&home),
            StoreOptions { keep_recent: cfg.keep_recent_versions, ..StoreOptions::default() },
        )?);
        let app = Arc::new(App::new(store)?);
        app.set_check_invariants(cfg.check_invariants);
        let info = app.info()?;
        if info.last_height.is_none() {
            app.init_chain(&genesis)?;
            tracing::info!(chain_id = %genesis.chain_id, "initialised chain from genesis");
        } else if info.chain_id != genesis.chain_id {
            return Err(NodeError::Genesis(format!(
                "genesis chain id {} does not match the stored chain {}",
                genesis.chain_id, info.chain_id
            )));
        }
        let kpath = config::node_key_path(&home);
        let key = NodeKey::load_json(&kpath)
            .map_err(|e| NodeError::Config(format!("{}: {e}", kpath.display())))?;
        let validator_address = hex::encode_upper(key.address());
        let validator_pub_key = {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(key.public_key())
        };
        let mempool = Arc::new(Mempool::new(cfg.mempool_max_txs, cfg.mempool_max_bytes));
        let mut gossip_router = None;
        let (driver, blocks, committed) = match cfg.consensus.driver {
            DriverKind::Solo => {
                let solo = SoloConfig { block_time: cfg.block_time, ..SoloConfig::default() };
                let d = Arc::new(SoloDriver::new(app.clone(), mempool.clone(), key, solo)?);
                let (blocks, rx) = (d.blocks().clone(), d.subscribe());
                (Starting::Solo(d), blocks, rx)
            }
            DriverKind::Bft => {
                let p2p_key =
                    if cfg.p2p.key_file.is_empty() {
                        None
                    } else {
                        let p = home.join(&cfg.p2p.key_file);
                        Some(NodeKey::load_json(&p).map_err(|e| {
                            NodeError::Config(format!("p2p key {}: {e}", p.display()))
                        })?)
                    };
                let bft = BftConfig {
                    p2p_key,
                    moniker: cfg.moniker.clone(),
                    listen_addr: cfg.p2p.listen.clone(),
                    persistent_peers: cfg.p2p.persistent_peers.clone(),
                    peer_rpc: cfg.p2p.peer_rpc.clone(),
                    block_time: cfg.block_time,
                    timeout_propose: cfg.consensus.timeout_propose,
                    timeout_vote: cfg.consensus.timeout_vote,
                    ..BftConfig::default()
                };
                let mut d = BftDriver::start(app.clone(), mempool.clone(), key, &home, bft).await?;
                gossip_router = d.take_gossip_router();
                let (blocks, rx) = (d.blocks().clone(), d.subscribe());
                (Starting::Bft(d), blocks, rx)
            }
        };
        let (events_tx, _) = broadcast::channel(1024);
        let metrics = metrics::Metrics::new();
        let shared = Arc::new(Shared {
            blocks,
            app,
            mempool,
            driver: match &driver {
                Starting::Solo(d) => Driver::Solo(d.clone()),
                Starting::Bft(d) => Driver::Bft(d.height_handle(), d.net_handle()),
            },
            events: events_tx.clone(),
            metrics,
            moniker: cfg.moniker.clone(),
            chain_id: genesis.chain_id.clone(),
            validator_address,
            validator_pub_key,
            p2p_listen: multiaddr_to_tcp(&cfg.p2p.listen),
            rpc_listen: format!("tcp://{}", cfg.rpc_listen),
        });
        shared.metrics.height.set(shared.driver.height() as i64);
        let (shutdown, shutdown_rx) = watch::channel(false);
        let mut servers = Vec::new();
        // Relay committed blocks to subscribers and metrics.
        {
            let mut rx = committed;
            let sh = shared.clone();
            let mut stop = shutdown_rx.clone();
            servers.push(tokio::spawn(async move {
                loop {
                    tokio::select! {
                        r = rx.recv() => match r {
                            Ok(cb) => {
                                sh.metrics.observe_block(&cb, sh.mempool.len(), sh.mempool.bytes());
                                let _ = sh.events.send(cb);
                            }
                            Err(broadcast::error::RecvError::Lagged(_)) => continue,
                            Err(broadcast::error::RecvError::Closed) => break,
                        },
                        _ = stop.changed() => break,
                    }
                }
            }));
        }
        let rpc_listener = tokio::net::TcpListener::bind(cfg.rpc_listen)
            .await
            .map_err(|e| NodeError::Io(format!("cannot listen on {}: {e}", cfg.rpc_listen)))?;
        let api_listener = tokio::net::TcpListener::bind(cfg.api_listen)
            .await
            .map_err(|e| NodeError::Io(format!("cannot listen on {}: {e}", cfg.api_listen)))?;
        let grpc_listener = match cfg.grpc_listen {
            Some(a) => match tokio::net::TcpListener::bind(a).await {
                Ok(l) => Some(l),
                Err(e) if cfg.grpc_best_effort => {
                    tracing::warn!("gRPC off: cannot listen on {a}: {e}");
                    None
                }
                Err(e) => return Err(NodeError::Io(format!("cannot listen on {a} (gRPC): {e}"))),
            },
            None => None,
        };
        let grpc_addr = match &grpc_listener {
            Some(l) => Some(l.local_addr().map_err(|e| NodeError::Io(e.to_string()))?),
            None => None,
        };
        let rpc_addr = rpc_listener.local_addr().map_err(|e| NodeError::Io(e.to_string()))?;
        let api_addr = api_listener.local_addr().map_err(|e| NodeError::Io(e.to_string()))?;
        let mut listeners = vec![
            (rpc_listener, {
                let r = rpc::router(shared.clone());
                match gossip_router.take() {
                    Some(g) => r.merge(g),
                    None => r,
                }
            }),
            (api_listener, rest::router(shared.clone())),
        ];
        if let Some(l) = grpc_listener {
            tracing::info!(services = ?grpc::services(), "gRPC services");
            listeners.push((l, grpc::router(shared.clone())));
        }
        for (listener, router) in listeners {
            let mut stop = shutdown_rx.clone();
            servers.push(tokio::spawn(async move {
                let r = axum::serve(listener, router)
                    .with_graceful_shutdown(async move {
                        let _ = stop.changed().await;
                    })
                    .await;
                if let Err(e) = r {
                    tracing::error!("server error: {e}");
                }
            }));
        }
        let driver_task = match driver {
            Starting::Solo(d) => tokio::spawn(d.run(shutdown_rx)),
            Starting::Bft(d) => tokio::spawn(d.run(shutdown_rx)),
        };
        tracing::info!(%rpc_addr, %api_addr, ?grpc_addr, "node started");
        Ok(RunningNode {
            rpc_addr,
            api_addr,
            grpc_addr,
            shutdown,
            driver: Some(driver_task),
            servers,
        })
    }

    /// Waits until the chain halts (returns its error) or the node is shut down.
    pub async fn wait(&mut self) -> Result<(), NodeError> {
        match self.driver.as_mut() {
            Some(h) => {
                let r = h.await;
                self.driver = None;
                match r {
                    Ok(r) => r.map_err(NodeError::from),
                    Err(e) => Err(NodeError::Io(format!("driver task failed: {e}"))),
                }
            }
            None => Ok(()),
        }
    }

    /// Stops the driver after the current block and closes the servers.
    pub async fn shutdown(mut self) -> Result<(), NodeError> {
        let _ = self.shutdown.send(true);
        let r = self.wait().await;
        for s in self.servers.drain(..) {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), s).await;
        }
        r
    }
}
