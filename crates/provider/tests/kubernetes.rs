//! The Kubernetes backend against a real API server: etcd + kube-apiserver v1.20.2 +
//! kube-controller-manager, started once per test binary by `scripts/k8s-test-cluster.sh`
//! (binaries from `scripts/k8s-binaries.sh`'s cache). There is no kubelet: the tests create
//! Nodes and play the kubelet's part through the Pod status subresource.
//!
//! Without the binaries the cluster tests are skipped with a loud message, unless
//! `DCLOUD_K8S_REQUIRED=1` (CI sets it after building them), where they fail.
//! The golden files of the objects per conformance SDL live in `tests/golden/k8s/`;
//! `DCLOUD_RECORD_GOLDEN=1` rewrites them (review the diff).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use dcloud_provider::bidengine::inventory::Inventory;
use dcloud_provider::cluster::kubernetes::inventory::parse_quantity;
use dcloud_provider::cluster::kubernetes::objects::{self, LABEL_PROVIDER, LABEL_SERVICE};
use dcloud_provider::cluster::kubernetes::{KubeBackend, KubeSettings, KubeTarget};
use dcloud_provider::cluster::{Backend, BackendError, BackendSettings, ExecRequest, LogOptions};
use dcloud_provider::LeaseId;
use dcloud_sdl::output::ManifestGroup;
use futures::StreamExt;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{Namespace, Node, Pod, Secret, Service};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::api::storage::v1::StorageClass;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};

// ---------------------------------------------------------------------------------------
// The cluster

struct Cluster {
    kubeconfig: PathBuf,
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn bin_dir() -> PathBuf {
    if let Some(b) = std::env::var_os("DCLOUD_K8S_BIN") {
        return PathBuf::from(b);
    }
    let cache = std::env::var_os("DCLOUD_K8S_CACHE").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/dcloud-k8s")
    });
    cache.join("bin")
}

fn start_cluster() -> Option<Cluster> {
    let bin = bin_dir();
    let have_etcd = std::process::Command::new("sh")
        .args(["-c", "command -v etcd"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !bin.join("kube-apiserver").is_file() || !have_etcd {
        let msg = format!(
            "\n\n!!!!! KUBERNETES TESTS SKIPPED: no kube-apiserver in {} or no etcd on PATH.\n\
             !!!!! Run scripts/k8s-binaries.sh (builds kube-apiserver v1.20.2 from Debian's \
             source package, ~7.5 min) to run them.\n\n",
            bin.display()
        );
        if std::env::var("DCLOUD_K8S_REQUIRED").as_deref() == Ok("1") {
            panic!("DCLOUD_K8S_REQUIRED=1 but the cluster cannot be had: {msg}");
        }
        eprintln!("{msg}");
        return None;
    }
    // Kept for the life of the test process; the script removes etcd's data on exit.
    let dir = tempfile::Builder::new().prefix("dcloud-k8s-").tempdir().expect("tempdir").keep();
    let log = std::fs::File::create(dir.join("cluster.log")).expect("log");
    let child = std::process::Command::new("bash")
        .arg(repo_root().join("scripts/k8s-test-cluster.sh"))
        .arg(&dir)
        .arg(std::process::id().to_string())
        .env("DCLOUD_K8S_BIN", &bin)
        .env("K8S_ETCD_PORT", free_port().to_string())
        .env("K8S_ETCD_PEER_PORT", free_port().to_string())
        .env("K8S_APISERVER_PORT", free_port().to_string())
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .expect("starting scripts/k8s-test-cluster.sh");
    std::mem::forget(child); // the script watches our pid and stops the cluster after us
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        if dir.join("ready").exists() {
            break;
        }
        if let Ok(why) = std::fs::read_to_string(dir.join("failed")) {
            panic!("test cluster failed to start: {why} (logs in {})", dir.display());
        }
        assert!(Instant::now() < deadline, "test cluster not ready in 180 s ({})", dir.display());
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(Cluster { kubeconfig: dir.join("kubeconfig") })
}

fn cluster() -> Option<&'static Cluster> {
    static C: OnceLock<Option<Cluster>> = OnceLock::new();
    C.get_or_init(start_cluster).as_ref()
}

fn address(b: u8) -> dcloud_types::AccAddress {
    dcloud_types::AccAddress::from_bytes(&[b; 20]).expect("address")
}

/// A lease of provider `p` (each test its own provider, so `list` sees only its leases).
fn lease(p: u8, dseq: u64) -> LeaseId {
    LeaseId { owner: address(1), dseq, gseq: 1, oseq: 1, provider: address(p) }
}

fn settings(p: u8) -> BackendSettings {
    BackendSettings::new("ingress.test", "provider.test", address(p).to_string())
}

fn kube_settings() -> KubeSettings {
    KubeSettings {
        ingress_class: Some("nginx".into()),
        storage_classes: BTreeMap::from([("beta2".into(), "fast-ssd".into())]),
        teardown_timeout: Duration::from_secs(90),
        ..KubeSettings::default()
    }
}

async fn backend(c: &Cluster, p: u8) -> KubeBackend {
    let target = KubeTarget { kubeconfig: Some(c.kubeconfig.clone()), context: None };
    KubeBackend::connect(settings(p), kube_settings(), &target).await.expect("connect")
}

fn group(yaml: &str) -> ManifestGroup {
    dcloud_sdl::parse(yaml).expect("sdl").manifest().0.remove(0)
}

const TWO_SERVICES: &str = r#"
version: "2.0"
services:
  web:
    image: nginx:1.25
    env: ["MODE=a"]
    expose:
      - port: 8080
        as: 80
        accept: [www.example.com]
        to: [ { global: true } ]
      - port: 22
        to: [ { global: true } ]
  cache:
    image: redis:7
    expose:
      - port: 6379
        to: [ { service: web } ]
profiles:
  compute:
    web: { resources: { cpu: { units: 0.5 }, memory: { size: 64Mi }, storage: { size: 1Gi } } }
    cache: { resources: { cpu: { units: 0.25 }, memory: { size: 32Mi }, storage: { size: 512Mi } } }
  placement:
    dc: { pricing: { web: { denom: uakt, amount: 1000 }, cache: { denom: uakt, amount: 1000 } } }
deployment:
  web: { dc: { profile: web, count: 2 } }
  cache: { dc: { profile: cache, count: 1 } }
"#;

async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

// ---------------------------------------------------------------------------------------
// Golden files (no cluster needed)

fn testdata() -> PathBuf {
    let dir = match std::env::var_os("DCLOUD_TESTDATA") {
        Some(p) => {
            let p = PathBuf::from(p);
            if p.join("sdl").is_dir() {
                p.join("sdl")
            } else {
                p
            }
        }
        None => repo_root().join("../shared/testdata/sdl"),
    };
    assert!(dir.join("conformance").is_dir(), "SDL fixtures not found at {}", dir.display());
    dir
}

/// Every valid conformance SDL (`conformance/input/v2.x/<name>/input.yaml`) by golden name.
fn conformance_sdls() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for v in ["v2.0", "v2.1"] {
        let dir = testdata().join("conformance/input").join(v);
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .expect("conformance dir")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        names.sort();
        for n in names {
            let yaml = std::fs::read_to_string(dir.join(&n).join("input.yaml")).expect("input");
            out.push((format!("{v}-{n}"), yaml));
        }
    }
    out
}

