//! The gateway over real TLS on 127.0.0.1, driven by the real `ProviderClient`: an
//! in-memory chain view (the real chain is covered end-to-end elsewhere), a lease manager
//! that records deploys, and a backend with scripted logs and commands.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine as _;
use dcloud_chain::deployment::{
    AuctionKind, Deployment, DeploymentState, Group, GroupSpec, GroupState, ResourceUnit,
};
use dcloud_client::tenant::gateway::{Auth, ProviderClient, ShellEvent, TenantError};
use dcloud_crypto::secp256k1::SigningKey;
use dcloud_provider::cluster::{
    Backend, BackendError, ExecInput, ExecOutput, ExecRequest, ExecSession, FailureReason,
    LeaseEvent, LeaseStatus, LogLine, LogOptions, Route, ServiceStatus, WorkloadFailure,
};
use dcloud_provider::daemon::gateway::certs::{self, GeneratedCert};
use dcloud_provider::daemon::gateway::jwt::{
    self, Access, Claims, DeploymentPermission, LeasePermission, Leases as TokenLeases, Scope,
};
use dcloud_provider::daemon::gateway::{
    self, ChainCertificate, ChainView, DeployFailure, GatewayConfig, GatewayState, LeaseManager,
};
use dcloud_provider::LeaseId;
use dcloud_sdl::output::ManifestGroup;
use dcloud_sdl::Manifest;
use dcloud_types::AccAddress;
use futures::stream::BoxStream;
use futures::StreamExt;
use parking_lot::Mutex;

// ------------------------------------------------------------------ test seams

#[derive(Default)]
struct MemChain {
    deployments: Mutex<BTreeMap<(AccAddress, u64), Deployment>>,
    leases: Mutex<Vec<LeaseId>>,
    certs: Mutex<BTreeMap<AccAddress, Vec<ChainCertificate>>>,
    pubkeys: Mutex<BTreeMap<AccAddress, Vec<u8>>>,
}

#[async_trait]
impl ChainView for MemChain {
    async fn deployment(
        &self,
        owner: &AccAddress,
        dseq: u64,
    ) -> Result<Option<Deployment>, String> {
        Ok(self.deployments.lock().get(&(owner.clone(), dseq)).cloned())
    }
    async fn active_leases(&self, owner: &AccAddress, dseq: u64) -> Result<Vec<LeaseId>, String> {
        Ok(self
            .leases
            .lock()
            .iter()
            .filter(|l| l.owner == *owner && l.dseq == dseq)
            .cloned()
            .collect())
    }
    async fn certificates(&self, owner: &AccAddress) -> Result<Vec<ChainCertificate>, String> {
        Ok(self.certs.lock().get(owner).cloned().unwrap_or_default())
    }
    async fn account_pubkey(&self, addr: &AccAddress) -> Result<Option<Vec<u8>>, String> {
        Ok(self.pubkeys.lock().get(addr).cloned())
    }
}

impl MemChain {
    fn publish(&self, owner: &AccAddress, cert: &GeneratedCert) {
        self.certs.lock().entry(owner.clone()).or_default().push(ChainCertificate {
            owner: owner.clone(),
            serial: cert.serial.clone(),
            cert_pem: cert.cert_pem.clone(),
            valid: true,
        });
    }
    fn revoke(&self, owner: &AccAddress, serial: &str) {
        for c in self.certs.lock().get_mut(owner).into_iter().flatten() {
            if c.serial == serial {
                c.valid = false;
            }
        }
    }
}

#[derive(Default)]
struct Leases {
    deployed: Mutex<BTreeMap<LeaseId, ManifestGroup>>,
    deploys: Mutex<Vec<LeaseId>>,
    failed: Mutex<BTreeMap<LeaseId, (ManifestGroup, WorkloadFailure)>>,
}

#[async_trait]
impl LeaseManager for Leases {
    async fn deploy(&self, lease: &LeaseId, group: &ManifestGroup) -> Result<(), DeployFailure> {
        self.deploys.lock().push(lease.clone());
        // Images under `missing/` stand for images no registry has.
        if let Some(svc) = group.services.iter().find(|s| s.image.starts_with("missing/")) {
            let e = BackendError::ImagePull {
                image: svc.image.clone(),
                message: "manifest unknown".into(),
            };
            let f = e.workload_failure(group).expect("a workload failure");
            self.failed.lock().insert(lease.clone(), (group.clone(), f.clone()));
            return Err(DeployFailure::Workload(f));
        }
        self.failed.lock().remove(lease);
        self.deployed.lock().insert(lease.clone(), group.clone());
        Ok(())
    }
    async fn failure(&self, lease: &LeaseId) -> Option<(ManifestGroup, WorkloadFailure)> {
        self.failed.lock().get(lease).cloned()
    }
    async fn manifest(&self, lease: &LeaseId) -> Option<ManifestGroup> {
        self.deployed.lock().get(lease).cloned()
    }
    async fn provider_status(&self) -> serde_json::Value {
        serde_json::json!({"cluster": {"leases": self.deployed.lock().len()}})
    }
}

struct TestBackend {
    leases: Arc<Leases>,
}

fn unused<T>() -> Result<T, BackendError> {
    Err(BackendError::Engine("not used by the gateway".into()))
}

fn rx_stream<T: Send + 'static>(rx: tokio::sync::mpsc::Receiver<T>) -> BoxStream<'static, T> {
    futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|x| (x, rx)) }).boxed()
}

