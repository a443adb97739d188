//! [`Backend`] over a Kubernetes API server (`kube` + `k8s-openapi`).
//!
//! What a lease becomes (built by [`objects::lease_objects`], pure): a namespace
//! `<prefix><slug>` labelled with the lease id (owner, dseq, gseq, oseq, provider); in it a
//! Secret `dcloud-manifest` holding the manifest group and its generation (the backend's
//! durable record, read by [`Backend::list`] after a restart), NetworkPolicies, image pull
//! Secrets, per service a Deployment (a StatefulSet when it has persistent storage), a
//! ClusterIP Service and for global non-HTTP ports a NodePort Service, and an Ingress per
//! HTTP hostname. Only API groups that exist from Kubernetes 1.20 on are used (core v1,
//! apps/v1, networking.k8s.io/v1).
//!
//! **Apply.** Every object goes through server-side apply with the field manager
//! [`KubeSettings::field_manager`] (forced), so a deploy is idempotent and an update with a
//! new manifest changes only what differs; objects of the lease that the new manifest no
//! longer has are deleted afterwards. Calls that fail for transport reasons (API server
//! restarting) are retried with back-off; the record is applied first, so a deploy cut
//! short is redone by the next deploy or by the daemon's reconcile, and the status lists
//! what is missing meanwhile.
//!
//! **Teardown** deletes the namespace and waits until it is gone; one stuck terminating
//! past [`KubeSettings::teardown_timeout`] is reported as
//! [`BackendError::TeardownIncomplete`].
//!
//! **Routes.** The cluster's ingress controller serves the lease hostnames (the Ingress
//! objects), so [`Backend::deploy`] and [`Backend::routes`] return no routes for the
//! daemon's own HTTP ingress.
//!
//! Files: `objects.rs` builds the objects, `status.rs` reads what the cluster reports,
//! `streams.rs` streams logs and events and runs commands, `inventory.rs` measures the
//! cluster's free capacity.

pub mod inventory;
pub mod objects;
mod status;
mod streams;

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use dcloud_sdl::output::ManifestGroup;
use futures::stream::BoxStream;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{Namespace, Secret, Service};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::NamespaceResourceScope;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams};
use kube::Client;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{
    Backend, BackendError, BackendSettings, ExecRequest, ExecSession, LeaseEvent, LeaseStatus,
    LogLine, LogOptions, Route,
};
use crate::LeaseId;
use objects::{lease_labels, namespace_name, LeaseObjects, LABEL_MANAGED, LABEL_PROVIDER};

/// What the Kubernetes backend needs beyond [`BackendSettings`] (from `provider.yaml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeSettings {
    /// Lease namespaces are `<prefix><slug>` (default `dcloud-`).
    pub namespace_prefix: String,
    /// `ingressClassName` of the Ingresses (none: the cluster's default class).
    pub ingress_class: Option<String>,
    /// SDL storage class (`beta1`, `beta2`, `beta3`, ...) → cluster StorageClass name;
    /// a class not listed maps to itself.
    pub storage_classes: BTreeMap<String, String>,
    /// Node selector of every lease pod.
    pub node_selector: BTreeMap<String, String>,
    /// Labels of the ingress controller's namespace (let in by the NetworkPolicy).
    pub ingress_namespace_labels: BTreeMap<String, String>,
    /// Labels of the cluster DNS namespace (egress on port 53 allowed).
    pub dns_namespace_labels: BTreeMap<String, String>,
    /// Address ranges lease pods may not reach (cluster-internal, link-local, private).
    pub internal_cidrs: Vec<String>,
    /// Server-side apply field manager.
    pub field_manager: String,
    /// How long teardown waits for the namespace to go.
    pub teardown_timeout: Duration,
}

impl Default for KubeSettings {
    fn default() -> Self {
        Self {
            namespace_prefix: "dcloud-".into(),
            ingress_class: None,
            storage_classes: BTreeMap::new(),
            node_selector: BTreeMap::new(),
            ingress_namespace_labels: BTreeMap::from([(
                "app.kubernetes.io/name".into(),
                "ingress-nginx".into(),
            )]),
            dns_namespace_labels: BTreeMap::from([(
                "kubernetes.io/metadata.name".into(),
                "kube-system".into(),
            )]),
            internal_cidrs: default_internal_cidrs(),
            field_manager: "dcloud-provider".into(),
            teardown_timeout: Duration::from_secs(120),
        }
    }
}

