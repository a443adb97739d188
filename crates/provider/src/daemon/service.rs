//! The daemon: registers the provider, watches the market, bids, deploys manifests,
//! withdraws earnings and reconciles workloads with the chain after a restart.
//!
//! Flow: [`Watcher`] hands every block's market events in height order →
//! `OrderCreated` → evaluate + reserve + price → `MsgCreateBid` (through the [`TxQueue`]);
//! `LeaseCreated` for us → wait for the manifest (closing the bid after the manifest
//! timeout); the gateway hands valid manifests to [`LeaseManager::deploy`] → backend +
//! ingress + state dir; `LeaseClosed` → teardown and release. The last fully handled
//! height is persisted after each block, so a restart resumes there.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use dcloud_client::market::{self as mk, Filter};
use dcloud_client::RpcClient;
use dcloud_crypto::secp256k1::SigningKey;
use dcloud_sdl::output::ManifestGroup;
use dcloud_types::AccAddress;
use parking_lot::Mutex;
use tokio::net::TcpListener;

use crate::cluster::{Backend, LeaseStatus, WorkloadFailure};
use crate::daemon::gateway::{DeployFailure, LeaseManager};
use crate::daemon::ingress::Ingress;
use crate::daemon::state::StateDir;
use crate::daemon::txqueue::TxQueue;
use crate::daemon::watcher::{MarketEvent, Watcher};
use crate::{LeaseId, OrderId};

/// Errors that stop the daemon from starting.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// The node could not be reached or refused something essential.
    #[error("chain: {0}")]
    Chain(String),
    /// The container engine is not usable.
    #[error("container engine: {0}")]
    Backend(String),
    /// The state directory is unusable.
    #[error("state: {0}")]
    State(#[from] crate::daemon::state::StateError),
    /// A listener could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
    /// Configuration problem.
    #[error("config: {0}")]
    Config(String),
}

fn chain_err(e: impl std::fmt::Display) -> DaemonError {
    DaemonError::Chain(e.to_string())
}

/// What a bid is waiting for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum BidPhase {
    /// Bid sent / on chain, auction running.
    Open,
    /// We won; waiting for the tenant's manifest until the deadline (also after a manifest
    /// whose workload failed: the tenant may send a fixed one).
    AwaitingManifest(Instant),
    /// A manifest arrived and is being deployed (no deadline runs meanwhile).
    Deploying,
    /// Deployed; waiting for every replica to be ready until the deadline.
    Starting(Instant),
    /// Deployed and ready.
    Running,
}

/// Where the daemon's servers listen (resolved from the config, or given by tests).
#[derive(Debug, Clone)]
pub struct Listeners {
    /// The tenant gateway (HTTPS).
    pub gateway: SocketAddr,
    /// The ingress (HTTP).
    pub ingress: SocketAddr,
}

/// Shared daemon state.
pub(crate) struct Inner {
    pub(crate) me: AccAddress,
    pub(crate) client: RpcClient,
    pub(crate) txq: TxQueue,
    pub(crate) state: StateDir,
    pub(crate) backend: Arc<dyn Backend>,
    pub(crate) ingress: Arc<Ingress>,
    pub(crate) settings: Settings,
    bids: Mutex<BTreeMap<OrderId, (BidPhase, Instant)>>,
    manifests: Mutex<BTreeMap<LeaseId, ManifestGroup>>,
    /// Leases whose last manifest could not run, with that manifest and why.
    failures: Mutex<BTreeMap<LeaseId, (ManifestGroup, WorkloadFailure)>>,
    /// The provider-side error of a lease's last failed deploy (for its close reason).
    deploy_errors: Mutex<BTreeMap<LeaseId, String>>,
    orders_seen: std::sync::atomic::AtomicU64,
    /// Port the ingress listens on (0 until bound), shown in `/status`.
    ingress_port: std::sync::atomic::AtomicU16,
    inventory: Mutex<crate::bidengine::inventory::Inventory>,
    pricing: crate::bidengine::pricing::Pricing,
    profile: Mutex<crate::bidengine::ProviderProfile>,
    bid_deposit: dcloud_types::Coin,
    max_orders: usize,
}

/// Timing and money settings of the daemon.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Close a won bid whose manifest has not arrived after this long.
    pub manifest_timeout: Duration,
    /// Close an open bid after this long.
    pub bid_timeout: Duration,
    /// Withdraw from every active lease this often.
    pub withdraw_period: Duration,
    /// Reclamation window offered with bids (zero: none).
    pub reclamation_window: Duration,
}

impl Inner {
    fn order_phase(&self, o: &OrderId) -> Option<BidPhase> {
        self.bids.lock().get(o).map(|(p, _)| p.clone())
    }

    fn set_phase(&self, o: &OrderId, p: BidPhase) {
        self.bids.lock().insert(o.clone(), (p, Instant::now()));
    }

    fn forget(&self, o: &OrderId) {
        self.bids.lock().remove(o);
    }