#[async_trait]
impl Backend for TestBackend {
    async fn deploy(&self, _: &LeaseId, _: &ManifestGroup) -> Result<Vec<Route>, BackendError> {
        unused()
    }
    async fn status(&self, lease: &LeaseId) -> Result<LeaseStatus, BackendError> {
        let group = self
            .leases
            .manifest(lease)
            .await
            .ok_or_else(|| BackendError::LeaseNotFound(lease.to_string()))?;
        let services = group
            .services
            .iter()
            .map(|s| {
                let st = ServiceStatus {
                    name: s.name.clone(),
                    available: s.count,
                    total: s.count,
                    uris: vec![format!("{}.ingress.test", s.name)],
                    ..ServiceStatus::default()
                };
                (s.name.clone(), st)
            })
            .collect();
        Ok(LeaseStatus { services, ..LeaseStatus::default() })
    }
    async fn routes(&self, _: &LeaseId) -> Result<Vec<Route>, BackendError> {
        unused()
    }
    async fn logs(
        &self,
        lease: &LeaseId,
        opts: LogOptions,
    ) -> Result<BoxStream<'static, Result<LogLine, BackendError>>, BackendError> {
        let group = self
            .leases
            .manifest(lease)
            .await
            .ok_or_else(|| BackendError::LeaseNotFound(lease.to_string()))?;
        let mut lines = Vec::new();
        for s in &group.services {
            if !opts.services.is_empty() && !opts.services.contains(&s.name) {
                continue;
            }
            let mut mine: Vec<LogLine> = (1..=5)
                .map(|i| LogLine { name: format!("{}-0", s.name), message: format!("line {i}") })
                .collect();
            if let Some(t) = opts.tail {
                mine.drain(..mine.len().saturating_sub(t as usize));
            }
            lines.extend(mine);
        }
        if let Some(unknown) =
            opts.services.iter().find(|n| !group.services.iter().any(|s| &s.name == *n))
        {
            return Err(BackendError::ServiceNotFound(unknown.clone()));
        }
        Ok(futures::stream::iter(lines.into_iter().map(Ok)).boxed())
    }
    async fn events(
        &self,
        _: &LeaseId,
        _: LogOptions,
    ) -> Result<BoxStream<'static, Result<LeaseEvent, BackendError>>, BackendError> {
        let ev = LeaseEvent {
            kind: "Normal".into(),
            reporting_controller: "dcloud-provider".into(),
            reason: "Started".into(),
            note: "started web-0".into(),
            object: dcloud_provider::cluster::EventObject {
                kind: "Container".into(),
                name: "web-0".into(),
            },
        };
        Ok(futures::stream::iter(vec![Ok(ev)]).boxed())
    }
    async fn exec(&self, _: &LeaseId, req: ExecRequest) -> Result<ExecSession, BackendError> {
        let (in_tx, mut in_rx) = tokio::sync::mpsc::channel::<ExecInput>(16);
        let (out_tx, out_rx) = tokio::sync::mpsc::channel(16);
        let (code_tx, code_rx) = tokio::sync::oneshot::channel();
        match req.cmd.first().map(String::as_str) {
            Some("cat") => {
                tokio::spawn(async move {
                    while let Some(i) = in_rx.recv().await {
                        let out = match i {
                            ExecInput::Stdin(b) => ExecOutput::Stdout(b),
                            ExecInput::Resize { width, height } => ExecOutput::Stderr(
                                format!("resized {width}x{height}\n").into_bytes(),
                            ),
                            ExecInput::Eof => break,
                        };
                        let _ = out_tx.send(Ok(out)).await;
                    }
                    drop(out_tx);
                    let _ = code_tx.send(Ok(0));
                });
            }
            Some("fail") => {
                let code: i64 = req.cmd.get(1).and_then(|c| c.parse().ok()).unwrap_or(1);
                let argv = req.cmd.join(" ");
                tokio::spawn(async move {
                    let _ =
                        out_tx.send(Ok(ExecOutput::Stdout(format!("{argv}\n").into_bytes()))).await;
                    let _ = out_tx.send(Ok(ExecOutput::Stderr(b"boom\n".to_vec()))).await;
                    drop(out_tx);
                    let _ = code_tx.send(Ok(code));
                });
            }
            _ => return Err(BackendError::NoRunningReplica(req.service)),
        }
        Ok(ExecSession { output: rx_stream(out_rx), input: in_tx, exit_code: code_rx })
    }
    async fn teardown(&self, _: &LeaseId) -> Result<(), BackendError> {
        unused()
    }
    async fn list(&self) -> Result<Vec<(LeaseId, ManifestGroup)>, BackendError> {
        unused()
    }
}

// ------------------------------------------------------------------ fixtures

fn sdl(count: u32, cpu: &str, image: &str) -> dcloud_sdl::Sdl {
    dcloud_sdl::parse(&format!(
        r#"
version: "2.0"
services:
  web:
    image: {image}
    expose:
      - port: 80
        to: [ {{ global: true }} ]
profiles:
  compute:
    web: {{ resources: {{ cpu: {{ units: {cpu} }}, memory: {{ size: 512Mi }}, storage: {{ size: 1Gi }} }} }}
  placement:
    dc: {{ pricing: {{ web: {{ denom: uakt, amount: 1000 }} }} }}
deployment:
  web: {{ dc: {{ profile: web, count: {count} }} }}
"#
    ))
    .expect("valid SDL")
}