/// RFC 1918 private ranges, carrier-grade NAT and link-local (cloud metadata).
pub fn default_internal_cidrs() -> Vec<String> {
    ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16"]
        .map(String::from)
        .to_vec()
}

impl KubeSettings {
    /// The cluster StorageClass for an SDL class.
    pub fn cluster_storage_class(&self, sdl_class: &str) -> String {
        self.storage_classes.get(sdl_class).cloned().unwrap_or_else(|| sdl_class.to_string())
    }
}

/// Where to find the cluster.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KubeTarget {
    /// A kubeconfig file; `None`: `$KUBECONFIG`, `~/.kube/config`, or the in-cluster
    /// service account.
    pub kubeconfig: Option<PathBuf>,
    /// Context in the kubeconfig (default: its current context).
    pub context: Option<String>,
}

fn api_err(e: kube::Error) -> BackendError {
    BackendError::Engine(format!("kubernetes API: {e}"))
}

fn is_not_found(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.code == 404)
}

/// Errors worth retrying: the API server did not answer (restarting, connection refused)
/// or answered 5xx / 429.
fn is_transient(e: &kube::Error) -> bool {
    match e {
        kube::Error::Api(s) => s.code >= 500 || s.code == 429,
        kube::Error::HyperError(_) | kube::Error::Service(_) => true,
        _ => false,
    }
}

/// Runs `f` until it succeeds, fails for good, or about 30 s of transient failures passed.
async fn retry<T, F, Fut>(what: &str, mut f: F) -> Result<T, kube::Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, kube::Error>>,
{
    let start = Instant::now();
    let mut delay = Duration::from_millis(100);
    loop {
        match f().await {
            Ok(v) => return Ok(v),
            Err(e) if is_transient(&e) && start.elapsed() < Duration::from_secs(30) => {
                tracing::warn!("kubernetes: {what}: {e}; retrying in {delay:?}");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(3));
            }
            Err(e) => return Err(e),
        }
    }
}

/// The lease record read back from the cluster.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub(crate) lease: LeaseId,
    pub(crate) generation: u64,
    pub(crate) group: ManifestGroup,
}

fn parse_record(s: &Secret) -> Option<Record> {
    let d = s.data.as_ref()?;
    let text = |k: &str| std::str::from_utf8(&d.get(k)?.0).ok().map(str::to_string);
    Some(Record {
        lease: text("lease")?.parse().ok()?,
        generation: text("generation")?.parse().ok()?,
        group: serde_json::from_slice(&d.get("group.json")?.0).ok()?,
    })
}

/// [`Backend`] over a Kubernetes API server.
pub struct KubeBackend {
    client: Client,
    settings: BackendSettings,
    kube: KubeSettings,
    calls: Arc<AtomicU64>,
    /// One lock per lease namespace: deploys and teardowns of a lease do not interleave.
    locks: parking_lot::Mutex<BTreeMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// `capacity.storage` sizes per SDL class (see [`inventory`]).
    configured_storage: parking_lot::Mutex<BTreeMap<String, u64>>,
}

impl Debug for KubeBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KubeBackend")
            .field("settings", &self.settings)
            .field("kube", &self.kube)
            .finish()
    }
}

impl KubeBackend {
    /// Connects through `target` and checks that the API server answers: a kubeconfig
    /// that cannot be read, a missing context or a server that does not answer is one
    /// [`BackendError::Engine`] naming the file, the context and the server.
    pub async fn connect(
        settings: BackendSettings,
        kube: KubeSettings,
        target: &KubeTarget,
    ) -> Result<Self, BackendError> {
        let where_ = match &target.kubeconfig {
            Some(p) => format!("kubeconfig {}", p.display()),
            None => "the default kubeconfig / in-cluster config".to_string(),
        };
        let where_ = match &target.context {
            Some(c) => format!("{where_}, context {c:?}"),
            None => where_,
        };
        let config = match &target.kubeconfig {
            Some(path) => {
                let kc = kube::config::Kubeconfig::read_from(path)
                    .map_err(|e| BackendError::Engine(format!("cannot read {where_}: {e}")))?;
                let opts = kube::config::KubeConfigOptions {
                    context: target.context.clone(),
                    ..Default::default()
                };
                kube::Config::from_custom_kubeconfig(kc, &opts)
                    .await
                    .map_err(|e| BackendError::Engine(format!("unusable {where_}: {e}")))?
            }
            None => {
                let opts = kube::config::KubeConfigOptions {
                    context: target.context.clone(),
                    ..Default::default()
                };
                match kube::Config::from_kubeconfig(&opts).await {
                    Ok(c) => c,
                    Err(kc_err) if target.context.is_none() => {
                        kube::Config::incluster().map_err(|e| {
                            BackendError::Engine(format!(
                                "no kubernetes configuration: kubeconfig: {kc_err}; in-cluster: {e}"
                            ))
                        })?
                    }
                    Err(e) => return Err(BackendError::Engine(format!("unusable {where_}: {e}"))),
                }
            }
        };
        let server = config.cluster_url.to_string();
        let (client, calls) = counted_client(config)?;
        let version = retry_connect(&client).await.map_err(|e| {
            BackendError::Engine(format!(
                "kubernetes API server {server} ({where_}) did not answer: {e}"
            ))
        })?;
        tracing::info!(%server, version = %version.git_version, "connected to kubernetes");
        Ok(Self {
            client,
            settings,
            kube,
            calls,
            locks: parking_lot::Mutex::new(BTreeMap::new()),
            configured_storage: parking_lot::Mutex::new(BTreeMap::new()),
        })
    }