#[test]
fn conformance_sdls_become_the_golden_objects() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/k8s");
    let record = std::env::var("DCLOUD_RECORD_GOLDEN").as_deref() == Ok("1");
    let sdls = conformance_sdls();
    assert!(sdls.len() >= 15, "expected the conformance SDLs, found {}", sdls.len());
    let mut failures = Vec::new();
    for (name, yaml) in &sdls {
        let manifest = dcloud_sdl::parse(yaml).unwrap_or_else(|e| panic!("{name}: {e}")).manifest();
        let mut text = String::new();
        for (i, g) in manifest.0.iter().enumerate() {
            let l = lease(9, 100 + i as u64);
            let objs = objects::lease_objects(&l, g, 1, &settings(9), &kube_settings())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            text.push_str(&format!("# group {}\n", g.name));
            text.push_str(&objs.to_yaml());
        }
        let path = dir.join(format!("{name}.yaml"));
        if record {
            std::fs::create_dir_all(&dir).expect("golden dir");
            std::fs::write(&path, &text).expect("write golden");
        } else {
            match std::fs::read_to_string(&path) {
                Ok(want) if want == text => {}
                Ok(_) => failures.push(format!("{name}: differs from {}", path.display())),
                Err(_) => failures.push(format!("{name}: no golden file {}", path.display())),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "golden files out of date (DCLOUD_RECORD_GOLDEN=1 rewrites them; review the diff):\n{}",
        failures.join("\n")
    );
}

#[test]
fn objects_of_a_lease_carry_its_resources_and_hardening() {
    let l = lease(9, 7);
    let g = group(TWO_SERVICES);
    let objs = objects::lease_objects(&l, &g, 1, &settings(9), &kube_settings()).expect("objects");
    let ns = objs.namespace.metadata.labels.clone().expect("labels");
    assert_eq!(ns[objects::LABEL_DSEQ], "7");
    assert_eq!(ns[objects::LABEL_OWNER], address(1).to_string());
    assert_eq!(ns[LABEL_PROVIDER], address(9).to_string());
    let web = objs.deployments.iter().find(|d| d.metadata.name.as_deref() == Some("web")).unwrap();
    let spec = web.spec.clone().unwrap();
    assert_eq!(spec.replicas, Some(2));
    let pod = spec.template.spec.unwrap();
    let c = &pod.containers[0];
    let limits = c.resources.clone().unwrap().limits.unwrap();
    assert_eq!(limits["cpu"].0, "500m");
    let cache =
        objs.deployments.iter().find(|d| d.metadata.name.as_deref() == Some("cache")).unwrap();
    let cache_pod = cache.spec.clone().unwrap().template.spec.unwrap();
    assert_eq!(cache_pod.containers[0].resources.clone().unwrap().limits.unwrap()["cpu"].0, "250m");
    assert_eq!(limits["memory"].0, (64u64 << 20).to_string());
    assert_eq!(limits["ephemeral-storage"].0, (1u64 << 30).to_string());
    assert_eq!(c.resources.clone().unwrap().requests.unwrap(), limits);
    let sc = c.security_context.clone().unwrap();
    assert_eq!(sc.allow_privilege_escalation, Some(false));
    assert_eq!(sc.privileged, Some(false));
    assert_eq!(pod.automount_service_account_token, Some(false));
    let env: BTreeMap<_, _> =
        c.env.clone().unwrap().into_iter().map(|e| (e.name, e.value.unwrap_or_default())).collect();
    assert_eq!(env["MODE"], "a");
    assert_eq!(env["AKASH_DEPLOYMENT_SEQUENCE"], "7");
    // Two hostnames (generated + accept), one Ingress each; NodePort for port 22 only.
    let hosts: Vec<_> = objs.ingresses.iter().filter_map(|i| i.metadata.name.clone()).collect();
    assert_eq!(hosts.len(), 2);
    assert!(hosts.contains(&"www.example.com".to_string()));
    let np = objs.services.iter().find(|s| s.metadata.name.as_deref() == Some("web-np")).unwrap();
    let ports = np.spec.clone().unwrap().ports.unwrap();
    assert_eq!(ports.len(), 1);
    assert_eq!(ports[0].port, 22);
    assert!(objs.services.iter().all(|s| s.metadata.name.as_deref() != Some("cache-np")));
}

// ---------------------------------------------------------------------------------------
// Against the API server

#[tokio::test]
async fn a_kubeconfig_pointing_nowhere_is_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    std::fs::write(
        &kc,
        "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: \"https://127.0.0.1:1\", insecure-skip-tls-verify: true}}]\n\
         users: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n",
    )
    .unwrap();
    let target = KubeTarget { kubeconfig: Some(kc.clone()), context: None };
    let err =
        KubeBackend::connect(settings(3), KubeSettings::default(), &target).await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("https://127.0.0.1:1") && text.contains("did not answer"), "{text}");
    assert!(text.contains(&kc.display().to_string()), "{text}");

    let missing = KubeTarget { kubeconfig: Some(dir.path().join("nope")), context: None };
    let err =
        KubeBackend::connect(settings(3), KubeSettings::default(), &missing).await.unwrap_err();
    assert!(err.to_string().contains("cannot read kubeconfig"), "{err}");

    let bad_ctx = KubeTarget { kubeconfig: Some(kc), context: Some("other".into()) };
    let err =
        KubeBackend::connect(settings(3), KubeSettings::default(), &bad_ctx).await.unwrap_err();
    assert!(err.to_string().contains("\"other\""), "{err}");
}

