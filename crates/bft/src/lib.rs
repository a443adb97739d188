//! The `bft` consensus driver: Tendermint BFT on Malachite (`arc-malachitebft-*`, pinned at
//! `=0.8.2`; this is the only crate that depends on it), hosting the same [`App`] as the
//! `solo` driver through the same ABCI-shaped calls.
//!
//! Pieces:
//! - [`context`]: our Malachite `Context` (height, address, validator set with voting power,
//!   value = block id, proposal, votes, proposal parts, stake-weighted proposer choice);
//! - [`signing`]: ed25519 with the node key; a precommit signs our [`dcloud_consensus::Commit`]
//!   sign bytes, so engine certificates become block-store commits unchanged;
//! - [`codec`]: borsh for gossip, sync and the WAL;
//! - [`store`]: undecided proposals (decided blocks go to the consensus `BlockStore`);
//! - `host`: the `AppMsg` loop — build/judge/commit blocks, serve and apply value sync;
//! - [`net`]: peers for the `net_info` RPC and `status`;
//! - [`gossip`]: tx forwarding to peers, in batches, over HTTP next to their JSON-RPC.
//!
//! The WAL lives at `<home>/data/bft/wal/consensus.wal`; undecided proposals at
//! `<home>/data/bft/undecided/`. Blocks are paced by Malachite's `target_time` (no sleeps).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

pub mod codec;
pub mod context;
pub mod gossip;
mod host;
pub mod net;
pub mod signing;
pub mod store;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use dcloud_app::App;
use dcloud_consensus::{BlockStore, CommittedBlock, ConsensusError, Mempool};
use dcloud_crypto::ed25519::NodeKey;
use malachitebft_app_channel::app::config::{
    ConsensusConfig, NodeConfig as MalNodeConfig, P2pConfig, ValueSyncConfig,
};
use malachitebft_app_channel::app::net::Multiaddr;
use malachitebft_app_channel::app::types::codec::Codec;
use malachitebft_app_channel::app::types::Keypair;
use malachitebft_app_channel::{
    ConsensusContext, EngineHandle, NetworkContext, NetworkIdentity, RequestContext, Signer,
    SyncContext, WalContext,
};
use malachitebft_core_types::LinearTimeouts;
use tokio::sync::{broadcast, watch};

pub use context::DcloudContext;
pub use host::commit_from_cert;

/// Settings of the BFT driver.
#[derive(Debug, Clone)]
pub struct BftConfig {
    /// Node name (logs, metrics).
    pub moniker: String,
    /// P2P listen address, a multiaddr (`/ip4/127.0.0.1/tcp/26656`).
    pub listen_addr: String,
    /// Peers to stay connected to, multiaddrs.
    pub persistent_peers: Vec<String>,
    /// Peers' JSON-RPC URLs: txs this node admits are forwarded there.
    pub peer_rpc: Vec<String>,
    /// Target time between blocks.
    pub block_time: Duration,
    /// Base propose timeout (round 0).
    pub timeout_propose: Duration,
    /// Base prevote / precommit timeouts.
    pub timeout_vote: Duration,
    /// Most txs per block.
    pub max_block_txs: usize,
    /// The P2P identity key, when it is not the node key (which signs consensus messages).
    pub p2p_key: Option<NodeKey>,
}

impl Default for BftConfig {
    fn default() -> Self {
        Self {
            moniker: "dcloud-node".into(),
            listen_addr: "/ip4/127.0.0.1/tcp/26656".into(),
            persistent_peers: Vec::new(),
            peer_rpc: Vec::new(),
            block_time: Duration::from_secs(1),
            timeout_propose: Duration::from_secs(2),
            timeout_vote: Duration::from_secs(1),
            max_block_txs: 20_000,
            p2p_key: None,
        }
    }
}

/// Malachite's node settings, built from ours.
#[derive(Debug, Clone)]
struct EngineConfig {
    moniker: String,
    consensus: ConsensusConfig,
    value_sync: ValueSyncConfig,
}

