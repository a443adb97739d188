//! The Docker backend against a real engine (Podman's Docker-compatible API), with real
//! containers from the busybox test image, and the ingress in front of them.
//!
//! Each test starts its own `podman system service` on a temporary socket (or uses
//! `DCLOUD_TEST_DOCKER_HOST`). Without podman the tests fail, unless
//! `DCLOUD_SKIP_CONTAINER_TESTS=1`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dcloud_provider::cluster::docker::{self, DockerBackend};
use dcloud_provider::cluster::isolation;
use dcloud_provider::cluster::testimage;
use dcloud_provider::cluster::{
    Backend, BackendError, BackendSettings, ExecOutput, ExecRequest, LogOptions, Route,
};
use dcloud_provider::daemon::ingress::Ingress;
use dcloud_provider::{LeaseId, LeaseSlug};
use dcloud_sdl::output::ManifestGroup;
use futures::{FutureExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PROVIDER_BYTES: [u8; 20] = [7u8; 20];

fn skip() -> bool {
    if std::env::var("DCLOUD_SKIP_CONTAINER_TESTS").as_deref() == Ok("1") {
        eprintln!("DCLOUD_SKIP_CONTAINER_TESTS=1: container test skipped");
        return true;
    }
    false
}

/// A podman API service for one test (killed on drop), or the engine named by
/// `DCLOUD_TEST_DOCKER_HOST`.
struct Engine {
    child: Option<std::process::Child>,
    host: String,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for Engine {
    fn drop(&mut self) {
        if let Some(c) = &mut self.child {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

async fn engine() -> Engine {
    if let Ok(host) = std::env::var("DCLOUD_TEST_DOCKER_HOST") {
        return Engine { child: None, host, _dir: None };
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let sock = dir.path().join("podman.sock");
    let host = format!("unix://{}", sock.display());
    let child = std::process::Command::new("podman")
        .args(["--runtime", "runc", "system", "service", "--time=0", &host])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "these tests need podman (starting `podman system service` failed: {e}); \
                 install podman and runc, or set DCLOUD_TEST_DOCKER_HOST=unix:///path/to/docker.sock, \
                 or DCLOUD_SKIP_CONTAINER_TESTS=1 to skip them"
            )
        });
    let engine = Engine { child: Some(child), host, _dir: Some(dir) };
    let deadline = Instant::now() + Duration::from_secs(30);
    while !sock.exists() {
        assert!(Instant::now() < deadline, "podman API socket {} did not appear", sock.display());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    engine
}

fn unique() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    nanos ^ (u64::from(std::process::id()) << 32)
}

fn lease(n: u64) -> LeaseId {
    let mut owner = [0u8; 20];
    owner[..8].copy_from_slice(&n.to_be_bytes());
    owner[8..12].copy_from_slice(&std::process::id().to_be_bytes());
    LeaseId {
        owner: dcloud_types::AccAddress::from_bytes(&owner).expect("address"),
        dseq: n % 1_000_000_007,
        gseq: 1,
        oseq: 1,
        provider: dcloud_types::AccAddress::from_bytes(&PROVIDER_BYTES).expect("address"),
    }
}

fn settings() -> BackendSettings {
    let provider = dcloud_types::AccAddress::from_bytes(&PROVIDER_BYTES).expect("address");
    BackendSettings::new("ingress.test", "provider.test", provider.to_string())
}

/// A service that serves `/www/index.html` = "<name>: $GREETING".
fn service_yaml(name: &str, image: &str, extra: &str) -> String {
    format!(
        r#"  {name}:
    image: {image}
    command: ["sh", "-c"]
    args: ["echo \"{name}: $GREETING\" > /www/index.html && exec httpd -f -v -p 80 -h /www"]
{extra}"#
    )
}

fn group(services: &[(&str, String)], counts: &[(&str, u32)]) -> ManifestGroup {
    let mut yaml = String::from("version: \"2.0\"\nservices:\n");
    for (_, s) in services {
        yaml.push_str(s);
    }
    yaml.push_str("profiles:\n  compute:\n");
    for (name, yaml_of_service) in services {
        let storage = if yaml_of_service.contains("params:") {
            "storage: [ { size: 64Mi }, { name: data, size: 64Mi, attributes: { persistent: true, class: beta2 } } ]"
        } else {
            "storage: { size: 64Mi }"
        };
        yaml.push_str(&format!(
            "    {name}: {{ resources: {{ cpu: {{ units: 0.2 }}, memory: {{ size: 64Mi }}, {storage} }} }}\n"
        ));
    }
    yaml.push_str("  placement:\n    dc:\n      pricing:\n");
    for (name, _) in services {
        yaml.push_str(&format!("        {name}: {{ denom: uakt, amount: 100 }}\n"));
    }
    yaml.push_str("deployment:\n");
    for (name, count) in counts {
        yaml.push_str(&format!("  {name}: {{ dc: {{ profile: {name}, count: {count} }} }}\n"));
    }
    let sdl = dcloud_sdl::parse(&yaml).unwrap_or_else(|e| panic!("bad test SDL: {e:?}\n{yaml}"));
    sdl.manifest().0.remove(0)
}

fn web_and_api(image: &str, greeting: &str) -> ManifestGroup {
    let web = service_yaml(
        "web",
        image,
        "    env: [\"GREETING=hi\"]\n    expose:\n      - port: 80\n        accept: [web.example.test]\n        to: [ { global: true } ]\n      - port: 81\n        as: 8081\n        to: [ { global: true } ]\n",
    );
    let api = service_yaml(
        "api",
        image,
        &format!(
            "    env: [\"GREETING={greeting}\"]\n    params:\n      storage:\n        data: {{ mount: /data }}\n    expose:\n      - port: 80\n        to: [ {{ global: true }}, {{ service: web }} ]\n"
        ),
    );
    group(&[("api", api), ("web", web)], &[("api", 1), ("web", 2)])
}

/// Raw HTTP/1.0 GET through `addr` with a Host header; (status, body).
async fn http_get(addr: SocketAddr, host: &str) -> std::io::Result<(u16, String)> {
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    s.write_all(format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes())
        .await?;
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut buf))
        .await
        .map_err(|_| std::io::Error::other("timeout"))??;
    let text = String::from_utf8_lossy(&buf).to_string();
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    Ok((status, body))
}

/// GET until it answers 200 (containers take a moment to start).
async fn get_200(addr: SocketAddr, host: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let last = http_get(addr, host).await;
        if let Ok((200, body)) = &last {
            return body.clone();
        }
        assert!(Instant::now() < deadline, "{host} never answered 200: {last:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Runs a command; (stdout+stderr, exit code).
async fn exec(b: &DockerBackend, l: &LeaseId, service: &str, cmd: &[&str]) -> (String, i64) {
    let req = ExecRequest {
        service: service.into(),
        replica: 0,
        cmd: cmd.iter().map(|s| s.to_string()).collect(),
        tty: false,
        stdin: false,
    };
    let mut session = b.exec(l, req).await.expect("exec");
    let mut out = Vec::new();
    while let Some(item) = session.output.next().await {
        match item.expect("exec output") {
            ExecOutput::Stdout(b) | ExecOutput::Stderr(b) => out.extend(b),
        }
    }
    let code = tokio::time::timeout(Duration::from_secs(30), session.exit_code)
        .await
        .expect("exit code in time")
        .expect("exit code sent")
        .expect("exit code");
    (String::from_utf8_lossy(&out).to_string(), code)
}

async fn container_ids(b: &DockerBackend, l: &LeaseId) -> BTreeMap<String, String> {
    let opts = bollard::query_parameters::ListContainersOptions {
        all: true,
        filters: Some(
            [("label".to_string(), vec![format!("{}={}", docker::LABEL_SLUG, l.slug())])].into(),
        ),
        ..Default::default()
    };
    let list = b.docker().list_containers(Some(opts)).await.expect("list containers");
    list.into_iter()
        .map(|c| {
            let name = c.names.and_then(|n| n.into_iter().next()).unwrap_or_default();
            (name.trim_start_matches('/').to_string(), c.id.unwrap_or_default())
        })
        .collect()
}

async fn container_ip(b: &DockerBackend, name: &str) -> String {
    let i = b.docker().inspect_container(name, None).await.expect("inspect");
    let nets = i.network_settings.and_then(|n| n.networks).unwrap_or_default();
    nets.into_values().find_map(|e| e.ip_address.filter(|ip| !ip.is_empty())).expect("container IP")
}

/// Runs `body`, then tears the leases down and removes the image whatever happened.
async fn with_cleanup<F: std::future::Future<Output = ()>>(
    b: &DockerBackend,
    leases: &[LeaseId],
    image: &str,
    body: F,
) {
    let result = AssertUnwindSafe(body).catch_unwind().await;
    for l in leases {
        if let Err(e) = b.teardown(l).await {
            eprintln!("cleanup of {l} failed: {e}");
        }
    }
    let _ = b
        .docker()
        .remove_image(image, None::<bollard::query_parameters::RemoveImageOptions>, None)
        .await;
    if let Err(p) = result {
        std::panic::resume_unwind(p);
    }
}

async fn setup() -> (Engine, DockerBackend, String) {
    assert!(
        testimage::busybox_image_supported(),
        "these tests need a static busybox at {} (Debian: busybox-static)",
        testimage::BUSYBOX_PATH
    );
    let engine = engine().await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let backend = loop {
        match DockerBackend::connect(settings(), Some(&engine.host)).await {
            Ok(b) => break b,
            Err(e) => {
                assert!(Instant::now() < deadline, "engine at {} unreachable: {e}", engine.host);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    };
    let image = format!("localhost/dcloud-test-busybox:{}", unique());
    testimage::ensure_busybox_image(backend.docker(), &image).await.expect("build busybox image");
    (engine, backend, image)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_route_status_logs_exec_update_restart_teardown() {
    if skip() {
        return;
    }
    let (engine, backend, image) = setup().await;
    let l = lease(unique());
    let bad = lease(unique() ^ 0x5555);
    let leases = [l.clone(), bad.clone()];
    with_cleanup(&backend, &leases, &image.clone(), async {
        let version = backend.engine_version().await.expect("engine version");
        assert!(!version.is_empty());

        // Deploy: two services, web with 2 replicas.
        let g1 = web_and_api(&image, "v1");
        let routes = backend.deploy(&l, &g1).await.expect("deploy");
        let web_host = docker::ingress_hostname(&l, "web", "ingress.test");
        let api_host = docker::ingress_hostname(&l, "api", "ingress.test");
        let hosts: Vec<&str> = routes.iter().map(|r| r.host.as_str()).collect();
        assert_eq!(hosts.iter().filter(|h| **h == web_host).count(), 2, "one route per web replica: {routes:?}");
        assert_eq!(hosts.iter().filter(|h| **h == "web.example.test").count(), 2);
        assert_eq!(hosts.iter().filter(|h| **h == api_host).count(), 1);
        assert!(routes.iter().all(|r| r.target.ip().is_loopback()));

        // Through the ingress, by Host header.
        let ingress = Arc::new(Ingress::new());
        ingress.set_routes(&l, routes.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let serve = tokio::spawn(ingress.clone().serve(listener));
        assert_eq!(get_200(addr, &web_host).await, "web: hi\n");
        assert_eq!(get_200(addr, "WEB.example.test:80").await, "web: hi\n");
        assert_eq!(get_200(addr, &api_host).await, "api: v1\n");
        assert_eq!(http_get(addr, "unknown.test").await.expect("get").0, 404);

        // Status: a replica counts as available once it has run 500 ms.
        let mut st = backend.status(&l).await.expect("status");
        for _ in 0..50 {
            if st.services.values().all(|s| s.available == s.total) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            st = backend.status(&l).await.expect("status");
        }
        let web = &st.services["web"];
        assert_eq!((web.total, web.available, web.ready_replicas, web.replicas), (2, 2, 2, 2));
        assert_eq!(web.uris, vec![web_host.clone(), "web.example.test".to_string()]);
        assert_eq!(web.observed_generation, 1);
        assert_eq!(st.services["api"].available, 1);
        assert!(st.errors.is_empty(), "{:?}", st.errors);
        let fwd = &st.forwarded_ports["web"];
        assert_eq!(fwd.len(), 2, "port 81 of both replicas: {fwd:?}");
        assert!(fwd.iter().all(|f| f.port == 81 && f.host == "provider.test" && f.external_port > 0));

        // Logs: httpd -v logs each request; both services' lines come, named by replica.
        let mut lines = backend
            .logs(&l, LogOptions { services: vec![], follow: false, tail: None })
            .await
            .expect("logs");
        let mut all = Vec::new();
        while let Some(line) = tokio::time::timeout(Duration::from_secs(10), lines.next()).await.expect("logs end") {
            all.push(line.expect("log line"));
        }
        assert!(
            all.iter().any(|x| x.name == "api-0" && x.message.contains("response:200")),
            "request line of api-0 missing: {all:?}"
        );
        assert!(all.iter().any(|x| x.name.starts_with("web-")), "{all:?}");
        // Filtered by service, followed: a new request shows up live.
        let mut follow = backend
            .logs(&l, LogOptions { services: vec!["api".into()], follow: true, tail: Some(0) })
            .await
            .expect("follow logs");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(get_200(addr, &api_host).await, "api: v1\n");
        let line = tokio::time::timeout(Duration::from_secs(10), follow.next())
            .await
            .expect("a followed line in time")
            .expect("stream open")
            .expect("line");
        assert_eq!(line.name, "api-0");
        assert!(line.message.contains("response:200"), "{line:?}");
        drop(follow);
        assert!(matches!(
            backend.logs(&l, LogOptions { services: vec!["nope".into()], ..Default::default() }).await,
            Err(BackendError::ServiceNotFound(_))
        ));

        // Exec: output and exit codes.
        let (out, code) = exec(&backend, &l, "web", &["cat", "/www/index.html"]).await;
        assert_eq!((out.as_str(), code), ("web: hi\n", 0));
        let (_, code) = exec(&backend, &l, "web", &["sh", "-c", "exit 7"]).await;
        assert_eq!(code, 7);
        let (env, _) = exec(&backend, &l, "api", &["env"]).await;
        assert!(env.contains(&format!("AKASH_OWNER={}", l.owner)), "{env}");
        assert!(env.contains(&format!("AKASH_DEPLOYMENT_SEQUENCE={}", l.dseq)), "{env}");
        // Services of the lease reach each other by name.
        let (out, _) =
            exec(&backend, &l, "web", &["sh", "-c", "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 api 80"]).await;
        assert!(out.contains("api: v1"), "web could not reach api by name: {out}");
        // The persistent volume is mounted and writable.
        let (_, code) = exec(&backend, &l, "api", &["sh", "-c", "echo kept > /data/f && cat /data/f"]).await;
        assert_eq!(code, 0);

        // Events: what the state implies.
        let events: Vec<_> = backend
            .events(&l, LogOptions::default())
            .await
            .expect("events")
            .collect::<Vec<_>>()
            .await;
        let events: Vec<_> = events.into_iter().map(|e| e.expect("event")).collect();
        assert!(events.iter().any(|e| e.reason == "Started" && e.object.name == "web-1"), "{events:?}");

        // Same group again: nothing recreated, same routes, same generation.
        let ids1 = container_ids(&backend, &l).await;
        assert_eq!(ids1.len(), 3);
        let routes_again = backend.deploy(&l, &g1).await.expect("redeploy");
        assert_eq!(container_ids(&backend, &l).await, ids1);
        assert_eq!(sorted(routes_again), sorted(routes.clone()));
        assert_eq!(backend.status(&l).await.expect("status").services["web"].observed_generation, 1);

        // Changed env of api: only api is recreated; generation 2; api serves the new env.
        // Followed events report the recreation live (after the state snapshot).
        let mut live = backend
            .events(&l, LogOptions { services: vec!["api".into()], follow: true, tail: None })
            .await
            .expect("follow events");
        let g2 = web_and_api(&image, "v2");
        let routes2 = backend.deploy(&l, &g2).await.expect("update");
        let mut created = 0;
        let mut seen = Vec::new();
        while created < 2 {
            let e = tokio::time::timeout(Duration::from_secs(15), live.next())
                .await
                .unwrap_or_else(|_| panic!("no live Created event for api-0: {seen:?}"))
                .expect("event stream open")
                .expect("event");
            assert!(e.object.name.starts_with("api-"), "filtered by service: {e:?}");
            if e.reason == "Created" && e.object.name == "api-0" {
                created += 1;
            }
            seen.push(e);
        }
        drop(live);
        let ids2 = container_ids(&backend, &l).await;
        let api_name = docker::container_name(&l, "api", 0);
        let web_name = docker::container_name(&l, "web", 0);
        assert_ne!(ids2[&api_name], ids1[&api_name], "api recreated");
        assert_eq!(ids2[&web_name], ids1[&web_name], "web kept");
        ingress.set_routes(&l, routes2.clone());
        assert_eq!(get_200(addr, &api_host).await, "api: v2\n");
        let st = backend.status(&l).await.expect("status");
        assert_eq!(st.services["api"].observed_generation, 2);
        assert_eq!(st.services["api"].updated_replicas, 1);
        // The persistent volume survived the recreation.
        let (out, _) = exec(&backend, &l, "api", &["cat", "/data/f"]).await;
        assert_eq!(out, "kept\n");

        // Scale web down to one replica: web-1 goes away.
        let web1 = service_yaml(
            "web",
            &image,
            "    env: [\"GREETING=hi\"]\n    expose:\n      - port: 80\n        accept: [web.example.test]\n        to: [ { global: true } ]\n      - port: 81\n        as: 8081\n        to: [ { global: true } ]\n",
        );
        let api = g2.services.iter().find(|s| s.name == "api").cloned().expect("api");
        let mut g3 = group(&[("web", web1)], &[("web", 1)]);
        g3.services.insert(0, api);
        backend.deploy(&l, &g3).await.expect("scale down");
        let ids3 = container_ids(&backend, &l).await;
        assert_eq!(ids3.len(), 2, "{ids3:?}");
        assert!(!ids3.contains_key(&docker::container_name(&l, "web", 1)));
        assert_eq!(ids3[&web_name], ids1[&web_name], "web-0 kept");

        // A provider restart: a fresh backend finds the lease, its group and its routes.
        let fresh = DockerBackend::connect(settings(), Some(&engine.host)).await.expect("reconnect");
        let listed = fresh.list().await.expect("list");
        let found = listed.iter().find(|(id, _)| *id == l).expect("lease listed after restart");
        assert_eq!(found.1, g3);
        let routes3 = fresh.routes(&l).await.expect("routes after restart");
        assert_eq!(routes3.len(), 3, "web-0 (2 hosts) + api: {routes3:?}");
        ingress.set_routes(&l, routes3);
        assert_eq!(get_200(addr, "web.example.test").await, "web: hi\n");

        // A missing image: the deploy fails naming it, and status says so.
        let missing = "localhost/dcloud-does-not-exist:0";
        let bad_group = group(
            &[("web", service_yaml("web", missing, "    expose:\n      - port: 80\n        to: [ { global: true } ]\n"))],
            &[("web", 1)],
        );
        match backend.deploy(&bad, &bad_group).await {
            Err(BackendError::ImagePull { image, .. }) => assert_eq!(image, missing),
            other => panic!("expected an image pull error, got {other:?}"),
        }
        let st = backend.status(&bad).await.expect("status of the failed lease");
        assert!(st.errors.iter().any(|e| e.contains(missing)), "{:?}", st.errors);
        assert_eq!(st.services["web"].available, 0);

        // Teardown removes everything, and again is fine.
        backend.teardown(&l).await.expect("teardown");
        assert!(container_ids(&backend, &l).await.is_empty());
        assert!(backend.docker().inspect_network(&docker::network_name(&l), None).await.is_err());
        let vol = docker::volume_name(&l, "api", "data");
        assert!(backend.docker().inspect_volume(&vol).await.is_err(), "volume {vol} left behind");
        assert!(!isolation::has_rules(&l.slug()).await.expect("iptables"));
        assert!(!fresh.list().await.expect("list").iter().any(|(id, _)| *id == l));
        backend.teardown(&l).await.expect("second teardown");
        assert!(matches!(backend.status(&l).await, Err(BackendError::LeaseNotFound(_))));
        ingress.remove_lease(&l);
        assert_eq!(http_get(addr, "web.example.test").await.expect("get").0, 404);
        serve.abort();
    })
    .await;
    drop(engine);
}

fn sorted(mut r: Vec<Route>) -> Vec<Route> {
    r.sort_by(|a, b| (&a.host, a.target).cmp(&(&b.host, b.target)));
    r
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leases_are_isolated_from_each_other() {
    if skip() {
        return;
    }
    let (engine, backend, image) = setup().await;
    let a = lease(unique());
    let b = lease(unique() ^ 0xaaaa);
    let leases = [a.clone(), b.clone()];
    with_cleanup(&backend, &leases, &image.clone(), async {
        let expose = "    expose:\n      - port: 80\n        to: [ { global: true } ]\n";
        let ga = group(
            &[
                ("api", service_yaml("api", &image, expose)),
                ("web", service_yaml("web", &image, expose)),
            ],
            &[("api", 1), ("web", 1)],
        );
        let gb = group(&[("web", service_yaml("web", &image, expose))], &[("web", 1)]);
        backend.deploy(&a, &ga).await.expect("deploy a");
        backend.deploy(&b, &gb).await.expect("deploy b");
        assert!(isolation::has_rules(&a.slug()).await.expect("iptables"));

        let a_api_ip = container_ip(&backend, &docker::container_name(&a, "api", 0)).await;
        let b_web_ip = container_ip(&backend, &docker::container_name(&b, "web", 0)).await;
        let fetch =
            |target: String| format!("printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 {target} 80");

        // Within lease A: by name and by IP (the control that the probe itself works).
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let (out, _) = exec(&backend, &a, "web", &["sh", "-c", &fetch("api".into())]).await;
            if out.contains("api: ") {
                break;
            }
            assert!(Instant::now() < deadline, "A/web cannot reach A/api by name: {out}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let (out, _) = exec(&backend, &a, "web", &["sh", "-c", &fetch(a_api_ip.clone())]).await;
        assert!(out.contains("api: "), "A/web cannot reach A/api at {a_api_ip}: {out}");
        // B's web answers from inside B.
        let (out, _) = exec(&backend, &b, "web", &["sh", "-c", &fetch(b_web_ip.clone())]).await;
        assert!(out.contains("web: "), "B/web does not serve at {b_web_ip}: {out}");

        // Across leases: neither by IP nor by name.
        let (out, _) = exec(&backend, &a, "web", &["sh", "-c", &fetch(b_web_ip.clone())]).await;
        assert!(!out.contains("web: "), "lease A reached lease B at {b_web_ip}: {out}");
        let (out, _) = exec(&backend, &b, "web", &["sh", "-c", &fetch(a_api_ip.clone())]).await;
        assert!(!out.contains("api: "), "lease B reached lease A at {a_api_ip}: {out}");

        // Teardown of A removes its rules and keeps B's.
        backend.teardown(&a).await.expect("teardown a");
        assert!(!isolation::has_rules(&a.slug()).await.expect("iptables"));
        assert!(isolation::has_rules(&b.slug()).await.expect("iptables"));
    })
    .await;
    drop(engine);
}
