//! The tenant's deploy flow: create (or update) a deployment → watch bids → lease →
//! send the manifest → wait until every service runs.
//!
//! [`deploy`] drives the whole flow and reports what happens through a
//! [`DeployObserver`] ([`DeployEvent`]s, and a confirmation before each tx is signed), so
//! the CLI prints its lines and a web console can show its own. The helpers the lease
//! commands share ([`active_leases`], [`provider_client`], [`ingress_port`]) live here too.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use dcloud_chain::cert::{CertFilter, CertState};
use dcloud_chain::market::{Bid, BidState, Lease};
use dcloud_crypto::secp256k1::SigningKey;
use dcloud_proto::dcloud::deployment as pb;
use dcloud_proto::Msg;
use dcloud_types::AccAddress;
use serde::Serialize;

use super::api::LeaseStatus;
use super::gateway::{Auth, ProviderClient, TenantError};
use super::lease::LeaseId;
use crate::market::{self as mk, BidRef, Filter, Sdl};
use crate::{broadcast, ClientError, PreparedTx, RpcClient, TxOptions, TxOutcome, TxSender};

/// Poll interval while waiting for bids, leases and running services.
const POLL: Duration = Duration::from_millis(100);

/// Errors of the deploy flow and the lease helpers.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// A query or tx failed (a failed tx carries its code and log).
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The deployment to update cannot be read.
    #[error("deployment {owner}/{dseq}: {source}")]
    Deployment {
        /// Owner.
        owner: AccAddress,
        /// Deployment sequence.
        dseq: u64,
        /// The query's error.
        source: ClientError,
    },
    /// The observer declined a tx (its reason, e.g. `transaction cancelled`).
    #[error("{0}")]
    Declined(String),
    /// A lease's provider is not registered.
    #[error("provider {0} is not registered on chain")]
    ProviderNotRegistered(AccAddress),
    /// A lease's provider has no valid certificate to pin.
    #[error("provider {0} has published no valid certificate: cannot authenticate it")]
    NoProviderCertificate(AccAddress),
    /// A client for the provider's gateway cannot be built.
    #[error("provider {provider} at {host_uri}: {source}")]
    Gateway {
        /// The provider.
        provider: AccAddress,
        /// Its host URI.
        host_uri: String,
        /// Why.
        source: TenantError,
    },
    /// Not every group got a lease before the deadline.
    #[error("no lease for every group of deployment {dseq} in time ({bids} bid(s) seen); check `dcloud query market order list --owner {owner}`")]
    NoLeaseInTime {
        /// Owner.
        owner: AccAddress,
        /// Deployment sequence.
        dseq: u64,
        /// Bids seen.
        bids: usize,
    },
    /// An existing deployment has no active lease to send the manifest to.
    #[error("deployment {0} has no active lease")]
    NoActiveLease(u64),
    /// A provider did not accept the manifest.
    #[error("provider {provider} refused the manifest: {source}")]
    ManifestRefused {
        /// The provider.
        provider: AccAddress,
        /// Its answer.
        source: TenantError,
    },
    /// A provider accepted the manifest but cannot run the workload. The lease stays open
    /// (and is paid for) until the tenant updates the deployment with a fixed SDL or
    /// closes it; the provider closes it itself at its manifest timeout.
    #[error("provider {provider} cannot run deployment {dseq}: {failure} ({hint}); the lease is still open and paid for", hint = failure.reason.hint())]
    WorkloadFailed {
        /// Deployment sequence.
        dseq: u64,
        /// The provider.
        provider: AccAddress,
        /// What failed and why.
        failure: super::api::WorkloadFailure,
    },
    /// The lease closed while the flow waited for its services (the provider gave up on
    /// the workload, or escrow ran dry).
    #[error("lease {}/{}/{} on {} was closed: {reason}", lease.dseq, lease.gseq, lease.oseq, lease.provider)]
    LeaseClosed {
        /// The lease.
        lease: LeaseId,
        /// The close reason recorded on chain.
        reason: String,
    },
    /// A lease's services were not all running before the deadline.
    #[error("lease {}/{}/{} on {} is not running after {wait:?}: {last}", lease.dseq, lease.gseq, lease.oseq, lease.provider)]
    NotRunning {
        /// The lease.
        lease: LeaseId,
        /// How long the flow waited in all.
        wait: Duration,
        /// The last status (JSON) or error seen.
        last: String,
    },
}