#[tokio::test]
async fn conformance_sdls_apply_idempotently_to_a_real_api_server() {
    let Some(c) = cluster() else { return };
    let b = backend(c, 10).await;
    let client = b.client().clone();
    let mut leases = Vec::new();
    for (i, (name, yaml)) in conformance_sdls().iter().enumerate() {
        let g = dcloud_sdl::parse(yaml).unwrap().manifest().0.remove(0);
        let l = lease(10, 1000 + i as u64);
        b.deploy(&l, &g).await.unwrap_or_else(|e| panic!("{name}: {e}"));
        let ns = b.namespace(&l);
        let objs = b.objects(&l, &g, 1).unwrap();
        // Every object is on the server, labelled with the lease.
        macro_rules! check {
            ($k:ty, $list:expr) => {
                let api: Api<$k> = Api::namespaced(client.clone(), &ns);
                for o in $list {
                    let n = o.metadata.name.clone().unwrap();
                    let got = api.get(&n).await.unwrap_or_else(|e| panic!("{name}: {n}: {e}"));
                    let labels = got.metadata.labels.unwrap_or_default();
                    assert_eq!(
                        labels.get(LABEL_PROVIDER),
                        Some(&address(10).to_string()),
                        "{name}: {n}"
                    );
                }
            };
        }
        check!(Secret, [&objs.record]);
        check!(NetworkPolicy, &objs.network_policies);
        check!(Secret, &objs.secrets);
        check!(Service, &objs.services);
        check!(Deployment, &objs.deployments);
        check!(StatefulSet, &objs.stateful_sets);
        check!(Ingress, &objs.ingresses);
        // The server kept the resources we asked for (1.20 drops fields it does not know).
        for d in &objs.deployments {
            let api: Api<Deployment> = Api::namespaced(client.clone(), &ns);
            let got = api.get(d.metadata.name.as_deref().unwrap()).await.unwrap();
            let want = d.spec.as_ref().unwrap().template.spec.as_ref().unwrap().containers[0]
                .resources
                .clone();
            let have = got.spec.unwrap().template.spec.unwrap().containers[0].resources.clone();
            let parse = |m: Option<
                BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>,
            >| {
                m.unwrap_or_default()
                    .into_iter()
                    .map(|(k, v)| (k, parse_quantity(&v.0, 1000).unwrap()))
                    .collect::<BTreeMap<_, _>>()
            };
            assert_eq!(parse(have.unwrap().limits), parse(want.unwrap().limits), "{name}");
        }
        // Applying the same manifest again writes nothing.
        let cm: Api<Secret> = Api::namespaced(client.clone(), &ns);
        let before = cm.get(objects::RECORD_NAME).await.unwrap().metadata.resource_version;
        let calls = b.api_calls();
        b.deploy(&l, &g).await.unwrap();
        let after = cm.get(objects::RECORD_NAME).await.unwrap().metadata.resource_version;
        assert_eq!(before, after, "{name}: a second deploy changed the record");
        assert!(b.api_calls() > calls);
        assert_eq!(b.status(&l).await.unwrap().services.len(), g.services.len(), "{name}");
        leases.push(l);
    }
    let listed = b.list().await.unwrap();
    assert_eq!(listed.len(), leases.len());
    let done = futures::future::join_all(leases.iter().map(|l| b.teardown(l))).await;
    assert!(done.iter().all(Result::is_ok), "{done:?}");
    assert!(b.list().await.unwrap().is_empty());
}