fn chain_groups(s: &dcloud_sdl::Sdl) -> Vec<Group> {
    s.groups()
        .iter()
        .enumerate()
        .map(|(i, g)| Group {
            gseq: i as u32 + 1,
            state: GroupState::Open,
            oseq: 1,
            spec: GroupSpec {
                name: g.name.clone(),
                signed_by: Default::default(),
                attributes: vec![],
                resources: g
                    .resources
                    .iter()
                    .map(|u| ResourceUnit {
                        cpu_millis: u.resource.cpu.units.0,
                        memory_bytes: u.resource.memory.quantity.0,
                        storage: u
                            .resource
                            .storage
                            .iter()
                            .map(|v| (v.name.clone(), v.quantity.0))
                            .collect(),
                        gpu_units: u.resource.gpu.units.0,
                        endpoints: u.resource.endpoints.len() as u32,
                        count: u.count,
                        price_atto: 1_000_000_000_000_000_000_000,
                        gpu_attributes: vec![],
                        storage_attributes: vec![],
                        ip_endpoints: 0,
                    })
                    .collect(),
                denom: "uakt".into(),
                max_price_atto: 1,
            },
        })
        .collect()
}

struct Tenant {
    key: SigningKey,
    addr: AccAddress,
    cert: GeneratedCert,
}

impl Tenant {
    /// An account with a public key and a published client certificate.
    fn new(chain: &MemChain) -> Self {
        let t = Self::unpublished(chain);
        chain.publish(&t.addr, &t.cert);
        t
    }
    /// An account with a public key on chain but no certificate published.
    fn unpublished(chain: &MemChain) -> Self {
        let key = SigningKey::random();
        let addr = key.public_key().address();
        chain.pubkeys.lock().insert(addr.clone(), key.public_key().to_bytes().to_vec());
        let cert = certs::generate_client_cert(&addr).unwrap();
        Self { key, addr, cert }
    }
    fn mtls(&self) -> Auth {
        Auth::Mtls { cert_pem: self.cert.cert_pem.clone(), key_pem: self.cert.key_pem.clone() }
    }
    fn jwt(&self) -> Auth {
        Auth::Jwt { key: self.key.clone() }
    }
}

struct Env {
    addr: SocketAddr,
    provider: AccAddress,
    server_cert: GeneratedCert,
    chain: Arc<MemChain>,
    leases: Arc<Leases>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Env {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Env {
    async fn start() -> Self {
        let provider = SigningKey::random().public_key().address();
        let chain = Arc::new(MemChain::default());
        let leases = Arc::new(Leases::default());
        let backend = Arc::new(TestBackend { leases: leases.clone() });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server_cert =
            certs::generate_server_cert(&provider, &format!("https://{addr}")).unwrap();
        chain.publish(&provider, &server_cert);
        let state = GatewayState::new(provider.clone(), chain.clone(), leases.clone(), backend);
        let config = GatewayConfig::new(server_cert.cert_pem.clone(), server_cert.key_pem.clone());
        let server = tokio::spawn(async move {
            gateway::serve(listener, config, state).await.expect("gateway serves");
        });
        Self { addr, provider, server_cert, chain, leases, server }
    }

    fn uri(&self) -> String {
        format!("https://{}", self.addr)
    }

    fn client(&self, auth: Auth) -> ProviderClient {
        ProviderClient::new(
            &self.uri(),
            self.provider.clone(),
            std::slice::from_ref(&self.server_cert.cert_pem),
            auth,
        )
        .unwrap()
    }

    /// Puts a deployment on chain for `owner` whose hash is `onchain`'s manifest and whose
    /// groups are `leased`'s, with an active lease of group 1 here (when `lease`).
    fn deploy_on_chain(
        &self,
        owner: &AccAddress,
        dseq: u64,
        onchain: &dcloud_sdl::Sdl,
        leased: &dcloud_sdl::Sdl,
        lease: bool,
    ) -> LeaseId {
        let d = Deployment {
            owner: owner.clone(),
            dseq,
            state: DeploymentState::Active,
            hash: hex::encode(onchain.manifest_hash()),
            created_at: 1,
            auction: AuctionKind::Lowest,
            bid_window: 10,
            denom: "uakt".into(),
            groups: chain_groups(leased),
            reclamation_min_window_s: None,
        };
        self.chain.deployments.lock().insert((owner.clone(), dseq), d);
        let id = LeaseId {
            owner: owner.clone(),
            dseq,
            gseq: 1,
            oseq: 1,
            provider: self.provider.clone(),
        };
        if lease {
            self.chain.leases.lock().push(id.clone());
        }
        id
    }

    fn deploys(&self) -> Vec<LeaseId> {
        self.leases.deploys.lock().clone()
    }
}

fn status_of<T: std::fmt::Debug>(r: Result<T, TenantError>) -> (u16, String) {
    match r {
        Err(TenantError::Status { status, message }) => (status, message),
        other => panic!("expected an HTTP error status, got {other:?}"),
    }
}

fn b64(v: impl AsRef<[u8]>) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v)
}

// ------------------------------------------------------------------ tests