/// What the flow is doing, for progress display.
#[derive(Debug, Clone, PartialEq)]
pub enum DeployEvent {
    /// The tenant's client certificate is published together with the first tx.
    PublishingClientCert,
    /// The existing deployment is updated to the SDL's manifest.
    UpdatingDeployment {
        /// Deployment sequence.
        dseq: u64,
    },
    /// A deployment is being created.
    CreatingDeployment {
        /// Deployment sequence.
        dseq: u64,
        /// Number of groups.
        groups: usize,
        /// Escrow deposit amount.
        deposit_amount: String,
        /// Escrow deposit denom.
        deposit_denom: String,
    },
    /// The deployment tx is in a block.
    DeploymentCreated {
        /// Its height.
        height: u64,
    },
    /// Waiting for providers to bid.
    WaitingForBids,
    /// A new bid.
    BidSeen {
        /// Group sequence.
        gseq: u32,
        /// Bidder.
        provider: AccAddress,
        /// Price per block, 18-decimal fixed point.
        price_atto: u128,
        /// Price denom.
        denom: String,
    },
    /// The manual auction's pick: the lowest open bid of `groups` group(s) is accepted.
    AcceptingBids {
        /// Groups whose lowest bid is leased.
        groups: usize,
    },
    /// A lease exists for a group.
    LeaseWon {
        /// The lease.
        lease: Lease,
    },
    /// The manifest goes to a provider.
    SendingManifest {
        /// The provider.
        provider: AccAddress,
    },
    /// Waiting for every service to have all its replicas available.
    WaitingForServices,
}

/// Receives the flow's progress and approves its txs.
pub trait DeployObserver {
    /// Something happened.
    fn event(&mut self, event: DeployEvent);
    /// Called before `tx` (described by `summary`) is broadcast; an error stops the flow
    /// with [`DeployError::Declined`]. Approves by default.
    fn confirm(&mut self, tx: &PreparedTx, summary: &str) -> Result<(), String> {
        let _ = (tx, summary);
        Ok(())
    }
}

/// How the chain picks the winning bid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auction {
    /// The chain leases the lowest bid when the bid window closes.
    Lowest,
    /// The flow accepts the lowest open bid itself after the window.
    Manual,
}

impl Auction {
    fn to_pb(self) -> pb::Auction {
        match self {
            Self::Lowest => pb::Auction::Lowest,
            Self::Manual => pb::Auction::Manual,
        }
    }
}

/// What to deploy and how.
#[derive(Debug)]
pub struct DeployRequest<'a> {
    /// The parsed, checked SDL.
    pub sdl: &'a Sdl,
    /// Escrow deposit [default: 5 ACT or 5 AKT in the SDL's price denom].
    pub deposit: Option<pb::Coin>,
    /// Auction kind.
    pub auction: Auction,
    /// Bid window in blocks (0: the chain's).
    pub bid_window: u64,
    /// Update this existing deployment instead of creating one.
    pub dseq: Option<u64>,
    /// How long to wait for bids, the lease and running services, in all.
    pub wait: Duration,
    /// How to authenticate to providers.
    pub auth: Auth,
    /// A message to send with the first tx (the client certificate's publication).
    pub publish_cert: Option<Msg>,
    /// Chain id (None: ask the node).
    pub chain_id: Option<String>,
}