#[tokio::test]
async fn update_prunes_and_teardown_removes_the_namespace() {
    let Some(c) = cluster() else { return };
    let b = backend(c, 11).await;
    let l = lease(11, 1);
    let g1 = group(TWO_SERVICES);
    b.deploy(&l, &g1).await.unwrap();
    let ns = b.namespace(&l);
    let deps: Api<Deployment> = Api::namespaced(b.client().clone(), &ns);
    let svcs: Api<Service> = Api::namespaced(b.client().clone(), &ns);
    assert!(deps.get_opt("cache").await.unwrap().is_some());
    let st = b.status(&l).await.unwrap();
    assert_eq!(st.services["web"].observed_generation, 1);
    assert_eq!(st.services["web"].total, 2);
    assert!(st.services["web"].uris.contains(&"www.example.com".to_string()));
    // NodePort for the global port 22, shown as a forwarded port.
    let fwd = &st.forwarded_ports["web"];
    assert_eq!(fwd.len(), 1);
    assert_eq!(fwd[0].port, 22);
    assert!((30000..=32767).contains(&fwd[0].external_port), "{fwd:?}");

    // Update: drop `cache` and its port, change web's env.
    let g2 = group(
        &TWO_SERVICES
            .replace("MODE=a", "MODE=b")
            .replace("      - port: 22\n        to: [ { global: true } ]\n", "")
            .replace(
                "  cache:\n    image: redis:7\n    expose:\n      - port: 6379\n        to: [ { service: web } ]\n",
                "",
            )
            .replace("    cache: { resources: { cpu: { units: 0.25 }, memory: { size: 32Mi }, storage: { size: 512Mi } } }\n", "")
            .replace(", cache: { denom: uakt, amount: 1000 }", "")
            .replace("  cache: { dc: { profile: cache, count: 1 } }\n", ""),
    );
    assert_eq!(g2.services.len(), 1);
    b.deploy(&l, &g2).await.unwrap();
    assert!(deps.get_opt("cache").await.unwrap().is_none(), "cache deployment pruned");
    assert!(svcs.get_opt("cache").await.unwrap().is_none(), "cache service pruned");
    assert!(svcs.get_opt("web-np").await.unwrap().is_none(), "NodePort pruned");
    let secrets: Api<Secret> = Api::namespaced(b.client().clone(), &ns);
    assert!(secrets.get_opt(objects::RECORD_NAME).await.unwrap().is_some(), "record kept");
    let web = deps.get("web").await.unwrap();
    let env = web.spec.unwrap().template.spec.unwrap().containers[0].env.clone().unwrap();
    assert!(env.iter().any(|e| e.name == "MODE" && e.value.as_deref() == Some("b")));
    let st = b.status(&l).await.unwrap();
    assert_eq!(st.services.len(), 1);
    assert_eq!(st.services["web"].observed_generation, 2);

    let t0 = Instant::now();
    b.teardown(&l).await.unwrap();
    eprintln!("teardown took {:?}", t0.elapsed());
    let nss: Api<Namespace> = Api::all(b.client().clone());
    assert!(nss.get_opt(&ns).await.unwrap().is_none());
    assert!(matches!(b.status(&l).await, Err(BackendError::LeaseNotFound(_))));
    b.teardown(&l).await.expect("teardown is idempotent");
}

#[tokio::test]
async fn reconcile_after_a_restart_finds_the_leases_from_labels() {
    let Some(c) = cluster() else { return };
    let g = group(TWO_SERVICES);
    let (l1, l2) = (lease(12, 1), lease(12, 2));
    {
        let b = backend(c, 12).await;
        b.deploy(&l1, &g).await.unwrap();
        b.deploy(&l2, &g).await.unwrap();
    }
    // Another provider's lease in the same cluster is not ours.
    let other = backend(c, 13).await;
    other.deploy(&lease(13, 1), &g).await.unwrap();

    // "Restart": a new backend with nothing in memory.
    let b = backend(c, 12).await;
    let mut listed = b.list().await.unwrap();
    listed.sort_by_key(|a| a.0.dseq);
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].0, l1);
    assert_eq!(listed[1].0, l2);
    assert_eq!(listed[0].1, g);
    // Redeploying after the restart is a no-op (same generation).
    b.deploy(&l1, &g).await.unwrap();
    assert_eq!(b.status(&l1).await.unwrap().services["web"].observed_generation, 1);
    assert!(b.routes(&l1).await.unwrap().is_empty(), "the cluster's ingress routes");
    for l in [&l1, &l2] {
        b.teardown(l).await.unwrap();
    }
    other.teardown(&lease(13, 1)).await.unwrap();
}