#[tokio::test]
async fn manifest_accepted_deployed_and_readable() {
    let env = Env::start().await;
    let a = Tenant::new(&env.chain);
    let s = sdl(2, "0.5", "nginx:1.27");
    let lease = env.deploy_on_chain(&a.addr, 10, &s, &s, true);
    let c = env.client(a.mtls());

    // Before the manifest: the lease has nothing to report.
    let (code, msg) = status_of(c.lease_status(&lease).await);
    assert_eq!(code, 404, "{msg}");

    c.send_manifest(10, &s.manifest()).await.unwrap();
    assert_eq!(env.deploys(), vec![lease.clone()]);
    assert_eq!(c.get_manifest(&lease).await.unwrap(), s.manifest());

    let st = c.lease_status(&lease).await.unwrap();
    assert_eq!(st.services["web"].total, 2);
    let web = c.service_status(&lease, "web").await.unwrap();
    assert_eq!(web.uris, ["web.ingress.test"]);
    let (code, _) = status_of(c.service_status(&lease, "nope").await);
    assert_eq!(code, 404);

    // Sending it again (an update) deploys again.
    c.send_manifest(10, &s.manifest()).await.unwrap();
    assert_eq!(env.deploys().len(), 2);
}

#[tokio::test]
async fn a_workload_that_cannot_run_is_422_with_its_reason_and_status_shows_it() {
    let env = Env::start().await;
    let a = Tenant::new(&env.chain);
    let s = sdl(2, "0.5", "missing/nginx:0");
    let lease = env.deploy_on_chain(&a.addr, 10, &s, &s, true);
    let c = env.client(a.mtls());
    let e = c.send_manifest(10, &s.manifest()).await.unwrap_err();
    let TenantError::Workload(f) = &e else { panic!("expected a workload failure, got {e:?}") };
    assert_eq!(f.reason, FailureReason::ImageNotFound);
    assert_eq!(f.service.as_deref(), Some("web"));
    assert!(f.message.contains("missing/nginx:0"), "{f}");
    assert!(e.to_string().contains("check the image name"), "{e}");
    // The provider kept the manifest: the status says what failed, per service.
    let st = c.lease_status(&lease).await.unwrap();
    assert_eq!(st.services["web"].total, 2);
    assert_eq!(st.services["web"].available, 0);
    assert_eq!(st.failure.as_ref(), Some(f));
    assert!(st.errors[0].contains("image_not_found"), "{:?}", st.errors);
    assert_eq!(c.get_manifest(&lease).await.unwrap(), s.manifest());
    // A fixed manifest is not accepted for this deployment (its hash is on chain), but a
    // deployment whose image exists deploys and has no failure.
    let good = sdl(2, "0.5", "nginx:1.27");
    let lease2 = env.deploy_on_chain(&a.addr, 11, &good, &good, true);
    c.send_manifest(11, &good.manifest()).await.unwrap();
    assert_eq!(c.lease_status(&lease2).await.unwrap().failure, None);
}

#[tokio::test]
async fn unauthenticated_endpoints() {
    let env = Env::start().await;
    let a = Tenant::new(&env.chain);
    let c = env.client(a.jwt());
    assert_eq!(c.address().await.unwrap(), env.provider);
    let st = c.provider_status().await.unwrap();
    assert_eq!(st["address"], env.provider.to_string());
    assert_eq!(st["cluster"]["leases"], 0);
    let v = c.version().await.unwrap();
    assert_eq!(v["akash"]["name"], "dcloud-provider");
    // Without any credentials the public endpoints still answer; lease routes do not.
    let anon = Auth::Bearer { token: String::new() };
    assert!(matches!(
        ProviderClient::new(
            &env.uri(),
            env.provider.clone(),
            std::slice::from_ref(&env.server_cert.cert_pem),
            anon
        ),
        Err(TenantError::Config(_))
    ));
    let (code, body) = raw_request(&env, None, None, "GET", "/address").await;
    assert_eq!(code, 200, "{body}");
    let (code, body) = raw_request(&env, None, None, "GET", "/lease/1/1/1/status").await;
    assert_eq!(code, 401, "{body}");
}

#[tokio::test]
async fn manifest_hash_mismatch_is_422() {
    let env = Env::start().await;
    let a = Tenant::new(&env.chain);
    let onchain = sdl(2, "0.5", "nginx:1.27");
    let sent = sdl(2, "0.5", "nginx:1.28");
    env.deploy_on_chain(&a.addr, 10, &onchain, &onchain, true);
    let (code, msg) = status_of(env.client(a.mtls()).send_manifest(10, &sent.manifest()).await);
    assert_eq!(code, 422);
    assert!(msg.contains("manifest version validation failed"), "{msg}");
    assert!(env.deploys().is_empty());
}

#[tokio::test]
async fn manifest_asking_for_more_than_the_lease_is_422() {
    let env = Env::start().await;
    let a = Tenant::new(&env.chain);
    let c = env.client(a.mtls());
    let leased = sdl(2, "0.5", "nginx:1.27");

    // More replicas: the on-chain hash matches the manifest, the group does not.
    let more_replicas = sdl(3, "0.5", "nginx:1.27");
    env.deploy_on_chain(&a.addr, 10, &more_replicas, &leased, true);
    let (code, msg) = status_of(c.send_manifest(10, &more_replicas.manifest()).await);
    assert_eq!(code, 422);
    assert!(msg.contains("3 replicas") && msg.contains("over-utilized"), "{msg}");

    // More CPU.
    let more_cpu = sdl(2, "1", "nginx:1.27");
    env.deploy_on_chain(&a.addr, 11, &more_cpu, &leased, true);
    let (code, msg) = status_of(c.send_manifest(11, &more_cpu.manifest()).await);
    assert_eq!(code, 422);
    assert!(msg.contains("cpu 1000m differs from the leased 500m"), "{msg}");

    // Fewer replicas than leased is refused too (the lease would be under-used).
    let fewer = sdl(1, "0.5", "nginx:1.27");
    env.deploy_on_chain(&a.addr, 12, &fewer, &leased, true);
    let (code, msg) = status_of(c.send_manifest(12, &fewer.manifest()).await);
    assert_eq!(code, 422);
    assert!(msg.contains("under-utilized"), "{msg}");
    assert!(env.deploys().is_empty());
}