    /// The settings this backend runs with.
    pub fn settings(&self) -> &BackendSettings {
        &self.settings
    }

    /// The Kubernetes settings.
    pub fn kube_settings(&self) -> &KubeSettings {
        &self.kube
    }

    /// The client (for tests and tools).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// How many HTTP requests the backend has sent to the API server so far (watches and
    /// log streams count once).
    pub fn api_calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// The namespace of a lease.
    pub fn namespace(&self, lease: &LeaseId) -> String {
        namespace_name(&self.kube.namespace_prefix, lease)
    }

    /// The objects a deploy of `group` at `generation` applies (for review and tests).
    pub fn objects(
        &self,
        lease: &LeaseId,
        group: &ManifestGroup,
        generation: u64,
    ) -> Result<LeaseObjects, BackendError> {
        objects::lease_objects(lease, group, generation, &self.settings, &self.kube)
    }

    fn lease_lock(&self, ns: &str) -> Arc<tokio::sync::Mutex<()>> {
        self.locks.lock().entry(ns.to_string()).or_default().clone()
    }

    pub(crate) async fn read_record(&self, ns: &str) -> Result<Option<Record>, BackendError> {
        let api: Api<Secret> = Api::namespaced(self.client.clone(), ns);
        match retry("read lease record", || api.get(objects::RECORD_NAME)).await {
            Ok(s) => Ok(parse_record(&s)),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(api_err(e)),
        }
    }

    async fn apply_ns<K>(&self, ns: &str, obj: &K) -> Result<(), BackendError>
    where
        K: kube::Resource<Scope = NamespaceResourceScope>
            + Serialize
            + DeserializeOwned
            + Clone
            + Debug,
        K::DynamicType: Default,
    {
        let name = obj.meta().name.clone().unwrap_or_default();
        let api: Api<K> = Api::namespaced(self.client.clone(), ns);
        let pp = PatchParams::apply(&self.kube.field_manager).force();
        let patch = Patch::Apply(obj);
        retry(&format!("apply {} {name}", K::kind(&K::DynamicType::default())), || {
            api.patch(&name, &pp, &patch)
        })
        .await
        .map_err(api_err)?;
        Ok(())
    }

    async fn apply_all(&self, ns: &str, objs: &LeaseObjects) -> Result<(), BackendError> {
        let api: Api<Namespace> = Api::all(self.client.clone());
        let pp = PatchParams::apply(&self.kube.field_manager).force();
        let patch = Patch::Apply(&objs.namespace);
        retry("apply namespace", || api.patch(ns, &pp, &patch)).await.map_err(api_err)?;
        // The record first: after a crash the wanted group is known.
        self.apply_ns(ns, &objs.record).await?;
        for o in &objs.network_policies {
            self.apply_ns(ns, o).await?;
        }
        for o in &objs.secrets {
            self.apply_ns(ns, o).await?;
        }
        for o in &objs.services {
            self.apply_ns(ns, o).await?;
        }
        for o in &objs.deployments {
            self.apply_ns(ns, o).await?;
        }
        for o in &objs.stateful_sets {
            self.apply_ns(ns, o).await?;
        }
        for o in &objs.ingresses {
            self.apply_ns(ns, o).await?;
        }
        Ok(())
    }