#[tokio::test]
async fn network_policies_isolate_the_lease() {
    let Some(c) = cluster() else { return };
    let b = backend(c, 14).await;
    let l = lease(14, 1);
    b.deploy(&l, &group(TWO_SERVICES)).await.unwrap();
    let api: Api<NetworkPolicy> = Api::namespaced(b.client().clone(), &b.namespace(&l));
    let p = api.get(objects::POLICY_RESTRICT).await.unwrap().spec.unwrap();
    assert_eq!(p.pod_selector, Some(Default::default()), "applies to every pod of the lease");
    assert_eq!(p.policy_types.unwrap(), vec!["Ingress", "Egress"]);
    let ingress = p.ingress.unwrap();
    assert_eq!(ingress.len(), 1);
    let from = ingress[0].from.clone().unwrap();
    // Same namespace (pod selector without namespace selector) ...
    assert!(from.iter().any(|f| f.pod_selector.is_some() && f.namespace_selector.is_none()));
    // ... and the ingress controller's namespace; nothing else.
    let ic = from.iter().find_map(|f| f.namespace_selector.clone()).unwrap();
    assert_eq!(ic.match_labels.unwrap()["app.kubernetes.io/name"], "ingress-nginx");
    assert_eq!(from.len(), 2);
    let egress = p.egress.unwrap();
    assert_eq!(egress.len(), 3);
    let dns = egress.iter().find(|e| e.ports.is_some()).unwrap();
    let ports: Vec<_> =
        dns.ports.clone().unwrap().iter().map(|p| p.protocol.clone().unwrap()).collect();
    assert_eq!(ports, vec!["UDP", "TCP"]);
    let internet =
        egress.iter().find_map(|e| e.to.clone()?.into_iter().find_map(|t| t.ip_block)).unwrap();
    assert_eq!(internet.cidr, "0.0.0.0/0");
    let except = internet.except.unwrap();
    for cidr in ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"] {
        assert!(except.contains(&cidr.to_string()), "{cidr} excluded from egress");
    }
    // web's global port 22 is open to anyone; no policy for cache (no global port).
    let np = api.get("web-np").await.unwrap().spec.unwrap();
    let rule = &np.ingress.unwrap()[0];
    assert_eq!(
        rule.ports.clone().unwrap()[0].port,
        Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(22))
    );
    assert_eq!(np.pod_selector.unwrap().match_labels.unwrap()[LABEL_SERVICE], "web");
    assert!(api.get_opt("cache-np").await.unwrap().is_none());
    b.teardown(&l).await.unwrap();
}

fn ready_status(ready: bool) -> serde_json::Value {
    let s = if ready { "True" } else { "False" };
    serde_json::json!({"status": {
        "phase": "Running",
        "conditions": [
            {"type": "Ready", "status": s},
            {"type": "ContainersReady", "status": s},
            {"type": "PodScheduled", "status": "True"}
        ],
    }})
}

#[tokio::test]
async fn status_follows_pod_readiness_and_reports_pull_errors() {
    let Some(c) = cluster() else { return };
    let b = backend(c, 15).await;
    let l = lease(15, 1);
    b.deploy(&l, &group(TWO_SERVICES)).await.unwrap();
    let ns = b.namespace(&l);
    let pods: Api<Pod> = Api::namespaced(b.client().clone(), &ns);
    let lp = ListParams::default().labels(&format!("{LABEL_SERVICE}=web"));
    // The controller-manager creates the ReplicaSet and its pods; nothing runs them.
    let web_pods = wait_for("2 web pods", Duration::from_secs(60), || async {
        let l = pods.list(&lp).await.ok()?.items;
        (l.len() == 2).then_some(l)
    })
    .await;
    let st = b.status(&l).await.unwrap();
    assert_eq!(st.services["web"].available, 0);
    // Play the kubelet: both replicas become ready.
    let pp = PatchParams::default();
    for p in &web_pods {
        let name = p.metadata.name.clone().unwrap();
        pods.patch_status(&name, &pp, &Patch::Merge(ready_status(true))).await.unwrap();
    }
    let st = wait_for("web available 2/2", Duration::from_secs(60), || async {
        let st = b.status(&l).await.ok()?;
        (st.services["web"].available == 2).then_some(st)
    })
    .await;
    assert_eq!(st.services["web"].ready_replicas, 2);
    assert_eq!(st.services["web"].total, 2);
    assert_eq!(st.services["cache"].available, 0);

    // One replica cannot pull its image: not ready any more, and the reason is shown.
    let name = web_pods[0].metadata.name.clone().unwrap();
    let mut patch = ready_status(false);
    patch["status"]["containerStatuses"] = serde_json::json!([{
        "name": "web", "image": "nginx:1.25", "imageID": "", "ready": false, "restartCount": 0,
        "state": {"waiting": {"reason": "ErrImagePull", "message": "pull access denied for nginx"}}
    }]);
    pods.patch_status(&name, &pp, &Patch::Merge(patch)).await.unwrap();
    let st = wait_for("web available 1/2", Duration::from_secs(60), || async {
        let st = b.status(&l).await.ok()?;
        (st.services["web"].available == 1).then_some(st)
    })
    .await;
    assert!(
        st.errors.iter().any(|e| e.contains("ErrImagePull") && e.contains("pull access denied")),
        "{:?}",
        st.errors
    );

    // Events through the API: the deployment controller scaled the ReplicaSet.
    let events: Vec<_> = b
        .events(&l, LogOptions { services: vec!["web".into()], ..Default::default() })
        .await
        .unwrap()
        .collect()
        .await;
    assert!(
        events.iter().any(|e| e.as_ref().is_ok_and(|e| e.reason == "ScalingReplicaSet")),
        "{events:?}"
    );
    // A shell needs a ready replica; replica 0 is not.
    let pods_sorted = {
        let mut v: Vec<String> = web_pods.iter().filter_map(|p| p.metadata.name.clone()).collect();
        v.sort();
        v
    };
    let not_ready = pods_sorted.iter().position(|n| *n == name).unwrap() as u32;
    let req = ExecRequest {
        service: "web".into(),
        replica: not_ready,
        cmd: vec!["true".into()],
        tty: false,
        stdin: false,
    };
    assert!(matches!(b.exec(&l, req).await, Err(BackendError::NoRunningReplica(_))));
    let req = ExecRequest {
        service: "nope".into(),
        replica: 0,
        cmd: vec!["true".into()],
        tty: false,
        stdin: false,
    };
    assert!(matches!(b.exec(&l, req).await, Err(BackendError::ServiceNotFound(_))));
    b.teardown(&l).await.unwrap();
}