    /// Handles one block's events.
    async fn handle_events(self: &Arc<Self>, events: Vec<MarketEvent>) {
        for ev in events {
            match ev {
                MarketEvent::OrderCreated(o) => {
                    let me = self.clone();
                    tokio::spawn(async move { me.consider_order(o).await });
                }
                MarketEvent::LeaseCreated(l) if l.provider == self.me => {
                    tracing::info!(lease = %l, "lease won: waiting for the manifest");
                    let deadline = Instant::now() + self.settings.manifest_timeout;
                    let o = l.order_id();
                    if self.manifests.lock().contains_key(&l) {
                        self.set_phase(&o, BidPhase::Running);
                    } else {
                        self.set_phase(&o, BidPhase::AwaitingManifest(deadline));
                    }
                    self.lease_won(&l);
                }
                MarketEvent::LeaseCreated(l) => {
                    let o = l.order_id();
                    if self.order_phase(&o).is_some() {
                        tracing::info!(order = %o, winner = %l.provider, "lease lost");
                        self.release(&o);
                    }
                }
                MarketEvent::BidLost(l) | MarketEvent::BidClosed(l) if l.provider == self.me => {
                    let o = l.order_id();
                    if matches!(self.order_phase(&o), Some(BidPhase::Open)) {
                        self.release(&o);
                    }
                }
                MarketEvent::OrderClosed(o) => {
                    if matches!(self.order_phase(&o), Some(BidPhase::Open)) {
                        self.release(&o);
                    }
                }
                MarketEvent::LeaseClosed(l) if l.provider == self.me => {
                    let me = self.clone();
                    tokio::spawn(async move { me.lease_closed(&l).await });
                }
                _ => {}
            }
        }
    }

    fn release(&self, o: &OrderId) {
        self.forget(o);
        self.release_reservation(o);
    }

    async fn lease_closed(&self, l: &LeaseId) {
        tracing::info!(lease = %l, "lease closed: tearing down");
        self.ingress.remove_lease(l);
        let mut delay = Duration::from_millis(500);
        for attempt in 0..8 {
            match self.backend.teardown(l).await {
                Ok(()) => break,
                Err(e) => {
                    tracing::warn!(lease = %l, attempt, "teardown failed, retrying: {e}");
                    tokio::time::sleep(delay).await;
                    delay *= 2;
                }
            }
        }
        self.manifests.lock().remove(l);
        self.failures.lock().remove(l);
        self.deploy_errors.lock().remove(l);
        if let Err(e) = self.state.remove_manifest(l) {
            tracing::warn!(lease = %l, "{e}");
        }
        self.release(&l.order_id());
    }

    /// Manifest and readiness watchdog, bid timeouts; runs every second.
    async fn housekeeping(self: &Arc<Self>) {
        let now = Instant::now();
        let mut expired_manifest = Vec::new();
        let mut starting = Vec::new();
        let mut stale_bids = Vec::new();
        for (o, (phase, since)) in self.bids.lock().iter() {
            match phase {
                BidPhase::AwaitingManifest(deadline) if *deadline <= now => {
                    expired_manifest.push(o.clone())
                }
                BidPhase::Starting(deadline) => starting.push((o.clone(), *deadline)),
                BidPhase::Open if now.duration_since(*since) > self.settings.bid_timeout => {
                    stale_bids.push(o.clone())
                }
                _ => {}
            }
        }
        let timeout = humantime::format_duration(self.settings.manifest_timeout);
        for o in expired_manifest {
            let l = o.bid_id(&self.me);
            let reason = match (self.failures.lock().get(&l), self.deploy_errors.lock().get(&l)) {
                (Some((_, f)), _) => format!("workload failed: {f}"),
                (None, Some(e)) => format!("the manifest could not be deployed: {e}"),
                (None, None) => format!("no manifest received within {timeout}"),
            };
            self.close_because(&o, &reason).await;
        }
        for (o, deadline) in starting {
            let l = o.bid_id(&self.me);
            match self.backend.status(&l).await {
                Ok(st) if lease_ready(&st) => {
                    tracing::info!(lease = %l, "every replica is ready");
                    self.set_phase(&o, BidPhase::Running);
                }
                st if deadline <= Instant::now() => {
                    let why = match st {
                        Ok(st) => not_ready_summary(&st),
                        Err(e) => e.to_string(),
                    };
                    self.close_because(&o, &format!("not ready within {timeout}: {why}")).await;
                }
                _ => {}
            }
        }
        for o in stale_bids {
            let l = o.bid_id(&self.me);
            tracing::info!(bid = %l, "bid timed out: closing it");
            self.release(&o);
            if let Err(e) = self.txq.submit(vec![mk::close_bid(&l)]).await {
                tracing::debug!(bid = %l, "closing the bid: {e}");
            }
        }
    }

    /// Ends our lease of order `o` with `reason`, recorded on chain as its close reason.
    async fn close_because(&self, o: &OrderId, reason: &str) {
        let l = o.bid_id(&self.me);
        tracing::warn!(lease = %l, "closing the lease: {reason}");
        self.forget(o);
        if let Err(e) = self.txq.submit(vec![mk::close_bid_because(&l, reason)]).await {
            tracing::warn!(lease = %l, "closing the bid failed: {e}");
        }
    }

