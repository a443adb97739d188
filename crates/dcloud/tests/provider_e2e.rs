//! A tenant deploys a two-service SDL with `dcloud deploy` on a devnet whose provider runs
//! real containers (Podman through the Docker Engine API), reaches both services through the
//! ingress, reads logs, runs a shell command, updates the deployment, survives a `kill -9`
//! of the provider, and closes the lease: containers gone, escrow settled to the micro-unit.
//!
//! Needs a container engine (CI installs podman and runc); fails with a clear message
//! without one unless DCLOUD_SKIP_CONTAINER_TESTS is set.

mod common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use common::{free_port, Env, Proc};

const T: Duration = Duration::from_secs(120);

fn sdl(image: &str, web_text: &str) -> String {
    format!(
        r#"---
version: "2.0"
services:
  web:
    image: {image}
    command: ["sh", "-c"]
    args: ["echo {web_text} > /www/index.html && exec httpd -f -v -p 80 -h /www"]
    env:
      - GREETING=hello
    expose:
      - port: 80
        as: 80
        to:
          - global: true
  api:
    image: {image}
    command: ["sh", "-c"]
    args: ["echo api-says-hi > /www/index.html && exec httpd -f -v -p 80 -h /www"]
    expose:
      - port: 80
        as: 80
        to:
          - global: true
profiles:
  compute:
    small:
      resources:
        cpu:
          units: 0.1
        memory:
          size: 64Mi
        storage:
          size: 128Mi
  placement:
    devnet:
      attributes:
        region: devnet
      pricing:
        small:
          denom: uact
          amount: 1000
deployment:
  web:
    devnet:
      profile: small
      count: 1
  api:
    devnet:
      profile: small
      count: 1
"#
    )
}

/// `GET /` through the ingress with a Host header; (status, body).
fn http_get(ingress: u16, host: &str) -> Option<(u16, String)> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", ingress)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    let status = buf.split_whitespace().nth(1)?.parse().ok()?;
    let body = buf.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    Some((status, body))
}

fn wait_http(ingress: u16, host: &str, want: &str, provider: &mut Proc) {
    let start = Instant::now();
    loop {
        if let Some((200, body)) = http_get(ingress, host) {
            if body.contains(want) {
                return;
            }
        }
        provider.assert_running();
        assert!(
            start.elapsed() < T,
            "{host} did not serve {want:?} through the ingress: last {:?}; provider log: {}",
            http_get(ingress, host),
            provider.logs()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn uact(env: &Env, who: &str) -> u128 {
    let v = env.run(&["query", "bank", "balances", who, "-o", "json"]).json();
    v["balances"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["denom"] == "uact"))
        .and_then(|c| c["amount"].as_str())
        .map(|s| s.parse().unwrap())
        .unwrap_or(0)
}

/// Whether a `dcloud.lease` label (`owner/dseq/gseq/oseq/provider`) names a lease of
/// deployment (`owner`, `dseq`).
fn of_lease(label: &str, owner: &str, dseq: u64) -> bool {
    let mut parts = label.split('/');
    parts.next() == Some(owner) && parts.next().and_then(|d| d.parse::<u64>().ok()) == Some(dseq)
}

fn lease_containers(docker_host: &str, owner: &str, dseq: u64) -> Vec<String> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let docker = bollard::Docker::connect_with_unix(
            docker_host.trim_start_matches("unix://"),
            30,
            bollard::API_DEFAULT_VERSION,
        )
        .unwrap();
        // Running containers of dcloud leases only (other containers on a shared engine may
        // be in states the Docker API types do not know, e.g. Podman's "stopped"); retried
        // because a container being removed can show such a state for a moment.
        let opts = bollard::query_parameters::ListContainersOptions {
            all: false,
            filters: Some(std::collections::HashMap::from([(
                "label".to_string(),
                vec!["dcloud.lease".to_string()],
            )])),
            ..Default::default()
        };
        let mut attempt = 0;
        let list = loop {
            match docker.list_containers(Some(opts.clone())).await {
                Ok(l) => break l,
                Err(e) if attempt < 20 => {
                    attempt += 1;
                    eprintln!("listing containers: {e}; retrying");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("listing containers: {e}"),
            }
        };
        list.into_iter()
            .filter(|c| {
                c.labels
                    .as_ref()
                    .and_then(|l| l.get("dcloud.lease"))
                    .is_some_and(|l| of_lease(l, owner, dseq))
            })
            .filter(|c| {
                c.state
                    .as_ref()
                    .is_some_and(|s| format!("{s:?}").to_lowercase().contains("running"))
            })
            .map(|c| c.id.unwrap_or_default())
            .collect()
    })
}