/// How long each phase took (milliseconds since the flow started).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Timings {
    /// The deployment tx is in a block.
    pub deployment_tx_ms: u64,
    /// The first bid was seen.
    pub first_bid_ms: Option<u64>,
    /// Every group had a lease.
    pub lease_ms: Option<u64>,
    /// Every provider accepted the manifest.
    pub manifest_ms: u64,
    /// Every service had all replicas available.
    pub running_ms: u64,
    /// Blocks between the order's creation and the first bid's.
    pub order_to_bid_blocks: Option<u64>,
}

/// A running lease.
#[derive(Debug, Clone)]
pub struct RunningLease {
    /// The lease.
    pub lease: Lease,
    /// Its status at the provider (every service available).
    pub status: LeaseStatus,
    /// The provider's ingress port when it is not 80.
    pub ingress_port: Option<u16>,
}

/// The result of a deploy.
#[derive(Debug, Clone)]
pub struct Deployed {
    /// Owner.
    pub owner: AccAddress,
    /// Deployment sequence.
    pub dseq: u64,
    /// Every lease, running.
    pub leases: Vec<RunningLease>,
    /// Phase timings.
    pub timings: Timings,
}

/// One tenant's deploy flow against one node.
struct Flow<'a> {
    client: &'a RpcClient,
    key: &'a SigningKey,
    owner: AccAddress,
    opts: TxOptions,
    obs: &'a mut dyn DeployObserver,
    started: Instant,
    deadline: Instant,
}

/// Deploys `req` as `key`'s account: create (or update) → bids → lease → manifest →
/// running services. Progress and tx confirmations go to `obs`.
pub async fn deploy(
    client: &RpcClient,
    key: &SigningKey,
    req: DeployRequest<'_>,
    obs: &mut dyn DeployObserver,
) -> Result<Deployed, DeployError> {
    let started = Instant::now();
    let opts = TxOptions { chain_id: req.chain_id.clone(), ..TxOptions::default() };
    let owner = key.public_key().address();
    let mut flow = Flow { client, key, owner, opts, obs, started, deadline: started + req.wait };
    let mut timings = Timings::default();
    let mut msgs: Vec<Msg> = Vec::new();
    if let Some(m) = &req.publish_cert {
        flow.obs.event(DeployEvent::PublishingClientCert);
        msgs.push(m.clone());
    }
    let (dseq, leases) = match req.dseq {
        Some(dseq) => {
            flow.update(&req, dseq, msgs).await?;
            (dseq, active_leases(client, &flow.owner, dseq).await?)
        }
        None => {
            let dseq = flow.create(&req, msgs).await?;
            timings.deployment_tx_ms = flow.ms();
            let won = flow.wait_for_leases(dseq, req.sdl.groups().len(), req.auction).await?;
            timings.first_bid_ms = won.first_bid.map(|t| ms_between(started, t));
            timings.order_to_bid_blocks = won.order_to_bid;
            timings.lease_ms = Some(flow.ms());
            (dseq, won.leases)
        }
    };
    if leases.is_empty() {
        return Err(DeployError::NoActiveLease(dseq));
    }
    flow.send_manifests(dseq, &leases, &req).await?;
    timings.manifest_ms = flow.ms();
    flow.obs.event(DeployEvent::WaitingForServices);
    let mut running = Vec::new();
    for l in leases {
        running.push(flow.wait_running(l, &req).await?);
    }
    timings.running_ms = flow.ms();
    Ok(Deployed { owner: flow.owner, dseq, leases: running, timings })
}

/// Leases seen by [`Flow::wait_for_leases`].
struct Won {
    leases: Vec<Lease>,
    first_bid: Option<Instant>,
    order_to_bid: Option<u64>,
}

fn ms_between(a: Instant, b: Instant) -> u64 {
    u64::try_from(b.duration_since(a).as_millis()).unwrap_or(u64::MAX)
}