    /// Withdraws earnings of every active lease.
    async fn withdraw_all(&self) {
        let leases = match self.active_leases().await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!("withdraw: listing leases failed: {e}");
                return;
            }
        };
        if leases.is_empty() {
            return;
        }
        let msgs = leases.iter().map(mk::withdraw_lease).collect();
        match self.txq.submit(msgs).await {
            Ok(out) => tracing::info!(leases = leases.len(), tx = %out.hash, "withdrew earnings"),
            Err(e) => tracing::warn!("withdraw failed: {e}"),
        }
    }

    /// Every active lease of this provider on chain.
    pub(crate) async fn active_leases(&self) -> Result<Vec<LeaseId>, DaemonError> {
        let mut out = Vec::new();
        let mut f = Filter {
            provider: Some(self.me.to_string()),
            state: Some("active".into()),
            limit: Some(1000),
            ..Filter::default()
        };
        loop {
            let page = mk::leases(&self.client, &f, 0).await.map_err(chain_err)?;
            out.extend(page.items.into_iter().map(|l| LeaseId {
                owner: l.owner,
                dseq: l.dseq,
                gseq: l.gseq,
                oseq: l.oseq,
                provider: l.provider,
            }));
            match page.next {
                Some(n) => f.start_after = Some(serde_json::Value::String(n)),
                None => break,
            }
        }
        Ok(out)
    }

    /// Brings the backend in line with the chain: tears down what no active lease backs,
    /// re-adopts (routes, reservations) what should run, redeploys stored manifests whose
    /// containers are gone.
    async fn reconcile(self: &Arc<Self>) -> Result<(), DaemonError> {
        let active = self.active_leases().await?;
        let deployed =
            self.backend.list().await.map_err(|e| DaemonError::Backend(e.to_string()))?;
        let stored = self.state.manifests()?;
        let mut running: BTreeMap<LeaseId, ManifestGroup> = deployed.into_iter().collect();
        for (lease, _) in running.clone() {
            if !active.contains(&lease) {
                tracing::info!(lease = %lease, "reconcile: lease no longer active, removing its containers");
                self.ingress.remove_lease(&lease);
                if let Err(e) = self.backend.teardown(&lease).await {
                    tracing::warn!(lease = %lease, "teardown: {e}");
                }
                running.remove(&lease);
                let _ = self.state.remove_manifest(&lease);
            }
        }
        for m in stored {
            if !active.contains(&m.lease) {
                let _ = self.state.remove_manifest(&m.lease);
                continue;
            }
            if !running.contains_key(&m.lease) {
                tracing::info!(lease = %m.lease, "reconcile: containers missing, redeploying");
                match self.backend.deploy(&m.lease, &m.group).await {
                    Ok(_) => {
                        running.insert(m.lease.clone(), m.group.clone());
                    }
                    Err(e) => tracing::warn!(lease = %m.lease, "redeploy failed: {e}"),
                }
            }
        }
        for (lease, group) in running {
            match self.backend.routes(&lease).await {
                Ok(routes) => self.ingress.set_routes(&lease, routes),
                Err(e) => tracing::warn!(lease = %lease, "routes: {e}"),
            }
            self.adopt_reservation(&lease, &group);
            self.manifests.lock().insert(lease.clone(), group);
            let deadline = Instant::now() + self.settings.manifest_timeout;
            self.set_phase(&lease.order_id(), BidPhase::Starting(deadline));
        }
        // Leases won while we were down that never got a manifest get the full timeout.
        for lease in active {
            if !self.manifests.lock().contains_key(&lease) {
                let deadline = Instant::now() + self.settings.manifest_timeout;
                self.set_phase(&lease.order_id(), BidPhase::AwaitingManifest(deadline));
            }
        }
        Ok(())
    }
}

#[async_trait]
impl LeaseManager for Inner {
    async fn deploy(&self, lease: &LeaseId, group: &ManifestGroup) -> Result<(), DeployFailure> {
        let o = lease.order_id();
        let before = self.order_phase(&o);
        self.set_phase(&o, BidPhase::Deploying);
        let result = self.deploy_now(lease, group).await;
        match &result {
            Err(DeployFailure::Provider(e)) => {
                self.deploy_errors.lock().insert(lease.clone(), e.clone());
            }
            _ => {
                self.deploy_errors.lock().remove(lease);
            }
        }
        if result.is_err() {
            // A running version stays (a failed update leaves it alone); otherwise the
            // tenant has the manifest timeout again to send one that runs.
            let after = match before {
                Some(p @ (BidPhase::Running | BidPhase::Starting(_))) => p,
                _ => BidPhase::AwaitingManifest(Instant::now() + self.settings.manifest_timeout),
            };
            self.set_phase(&o, after);
        }
        result
    }

    async fn manifest(&self, lease: &LeaseId) -> Option<ManifestGroup> {
        self.manifests.lock().get(lease).cloned()
    }

    async fn failure(&self, lease: &LeaseId) -> Option<(ManifestGroup, WorkloadFailure)> {
        self.failures.lock().get(lease).cloned()
    }