/// Waits until the provider has torn lease (`owner`, `dseq`) down completely: its teardown
/// removes containers, network and firewall rules, then the lease's volumes (its state record
/// last), so no volume left means nothing left. Containers stop running before they are
/// removed: a test that stopped waiting there and killed the provider left them behind.
fn wait_torn_down(docker_host: &str, owner: &str, dseq: u64, provider: &mut Proc) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let docker = bollard::Docker::connect_with_unix(
        docker_host.trim_start_matches("unix://"),
        30,
        bollard::API_DEFAULT_VERSION,
    )
    .unwrap();
    let opts = bollard::query_parameters::ListVolumesOptions {
        filters: Some(std::collections::HashMap::from([(
            "label".to_string(),
            vec!["dcloud.lease".to_string()],
        )])),
    };
    let start = Instant::now();
    loop {
        let vols = rt.block_on(docker.list_volumes(Some(opts.clone()))).expect("list volumes");
        let left: Vec<String> = vols
            .volumes
            .unwrap_or_default()
            .into_iter()
            .filter(|v| v.labels.get("dcloud.lease").is_some_and(|l| of_lease(l, owner, dseq)))
            .map(|v| v.name)
            .collect();
        if left.is_empty() {
            return;
        }
        provider.assert_running();
        assert!(
            start.elapsed() < T,
            "lease {owner}/{dseq} not torn down, volumes left {left:?}: {}",
            provider.logs()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_tenant_deploys_two_services_reaches_them_updates_survives_a_provider_crash_and_closes() {
    if std::env::var_os("DCLOUD_SKIP_CONTAINER_TESTS").is_some() {
        eprintln!("DCLOUD_SKIP_CONTAINER_TESTS set: skipping the container end-to-end test");
        return;
    }
    let mut env = Env::new().env("DCLOUD_KEYRING_BACKEND", "test");
    let rpc = free_port();
    let api = free_port();
    env.node = format!("http://127.0.0.1:{rpc}");

    // A container engine and a locally built image (no registry access here).
    let rt = tokio::runtime::Runtime::new().unwrap();
    let engine_dir = env.dir.path().join("engine");
    let engine = rt
        .block_on(dcloud_provider::engine::ensure(&engine_dir))
        .expect("a container engine: install podman and runc (see shared/notes/podman.md)");
    let docker_host = engine.docker_host.clone();
    let image = "localhost/dcloud-e2e/busybox:1";
    let docker = dcloud_provider::engine::connect(&docker_host).expect("engine client");
    rt.block_on(dcloud_provider::testimage::ensure_busybox_image(&docker, image))
        .expect("build the test image from /bin/busybox (apt-get install busybox-static)");

    let mut devnet = env.spawn(
        "devnet",
        &[
            "devnet",
            "--reset",
            "--no-provider",
            "--block-time",
            "300ms",
            "--rpc.laddr",
            &format!("127.0.0.1:{rpc}"),
            "--api.laddr",
            &format!("127.0.0.1:{api}"),
        ],
    );
    env.wait_for_height(2, T, &mut devnet);
    let provider_yaml = env.home.join("provider.yaml");
    assert!(provider_yaml.exists(), "the devnet writes provider.yaml: {}", devnet.logs());

    let gw = free_port();
    let ingress = free_port();
    let provider_args: Vec<String> = vec![
        "provider".into(),
        "run".into(),
        "--config".into(),
        provider_yaml.display().to_string(),
        "--from".into(),
        "provider".into(),
        "--gateway-listen".into(),
        format!("127.0.0.1:{gw}"),
        "--ingress-listen".into(),
        format!("127.0.0.1:{ingress}"),
        "--host-uri".into(),
        format!("https://localhost:{gw}"),
        "--docker-host".into(),
        docker_host.clone(),
    ];
    let args: Vec<&str> = provider_args.iter().map(String::as_str).collect();
    let mut provider = env.spawn("provider", &args);

    let alice_before = uact(&env, "alice");
    let provider_before = uact(&env, "provider");

    // Deploy: the chain picks the lowest bid, the manifest goes to the provider.
    let sdl_path = env.dir.path().join("app.yaml");
    std::fs::write(&sdl_path, sdl(image, "web-v1")).unwrap();
    let sdl_str = sdl_path.display().to_string();
    let r = env.run(&[
        "deploy",
        &sdl_str,
        "--from",
        "alice",
        "--deposit",
        "5000000uact",
        "--wait",
        "120s",
        "-y",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "deploy failed: {r:?}\nprovider: {}", provider.logs());
    let out: serde_json::Value = serde_json::from_str(&r.stdout).expect("deploy JSON");
    let dseq = out["dseq"].as_u64().expect("dseq");
    let owner = out["owner"].as_str().expect("owner").to_string();
    let dseq_s = dseq.to_string();
    let leases = out["leases"].as_array().expect("leases");
    assert_eq!(leases.len(), 1, "one placement group, one lease: {out}");
    let mut hosts = std::collections::BTreeMap::new();
    for l in leases {
        for (name, svc) in l["status"]["services"].as_object().expect("services") {
            let uri = svc["uris"][0].as_str().expect("an ingress hostname").to_string();
            assert_eq!(svc["available"], 1, "{svc}");
            hosts.insert(name.clone(), uri);
        }
    }
    wait_http(ingress, &hosts["web"], "web-v1", &mut provider);
    wait_http(ingress, &hosts["api"], "api-says-hi", &mut provider);
    assert_eq!(http_get(ingress, "nobody.example").map(|r| r.0), Some(404));

    // Another account cannot send a manifest for, or read, alice's lease at the provider
    // (the gateway checks the real chain: bob's JWT verifies, but he is not the owner).
    // bob's public key is on chain once he has sent a transaction.
    env.run(&["tx", "bank", "send", "bob", "alice", "1uakt", "-y"]).ok();
    {
        use dcloud_client::tenant::{Auth, ProviderClient};
        let kr = dcloud_crypto::keyring::Keyring::open(
            &env.home.join("keyring-test"),
            dcloud_crypto::keyring::KeyringBackend::Test,
        )
        .unwrap();
        let bob = kr.signing_key("bob").unwrap();
        let provider_addr: dcloud_types::AccAddress =
            leases[0]["provider"].as_str().unwrap().parse().unwrap();
        let alice_addr: dcloud_types::AccAddress = owner.parse().unwrap();
        let rpc_client = dcloud_client::RpcClient::new(&env.node).unwrap();
        rt.block_on(async {
            let pc =
                ProviderClient::from_chain(&rpc_client, &provider_addr, Auth::Jwt { key: bob })
                    .await
                    .expect("client for the provider");
            let manifest = dcloud_sdl::parse(&sdl(image, "bob-was-here")).unwrap().manifest();
            let e = pc.send_manifest_for(&alice_addr, dseq, &manifest).await.unwrap_err();
            assert_eq!(e.status(), Some(403), "{e}");
            let lease = dcloud_client::tenant::LeaseId {
                owner: alice_addr.clone(),
                dseq,
                gseq: 1,
                oseq: 1,
                provider: provider_addr.clone(),
            };
            let e = pc.lease_status(&lease).await.unwrap_err();
            assert_eq!(e.status(), Some(403), "{e}");
        });
    }

    // Logs: httpd -v logs every response.
    let logs =
        env.run(&["lease", "logs", "--dseq", &dseq_s, "--from", "alice", "--service", "web"]);
    assert!(logs.ok().contains("[web-0]") && logs.ok().contains("response:200"), "{logs:?}");

    // Shell: the command's output and exit code come back.
    let sh = env.run(&[
        "lease",
        "shell",
        "--dseq",
        &dseq_s,
        "--from",
        "alice",
        "--service",
        "api",
        "--",
        "cat",
        "/www/index.html",
    ]);
    assert!(sh.ok().contains("api-says-hi"), "{sh:?}");
    let sh = env.run(&[
        "lease",
        "shell",
        "--dseq",
        &dseq_s,
        "--from",
        "alice",
        "--service",
        "api",
        "--",
        "sh",
        "-c",
        "exit 7",
    ]);
    assert_eq!(sh.code, 7, "{sh:?}");

    // Update: a new manifest (new page text) for the same deployment.
    std::fs::write(&sdl_path, sdl(image, "web-v2")).unwrap();
    let r = env
        .run(&["deploy", &sdl_str, "--from", "alice", "--dseq", &dseq_s, "--wait", "120s", "-y"]);
    assert_eq!(r.code, 0, "update failed: {r:?}\nprovider: {}", provider.logs());
    wait_http(ingress, &hosts["web"], "web-v2", &mut provider);

    // kill -9 the provider: the containers keep running; a restart brings status back.
    let before = lease_containers(&docker_host, &owner, dseq);
    assert_eq!(before.len(), 2, "two running containers");
    provider.kill();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        lease_containers(&docker_host, &owner, dseq),
        before,
        "containers survive the provider"
    );
    let mut provider = env.spawn("provider2", &args);
    wait_http(ingress, &hosts["web"], "web-v2", &mut provider);
    let st =
        env.run(&["lease", "status", "--dseq", &dseq_s, "--from", "alice", "-o", "json"]).json();
    assert_eq!(st["leases"].as_array().map(Vec::len), Some(1), "{st}");
    assert_eq!(st["leases"][0]["status"]["services"]["web"]["available"], 1, "{st}");
    assert_eq!(
        lease_containers(&docker_host, &owner, dseq),
        before,
        "same containers adopted, none recreated"
    );

    // Close: containers go away and the escrow is settled exactly.
    let r = env.run(&["lease", "close", "--dseq", &dseq_s, "--from", "alice", "-y"]);
    assert_eq!(r.code, 0, "close failed: {r:?}");
    let start = Instant::now();
    while !lease_containers(&docker_host, &owner, dseq).is_empty() {
        assert!(start.elapsed() < T, "containers still running: {}", provider.logs());
        std::thread::sleep(Duration::from_millis(200));
    }
    wait_torn_down(&docker_host, &owner, dseq, &mut provider);
    let leases = env
        .run(&[
            "query", "market", "lease", "list", "--owner", "alice", "--dseq", &dseq_s, "-o", "json",
        ])
        .json();
    let paid: u128 = leases["items"]
        .as_array()
        .expect("lease items")
        .iter()
        .map(|l| {
            assert_eq!(l["state"], "closed", "{l}");
            l["paid"].as_str().unwrap().parse::<u128>().unwrap()
        })
        .sum();
    assert!(paid > 0, "the provider earned something: {leases}");
    let alice_after = uact(&env, "alice");
    let provider_after = uact(&env, "provider");
    assert_eq!(alice_before - alice_after, paid, "the tenant paid exactly the leases");
    assert_eq!(provider_after - provider_before, paid, "the provider got exactly the leases' pay");
    drop(engine);
}

#[test]
fn the_devnet_runs_its_own_provider_and_serves_the_example_deployment() {
    if std::env::var_os("DCLOUD_SKIP_CONTAINER_TESTS").is_some() {
        eprintln!("DCLOUD_SKIP_CONTAINER_TESTS set: skipping the devnet provider test");
        return;
    }
    let mut env = Env::new().env("DCLOUD_KEYRING_BACKEND", "test");
    let (rpc, api, gw, ingress) = (free_port(), free_port(), free_port(), free_port());
    env.node = format!("http://127.0.0.1:{rpc}");
    let mut devnet = env.spawn(
        "devnet",
        &[
            "devnet",
            "-o",
            "json",
            "--block-time",
            "300ms",
            "--rpc.laddr",
            &format!("127.0.0.1:{rpc}"),
            "--api.laddr",
            &format!("127.0.0.1:{api}"),
            "--provider.gateway-laddr",
            &format!("127.0.0.1:{gw}"),
            "--provider.ingress-laddr",
            &format!("127.0.0.1:{ingress}"),
        ],
    );
    let info = devnet.first_json_line(T);
    assert!(info["provider"]["address"].is_string(), "the devnet runs a provider: {info}");
    assert_eq!(info["provider"]["ingress"], format!("http://127.0.0.1:{ingress}"), "{info}");
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/hello.yaml");
    let r = env.run(&["deploy", example, "--from", "alice", "--wait", "120s", "-y", "-o", "json"]);
    assert_eq!(r.code, 0, "deploy failed: {r:?}\ndevnet: {}", devnet.logs());
    let out: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let host = out["leases"][0]["status"]["services"]["hello"]["uris"][0]
        .as_str()
        .expect("a hostname")
        .to_string();
    wait_http(ingress, &host, "hello from dcloud", &mut devnet);
    let dseq = out["dseq"].as_u64().unwrap();
    env.run(&["lease", "close", "--dseq", &dseq.to_string(), "--from", "alice", "-y"]).ok();
    // The devnet's provider tears the lease down before the devnet stops (nothing is left on
    // the engine after the test).
    let owner = env.run(&["keys", "show", "alice", "-a"]).ok().trim().to_string();
    let engine = info["provider"]["engine"].as_str().expect("the provider's engine").to_string();
    wait_torn_down(&engine, &owner, dseq, &mut devnet);
    assert_eq!(devnet.interrupt(T), 0, "the devnet stops cleanly: {}", devnet.logs());
}

#[test]
fn the_provider_withdraws_earnings_closes_a_lease_whose_manifest_never_came_and_reports_a_workload_that_cannot_run(
) {
    if std::env::var_os("DCLOUD_SKIP_CONTAINER_TESTS").is_some() {
        eprintln!("DCLOUD_SKIP_CONTAINER_TESTS set: skipping");
        return;
    }
    let mut env = Env::new().env("DCLOUD_KEYRING_BACKEND", "test");
    let (rpc, api, gw, ingress) = (free_port(), free_port(), free_port(), free_port());
    env.node = format!("http://127.0.0.1:{rpc}");
    let mut devnet = env.spawn(
        "devnet",
        &[
            "devnet",
            "--no-provider",
            "--block-time",
            "300ms",
            "--rpc.laddr",
            &format!("127.0.0.1:{rpc}"),
            "--api.laddr",
            &format!("127.0.0.1:{api}"),
        ],
    );
    env.wait_for_height(2, T, &mut devnet);
    // Short timers for the test.
    let yaml_path = env.home.join("provider.yaml");
    let yaml = std::fs::read_to_string(&yaml_path).unwrap();
    let yaml = yaml
        .replace("manifest_timeout: 5m", "manifest_timeout: 8s")
        .replace("withdraw_period: 1m", "withdraw_period: 2s");
    assert!(yaml.contains("manifest_timeout: 8s") && yaml.contains("withdraw_period: 2s"));
    std::fs::write(&yaml_path, yaml).unwrap();
    let engine_dir = env.dir.path().join("engine");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let engine = rt.block_on(dcloud_provider::engine::ensure(&engine_dir)).expect("engine");
    let docker = dcloud_provider::engine::connect(&engine.docker_host).unwrap();
    let image = "localhost/dcloud-e2e/busybox:1";
    rt.block_on(dcloud_provider::testimage::ensure_busybox_image(&docker, image)).unwrap();
    let yaml_s = yaml_path.display().to_string();
    let gw_s = format!("127.0.0.1:{gw}");
    let ing_s = format!("127.0.0.1:{ingress}");
    let uri = format!("https://localhost:{gw}");
    let mut provider = env.spawn(
        "provider",
        &[
            "provider",
            "run",
            "--config",
            &yaml_s,
            "--gateway-listen",
            &gw_s,
            "--ingress-listen",
            &ing_s,
            "--host-uri",
            &uri,
            "--docker-host",
            &engine.docker_host,
        ],
    );
    let sdl_path = env.dir.path().join("app.yaml");
    std::fs::write(&sdl_path, sdl(image, "earning")).unwrap();
    let sdl_s = sdl_path.display().to_string();

    // A: deployed with its manifest; B: a deployment whose manifest is never sent.
    let r = env.run(&["deploy", &sdl_s, "--from", "alice", "--wait", "120s", "-y", "-o", "json"]);
    assert_eq!(r.code, 0, "deploy: {r:?}\nprovider: {}", provider.logs());
    let a: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let a_dseq = a["dseq"].as_u64().unwrap();
    let r = env.run(&[
        "tx",
        "deployment",
        "create",
        &sdl_s,
        "--from",
        "alice",
        "--deposit",
        "5000000uact",
        "-y",
        "-o",
        "json",
    ]);
    let b_dseq = r.json()["dseq"].as_u64().expect("dseq of B");

    let start = Instant::now();
    loop {
        let leases =
            env.run(&["query", "market", "lease", "list", "--owner", "alice", "-o", "json"]).json();
        let items = leases["items"].as_array().cloned().unwrap_or_default();
        let find = |d: u64| items.iter().find(|l| l["dseq"].as_u64() == Some(d)).cloned();
        let b_closed = find(b_dseq).is_some_and(|l| l["state"] == "closed");
        let withdrawn = env
            .run(&[
                "query",
                "txs",
                "--query",
                &format!("EventLeaseWithdrawn.dseq='{a_dseq}'"),
                "-o",
                "json",
            ])
            .json();
        let w = withdrawn["total_count"].as_str().and_then(|s| s.parse::<u64>().ok()).unwrap_or(0);
        if b_closed && w > 0 {
            let a_lease = find(a_dseq).expect("lease A");
            assert_eq!(a_lease["state"], "active", "A keeps running: {a_lease}");
            let b_lease = find(b_dseq).unwrap();
            assert_eq!(
                b_lease["reason"], "provider: no manifest received within 8s",
                "B closed by the provider, saying why: {b_lease}"
            );
            break;
        }
        provider.assert_running();
        assert!(
            start.elapsed() < T,
            "B closed: {b_closed}, withdrawals of A: {w}; leases {leases}; provider: {}",
            provider.logs()
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    env.run(&["lease", "close", "--dseq", &a_dseq.to_string(), "--from", "alice", "-y"]).ok();
    let owner = env.run(&["keys", "show", "alice", "-a"]).ok().trim().to_string();
    wait_torn_down(&engine.docker_host, &owner, a_dseq, &mut provider);

    // C: an image no registry serves. `deploy` fails at once with the typed reason and says
    // how to go on; the provider keeps the manifest, so the status shows the failure; at
    // its manifest timeout it closes the lease with that reason, on chain.
    let bad_path = env.dir.path().join("bad.yaml");
    std::fs::write(&bad_path, sdl("localhost/dcloud-e2e/no-such-image:1", "x")).unwrap();
    let bad_s = bad_path.display().to_string();
    let r = env.run(&["deploy", &bad_s, "--from", "alice", "--wait", "120s", "-y"]);
    assert_ne!(r.code, 0, "deploy of a missing image must fail: {r:?}");
    let err = &r.stderr;
    assert!(err.contains("cannot run deployment"), "{err}");
    assert!(
        err.contains("registry_unreachable") || err.contains("image_not_found"),
        "typed reason: {err}"
    );
    assert!(err.contains("no-such-image"), "{err}");
    assert!(err.contains("the lease is still open"), "{err}");
    let c_dseq: u64 = err
        .split("--dseq ")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(|| panic!("the next steps name the dseq: {err}"));
    assert!(err.contains(&format!("dcloud deploy {bad_s} --dseq {c_dseq}")), "{err}");
    assert!(err.contains(&format!("dcloud lease close --dseq {c_dseq}")), "{err}");
    let st = env.run(&[
        "lease",
        "status",
        "--dseq",
        &c_dseq.to_string(),
        "--from",
        "alice",
        "-o",
        "json",
    ]);
    assert_eq!(st.code, 0, "status of the failed lease: {st:?}");
    assert!(st.stdout.contains("\"failure\""), "status shows the failure: {}", st.stdout);
    assert!(st.stdout.contains("no-such-image"), "{}", st.stdout);
    let start = Instant::now();
    loop {
        let leases =
            env.run(&["query", "market", "lease", "list", "--owner", "alice", "-o", "json"]).json();
        let items = leases["items"].as_array().cloned().unwrap_or_default();
        let c = items.iter().find(|l| l["dseq"].as_u64() == Some(c_dseq)).cloned();
        if let Some(c) = c.filter(|l| l["state"] == "closed") {
            let reason = c["reason"].as_str().unwrap_or_default();
            assert!(reason.starts_with("provider: workload failed: service "), "{c}");
            assert!(reason.contains("no-such-image"), "{c}");
            break;
        }
        provider.assert_running();
        assert!(start.elapsed() < T, "lease C not closed: {leases}; provider: {}", provider.logs());
        std::thread::sleep(Duration::from_millis(300));
    }

    // D: a workload that exits at start never becomes ready: closed at the timeout, saying so.
    let crash_path = env.dir.path().join("crash.yaml");
    let crash = sdl(image, "x").replace("exec httpd -f -v -p 80 -h /www", "exit 3");
    std::fs::write(&crash_path, crash).unwrap();
    let crash_s = crash_path.display().to_string();
    let r = env.run(&["deploy", &crash_s, "--from", "alice", "--wait", "120s", "-y", "-o", "json"]);
    assert_ne!(r.code, 0, "a crashing workload is not reported running: {r:?}");
    // `deploy` stops when the provider closes the lease, with the reason from the chain.
    assert!(r.stderr.contains("was closed: provider: not ready within 8s"), "{}", r.stderr);
    let start = Instant::now();
    loop {
        let leases =
            env.run(&["query", "market", "lease", "list", "--owner", "alice", "-o", "json"]).json();
        let items = leases["items"].as_array().cloned().unwrap_or_default();
        let newest = items.iter().max_by_key(|l| l["dseq"].as_u64()).cloned().expect("leases");
        if newest["state"] == "closed" {
            let reason = newest["reason"].as_str().unwrap_or_default();
            assert!(
                reason.starts_with("provider: not ready within 8s: service "),
                "{newest}\ndeploy: {}\nprovider: {}",
                r.stderr,
                provider.logs()
            );
            break;
        }
        provider.assert_running();
        assert!(start.elapsed() < T, "lease D not closed: {leases}; provider: {}", provider.logs());
        std::thread::sleep(Duration::from_millis(300));
    }
    drop(engine);
}