#[tokio::test]
async fn invalid_manifests_are_422() {
    let env = Env::start().await;
    let a = Tenant::new(&env.chain);
    let s = sdl(1, "0.5", "nginx:1.27");
    env.deploy_on_chain(&a.addr, 10, &s, &s, true);
    let c = env.client(a.mtls());
    // Not JSON of manifest groups.
    let (code, _) = raw_request(&env, Some(&a), None, "PUT", "/deployment/10/manifest").await;
    assert_eq!(code, 422);
    // No global expose.
    let mut m = s.manifest();
    m.0[0].services[0].expose[0].global = false;
    let (code, msg) = status_of(c.send_manifest(10, &m).await);
    assert_eq!(code, 422);
    assert!(msg.contains("zero global services"), "{msg}");
    // Empty.
    let (code, _) = status_of(c.send_manifest(10, &Manifest(vec![])).await);
    assert_eq!(code, 422);
}

#[tokio::test]
async fn no_lease_is_404() {
    let env = Env::start().await;
    let a = Tenant::new(&env.chain);
    let s = sdl(1, "0.5", "nginx:1.27");
    env.deploy_on_chain(&a.addr, 10, &s, &s, false);
    let c = env.client(a.mtls());
    let (code, msg) = status_of(c.send_manifest(10, &s.manifest()).await);
    assert_eq!(code, 404);
    assert!(msg.contains("no lease for deployment 10"), "{msg}");
    // No deployment at all.
    let (code, _) = status_of(c.send_manifest(99, &s.manifest()).await);
    assert_eq!(code, 404);
    assert!(env.deploys().is_empty());
}

#[tokio::test]
async fn another_account_cannot_touch_the_lease() {
    let env = Env::start().await;
    let a = Tenant::new(&env.chain);
    let b = Tenant::new(&env.chain);
    let s = sdl(1, "0.5", "nginx:1.27");
    let lease = env.deploy_on_chain(&a.addr, 10, &s, &s, true);
    env.client(a.mtls()).send_manifest(10, &s.manifest()).await.unwrap();

    for auth in [b.mtls(), b.jwt()] {
        let cb = env.client(auth);
        let (code, msg) = status_of(cb.send_manifest_for(&a.addr, 10, &s.manifest()).await);
        assert_eq!(code, 403, "{msg}");
        assert!(msg.contains("only the owner"), "{msg}");
        assert_eq!(status_of(cb.lease_status(&lease).await).0, 403);
        assert_eq!(status_of(cb.get_manifest(&lease).await).0, 403);
        assert_eq!(status_of(cb.service_status(&lease, "web").await).0, 403);
        assert_eq!(status_of(cb.logs(&lease, &LogOptions::default()).await.map(|_| ())).0, 403);
        assert_eq!(status_of(cb.events(&lease, &LogOptions::default()).await.map(|_| ())).0, 403);
        let sh = cb.shell(&lease, "web", 0, &["cat".to_string()], false, true).await;
        assert_eq!(status_of(sh.map(|_| ())).0, 403);
        // As itself, B has no such deployment and no such lease.
        assert_eq!(status_of(cb.send_manifest(10, &s.manifest()).await).0, 404);
        let own = LeaseId { owner: b.addr.clone(), ..lease.clone() };
        assert_eq!(status_of(cb.lease_status(&own).await).0, 404);
    }
    assert_eq!(env.deploys().len(), 1);
}

#[tokio::test]
async fn certificates_must_be_published_valid_and_the_holders() {
    let env = Env::start().await;
    let a = Tenant::new(&env.chain);
    let s = sdl(1, "0.5", "nginx:1.27");
    let lease = env.deploy_on_chain(&a.addr, 10, &s, &s, true);

    // Not published.
    let c = Tenant::unpublished(&env.chain);
    let (code, msg) = status_of(
        env.client(c.mtls())
            .lease_status(&LeaseId { owner: c.addr.clone(), ..lease.clone() })
            .await,
    );
    assert_eq!(code, 401);
    assert!(msg.contains("not published on chain"), "{msg}");

    // A certificate naming A (CN = A's address) made by someone else: A never published it.
    let forged = certs::generate_client_cert(&a.addr).unwrap();
    let auth = Auth::Mtls { cert_pem: forged.cert_pem.clone(), key_pem: forged.key_pem.clone() };
    let (code, msg) = status_of(env.client(auth).send_manifest(10, &s.manifest()).await);
    assert_eq!(code, 401);
    assert!(msg.contains("not published on chain"), "{msg}");
    // B publishes a cert whose CN is A's address under its own account: still not A's.
    let b = Tenant::new(&env.chain);
    env.chain.publish(&b.addr, &forged);
    let auth = Auth::Mtls { cert_pem: forged.cert_pem.clone(), key_pem: forged.key_pem.clone() };
    let (code, _) = status_of(env.client(auth).send_manifest(10, &s.manifest()).await);
    assert_eq!(code, 401);

    // Revoked.
    env.client(a.mtls()).send_manifest(10, &s.manifest()).await.unwrap();
    env.chain.revoke(&a.addr, &a.cert.serial);
    let (code, msg) = status_of(env.client(a.mtls()).lease_status(&lease).await);
    assert_eq!(code, 401);
    assert!(msg.contains("revoked"), "{msg}");
    // A fresh published certificate works again.
    let fresh = certs::generate_client_cert(&a.addr).unwrap();
    env.chain.publish(&a.addr, &fresh);
    let auth = Auth::Mtls { cert_pem: fresh.cert_pem, key_pem: fresh.key_pem };
    assert_eq!(env.client(auth).lease_status(&lease).await.unwrap().services.len(), 1);
    assert_eq!(env.deploys().len(), 1);
}