    async fn provider_status(&self) -> serde_json::Value {
        let bids = self.bids.lock();
        let pending = bids.values().filter(|(p, _)| *p == BidPhase::Open).count();
        let leases = self.manifests.lock().len();
        serde_json::json!({
            "address": self.me.to_string(),
            "cluster": {"leases": leases, "inventory": self.inventory_status()},
            "bidengine": {"orders": pending, "orders_seen": self.orders_seen.load(std::sync::atomic::Ordering::Relaxed)},
            "manifest": {"deployments": leases},
            "ingress": {"port": self.ingress_port.load(std::sync::atomic::Ordering::Relaxed)},
        })
    }
}

/// Handle to a running daemon (tests and the devnet keep it; dropping it does not stop it,
/// [`RunningProvider::shutdown`] does).
pub struct RunningProvider {
    /// Provider address.
    pub address: AccAddress,
    /// Gateway address actually bound.
    pub gateway_addr: SocketAddr,
    /// Ingress address actually bound.
    pub ingress_addr: SocketAddr,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl RunningProvider {
    /// Stops every task of the daemon (containers keep running).
    pub fn shutdown(mut self) {
        for t in self.tasks.drain(..) {
            t.abort();
        }
    }
}

impl Drop for RunningProvider {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Everything the daemon needs to start.
pub struct StartOptions {
    /// The provider's key.
    pub key: SigningKey,
    /// Node RPC URL.
    pub node: String,
    /// Chain id (None: ask the node).
    pub chain_id: Option<String>,
    /// State directory.
    pub state_dir: PathBuf,
    /// The parsed config.
    pub config: crate::daemon::config::ProviderConfig,
}

/// Starts the daemon: checks the engine, registers the provider and its certificate on
/// chain if needed, reconciles, starts the ingress and the gateway, catches up on open
/// orders, then follows the chain.
pub async fn start(opts: StartOptions) -> Result<RunningProvider, DaemonError> {
    let client = RpcClient::new(&opts.node).map_err(chain_err)?;
    client
        .status()
        .await
        .map_err(|e| DaemonError::Chain(format!("node {} unreachable: {e}", opts.node)))?;
    let me = opts.key.public_key().address();
    let state = StateDir::open(&opts.state_dir)?;
    let chain_id = client.chain_id().await.map_err(chain_err)?;
    // Block 1's hash tells a reset chain with the same chain id apart (a pruned node that
    // lacks it falls back to the chain id alone).
    let first = client.block(Some(1)).await.map(|b| b.block_id.hash).unwrap_or_default();
    if state.bind_chain(&format!("{chain_id}/{first}"))? {
        tracing::warn!(dir = %opts.state_dir.display(), "state dir belonged to another chain: starting afresh");
    }
    let txq = TxQueue::start(client.clone(), opts.key.clone(), opts.chain_id.clone());
    let inner = build_inner(&opts, me.clone(), client.clone(), txq, state).await?;
    let inner = Arc::new(inner);

    inner.ensure_registered(&opts.config).await?;
    let (cert_pem, key_pem) = inner.ensure_certificate(&opts.config).await?;
    inner.reconcile().await?;

    let mut tasks = Vec::new();
    let listeners = inner.listeners(&opts.config)?;
    let (ingress_l, ingress_addr) = bind(listeners.ingress).await?;
    inner.ingress_port.store(ingress_addr.port(), std::sync::atomic::Ordering::Relaxed);
    let ing = inner.ingress.clone();
    tasks.push(tokio::spawn(async move {
        if let Err(e) = ing.serve(ingress_l).await {
            tracing::error!("ingress stopped: {e}");
        }
    }));
    let (gateway_l, gateway_addr) = bind(listeners.gateway).await?;
    tasks.push(inner.spawn_gateway(gateway_l, cert_pem, key_pem));

    // Catch up: open orders we have not bid on yet.
    let latest = client.latest_height().await.map_err(chain_err)?;
    let start_height = start_height(&inner.state, latest)?;
    inner.catch_up_orders().await;
    tasks.extend(spawn_loops(&inner, start_height));
    tracing::info!(provider = %me, gateway = %gateway_addr, ingress = %ingress_addr, "provider running");
    Ok(RunningProvider { address: me, gateway_addr, ingress_addr, tasks })
}

/// Binds a listener; returns it with its actual address (port 0 picks one).
async fn bind(addr: SocketAddr) -> Result<(TcpListener, SocketAddr), DaemonError> {
    let listen_err = |e| DaemonError::Listen { addr: addr.to_string(), source: e };
    let l = TcpListener::bind(addr).await.map_err(listen_err)?;
    let local = l.local_addr().map_err(listen_err)?;
    Ok((l, local))
}

/// The height to follow the chain from: the last processed one, or the chain's `latest`
/// when there is none or the stored one is ahead (a state dir from another chain).
fn start_height(state: &StateDir, latest: u64) -> Result<u64, DaemonError> {
    Ok(match state.height()? {
        0 => latest,
        h if h > latest => {
            // The state dir is from another (e.g. reset) chain: follow this one from now.
            tracing::warn!(
                stored = h,
                latest,
                "state is ahead of the chain (a new chain?): following from the current height"
            );
            state.set_height(latest)?;
            latest
        }
        h => h,
    })
}

/// The daemon's loops: follow the chain's blocks, housekeeping every second, withdraw
/// every `withdraw_period`.
fn spawn_loops(inner: &Arc<Inner>, start_height: u64) -> Vec<tokio::task::JoinHandle<()>> {
    let w = inner.clone();
    let follow = tokio::spawn(async move {
        let mut watcher = Watcher::new(w.client.clone(), start_height);
        loop {
            let (h, events) = watcher.next_block().await;
            w.handle_events(events).await;
            if let Err(e) = w.state.set_height(h) {
                tracing::error!("cannot persist the processed height: {e}");
            }
        }
    });
    let hk = inner.clone();
    let housekeeping = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            hk.housekeeping().await;
        }
    });
    let wd = inner.clone();
    let period = inner.settings.withdraw_period;
    let withdraw = tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.tick().await;
        loop {
            tick.tick().await;
            wd.withdraw_all().await;
        }
    });
    let inv = inner.clone();
    let capacity = tokio::spawn(async move {
        // Runtimes that measure their own capacity (a cluster) are asked again regularly.
        let mut tick = tokio::time::interval(CAPACITY_REFRESH);
        tick.tick().await;
        loop {
            tick.tick().await;
            match inv.backend.capacity().await {
                Ok(Some(c)) => inv.inventory.lock().set_capacity(c),
                Ok(None) => return,
                Err(e) => tracing::warn!("capacity refresh: {e}"),
            }
        }
    });
    vec![follow, housekeeping, withdraw, capacity]
}