impl MalNodeConfig for EngineConfig {
    fn moniker(&self) -> &str {
        &self.moniker
    }

    fn consensus(&self) -> &ConsensusConfig {
        &self.consensus
    }

    fn consensus_mut(&mut self) -> &mut ConsensusConfig {
        &mut self.consensus
    }

    fn value_sync(&self) -> &ValueSyncConfig {
        &self.value_sync
    }

    fn value_sync_mut(&mut self) -> &mut ValueSyncConfig {
        &mut self.value_sync
    }
}

fn bad(what: &str, e: impl std::fmt::Display) -> ConsensusError {
    ConsensusError::Rejected(format!("{what}: {e}"))
}

/// Wall-clock milliseconds.
pub(crate) fn now_ms() -> u64 {
    dcloud_consensus::solo::now_ms()
}

/// Fails early with a clear error when the P2P TCP port is taken (the engine would only log
/// it and run unreachable).
fn check_listen(addr: &str) -> Result<(), ConsensusError> {
    let parts: Vec<&str> = addr.split('/').collect();
    if let [_, "ip4" | "ip6", ip, "tcp", port] = parts.as_slice() {
        let sock =
            format!("{}:{port}", if ip.contains(':') { format!("[{ip}]") } else { ip.to_string() });
        if let Err(e) = std::net::TcpListener::bind(&sock) {
            return Err(bad(&format!("cannot listen for peers on {addr}"), e));
        }
    }
    Ok(())
}

/// A running BFT driver.
pub struct BftDriver {
    host: Arc<host::Host>,
    engine: Option<EngineHandle>,
    channels: Option<malachitebft_app_channel::Channels<DcloudContext>>,
    height: Arc<AtomicU64>,
    gossip: Option<gossip::TxGossip>,
    gossip_router: Option<axum::Router>,
    net: net::NetHandle,
}

impl std::fmt::Debug for BftDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BftDriver").field("height", &self.height()).finish_non_exhaustive()
    }
}

/// `<home>/data/bft`.
pub fn bft_dir(home: &Path) -> PathBuf {
    home.join("data").join("bft")
}