fn token(header: &str, claims: &Claims, key: &SigningKey) -> String {
    let input = format!("{}.{}", b64(header), b64(serde_json::to_vec(claims).unwrap()));
    let sig = key.sign(input.as_bytes());
    format!("{input}.{}", b64(sig))
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

#[tokio::test]
async fn jwt_authentication() {
    let env = Env::start().await;
    let a = Tenant::new(&env.chain);
    let s = sdl(1, "0.5", "nginx:1.27");
    let lease = env.deploy_on_chain(&a.addr, 10, &s, &s, true);

    // A valid token (made by the client) works for the manifest and reads.
    let c = env.client(a.jwt());
    c.send_manifest(10, &s.manifest()).await.unwrap();
    assert_eq!(c.lease_status(&lease).await.unwrap().services["web"].total, 1);

    let es256k = r#"{"alg":"ES256K","typ":"JWT"}"#;
    let bearer = |t: String| env.client(Auth::Bearer { token: t });
    let expect_401 = |r: Result<dcloud_provider::cluster::LeaseStatus, TenantError>, what: &str| {
        let (code, msg) = status_of(r);
        assert_eq!(code, 401, "{what}: {msg}");
        msg
    };

    // The same kind of token built by hand is accepted (the test's encoder is right).
    let good = token(es256k, &Claims::full_access(&a.addr, now(), 60), &a.key);
    bearer(good).lease_status(&lease).await.unwrap();

    // Expired.
    let expired = token(es256k, &Claims::full_access(&a.addr, now() - 7200, 60), &a.key);
    let msg = expect_401(bearer(expired).lease_status(&lease).await, "expired");
    assert!(msg.contains("expired"), "{msg}");
    // Not valid yet.
    let mut later = Claims::full_access(&a.addr, now(), 60);
    later.nbf = Some(now() + 3600);
    later.exp = now() + 7200;
    expect_401(bearer(token(es256k, &later, &a.key)).lease_status(&lease).await, "nbf");
    // Signed by another key.
    let other = SigningKey::random();
    let msg = expect_401(
        bearer(token(es256k, &Claims::full_access(&a.addr, now(), 60), &other))
            .lease_status(&lease)
            .await,
        "wrong key",
    );
    assert!(msg.contains("signature"), "{msg}");
    // alg none (no signature) and HS256.
    let claims = Claims::full_access(&a.addr, now(), 60);
    let none = format!(
        "{}.{}.",
        b64(r#"{"alg":"none","typ":"JWT"}"#),
        b64(serde_json::to_vec(&claims).unwrap())
    );
    let msg = expect_401(bearer(none).lease_status(&lease).await, "none");
    assert!(msg.contains("\"none\""), "{msg}");
    let hs = token(r#"{"alg":"HS256","typ":"JWT"}"#, &claims, &a.key);
    expect_401(bearer(hs).lease_status(&lease).await, "HS256");
    // An issuer the chain does not know.
    let stranger = SigningKey::random();
    let t =
        token(es256k, &Claims::full_access(&stranger.public_key().address(), now(), 60), &stranger);
    let msg = expect_401(bearer(t).lease_status(&lease).await, "unknown issuer");
    assert!(msg.contains("no public key"), "{msg}");

    // Scoped to status: status works, the shell and the manifest do not.
    let mut scoped = Claims::full_access(&a.addr, now(), 60);
    scoped.leases =
        TokenLeases { access: Access::Scoped, scope: vec![Scope::Status], permissions: vec![] };
    let sc = bearer(jwt::encode(&scoped, &a.key).unwrap());
    sc.lease_status(&lease).await.unwrap();
    let (code, _) = status_of(sc.send_manifest(10, &s.manifest()).await);
    assert_eq!(code, 403);
    let sh = sc.shell(&lease, "web", 0, &["cat".to_string()], false, true).await;
    assert_eq!(status_of(sh.map(|_| ())).0, 403);
    // Granular for another provider only: nothing here.
    let mut granular = Claims::full_access(&a.addr, now(), 60);
    granular.leases = TokenLeases {
        access: Access::Granular,
        scope: vec![],
        permissions: vec![LeasePermission {
            provider: other.public_key().address().to_string(),
            access: Access::Full,
            scope: vec![],
            deployments: vec![],
        }],
    };
    let (code, msg) =
        status_of(bearer(jwt::encode(&granular, &a.key).unwrap()).lease_status(&lease).await);
    assert_eq!(code, 403, "{msg}");
    // Granular logs for deployment 10 here.
    granular.leases.permissions.push(LeasePermission {
        provider: env.provider.to_string(),
        access: Access::Granular,
        scope: vec![],
        deployments: vec![DeploymentPermission {
            dseq: 10,
            gseq: 0,
            oseq: 0,
            scope: vec![Scope::Logs],
            services: vec![],
        }],
    });
    let g = bearer(jwt::encode(&granular, &a.key).unwrap());
    let lines: Vec<_> = g.logs(&lease, &LogOptions::default()).await.unwrap().collect().await;
    assert_eq!(lines.len(), 5);
    assert_eq!(status_of(g.lease_status(&lease).await).0, 403);
    assert_eq!(env.deploys().len(), 1);
}

#[tokio::test]
async fn certificate_and_token_together_is_400() {
    let env = Env::start().await;
    let a = Tenant::new(&env.chain);
    let s = sdl(1, "0.5", "nginx:1.27");
    env.deploy_on_chain(&a.addr, 10, &s, &s, true);
    let t = jwt::encode(&Claims::full_access(&a.addr, now(), 60), &a.key).unwrap();
    let (code, body) = raw_request(&env, Some(&a), Some(&t), "GET", "/lease/10/1/1/status").await;
    assert_eq!(code, 400, "{body}");
    assert!(body.contains("ambiguous"), "{body}");
    // Each alone is fine (404: no manifest yet).
    assert_eq!(raw_request(&env, Some(&a), None, "GET", "/lease/10/1/1/status").await.0, 404);
    assert_eq!(raw_request(&env, None, Some(&t), "GET", "/lease/10/1/1/status").await.0, 404);
}

#[tokio::test]
async fn logs_and_events_stream_over_websockets() {
    let env = Env::start().await;
    let a = Tenant::new(&env.chain);
    let s = sdl(1, "0.5", "nginx:1.27");
    let lease = env.deploy_on_chain(&a.addr, 10, &s, &s, true);
    let c = env.client(a.mtls());

    // No manifest yet: 404 before the upgrade.
    let (code, _) = status_of(c.logs(&lease, &LogOptions::default()).await.map(|_| ()));
    assert_eq!(code, 404);

    c.send_manifest(10, &s.manifest()).await.unwrap();
    let lines: Vec<LogLine> =
        c.logs(&lease, &LogOptions::default()).await.unwrap().map(|l| l.unwrap()).collect().await;
    let expect: Vec<LogLine> =
        (1..=5).map(|i| LogLine { name: "web-0".into(), message: format!("line {i}") }).collect();
    assert_eq!(lines, expect);

    let opts = LogOptions { services: vec!["web".into()], follow: false, tail: Some(2) };
    let lines: Vec<_> =
        c.logs(&lease, &opts).await.unwrap().map(|l| l.unwrap().message).collect().await;
    assert_eq!(lines, ["line 4", "line 5"]);

    // An unknown service: the stream closes with 4002.
    let opts = LogOptions { services: vec!["db".into()], ..LogOptions::default() };
    let items: Vec<_> = c.logs(&lease, &opts).await.unwrap().collect().await;
    assert_eq!(items.len(), 1);
    assert!(matches!(&items[0], Err(TenantError::Closed { code: 4002, .. })), "{items:?}");

    let events: Vec<_> = c.events(&lease, &LogOptions::default()).await.unwrap().collect().await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].as_ref().unwrap().reason, "Started");
}

#[tokio::test]
async fn shell_round_trip() {
    let env = Env::start().await;
    let a = Tenant::new(&env.chain);
    let s = sdl(1, "0.5", "nginx:1.27");
    let lease = env.deploy_on_chain(&a.addr, 10, &s, &s, true);
    let c = env.client(a.jwt());
    c.send_manifest(10, &s.manifest()).await.unwrap();

    // stdin echoed back, a resize seen, EOF ends the command with 0.
    let mut sh = c.shell(&lease, "web", 0, &["cat".to_string()], true, true).await.unwrap();
    sh.send_stdin(b"hello\n").await.unwrap();
    assert_eq!(sh.next_event().await.unwrap(), Some(ShellEvent::Stdout(b"hello\n".to_vec())));
    sh.resize(80, 24).await.unwrap();
    assert_eq!(
        sh.next_event().await.unwrap(),
        Some(ShellEvent::Stderr(b"resized 80x24\n".to_vec()))
    );
    sh.send_stdin(b"bye").await.unwrap();
    sh.close_stdin().await.unwrap();
    let out = sh.wait().await.unwrap();
    assert_eq!(out.stdout, b"bye");
    assert_eq!(out.exit_code, 0);

    // Arguments (with spaces and symbols) arrive intact; a non-zero exit code comes back.
    let cmd: Vec<String> = ["fail", "3", "a b&c=d"].iter().map(|s| s.to_string()).collect();
    let out = c.shell(&lease, "web", 0, &cmd, false, false).await.unwrap().wait().await.unwrap();
    assert_eq!(out.stdout, b"fail 3 a b&c=d\n");
    assert_eq!(out.stderr, b"boom\n");
    assert_eq!(out.exit_code, 3);

    // The backend refuses: a failure frame.
    let sh = c.shell(&lease, "web", 0, &["nothing".to_string()], false, false).await.unwrap();
    match sh.wait().await {
        Err(TenantError::ShellFailed(m)) => assert!(m.contains("no running replica"), "{m}"),
        other => panic!("expected a shell failure, got {other:?}"),
    }
    // A service the lease does not have: 404 before the upgrade.
    let r = c.shell(&lease, "db", 0, &["cat".to_string()], false, false).await;
    assert_eq!(status_of(r.map(|_| ())).0, 404);
}

#[tokio::test]
async fn client_refuses_a_server_that_is_not_the_providers() {
    let env = Env::start().await;
    let a = Tenant::new(&env.chain);
    // The provider's address, but a certificate it did not publish (an impostor's).
    let impostor = certs::generate_server_cert(&env.provider, &env.uri()).unwrap();
    let c = ProviderClient::new(&env.uri(), env.provider.clone(), &[impostor.cert_pem], a.mtls())
        .unwrap();
    match c.provider_status().await {
        Err(TenantError::Tls(m)) => assert!(m.contains("not one of"), "{m}"),
        other => panic!("expected a TLS refusal, got {other:?}"),
    }
    let lease = LeaseId {
        owner: a.addr.clone(),
        dseq: 1,
        gseq: 1,
        oseq: 1,
        provider: env.provider.clone(),
    };
    match c.logs(&lease, &LogOptions::default()).await {
        Err(TenantError::Tls(m)) => assert!(m.contains("not one of"), "{m}"),
        Err(other) => panic!("expected a TLS refusal, got {other:?}"),
        Ok(_) => panic!("expected a TLS refusal, got a stream"),
    }
    // With the real pin the same client works.
    assert_eq!(env.client(a.mtls()).address().await.unwrap(), env.provider);
}

// ------------------------------------------------------------------ raw requests

/// A TLS client for the raw requests: trusts exactly the provider's certificate.
#[derive(Debug)]
struct TrustExactly(Vec<u8>, Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for TrustExactly {
    fn verify_server_cert(
        &self,
        end_entity: &rustls::pki_types::CertificateDer<'_>,
        _: &[rustls::pki_types::CertificateDer<'_>],
        _: &rustls::pki_types::ServerName<'_>,
        _: &[u8],
        _: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.0.as_slice() {
            Ok(rustls::client::danger::ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General("unexpected server certificate".into()))
        }
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &rustls::pki_types::CertificateDer<'_>,
        d: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(m, c, d, &self.1.signature_verification_algorithms)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &rustls::pki_types::CertificateDer<'_>,
        d: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(m, c, d, &self.1.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.1.signature_verification_algorithms.supported_schemes()
    }
}

/// One HTTP/1.1 request with any combination of client certificate and bearer token;
/// (status, body). A PUT sends a body that is not a manifest.
async fn raw_request(
    env: &Env,
    cert: Option<&Tenant>,
    bearer: Option<&str>,
    method: &str,
    path: &str,
) -> (u16, String) {
    raw_request_with(env, cert, bearer, method, path, rustls::ALL_VERSIONS).await
}

async fn raw_request_with(
    env: &Env,
    cert: Option<&Tenant>,
    bearer: Option<&str>,
    method: &str,
    path: &str,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> (u16, String) {
    use http_body_util::BodyExt;
    let cp = Arc::new(rustls::crypto::ring::default_provider());
    let pin = certs::cert_pem_to_der(&env.server_cert.cert_pem).unwrap();
    let builder = rustls::ClientConfig::builder_with_provider(cp.clone())
        .with_protocol_versions(versions)
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(TrustExactly(pin, cp)));
    let cfg = match cert {
        Some(t) => {
            let chain = vec![rustls::pki_types::CertificateDer::from(
                certs::cert_pem_to_der(&t.cert.cert_pem).unwrap(),
            )];
            let key = rustls_pemfile::private_key(&mut t.cert.key_pem.as_bytes()).unwrap().unwrap();
            builder.with_client_auth_cert(chain, key).unwrap()
        }
        None => builder.with_no_client_auth(),
    };
    let tcp = tokio::net::TcpStream::connect(env.addr).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let tls = tokio_rustls::TlsConnector::from(Arc::new(cfg)).connect(name, tcp).await.unwrap();
    let (mut send, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls)).await.unwrap();
    tokio::spawn(conn);
    let mut req =
        hyper::Request::builder().method(method).uri(path).header("host", env.addr.to_string());
    if let Some(t) = bearer {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let body = if method == "PUT" { "{\"not\": \"a manifest\"}" } else { "" };
    let resp = send
        .send_request(req.body(http_body_util::Full::new(hyper::body::Bytes::from(body))).unwrap())
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).to_string())
}

#[tokio::test]
async fn tls12_clients_with_certificates_are_served() {
    let env = Env::start().await;
    let a = Tenant::new(&env.chain);
    let s = sdl(1, "0.5", "nginx:1.27");
    env.deploy_on_chain(&a.addr, 10, &s, &s, true);
    let tls12 = &[&rustls::version::TLS12];
    // Authenticated by its certificate over TLS 1.2 (404: no manifest yet, not 401).
    let (code, body) =
        raw_request_with(&env, Some(&a), None, "GET", "/lease/10/1/1/status", tls12).await;
    assert_eq!(code, 404, "{body}");
    let b = Tenant::unpublished(&env.chain);
    let (code, _) =
        raw_request_with(&env, Some(&b), None, "GET", "/lease/10/1/1/status", tls12).await;
    assert_eq!(code, 401);
}

#[tokio::test]
async fn oversized_manifest_is_413() {
    let env = Env::start().await;
    let a = Tenant::new(&env.chain);
    let s = sdl(1, "0.5", "nginx:1.27");
    env.deploy_on_chain(&a.addr, 10, &s, &s, true);
    let mut m = s.manifest();
    m.0[0].services[0].env = Some(vec![format!("BIG={}", "x".repeat(2 * 1024 * 1024))]);
    let (code, _) = status_of(env.client(a.mtls()).send_manifest(10, &m).await);
    assert_eq!(code, 413);
}