fn node(name: &str, tag: &str, cpu: &str, mem: &str, gpus: u32) -> Node {
    serde_json::from_value(serde_json::json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "labels": {
            "inv-test": tag,
            "dcloud.network/capabilities.gpu.vendor.nvidia.model.a100.ram.80Gi": "true"
        }},
        "status": {
            "capacity": {"cpu": cpu, "memory": mem, "ephemeral-storage": "100Gi", "pods": "110", "nvidia.com/gpu": gpus.to_string()},
            "allocatable": {"cpu": cpu, "memory": mem, "ephemeral-storage": "100Gi", "pods": "110", "nvidia.com/gpu": gpus.to_string()},
            "conditions": [{"type": "Ready", "status": "True"}]
        }
    }))
    .unwrap()
}

fn pod(name: &str, node: &str, cpu: &str, mem: &str, labels: serde_json::Value) -> Pod {
    serde_json::from_value(serde_json::json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "labels": labels},
        "spec": {"nodeName": node, "containers": [{"name": "c", "image": "x",
            "resources": {"requests": {"cpu": cpu, "memory": mem}, "limits": {"cpu": cpu, "memory": mem}}}]}
    }))
    .unwrap()
}

#[tokio::test]
async fn inventory_is_allocatable_minus_requests_and_drives_bids() {
    let Some(c) = cluster() else { return };
    let tag = "t16";
    let mut ks = kube_settings();
    ks.node_selector = BTreeMap::from([("inv-test".into(), tag.into())]);
    ks.storage_classes.insert("beta3".into(), "no-such-class".into());
    let target = KubeTarget { kubeconfig: Some(c.kubeconfig.clone()), context: None };
    let b = KubeBackend::connect(settings(16), ks, &target).await.unwrap();
    let client = b.client().clone();
    let nodes: Api<Node> = Api::all(client.clone());
    let pp = PostParams::default();
    for (n, cpu, mem, gpus) in [("inv-a", "4", "8Gi", 2), ("inv-b", "2", "4Gi", 0)] {
        let obj = node(n, tag, cpu, mem, gpus);
        nodes.create(&pp, &obj).await.unwrap();
        // Node status is a subresource: set it explicitly.
        let status =
            serde_json::json!({"status": serde_json::to_value(obj.status.clone()).unwrap()});
        nodes.patch_status(n, &PatchParams::default(), &Patch::Merge(status)).await.unwrap();
    }
    // A node that is not ready does not count.
    let mut down = node("inv-c", tag, "64", "256Gi", 8);
    down.status.as_mut().unwrap().conditions.as_mut().unwrap()[0].status = "False".into();
    nodes.create(&pp, &down).await.unwrap();
    let status = serde_json::json!({"status": serde_json::to_value(down.status.clone()).unwrap()});
    nodes.patch_status("inv-c", &PatchParams::default(), &Patch::Merge(status)).await.unwrap();

    let ns: Api<Namespace> = Api::all(client.clone());
    let ns_obj: Namespace =
        serde_json::from_value(serde_json::json!({"metadata": {"name": "inv-test"}})).unwrap();
    ns.create(&pp, &ns_obj).await.unwrap();
    let pods: Api<Pod> = Api::namespaced(client.clone(), "inv-test");
    // Other workloads: 1.5 CPU + 1Gi on a, 500m + 512Mi on b.
    pods.create(&pp, &pod("p1", "inv-a", "1", "512Mi", serde_json::json!({}))).await.unwrap();
    pods.create(&pp, &pod("p2", "inv-a", "500m", "512Mi", serde_json::json!({}))).await.unwrap();
    pods.create(&pp, &pod("p3", "inv-b", "500m", "512Mi", serde_json::json!({}))).await.unwrap();
    // Finished pods and this provider's own lease pods (held by reservations) do not count.
    pods.create(&pp, &pod("done", "inv-a", "2", "4Gi", serde_json::json!({}))).await.unwrap();
    pods.patch_status(
        "done",
        &PatchParams::default(),
        &Patch::Merge(serde_json::json!({"status": {"phase": "Succeeded"}})),
    )
    .await
    .unwrap();
    let mine = serde_json::json!({LABEL_PROVIDER: address(16).to_string()});
    pods.create(&pp, &pod("lease-pod", "inv-a", "1", "1Gi", mine)).await.unwrap();
    let sc: StorageClass = serde_json::from_value(serde_json::json!({
        "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": {"name": "fast-ssd"}, "provisioner": "kubernetes.io/no-provisioner"
    }))
    .unwrap();
    let _ = Api::<StorageClass>::all(client.clone()).create(&pp, &sc).await;

    let inv = b.cluster_inventory().await.unwrap();
    assert_eq!(inv.nodes.len(), 2, "{:?}", inv.skipped);
    assert!(inv.skipped.iter().any(|(n, why)| n == "inv-c" && why == "not ready"));
    let a = inv.nodes.iter().find(|n| n.name == "inv-a").unwrap();
    assert_eq!(a.requested.cpu_millis, 1500);
    assert_eq!(a.free.cpu_millis, 2500);
    assert_eq!(a.free.memory_bytes, (8u64 << 30) - (1 << 30));
    assert_eq!(a.free.gpus, 2);
    let cap = &inv.capacity;
    assert_eq!(cap.cpu_millis, 2500 + 1500);
    assert_eq!(cap.memory_bytes, (7u64 << 30) + (4u64 << 30) - (512 << 20));
    assert_eq!(cap.ephemeral_storage_bytes, 200u64 << 30);
    assert_eq!(cap.gpus.len(), 2);
    assert_eq!(cap.gpus[0].model, "a100");
    assert_eq!(cap.gpus[0].ram(), "80Gi");
    assert!(cap.storage.contains_key("beta2"), "beta2 maps to fast-ssd, which exists");
    assert!(!cap.storage.contains_key("beta3"), "beta3 maps to a class the cluster lacks");
    assert_eq!(b.capacity().await.unwrap().as_ref(), Some(cap));

    // Bids use it: 2 CPUs fit one node, 5 do not fit at all; a beta3 volume is declined
    // with its reason.
    let inv = Inventory::new("cluster", cap.clone());
    let profile = dcloud_provider::bidengine::ProviderProfile {
        attributes: vec![
            dcloud_chain::provider::Attribute {
                key: "capabilities/storage/1/class".into(),
                value: "beta3".into(),
            },
            dcloud_chain::provider::Attribute {
                key: "capabilities/storage/1/persistent".into(),
                value: "true".into(),
            },
        ],
        ..Default::default()
    };
    let attr =
        |k: &str, v: &str| dcloud_chain::provider::Attribute { key: k.into(), value: v.into() };
    let order = |cpu: u64, beta3: bool| {
        let mut unit = dcloud_chain::deployment::ResourceUnit {
            cpu_millis: cpu * 1000,
            memory_bytes: 1 << 30,
            storage: vec![("default".into(), 1 << 30)],
            storage_attributes: vec![],
            gpu_units: 0,
            gpu_attributes: vec![],
            endpoints: 1,
            ip_endpoints: 0,
            count: 1,
            price_atto: 100,
        };
        if beta3 {
            unit.storage.push(("data".into(), 1 << 30));
            unit.storage_attributes =
                vec![("data".into(), vec![attr("class", "beta3"), attr("persistent", "true")])];
        }
        dcloud_provider::bidengine::OrderCtx {
            id: dcloud_provider::OrderId { owner: address(1), dseq: 5, gseq: 1, oseq: 1 },
            group: dcloud_chain::deployment::GroupSpec {
                name: "g".into(),
                signed_by: Default::default(),
                attributes: vec![],
                resources: vec![unit],
                denom: "uact".into(),
                max_price_atto: 100,
            },
        }
    };
    assert!(dcloud_provider::bidengine::evaluate(&order(2, false), &profile, &inv).is_ok());
    // 3 CPUs are free in total twice over, but no node has 3 free for one replica.
    let why = dcloud_provider::bidengine::evaluate(&order(3, false), &profile, &inv).unwrap_err();
    assert!(why.iter().any(|r| r.to_string().contains("no node can hold one replica")), "{why:?}");
    let why = dcloud_provider::bidengine::evaluate(&order(5, false), &profile, &inv).unwrap_err();
    assert!(why.iter().any(|r| r.to_string().contains("cpu")), "{why:?}");
    let why = dcloud_provider::bidengine::evaluate(&order(1, true), &profile, &inv).unwrap_err();
    assert!(
        why.iter().any(|r| r.to_string().contains("\"beta3\"")
            && r.to_string().contains("not available in the cluster")),
        "{why:?}"
    );

    for n in ["inv-a", "inv-b", "inv-c"] {
        let _ = nodes.delete(n, &Default::default()).await;
    }
    let _ = ns.delete("inv-test", &Default::default()).await;
}