pub use dcloud_client::tenant::atto_to_decimal;

/// How often a runtime that knows its capacity (a cluster) is asked again.
const CAPACITY_REFRESH: Duration = Duration::from_secs(30);

async fn build_inner(
    opts: &StartOptions,
    me: AccAddress,
    client: RpcClient,
    txq: TxQueue,
    state: StateDir,
) -> Result<Inner, DaemonError> {
    let cfg = &opts.config;
    let public_hostname = match &cfg.public_hostname {
        Some(h) => h.clone(),
        None => crate::daemon::gateway::certs::host_of_uri(&cfg.host_uri)
            .map_err(|e| DaemonError::Config(format!("host_uri: {e}")))?,
    };
    let domain = cfg.ingress.domain.clone().unwrap_or_else(|| public_hostname.clone());
    let settings = crate::cluster::BackendSettings::new(domain, public_hostname, me.to_string());
    let (backend, capacity): (Arc<dyn Backend>, _) = match &cfg.backend {
        crate::daemon::config::BackendConfig::Docker { docker_host } => {
            let backend =
                crate::cluster::docker::DockerBackend::connect(settings, docker_host.as_deref())
                    .await
                    .map_err(|e| {
                        DaemonError::Backend(format!(
                            "{e} ({})",
                            crate::cluster::engine::INSTALL_HINT
                        ))
                    })?;
            let capacity = cfg
                .capacity
                .resolve(state.path())
                .map_err(|e| DaemonError::Config(format!("capacity: {e}")))?;
            (Arc::new(backend), capacity)
        }
        crate::daemon::config::BackendConfig::Kubernetes(k) => {
            let backend = crate::cluster::kubernetes::KubeBackend::connect(
                settings,
                k.settings(),
                &k.target(),
            )
            .await
            .map_err(|e| DaemonError::Backend(e.to_string()))?;
            backend.set_configured_storage(
                cfg.capacity.storage.iter().map(|(k, v)| (k.clone(), v.0)).collect(),
            );
            let capacity = backend
                .cluster_inventory()
                .await
                .map_err(|e| DaemonError::Backend(format!("cluster inventory: {e}")))?
                .capacity;
            (Arc::new(backend), capacity)
        }
    };
    tracing::info!(?capacity, "provider capacity");
    Ok(Inner {
        me,
        client,
        txq,
        state,
        backend,
        ingress: Arc::new(Ingress::new()),
        settings: Settings {
            manifest_timeout: cfg.manifest_timeout,
            bid_timeout: cfg.bid_timeout,
            withdraw_period: cfg.withdraw_period,
            reclamation_window: cfg.reclamation_window,
        },
        bids: Mutex::new(BTreeMap::new()),
        manifests: Mutex::new(BTreeMap::new()),
        failures: Mutex::new(BTreeMap::new()),
        deploy_errors: Mutex::new(BTreeMap::new()),
        orders_seen: std::sync::atomic::AtomicU64::new(0),
        ingress_port: std::sync::atomic::AtomicU16::new(0),
        inventory: Mutex::new(crate::bidengine::inventory::Inventory::new("local", capacity)),
        pricing: cfg.pricing.strategy(),
        profile: Mutex::new(crate::bidengine::ProviderProfile {
            owner: None,
            attributes: cfg.chain_attributes(),
            bid_attributes: cfg.required_bid_attributes(),
            audited: BTreeMap::new(),
            denoms: cfg.denoms.clone(),
        }),
        bid_deposit: cfg.bid_deposit.clone(),
        max_orders: cfg.max_concurrent_orders,
    })
}