    /// Deletes the lease objects of kind `K` in `ns` whose names are not in `keep`.
    async fn prune_kind<K>(&self, ns: &str, keep: &[Option<String>]) -> Result<(), BackendError>
    where
        K: kube::Resource<Scope = NamespaceResourceScope> + DeserializeOwned + Clone + Debug,
        K::DynamicType: Default,
    {
        let api: Api<K> = Api::namespaced(self.client.clone(), ns);
        let lp = ListParams::default().labels(&format!("{LABEL_MANAGED}=true"));
        let list = retry("list for pruning", || api.list(&lp)).await.map_err(api_err)?;
        for o in list.items {
            let name = o.meta().name.clone();
            if !keep.contains(&name) {
                let name = name.unwrap_or_default();
                tracing::info!(namespace = ns, %name, "removing object no longer in the manifest");
                let dp = DeleteParams::background();
                match retry("prune", || api.delete(&name, &dp)).await {
                    Ok(_) => {}
                    Err(e) if is_not_found(&e) => {}
                    Err(e) => return Err(api_err(e)),
                }
            }
        }
        Ok(())
    }

    async fn prune(&self, ns: &str, objs: &LeaseObjects) -> Result<(), BackendError> {
        fn names<K: kube::Resource>(v: &[K]) -> Vec<Option<String>> {
            v.iter().map(|o| o.meta().name.clone()).collect()
        }
        self.prune_kind::<NetworkPolicy>(ns, &names(&objs.network_policies)).await?;
        let mut secrets = names(&objs.secrets);
        secrets.push(objs.record.metadata.name.clone());
        self.prune_kind::<Secret>(ns, &secrets).await?;
        self.prune_kind::<Service>(ns, &names(&objs.services)).await?;
        self.prune_kind::<Deployment>(ns, &names(&objs.deployments)).await?;
        self.prune_kind::<StatefulSet>(ns, &names(&objs.stateful_sets)).await?;
        self.prune_kind::<Ingress>(ns, &names(&objs.ingresses)).await?;
        Ok(())
    }

    async fn deploy_locked(
        &self,
        lease: &LeaseId,
        group: &ManifestGroup,
    ) -> Result<Vec<Route>, BackendError> {
        objects::validate_group(group)?;
        let ns = self.namespace(lease);
        let previous = self.read_record(&ns).await?;
        let generation = match &previous {
            Some(r) if r.group == *group => r.generation,
            Some(r) => r.generation + 1,
            None => 1,
        };
        let objs = self.objects(lease, group, generation)?;
        self.apply_all(&ns, &objs).await?;
        if previous.is_some() {
            self.prune(&ns, &objs).await?;
        }
        Ok(Vec::new())
    }

    async fn teardown_locked(&self, lease: &LeaseId) -> Result<(), BackendError> {
        let ns = self.namespace(lease);
        let api: Api<Namespace> = Api::all(self.client.clone());
        let dp = DeleteParams::background();
        match retry("delete namespace", || api.delete(&ns, &dp)).await {
            Ok(_) => {}
            Err(e) if is_not_found(&e) => return Ok(()),
            Err(e) => return Err(api_err(e)),
        }
        let deadline = Instant::now() + self.kube.teardown_timeout;
        let mut delay = Duration::from_millis(50);
        loop {
            match retry("wait for namespace deletion", || api.get_opt(&ns)).await {
                Ok(None) => return Ok(()),
                Ok(Some(n)) if Instant::now() >= deadline => {
                    let conditions: Vec<String> = n
                        .status
                        .and_then(|s| s.conditions)
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|c| c.status == "True")
                        .map(|c| format!("{}: {}", c.type_, c.message.unwrap_or_default()))
                        .collect();
                    return Err(BackendError::TeardownIncomplete(format!(
                        "namespace {ns} still terminating after {:?}{}",
                        self.kube.teardown_timeout,
                        if conditions.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", conditions.join("; "))
                        }
                    )));
                }
                Ok(Some(_)) => {
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(1));
                }
                Err(e) => return Err(api_err(e)),
            }
        }
    }

    /// The namespaces of this provider's leases (not those being deleted).
    async fn lease_namespaces(&self) -> Result<Vec<Namespace>, BackendError> {
        let api: Api<Namespace> = Api::all(self.client.clone());
        let lp = ListParams::default()
            .labels(&format!("{LABEL_MANAGED}=true,{LABEL_PROVIDER}={}", self.settings.provider));
        let list = retry("list lease namespaces", || api.list(&lp)).await.map_err(api_err)?;
        Ok(list
            .items
            .into_iter()
            .filter(|n| {
                n.metadata.deletion_timestamp.is_none()
                    && n.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Terminating")
            })
            .collect())
    }

    /// The lease labels of `lease` (what its namespace carries).
    pub fn labels(lease: &LeaseId) -> BTreeMap<String, String> {
        lease_labels(lease)
    }
}