/// A TCP relay to the API server that the test can cut: while down, open connections are
/// dropped and new ones refused (closed at once).
struct Relay {
    port: u16,
    up: std::sync::Arc<std::sync::atomic::AtomicBool>,
    conns: std::sync::Arc<parking_lot::Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Relay {
    async fn start(target: u16) -> Relay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let conns = std::sync::Arc::new(parking_lot::Mutex::new(Vec::new()));
        let (u, c) = (up.clone(), conns.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !u.load(std::sync::atomic::Ordering::SeqCst) {
                    continue; // dropped: the client sees the connection closed
                }
                let h = tokio::spawn(async move {
                    if let Ok(mut out) = tokio::net::TcpStream::connect(("127.0.0.1", target)).await
                    {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut out).await;
                    }
                });
                c.lock().push(h.abort_handle());
            }
        });
        Relay { port, up, conns }
    }

    fn set_up(&self, up: bool) {
        self.up.store(up, std::sync::atomic::Ordering::SeqCst);
        if !up {
            for h in self.conns.lock().drain(..) {
                h.abort();
            }
        }
    }
}

#[tokio::test]
async fn a_deploy_survives_the_api_server_going_away_for_a_while() {
    let Some(c) = cluster() else { return };
    let text = std::fs::read_to_string(&c.kubeconfig).unwrap();
    let server_port: u16 = text
        .split("https://127.0.0.1:")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .and_then(|p| p.parse().ok())
        .expect("server port in kubeconfig");
    let relay = Relay::start(server_port).await;
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    std::fs::write(
        &kc,
        text.replace(&format!("127.0.0.1:{server_port}"), &format!("127.0.0.1:{}", relay.port)),
    )
    .unwrap();
    let target = KubeTarget { kubeconfig: Some(kc), context: None };
    let b = std::sync::Arc::new(
        KubeBackend::connect(settings(17), kube_settings(), &target).await.unwrap(),
    );
    let l = lease(17, 1);
    let g = group(TWO_SERVICES);
    let start = b.api_calls();
    let deploy = {
        let (b, l, g) = (b.clone(), l.clone(), g.clone());
        tokio::spawn(async move { b.deploy(&l, &g).await })
    };
    // Cut the server off while the third call is in flight (this test runs on one thread:
    // the deploy task stops at its next I/O, and the count is taken when a request is sent).
    let deadline = Instant::now() + Duration::from_secs(30);
    while b.api_calls() < start + 3 {
        assert!(Instant::now() < deadline, "the deploy made no calls");
        tokio::task::yield_now().await;
    }
    relay.set_up(false);
    assert!(b.api_calls() < start + 12, "cut before the deploy's last call");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(!deploy.is_finished(), "the deploy waits for the server");
    relay.set_up(true);
    deploy.await.unwrap().expect("deploy completes once the server is back");
    // Everything is there: the status reports no missing object.
    let st = b.status(&l).await.unwrap();
    assert!(st.errors.iter().all(|e| !e.contains("not found")), "{:?}", st.errors);
    let objs = b.objects(&l, &g, 1).unwrap();
    let ing: Api<Ingress> = Api::namespaced(b.client().clone(), &b.namespace(&l));
    assert_eq!(ing.list(&ListParams::default()).await.unwrap().items.len(), objs.ingresses.len());
    b.teardown(&l).await.unwrap();
}