impl Flow<'_> {
    fn ms(&self) -> u64 {
        ms_between(self.started, Instant::now())
    }

    /// Prepares, confirms with the observer, broadcasts and waits for the block.
    async fn send(&mut self, msgs: &[Msg], summary: &str) -> Result<TxOutcome, DeployError> {
        let tx = TxSender::new(self.client, self.key).prepare(msgs, &self.opts).await?;
        self.obs.confirm(&tx, summary).map_err(DeployError::Declined)?;
        Ok(broadcast(self.client, &tx, self.opts.mode, self.opts.wait).await?)
    }

    /// Updates deployment `dseq` to the SDL's manifest when it differs.
    async fn update(
        &mut self,
        req: &DeployRequest<'_>,
        dseq: u64,
        mut msgs: Vec<Msg>,
    ) -> Result<(), DeployError> {
        let owner = self.owner.clone();
        let info = mk::deployment(self.client, &owner, dseq, 0)
            .await
            .map_err(|source| DeployError::Deployment { owner: owner.clone(), dseq, source })?;
        if hex::encode(req.sdl.manifest_hash()) != info.deployment.hash {
            self.obs.event(DeployEvent::UpdatingDeployment { dseq });
            msgs.push(mk::update_deployment(&owner, dseq, req.sdl));
        }
        if !msgs.is_empty() {
            self.send(&msgs, &format!("update deployment {owner}/{dseq}")).await?;
        }
        Ok(())
    }

    /// Creates the deployment (dseq = the latest height); returns its dseq.
    async fn create(
        &mut self,
        req: &DeployRequest<'_>,
        mut msgs: Vec<Msg>,
    ) -> Result<u64, DeployError> {
        let owner = self.owner.clone();
        let deposit = match &req.deposit {
            Some(d) => d.clone(),
            None => {
                let denom = req
                    .sdl
                    .max_price_per_block()
                    .map(|p| p.denom.clone())
                    .unwrap_or_else(|| dcloud_types::DENOM_ACT.to_string());
                mk::parse_coin(&format!("5000000{denom}"), "--deposit")?
            }
        };
        let dseq = self.client.latest_height().await?.max(1);
        msgs.push(mk::create_deployment(
            &owner,
            dseq,
            req.sdl,
            deposit.clone(),
            req.auction.to_pb(),
            req.bid_window,
        )?);
        self.obs.event(DeployEvent::CreatingDeployment {
            dseq,
            groups: req.sdl.groups().len(),
            deposit_amount: deposit.amount,
            deposit_denom: deposit.denom,
        });
        let out = self.send(&msgs, &format!("create deployment {owner}/{dseq}")).await?;
        self.obs.event(DeployEvent::DeploymentCreated { height: out.height.unwrap_or(0) });
        Ok(dseq)
    }

    /// Reports bids as they arrive and returns once every group has a lease; with the
    /// manual auction, accepts the lowest open bid of each group after the bid window.
    async fn wait_for_leases(
        &mut self,
        dseq: u64,
        groups: usize,
        auction: Auction,
    ) -> Result<Won, DeployError> {
        self.obs.event(DeployEvent::WaitingForBids);
        let owner = self.owner.clone();
        let f = Filter { owner: Some(owner.to_string()), dseq: Some(dseq), ..Filter::default() };
        let orders = mk::orders(self.client, &f, 0).await?.items;
        let window_end = orders.iter().map(|o| o.window_end).max().unwrap_or(0);
        let order_created = orders.iter().map(|o| o.created_at).min().unwrap_or(0);
        let mut seen = BTreeSet::new();
        let mut won = Won { leases: Vec::new(), first_bid: None, order_to_bid: None };
        loop {
            let bids = mk::bids(self.client, &f, 0).await?.items;
            for b in &bids {
                if seen.insert((b.gseq, b.oseq, b.provider.to_string())) {
                    if won.first_bid.is_none() {
                        won.first_bid = Some(Instant::now());
                        won.order_to_bid = Some(b.created_at.saturating_sub(order_created));
                    }
                    self.obs.event(DeployEvent::BidSeen {
                        gseq: b.gseq,
                        provider: b.provider.clone(),
                        price_atto: b.price_atto,
                        denom: b.denom.clone(),
                    });
                }
            }
            let leases = active_leases(self.client, &owner, dseq).await?;
            let mut gseqs: Vec<u32> = leases.iter().map(|l| l.gseq).collect();
            gseqs.dedup();
            if gseqs.len() >= groups {
                for l in &leases {
                    self.obs.event(DeployEvent::LeaseWon { lease: l.clone() });
                }
                won.leases = leases;
                return Ok(won);
            }
            let height = self.client.latest_height().await?;
            if auction == Auction::Manual && height > window_end {
                let msgs = accept_lowest(&bids, &gseqs);
                if !msgs.is_empty() {
                    self.obs.event(DeployEvent::AcceptingBids { groups: msgs.len() });
                    self.send(&msgs, "create lease(s)").await?;
                    continue;
                }
            }
            if Instant::now() >= self.deadline {
                return Err(DeployError::NoLeaseInTime { owner, dseq, bids: seen.len() });
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Sends the manifest to every provider holding a lease (once per provider), retrying
    /// retryable failures with backoff until the deadline.
    async fn send_manifests(
        &mut self,
        dseq: u64,
        leases: &[Lease],
        req: &DeployRequest<'_>,
    ) -> Result<(), DeployError> {
        let manifest = req.sdl.manifest();
        let providers: BTreeSet<AccAddress> = leases.iter().map(|l| l.provider.clone()).collect();
        for p in providers {
            self.obs.event(DeployEvent::SendingManifest { provider: p.clone() });
            let pc = provider_client(self.client, &p, &req.auth).await?;
            let mut delay = Duration::from_millis(300);
            loop {
                match pc.send_manifest(dseq, &manifest).await {
                    Ok(()) => break,
                    Err(e) if Instant::now() + delay < self.deadline && e.is_retryable() => {
                        tokio::time::sleep(delay).await;
                        delay = (delay * 2).min(Duration::from_secs(3));
                    }
                    Err(TenantError::Workload(failure)) => {
                        return Err(DeployError::WorkloadFailed { dseq, provider: p, failure })
                    }
                    Err(source) => {
                        return Err(DeployError::ManifestRefused { provider: p, source })
                    }
                }
            }
        }
        Ok(())
    }

    /// Polls the lease's status until every service has all its replicas available.
    async fn wait_running(
        &mut self,
        lease: Lease,
        req: &DeployRequest<'_>,
    ) -> Result<RunningLease, DeployError> {
        let id = lease_id(&lease);
        let pc = provider_client(self.client, &lease.provider, &req.auth).await?;
        loop {
            let st = pc.lease_status(&id).await;
            if let Ok(s) = &st {
                if is_ready(s) {
                    let ingress_port = ingress_port(&pc).await;
                    return Ok(RunningLease { lease, status: s.clone(), ingress_port });
                }
            }
            if let Some(reason) = closed_reason(self.client, &lease).await {
                return Err(DeployError::LeaseClosed { lease: id, reason });
            }
            if Instant::now() >= self.deadline {
                let last = match st {
                    Ok(s) => serde_json::to_string(&s).unwrap_or_default(),
                    Err(e) => e.to_string(),
                };
                return Err(DeployError::NotRunning { lease: id, wait: req.wait, last });
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

/// The chain's close reason when `lease` is no longer active (None while it is, or when
/// the chain cannot be read right now).
async fn closed_reason(client: &RpcClient, lease: &Lease) -> Option<String> {
    let f = Filter {
        owner: Some(lease.owner.to_string()),
        dseq: Some(lease.dseq),
        limit: Some(1000),
        ..Filter::default()
    };
    let page = mk::leases(client, &f, 0).await.ok()?;
    let l = page
        .items
        .into_iter()
        .find(|l| l.gseq == lease.gseq && l.oseq == lease.oseq && l.provider == lease.provider)?;
    (l.state != dcloud_chain::market::LeaseState::Active).then_some(l.reason)
}

/// Whether every service of a lease has all its replicas available.
pub fn is_ready(st: &LeaseStatus) -> bool {
    !st.services.is_empty() && st.services.values().all(|s| s.available >= s.total && s.total > 0)
}

/// `MsgCreateLease` for the lowest open bid of every order whose group has no lease yet.
fn accept_lowest(bids: &[Bid], leased_groups: &[u32]) -> Vec<Msg> {
    let mut best: BTreeMap<(u32, u32), &Bid> = BTreeMap::new();
    for b in bids.iter().filter(|b| b.state == BidState::Open) {
        if leased_groups.contains(&b.gseq) {
            continue;
        }
        let e = best.entry((b.gseq, b.oseq)).or_insert(b);
        if b.price_atto < e.price_atto {
            *e = b;
        }
    }
    best.values()
        .map(|b| {
            mk::create_lease(&BidRef {
                owner: b.owner.clone(),
                dseq: b.dseq,
                gseq: b.gseq,
                oseq: b.oseq,
                provider: b.provider.clone(),
            })
        })
        .collect()
}

/// The id of a chain lease.
pub fn lease_id(l: &Lease) -> LeaseId {
    LeaseId {
        owner: l.owner.clone(),
        dseq: l.dseq,
        gseq: l.gseq,
        oseq: l.oseq,
        provider: l.provider.clone(),
    }
}

/// The active leases of deployment `owner`/`dseq`.
pub async fn active_leases(
    client: &RpcClient,
    owner: &AccAddress,
    dseq: u64,
) -> Result<Vec<Lease>, ClientError> {
    let f = Filter {
        owner: Some(owner.to_string()),
        dseq: Some(dseq),
        state: Some("active".into()),
        limit: Some(1000),
        ..Filter::default()
    };
    Ok(mk::leases(client, &f, 0).await?.items)
}

/// A client for `provider`'s gateway, pinned to its valid on-chain certificates.
pub async fn provider_client(
    client: &RpcClient,
    provider: &AccAddress,
    auth: &Auth,
) -> Result<ProviderClient, DeployError> {
    let p = client
        .provider(provider)
        .await?
        .ok_or_else(|| DeployError::ProviderNotRegistered(provider.clone()))?;
    let certs = client
        .certificates(&CertFilter { owner: Some(provider.to_string()), ..Default::default() })
        .await?
        .into_iter()
        .filter(|c| c.state == CertState::Valid)
        .map(|c| c.cert)
        .collect::<Vec<_>>();
    if certs.is_empty() {
        return Err(DeployError::NoProviderCertificate(provider.clone()));
    }
    ProviderClient::new(&p.host_uri, provider.clone(), &certs, auth.clone()).map_err(|source| {
        DeployError::Gateway { provider: provider.clone(), host_uri: p.host_uri.clone(), source }
    })
}

/// The provider's ingress port when it is not the HTTP default (devnets use 8080).
pub async fn ingress_port(pc: &ProviderClient) -> Option<u16> {
    let st = pc.provider_status().await.ok()?;
    let p = u16::try_from(st["ingress"]["port"].as_u64()?).ok()?;
    (p != 80 && p != 0).then_some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readiness_needs_every_replica() {
        let mut st = LeaseStatus::default();
        assert!(!is_ready(&st));
        st.services.insert(
            "web".into(),
            super::super::api::ServiceStatus { available: 1, total: 2, ..Default::default() },
        );
        assert!(!is_ready(&st));
        if let Some(s) = st.services.get_mut("web") {
            s.available = 2;
        }
        assert!(is_ready(&st));
    }
}