impl Inner {
    fn inventory_status(&self) -> serde_json::Value {
        serde_json::to_value(self.inventory.lock().status()).unwrap_or_default()
    }

    fn lease_won(&self, l: &LeaseId) {
        self.inventory.lock().mark_active(&l.order_id());
    }

    fn release_reservation(&self, o: &OrderId) {
        self.inventory.lock().release(o);
    }

    /// After a restart: the reservation of a running lease, from its manifest's resources
    /// (best effort: the on-chain group is authoritative and fetched when possible).
    fn adopt_reservation(self: &Arc<Self>, lease: &LeaseId, _group: &ManifestGroup) {
        let me = self.clone();
        let lease = lease.clone();
        tokio::spawn(async move {
            if let Ok(Some(spec)) = me.group_spec(&lease.order_id()).await {
                let mut inv = me.inventory.lock();
                if inv.reserve(&lease.order_id(), &spec).is_ok() {
                    inv.mark_active(&lease.order_id());
                }
            }
        });
    }

    fn listeners(
        &self,
        cfg: &crate::daemon::config::ProviderConfig,
    ) -> Result<Listeners, DaemonError> {
        Ok(Listeners { gateway: cfg.gateway.listen, ingress: cfg.ingress.listen })
    }

    fn spawn_gateway(
        self: &Arc<Self>,
        listener: TcpListener,
        cert_pem: String,
        key_pem: String,
    ) -> tokio::task::JoinHandle<()> {
        let chain = Arc::new(crate::daemon::gateway::RpcChainView::new(
            self.client.clone(),
            self.me.clone(),
        ));
        let leases: Arc<dyn LeaseManager> = self.clone();
        let state = crate::daemon::gateway::GatewayState::new(
            self.me.clone(),
            chain,
            leases,
            self.backend.clone(),
        );
        let config = crate::daemon::gateway::GatewayConfig::new(cert_pem, key_pem);
        tokio::spawn(async move {
            if let Err(e) = crate::daemon::gateway::serve(listener, config, state).await {
                tracing::error!("gateway stopped: {e}");
            }
        })
    }

    /// Registers the provider on chain, or updates its host URI / attributes / info when
    /// the config changed.
    async fn ensure_registered(
        &self,
        cfg: &crate::daemon::config::ProviderConfig,
    ) -> Result<(), DaemonError> {
        use dcloud_proto::dcloud::provider as ppb;
        let attrs: Vec<ppb::Attribute> = cfg
            .chain_attributes()
            .into_iter()
            .map(|a| ppb::Attribute { key: a.key, value: a.value })
            .collect();
        let info = Some(ppb::ProviderInfo {
            email: cfg.info.email.clone(),
            website: cfg.info.website.clone(),
        });
        let existing = self.client.provider(&self.me).await.map_err(chain_err)?;
        let msg = match existing {
            None => {
                tracing::info!(host_uri = %cfg.host_uri, "registering the provider on chain");
                dcloud_proto::Msg::CreateProvider(ppb::MsgCreateProvider {
                    owner: self.me.to_string(),
                    host_uri: cfg.host_uri.clone(),
                    attributes: attrs,
                    info,
                })
            }
            Some(p) => {
                let same_attrs = p.attributes.len() == attrs.len()
                    && p.attributes
                        .iter()
                        .zip(&attrs)
                        .all(|(a, b)| a.key == b.key && a.value == b.value);
                if p.host_uri == cfg.host_uri && same_attrs {
                    return Ok(());
                }
                tracing::info!(host_uri = %cfg.host_uri, "updating the provider on chain");
                dcloud_proto::Msg::UpdateProvider(ppb::MsgUpdateProvider {
                    owner: self.me.to_string(),
                    host_uri: cfg.host_uri.clone(),
                    attributes: attrs,
                    info,
                })
            }
        };
        self.txq
            .submit(vec![msg])
            .await
            .map_err(|e| DaemonError::Chain(format!("registering the provider: {e}")))?;
        Ok(())
    }

