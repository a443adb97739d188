//! `deploy-bench`: deploy latency through the whole market against a bare `podman run`.
//!
//! Starts a devnet (validator + provider on a Podman API service), then, several times:
//! `dcloud deploy` of a one-service SDL until the first HTTP 200 through the provider's
//! ingress (with the phase breakdown `dcloud deploy -o json` reports), and `podman run` of
//! the same image until its first HTTP 200 on a published port. Prints medians, the goal
//! (everything except the auction window within 1.5× the podman figure plus two block
//! intervals) and the blocks between an order and the provider's bid.
//!
//! Build the CLI first: `cargo build --release -p dcloud`, then
//! `cargo run --release -p dcloud-bench --bin deploy-bench [-- RUNS [BLOCK_TIME_MS]]`.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};

const IMAGE: &str = "localhost/dcloud-bench/busybox:1";

fn sdl() -> String {
    format!(
        r#"---
version: "2.0"
services:
  web:
    image: {IMAGE}
    expose:
      - port: 80
        as: 80
        to:
          - global: true
profiles:
  compute:
    web:
      resources:
        cpu:
          units: 0.1
        memory:
          size: 64Mi
        storage:
          size: 64Mi
  placement:
    devnet:
      attributes:
        region: devnet
      pricing:
        web:
          denom: uact
          amount: 1000
deployment:
  web:
    devnet:
      profile: web
      count: 1
"#
    )
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn http_ok(port: u16, host: &str) -> bool {
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if write!(s, "GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").is_err() {
        return false;
    }
    let mut buf = String::new();
    let _ = s.read_to_string(&mut buf);
    buf.starts_with("HTTP/1.1 200") || buf.starts_with("HTTP/1.0 200")
}

fn wait_http(port: u16, host: &str, limit: Duration) -> anyhow::Result<Instant> {
    let start = Instant::now();
    loop {
        if http_ok(port, host) {
            return Ok(Instant::now());
        }
        if start.elapsed() > limit {
            bail!("no HTTP 200 from 127.0.0.1:{port} (Host {host}) within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn dcloud_bin() -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os("DCLOUD_BIN") {
        return Ok(p.into());
    }
    let exe = std::env::current_exe()?;
    let p = exe.with_file_name("dcloud");
    if p.exists() {
        return Ok(p);
    }
    bail!(
        "no dcloud binary next to {}: run `cargo build --release -p dcloud` or set DCLOUD_BIN",
        exe.display()
    )
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        return f64::NAN;
    }
    v[v.len() / 2]
}

struct Run {
    deployment_tx: f64,
    first_bid: f64,
    window: f64,
    manifest: f64,
    container: f64,
    ingress: f64,
    total: f64,
    order_to_bid_blocks: u64,
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let runs: usize = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(5);
    let block_ms: u64 = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(500);
    let bin = dcloud_bin()?;
    let dir = tempfile::tempdir()?;
    let rt = tokio::runtime::Runtime::new()?;
    let engine = rt
        .block_on(dcloud_provider::engine::ensure(&dir.path().join("engine")))
        .context("a container engine (podman + runc)")?;
    let docker = dcloud_provider::engine::connect(&engine.docker_host)
        .ok_or_else(|| anyhow!("engine client"))?;
    rt.block_on(dcloud_provider::testimage::ensure_busybox_image(&docker, IMAGE))?;

    let home = dir.path().join("devnet");
    let (rpc, api, gw, ingress) = (free_port()?, free_port()?, free_port()?, free_port()?);
    let node = format!("http://127.0.0.1:{rpc}");
    let log = std::fs::File::create(dir.path().join("devnet.log"))?;
    let mut devnet = Command::new(&bin)
        .args(["devnet", "--reset", "-o", "json", "--home"])
        .arg(&home)
        .args(["--block-time", &format!("{block_ms}ms")])
        .args([
            "--rpc.laddr",
            &format!("127.0.0.1:{rpc}"),
            "--api.laddr",
            &format!("127.0.0.1:{api}"),
        ])
        .args(["--provider.gateway-laddr", &format!("127.0.0.1:{gw}")])
        .args(["--provider.ingress-laddr", &format!("127.0.0.1:{ingress}")])
        .env("DOCKER_HOST", &engine.docker_host)
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()?;
    let mut first = String::new();
    {
        let out = devnet.stdout.as_mut().ok_or_else(|| anyhow!("devnet stdout"))?;
        let mut b = [0u8; 1];
        while out.read(&mut b)? == 1 && b[0] != b'\n' {
            first.push(b[0] as char);
        }
    }
    let info: serde_json::Value = serde_json::from_str(&first).context("devnet banner")?;
    if !info["provider"]["address"].is_string() {
        bail!("the devnet has no provider: {info}");
    }
    let sdl_path = dir.path().join("bench.yaml");
    std::fs::write(&sdl_path, sdl())?;
    let dcloud = |args: &[&str]| {
        Command::new(&bin)
            .args(["--home"])
            .arg(&home)
            .args(["--node", &node, "--keyring-backend", "test"])
            .args(args)
            .output()
    };

    let mut market = Vec::new();
    let mut bare = Vec::new();
    for i in 0..runs {
        // Through the market.
        let t0 = Instant::now();
        let out = dcloud(&[
            "deploy",
            sdl_path.to_str().unwrap_or_default(),
            "--from",
            "alice",
            "-y",
            "-o",
            "json",
        ])?;
        if !out.status.success() {
            bail!("deploy failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
        let host = v["leases"][0]["status"]["services"]["web"]["uris"][0]
            .as_str()
            .ok_or_else(|| anyhow!("no URI: {v}"))?
            .to_string();
        let t_http = wait_http(ingress, &host, Duration::from_secs(60))?;
        let t = &v["timings"];
        let f = |k: &str| t[k].as_f64().unwrap_or(f64::NAN);
        let total = t_http.duration_since(t0).as_secs_f64() * 1000.0;
        market.push(Run {
            deployment_tx: f("deployment_tx_ms"),
            first_bid: f("first_bid_ms") - f("deployment_tx_ms"),
            window: f("lease_ms") - f("first_bid_ms"),
            manifest: f("manifest_ms") - f("lease_ms"),
            container: f("running_ms") - f("manifest_ms"),
            ingress: total - f("running_ms"),
            total,
            order_to_bid_blocks: t["order_to_bid_blocks"].as_u64().unwrap_or(u64::MAX),
        });
        let dseq = v["dseq"].as_u64().unwrap_or(0).to_string();
        dcloud(&["lease", "close", "--dseq", &dseq, "--from", "alice", "-y"])?;

        // Bare podman run of the same image.
        let name = format!("dcloud-bench-bare-{}-{i}", std::process::id());
        let t0 = Instant::now();
        let out = Command::new("podman")
            .args(["--runtime", "runc", "run", "-d", "--name", &name])
            .args(["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"])
            .args(["-p", "127.0.0.1::80", IMAGE])
            .output()?;
        if !out.status.success() {
            bail!("podman run: {}", String::from_utf8_lossy(&out.stderr));
        }
        let port_out = Command::new("podman").args(["port", &name, "80"]).output()?;
        let port: u16 = String::from_utf8_lossy(&port_out.stdout)
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| anyhow!("podman port: {}", String::from_utf8_lossy(&port_out.stdout)))?;
        let t_http = wait_http(port, "localhost", Duration::from_secs(30))?;
        bare.push(t_http.duration_since(t0).as_secs_f64() * 1000.0);
        let _ = Command::new("podman").args(["rm", "-f", "-t", "0", &name]).output();
        eprintln!("run {}: market {:.0} ms, podman run {:.0} ms", i + 1, total, bare[i]);
    }
    let _ = Command::new("kill").arg("-INT").arg(devnet.id().to_string()).status();
    let _ = devnet.wait();

    let col = |f: fn(&Run) -> f64| median(&mut market.iter().map(f).collect::<Vec<_>>());
    let podman = median(&mut bare);
    let window = col(|r| r.window);
    let total = col(|r| r.total);
    let without_window = col(|r| r.total - r.window);
    let goal = 1.5 * podman + 2.0 * block_ms as f64;
    let mut blocks: Vec<u64> = market.iter().map(|r| r.order_to_bid_blocks).collect();
    blocks.sort();
    println!("deploy latency, {runs} runs, block time {block_ms} ms (medians, ms)");
    println!("  deployment tx (in a block)      {:>8.0}", col(|r| r.deployment_tx));
    println!("  first bid seen                  {:>8.0}", col(|r| r.first_bid));
    println!("  auction window (bid -> lease)   {window:>8.0}");
    println!("  manifest accepted               {:>8.0}", col(|r| r.manifest));
    println!("  container running               {:>8.0}", col(|r| r.container));
    println!("  first 200 through the ingress   {:>8.0}", col(|r| r.ingress));
    println!("  total (deploy -> first 200)     {total:>8.0}");
    println!("  total without the window        {without_window:>8.0}");
    println!("  podman run -> first 200         {podman:>8.0}");
    println!(
        "  goal: without window <= 1.5 x podman + 2 blocks = {goal:.0}: ratio {:.2} ({})",
        without_window / goal,
        if without_window <= goal { "met" } else { "NOT met" }
    );
    println!("  order -> bid, blocks (each run) {blocks:?} (goal: 1 = the next block)");
    drop(engine);
    Ok(())
}