#[tokio::test]
async fn a_namespace_stuck_terminating_is_reported() {
    let Some(c) = cluster() else { return };
    let mut ks = kube_settings();
    ks.teardown_timeout = Duration::from_secs(3);
    let target = KubeTarget { kubeconfig: Some(c.kubeconfig.clone()), context: None };
    let b = KubeBackend::connect(settings(18), ks, &target).await.unwrap();
    let l = lease(18, 1);
    b.deploy(&l, &group(TWO_SERVICES)).await.unwrap();
    let ns = b.namespace(&l);
    // An object with a finalizer nobody removes keeps the namespace terminating.
    let cms: Api<k8s_openapi::api::core::v1::ConfigMap> = Api::namespaced(b.client().clone(), &ns);
    let cm: k8s_openapi::api::core::v1::ConfigMap = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "stuck", "finalizers": ["dcloud.test/block"]}
    }))
    .unwrap();
    cms.create(&PostParams::default(), &cm).await.unwrap();
    let err = b.teardown(&l).await.unwrap_err();
    assert!(matches!(err, BackendError::TeardownIncomplete(_)), "{err}");
    assert!(
        err.to_string().contains(&ns) && err.to_string().contains("still terminating"),
        "{err}"
    );
    // A terminating namespace is not listed as a running lease.
    assert!(b.list().await.unwrap().is_empty());
    // Once the finalizer goes, the teardown completes.
    cms.patch(
        "stuck",
        &PatchParams::default(),
        &Patch::Merge(serde_json::json!({"metadata": {"finalizers": null}})),
    )
    .await
    .unwrap();
    let mut ks = kube_settings();
    ks.teardown_timeout = Duration::from_secs(60);
    let b = KubeBackend::connect(settings(18), ks, &target).await.unwrap();
    b.teardown(&l).await.unwrap();
}

// ---------------------------------------------------------------------------------------
// Benchmark (ignored by default): `cargo test -p dcloud-provider --test kubernetes --
// --ignored --nocapture bench_`

#[tokio::test]
#[ignore = "benchmark: prints figures"]
async fn bench_lease_apply_and_teardown() {
    let Some(c) = cluster() else { return };
    let b = backend(c, 20).await;
    let g = group(TWO_SERVICES);
    let n = 10u64;
    let mut apply = Vec::new();
    let mut calls = Vec::new();
    let mut again_calls = Vec::new();
    let mut again = Vec::new();
    for i in 0..n {
        let l = lease(20, 5000 + i);
        let c0 = b.api_calls();
        let t = Instant::now();
        b.deploy(&l, &g).await.unwrap();
        apply.push(t.elapsed());
        calls.push(b.api_calls() - c0);
        let c0 = b.api_calls();
        let t = Instant::now();
        b.deploy(&l, &g).await.unwrap();
        again.push(t.elapsed());
        again_calls.push(b.api_calls() - c0);
    }
    let objects = b.objects(&lease(20, 5000), &g, 1).unwrap().len();
    let mut teardown = Vec::new();
    for i in 0..n {
        let t = Instant::now();
        b.teardown(&lease(20, 5000 + i)).await.unwrap();
        teardown.push(t.elapsed());
    }
    let med = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    println!("kubernetes backend, {n} leases of 2 services ({objects} objects each), kube-apiserver v1.20.2 on 127.0.0.1:");
    println!(
        "  lease → all objects applied: median {:?}, max {:?}",
        med(&mut apply.clone()),
        apply.iter().max().unwrap()
    );
    println!("  API calls per first deploy: {calls:?}");
    println!(
        "  redeploy of the same manifest: median {:?}, API calls {:?}",
        med(&mut again),
        again_calls
    );
    println!(
        "  teardown (delete namespace, wait until gone): median {:?}, max {:?}",
        med(&mut teardown.clone()),
        teardown.iter().max().unwrap()
    );
}