    /// The gateway's TLS certificate: the one in the state dir if it is published on
    /// chain and valid; otherwise a new one (CN = provider, SAN = host of the host URI),
    /// published before use.
    async fn ensure_certificate(
        &self,
        cfg: &crate::daemon::config::ProviderConfig,
    ) -> Result<(String, String), DaemonError> {
        let cert_path = self.state.path().join("server-cert.pem");
        let key_path = self.state.path().join("server-key.pem");
        let published = self
            .client
            .certificates(&dcloud_chain::cert::CertFilter {
                owner: Some(self.me.to_string()),
                ..Default::default()
            })
            .await
            .map_err(chain_err)?;
        if let (Ok(c), Ok(k)) =
            (std::fs::read_to_string(&cert_path), std::fs::read_to_string(&key_path))
        {
            let host =
                crate::daemon::gateway::certs::host_of_uri(&cfg.host_uri).unwrap_or_default();
            let on_chain = published.iter().any(|p| {
                p.state == dcloud_chain::cert::CertState::Valid && p.cert.trim() == c.trim()
            });
            let der = crate::daemon::gateway::certs::cert_pem_to_der(&c).ok();
            let facts = der
                .as_deref()
                .and_then(|d| crate::daemon::gateway::certs::inspect_self_signed_p256(d).ok());
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0);
            let fresh = facts.as_ref().is_some_and(|f| f.check_validity(now + 86_400).is_ok());
            let covers_host = x509_names(&c).iter().any(|n| n.eq_ignore_ascii_case(&host));
            if on_chain && fresh && covers_host {
                return Ok((c, k));
            }
        }
        tracing::info!("publishing a new gateway certificate on chain");
        let g = crate::daemon::gateway::certs::generate_server_cert(&self.me, &cfg.host_uri)
            .map_err(|e| DaemonError::Config(format!("gateway certificate: {e}")))?;
        self.txq
            .submit(vec![g.publish_msg(&self.me)])
            .await
            .map_err(|e| DaemonError::Chain(format!("publishing the gateway certificate: {e}")))?;
        for (p, data) in [(&cert_path, &g.cert_pem), (&key_path, &g.key_pem)] {
            crate::daemon::state::write_atomic(p, data.as_bytes())?;
        }
        Ok((g.cert_pem, g.key_pem))
    }

    /// The on-chain group spec of an order (None: deployment or group gone).
    async fn group_spec(
        &self,
        o: &OrderId,
    ) -> Result<Option<dcloud_chain::deployment::GroupSpec>, DaemonError> {
        Ok(self.group_and_reclamation(o).await?.map(|(spec, _)| spec))
    }

    /// The order's group spec and the reclamation window (seconds) its deployment requires.
    async fn group_and_reclamation(
        &self,
        o: &OrderId,
    ) -> Result<Option<(dcloud_chain::deployment::GroupSpec, Option<u64>)>, DaemonError> {
        let info = match mk::deployment(&self.client, &o.owner, o.dseq, 0).await {
            Ok(i) => i,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(chain_err(e)),
        };
        let min_window = info.deployment.reclamation_min_window_s;
        Ok(info
            .deployment
            .groups
            .into_iter()
            .find(|g| g.gseq == o.gseq)
            .map(|g| (g.spec, min_window)))
    }

    /// Open orders we have not bid on yet; and our open bids (re-reserved).
    async fn catch_up_orders(self: &Arc<Self>) {
        let mut ours = Vec::new();
        let mut f = Filter {
            provider: Some(self.me.to_string()),
            state: Some("open".into()),
            limit: Some(1000),
            ..Filter::default()
        };
        loop {
            match mk::bids(&self.client, &f, 0).await {
                Ok(page) => {
                    ours.extend(page.items.iter().map(|b| OrderId {
                        owner: b.owner.clone(),
                        dseq: b.dseq,
                        gseq: b.gseq,
                        oseq: b.oseq,
                    }));
                    match page.next {
                        Some(n) => f.start_after = Some(serde_json::Value::String(n)),
                        None => break,
                    }
                }
                Err(e) => {
                    tracing::warn!("catch-up: listing our bids failed: {e}");
                    break;
                }
            }
        }
        for o in &ours {
            self.set_phase(o, BidPhase::Open);
            if let Ok(Some(spec)) = self.group_spec(o).await {
                let _ = self.inventory.lock().reserve(o, &spec);
            }
        }
        let mut f = Filter { state: Some("open".into()), limit: Some(1000), ..Filter::default() };
        loop {
            match mk::orders(&self.client, &f, 0).await {
                Ok(page) => {
                    for ord in &page.items {
                        let o = OrderId {
                            owner: ord.owner.clone(),
                            dseq: ord.dseq,
                            gseq: ord.gseq,
                            oseq: ord.oseq,
                        };
                        if !ours.contains(&o) {
                            let me = self.clone();
                            tokio::spawn(async move { me.consider_order(o).await });
                        }
                    }
                    match page.next {
                        Some(n) => f.start_after = Some(serde_json::Value::String(n)),
                        None => break,
                    }
                }
                Err(e) => {
                    tracing::warn!("catch-up: listing open orders failed: {e}");
                    break;
                }
            }
        }
    }

    /// Decides on an order and bids if it fits. Says in the log why it does not bid.
    async fn consider_order(self: Arc<Self>, o: OrderId) {
        {
            let mut bids = self.bids.lock();
            if bids.contains_key(&o) {
                return;
            }
            let in_flight = bids.values().filter(|(p, _)| *p == BidPhase::Open).count();
            if in_flight >= self.max_orders {
                tracing::info!(order = %o, "not bidding: {in_flight} bids already open (max_concurrent_orders)");
                return;
            }
            bids.insert(o.clone(), (BidPhase::Open, Instant::now()));
        }
        self.orders_seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        match self.try_bid(&o).await {
            Ok(()) => {}
            Err(why) => {
                tracing::info!(order = %o, "not bidding: {why}");
                self.release(&o);
            }
        }
    }

    async fn try_bid(&self, o: &OrderId) -> Result<(), String> {
        let (spec, min_window) = self
            .group_and_reclamation(o)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| "the deployment or group is gone".to_string())?;
        let window =
            crate::bidengine::reclamation_window(min_window, self.settings.reclamation_window)
                .map_err(|r| r.to_string())?;
        // Audits of this provider, fresh for each order (auditors may have signed since).
        let audits = self.client.audits(Some(&self.me), None).await.map_err(|e| e.to_string())?;
        let profile = {
            let mut p = self.profile.lock();
            p.owner = Some(self.me.clone());
            p.audited = audits.into_iter().map(|a| (a.auditor, a.attributes)).collect();
            p.clone()
        };
        let ctx = crate::bidengine::OrderCtx { id: o.clone(), group: spec.clone() };
        {
            let mut inv = self.inventory.lock();
            crate::bidengine::evaluate(&ctx, &profile, &inv).map_err(|reasons| {
                reasons.iter().map(|r| r.to_string()).collect::<Vec<_>>().join("; ")
            })?;
            inv.reserve(o, &spec).map_err(|e| e.to_string())?;
        }
        let price =
            self.pricing.price(&o.owner, &spec, &spec.denom).await.map_err(|e| e.to_string())?;
        let price = crate::bidengine::decide_price(spec.max_price_atto, price)
            .map_err(|e| e.to_string())?;
        let params = mk::market_params(&self.client, 0).await.map_err(|e| e.to_string())?;
        let deposit = crate::bidengine::bid_deposit(&self.bid_deposit, &params.bid_min_deposits)
            .map_err(|e| e.to_string())?;
        let deposit =
            mk::parse_coin(&format!("{}{}", deposit.amount, deposit.denom), "bid deposit")
                .map_err(|e| e.to_string())?;
        let price_coin = dcloud_proto::dcloud::deployment::DecCoin {
            denom: spec.denom.clone(),
            amount: atto_to_decimal(price),
        };
        let bid = o.bid_id(&self.me);
        let out = self
            .txq
            .submit(vec![if window > 0 {
                mk::create_bid_with_reclamation(&bid, price_coin, deposit, window)
            } else {
                mk::create_bid(&bid, price_coin, deposit)
            }])
            .await
            .map_err(|e| format!("bid refused: {e}"))?;
        tracing::info!(order = %o, price = %atto_to_decimal(price), denom = %spec.denom, tx = %out.hash, "bid placed");
        Ok(())
    }
}