impl BftDriver {
    /// Starts the engine (network, WAL, sync) for the node at `home`, resuming after the
    /// last committed block.
    pub async fn start(
        app: Arc<App>,
        mempool: Arc<Mempool>,
        key: NodeKey,
        home: &Path,
        cfg: BftConfig,
    ) -> Result<Self, ConsensusError> {
        let me = context::Address(key.address());
        let chain_id = app.info()?.chain_id;
        let timeouts = LinearTimeouts {
            propose: cfg.timeout_propose,
            prevote: cfg.timeout_vote,
            precommit: cfg.timeout_vote,
            rebroadcast: cfg.timeout_propose + cfg.timeout_vote * 2,
            ..LinearTimeouts::default()
        };
        let dir = bft_dir(home);
        let host = Arc::new(host::Host::new(
            app.clone(),
            mempool.clone(),
            signing::NodeSigner::new(key.clone(), &chain_id),
            me,
            cfg.max_block_txs,
            cfg.block_time,
            timeouts,
            dir.join("undecided"),
        )?);
        // Every node runs with its key: it signs once the validator set holds it (a node
        // that joins by `create-validator` starts signing at the height its set includes it).
        let is_validator = context::ValidatorSet::from_app(&app.validators()?)
            .map_err(ConsensusError::Corrupt)?
            .get(&me)
            .is_some();

        check_listen(&cfg.listen_addr)?;
        let mut p2p = P2pConfig {
            listen_addr: cfg
                .listen_addr
                .parse::<Multiaddr>()
                .map_err(|e| bad("p2p listen address", e))?,
            ..P2pConfig::default()
        };
        for p in &cfg.persistent_peers {
            p2p.persistent_peers
                .push(p.parse::<Multiaddr>().map_err(|e| bad("persistent peer", e))?);
        }
        let engine_cfg = EngineConfig {
            moniker: cfg.moniker.clone(),
            consensus: ConsensusConfig { p2p, ..ConsensusConfig::default() },
            value_sync: ValueSyncConfig {
                status_update_interval: Duration::from_secs(2),
                request_timeout: Duration::from_secs(5),
                ..ValueSyncConfig::default()
            },
        };

        let p2p_key = cfg.p2p_key.clone().unwrap_or_else(|| key.clone());
        let keypair =
            Keypair::ed25519_from_bytes(p2p_key.seed()).map_err(|e| bad("node key", e))?;
        let peer_id = keypair.public().to_peer_id();
        let signer = signing::NodeSigner::new(key.clone(), &chain_id);
        let verifier = signing::ChainVerifier::new(&chain_id);
        let proof = signer
            .sign_validator_proof(key.public_key().to_vec(), peer_id.to_bytes())
            .await
            .map_err(|e| bad("validator proof", e))?;
        let proof_bytes =
            codec::BorshCodec.encode(&proof).map_err(|e| bad("validator proof", e))?;
        let identity =
            NetworkIdentity::new_validator(cfg.moniker.clone(), keypair, me.to_hex(), proof_bytes);
        let consensus = ConsensusContext::new_validator(me, Box::new(verifier), Box::new(signer));
        std::fs::create_dir_all(&dir).map_err(|e| bad(&dir.display().to_string(), e))?;
        let (channels, engine) = malachitebft_app_channel::start_engine(
            DcloudContext,
            engine_cfg,
            WalContext::new(dir.join("wal").join("consensus.wal"), codec::BorshCodec),
            NetworkContext::new(identity, codec::BorshCodec),
            consensus,
            SyncContext::new(codec::BorshCodec),
            RequestContext::new(100),
        )
        .await
        .map_err(|e| bad("starting the consensus engine", e))?;
        tracing::info!(%peer_id, validator = is_validator, listen = %cfg.listen_addr, "bft engine started");
        let from_peers = Arc::new(gossip::FromPeers::default());
        let gossip = (!cfg.peer_rpc.is_empty())
            .then(|| gossip::TxGossip::start(&mempool, cfg.peer_rpc.clone(), from_peers.clone()));
        let gossip_router = gossip::router(app.clone(), mempool.clone(), from_peers);
        let height = host.height.clone();
        let net = net::NetHandle::new(channels.net_requests.clone());
        Ok(Self {
            net,
            host,
            engine: Some(engine),
            channels: Some(channels),
            height,
            gossip,
            gossip_router: Some(gossip_router),
        })
    }

    /// The tx-gossip receiving route (`POST /bft/txs`), to merge into the RPC server once.
    pub fn take_gossip_router(&mut self) -> Option<axum::Router> {
        self.gossip_router.take()
    }

    /// A handle that asks the engine for its peers (`net_info`).
    pub fn net_handle(&self) -> net::NetHandle {
        self.net.clone()
    }

    /// Last committed height.
    pub fn height(&self) -> u64 {
        self.height.load(Ordering::SeqCst)
    }

    /// A handle that reads the last committed height.
    pub fn height_handle(&self) -> Arc<AtomicU64> {
        self.height.clone()
    }

    /// Subscribes to committed blocks.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<CommittedBlock>> {
        self.host.events.subscribe()
    }

    /// The block store.
    pub fn blocks(&self) -> &BlockStore {
        &self.host.blocks
    }

    /// Runs the host loop until `shutdown` turns true (then stops the engine) or the chain
    /// halts on an error.
    pub async fn run(mut self, shutdown: watch::Receiver<bool>) -> Result<(), ConsensusError> {
        let channels = self
            .channels
            .take()
            .ok_or_else(|| ConsensusError::Rejected("driver already ran".into()))?;
        let r = host::run(self.host.clone(), channels, shutdown).await;
        if let Some(e) = self.engine.take() {
            let _ = e.actor.kill_and_wait(None).await;
            e.handle.abort();
        }
        if let Some(g) = self.gossip.take() {
            g.stop();
        }
        r
    }
}