/// A client whose every request increments the returned counter.
fn counted_client(config: kube::Config) -> Result<(Client, Arc<AtomicU64>), BackendError> {
    let calls = Arc::new(AtomicU64::new(0));
    let c = calls.clone();
    let layer =
        tower::util::MapRequestLayer::new(move |req: hyper::Request<kube::client::Body>| {
            c.fetch_add(1, Ordering::Relaxed);
            req
        });
    let client = kube::client::ClientBuilder::try_from(config)
        .map_err(|e| BackendError::Engine(format!("kubernetes client: {e}")))?
        .with_layer(&layer)
        .build();
    Ok((client, calls))
}

/// Asks the server's version, three times over about a second (a server just started).
async fn retry_connect(
    client: &Client,
) -> Result<k8s_openapi::apimachinery::pkg::version::Info, kube::Error> {
    let mut last = None;
    for i in 0..3 {
        match client.apiserver_version().await {
            Ok(v) => return Ok(v),
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(200 * (i + 1))).await;
    }
    Err(last.unwrap_or(kube::Error::LinesCodecMaxLineLengthExceeded))
}

#[async_trait]
impl Backend for KubeBackend {
    async fn deploy(
        &self,
        lease: &LeaseId,
        group: &ManifestGroup,
    ) -> Result<Vec<Route>, BackendError> {
        let lock = self.lease_lock(&self.namespace(lease));
        let _guard = lock.lock().await;
        self.deploy_locked(lease, group).await
    }

    async fn status(&self, lease: &LeaseId) -> Result<LeaseStatus, BackendError> {
        self.lease_status(lease).await
    }

    async fn routes(&self, lease: &LeaseId) -> Result<Vec<Route>, BackendError> {
        match self.read_record(&self.namespace(lease)).await? {
            Some(_) => Ok(Vec::new()),
            None => Err(BackendError::LeaseNotFound(lease.to_string())),
        }
    }

    async fn logs(
        &self,
        lease: &LeaseId,
        opts: LogOptions,
    ) -> Result<BoxStream<'static, Result<LogLine, BackendError>>, BackendError> {
        self.log_stream(lease, opts).await
    }

    async fn events(
        &self,
        lease: &LeaseId,
        opts: LogOptions,
    ) -> Result<BoxStream<'static, Result<LeaseEvent, BackendError>>, BackendError> {
        self.event_stream(lease, opts).await
    }

    async fn exec(&self, lease: &LeaseId, req: ExecRequest) -> Result<ExecSession, BackendError> {
        self.start_exec(lease, req).await
    }

    async fn teardown(&self, lease: &LeaseId) -> Result<(), BackendError> {
        let ns = self.namespace(lease);
        let lock = self.lease_lock(&ns);
        let _guard = lock.lock().await;
        self.teardown_locked(lease).await?;
        self.locks.lock().remove(&ns);
        Ok(())
    }

    async fn list(&self) -> Result<Vec<(LeaseId, ManifestGroup)>, BackendError> {
        let mut out = Vec::new();
        for n in self.lease_namespaces().await? {
            let ns = n.metadata.name.unwrap_or_default();
            match self.read_record(&ns).await? {
                Some(r) if r.lease.provider.to_string() == self.settings.provider => {
                    out.push((r.lease, r.group));
                }
                Some(_) => {}
                None => {
                    tracing::warn!(namespace = %ns, "lease namespace without a readable record")
                }
            }
        }
        Ok(out)
    }

    async fn capacity(
        &self,
    ) -> Result<Option<crate::bidengine::inventory::Capacity>, BackendError> {
        Ok(Some(self.cluster_inventory().await?.capacity))
    }
}

/// Reads a kubeconfig path the way `provider.yaml` gives it (`~` expanded).
pub fn expand_home(path: &Path) -> PathBuf {
    match path.strip_prefix("~") {
        Ok(rest) => match std::env::var_os("HOME") {
            Some(h) => PathBuf::from(h).join(rest),
            None => path.to_path_buf(),
        },
        Err(_) => path.to_path_buf(),
    }
}