fn x509_names(pem: &str) -> Vec<String> {
    let Ok((_, p)) = x509_parser::pem::parse_x509_pem(pem.as_bytes()) else { return vec![] };
    let Ok(cert) = p.parse_x509() else { return vec![] };
    let mut names = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for n in &san.value.general_names {
            match n {
                x509_parser::extensions::GeneralName::DNSName(d) => names.push(d.to_string()),
                x509_parser::extensions::GeneralName::IPAddress(ip) if ip.len() == 4 => {
                    names.push(std::net::Ipv4Addr::new(ip[0], ip[1], ip[2], ip[3]).to_string());
                }
                _ => {}
            }
        }
    }
    names
}

impl Inner {
    /// Deploys the group with the backend; a workload failure is kept for status and for
    /// the close reason.
    async fn deploy_now(
        &self,
        lease: &LeaseId,
        group: &ManifestGroup,
    ) -> Result<(), DeployFailure> {
        let routes = match self.backend.deploy(lease, group).await {
            Ok(r) => r,
            Err(e) => {
                let Some(f) = e.workload_failure(group) else {
                    return Err(DeployFailure::Provider(e.to_string()));
                };
                // The tenant's workload cannot run: keep its manifest (status shows the
                // failure), keep waiting for a fixed one until the manifest deadline, then
                // close the lease with this reason.
                tracing::warn!(lease = %lease, "workload failed: {f}");
                self.failures.lock().insert(lease.clone(), (group.clone(), f.clone()));
                return Err(DeployFailure::Workload(f));
            }
        };
        self.ingress.set_routes(lease, routes);
        self.state
            .put_manifest(lease, group)
            .map_err(|e| DeployFailure::Provider(e.to_string()))?;
        self.failures.lock().remove(lease);
        self.manifests.lock().insert(lease.clone(), group.clone());
        let deadline = Instant::now() + self.settings.manifest_timeout;
        self.set_phase(&lease.order_id(), BidPhase::Starting(deadline));
        self.lease_won(lease);
        tracing::info!(lease = %lease, "manifest deployed");
        Ok(())
    }
}

/// Every service has all its replicas available.
fn lease_ready(st: &LeaseStatus) -> bool {
    !st.services.is_empty() && st.services.values().all(|s| s.available >= s.total)
}

/// Which services are not ready, and the problems the backend saw.
fn not_ready_summary(st: &LeaseStatus) -> String {
    let mut parts: Vec<String> = st
        .services
        .values()
        .filter(|s| s.available < s.total)
        .map(|s| format!("service {} {}/{} ready", s.name, s.available, s.total))
        .collect();
    parts.extend(st.errors.iter().cloned());
    parts.join("; ")
}
