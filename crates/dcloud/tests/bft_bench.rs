//! Side-by-side figures, in one run on this machine: a single `solo` node, a 4-validator
//! BFT network on loopback, and the same network with a userspace relay adding 50 ms each
//! way on every P2P link — all real `dcloud node` processes from `dcloud testnet` homes.
//! Prints block interval (idle), submit → finalized latency p50/p99 (sequential
//! `broadcast_tx_commit`, sent to a node other than node0), sustained signed sends/s
//! (one sender, `BENCH_TXS` pre-signed sends submitted with `broadcast_tx_sync`, until the
//! last one is committed), and per node the CPU used over the whole measurement (% of one
//! core, from /proc) and the resident memory (current and peak). Ignored by default (it
//! measures, it does not check):
//!
//! `cargo test -p dcloud --test bft_bench -- --ignored --nocapture` (env: `BENCH_TXS`,
//! `BENCH_BIN` = node binary to run, e.g. a release build; `BENCH_ONLY` = solo|bft|relay).

#[path = "common/bftnet.rs"]
mod bftnet;
mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use dcloud_client::RpcClient;
use dcloud_crypto::keyring::{Keyring, KeyringBackend};
use dcloud_proto::{msg_send, SignerData, TxBuilder};

struct Network {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    rpcs: Vec<String>,
    nodes: Vec<Child>,
}

impl Drop for Network {
    fn drop(&mut self) {
        for n in &mut self.nodes {
            let _ = n.kill();
            let _ = n.wait();
        }
    }
}

/// The node binary: `BENCH_BIN` (e.g. a release build) or the one under test.
fn node_bin() -> String {
    std::env::var("BENCH_BIN").unwrap_or_else(|_| common::bin().to_string())
}

/// CPU seconds (user + system) a process has used so far, from /proc.
fn cpu_secs(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    ticks / 100.0 // USER_HZ is 100 on Linux
}

/// (VmRSS, VmHWM) of a process in MiB.
fn rss_mib(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb = |key: &str| -> f64 {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (kb("VmRSS:"), kb("VmHWM:"))
}

fn start(validators: usize, solo: bool, base: u16) -> Network {
    start_with(validators, solo, base, None)
}

/// Starts the nodes; with `relay = Some(base)`, node j is reached through a delaying relay
/// on `base + j` (the caller runs the relays).
fn start_with(validators: usize, solo: bool, base: u16, relay: Option<u16>) -> Network {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("net");
    let out = Command::new(common::bin())
        .args(["testnet", "--init-only", "--validators", &validators.to_string()])
        .args(["--base-port", &base.to_string()])
        .arg("--dir")
        .arg(&dir)
        .output()
        .expect("testnet");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut nodes = Vec::new();
    let mut rpcs = Vec::new();
    for i in 0..validators {
        let home = dir.join(format!("node{i}"));
        let mut cfg = dcloud_node::NodeConfig::load(&home).expect("config");
        if solo {
            cfg.consensus.driver = dcloud_node::DriverKind::Solo;
            cfg.save().expect("save");
        }
        if let Some(rb) = relay {
            cfg.p2p.persistent_peers = (0..validators)
                .filter(|&j| j != i)
                .map(|j| format!("/ip4/127.0.0.1/tcp/{}", usize::from(rb) + j))
                .collect();
            cfg.save().expect("save");
        }
        rpcs.push(format!("http://{}", cfg.rpc_listen));
        let log = std::fs::File::create(home.join("node.log")).expect("log");
        nodes.push(
            Command::new(node_bin())
                .args(["node", "start", "--home"])
                .arg(&home)
                .env("RUST_LOG", std::env::var("BENCH_LOG").unwrap_or_else(|_| "warn".into()))
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("log"))
                .stderr(log)
                .spawn()
                .expect("node"),
        );
    }
    Network { _tmp: tmp, dir, rpcs, nodes }
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

async fn measure(name: &str, net: &Network, txs: usize) {
    let pids: Vec<u32> = net.nodes.iter().map(Child::id).collect();
    let cpu0: Vec<f64> = pids.iter().map(|&p| cpu_secs(p)).collect();
    let wall0 = Instant::now();
    let c = RpcClient::new(net.rpcs.last().expect("a node")).expect("client");
    let t0 = Instant::now();
    while c.latest_height().await.unwrap_or(0) < 2 {
        assert!(t0.elapsed() < Duration::from_secs(90), "{name}: no blocks");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Idle block interval.
    let (h0, t) = (c.latest_height().await.expect("h"), Instant::now());
    tokio::time::sleep(Duration::from_secs(10)).await;
    let h1 = c.latest_height().await.expect("h");
    let interval = t.elapsed().as_secs_f64() / (h1 - h0).max(1) as f64;

    let kr = Keyring::open(&net.dir.join("keyring-test"), KeyringBackend::Test).expect("keyring");
    let key = kr.signing_key("user").expect("user key");
    let from = key.public_key().address();
    let to = kr.get("validator0").expect("v0").address.to_string();
    let acct = c.account(&from).await.expect("account").expect("funded");
    let chain_id = c.chain_id().await.expect("chain id");
    let mut seq = acct.sequence;
    let sign = |seq: u64| {
        let signer = SignerData {
            chain_id: chain_id.clone(),
            account_number: acct.account_number,
            sequence: seq,
            pubkey: key.public_key().to_bytes().to_vec(),
        };
        TxBuilder::new()
            .msg(&msg_send(&from.to_string(), &to, 1, "uakt"))
            .fee(5000, "uakt", 200_000)
            .sign(&signer, |d| key.sign(d))
            .expect("sign")
    };

    // Latency: sequential submit → committed.
    let mut lat = Vec::new();
    for _ in 0..30 {
        let tx = sign(seq);
        seq += 1;
        let t = Instant::now();
        let r = c.broadcast_tx_commit(&tx).await.expect("commit");
        assert_eq!(r.check_tx.code, 0, "{name}: {}", r.check_tx.log);
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (p50, p99) = (pct(&mut lat, 0.5), pct(&mut lat, 0.99));

    // Throughput: pre-signed sends, submitted in order, until the last is committed.
    let batch: Vec<Vec<u8>> = (0..txs as u64).map(|i| sign(seq + i)).collect();
    let t = Instant::now();
    let mut last_hash = String::new();
    for tx in &batch {
        let r = c.broadcast_tx_sync(tx).await.expect("sync");
        assert_eq!(r.code, 0, "{name}: {}", r.log);
        last_hash = r.hash;
    }
    let submitted = t.elapsed().as_secs_f64();
    loop {
        if c.find_tx(&last_hash).await.ok().flatten().is_some() {
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(300), "{name}: sends not committed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let tps = txs as f64 / t.elapsed().as_secs_f64();
    let wall = wall0.elapsed().as_secs_f64();
    let per_node: Vec<String> = pids
        .iter()
        .zip(&cpu0)
        .map(|(&p, c0)| {
            let cpu = (cpu_secs(p) - c0) / wall * 100.0;
            let (rss, peak) = rss_mib(p);
            format!("{cpu:.0}% CPU, RSS {rss:.0} MiB (peak {peak:.0})")
        })
        .collect();
    println!(
        "{name:>22}: block interval {interval:.2} s | submit→finalized p50 {p50:.0} ms, p99 {p99:.0} ms | \
         {tps:.0} signed sends/s ({txs} sends, submitted in {submitted:.1} s)\n{:>22}  per node over {wall:.0} s: {}",
        "",
        per_node.join(" | ")
    );
}

#[test]
#[ignore = "benchmark: run with --ignored --nocapture"]
fn bft_vs_solo_figures() {
    let txs: usize = std::env::var("BENCH_TXS").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let base = 20_000 + (std::process::id() % 120) as u16 * 100;
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    if only.is_empty() || only == "solo" {
        let solo = start(1, true, base);
        rt.block_on(measure("solo", &solo, txs));
    }
    if only.is_empty() || only == "bft" {
        let bft = start(4, false, base + 50);
        rt.block_on(measure("bft 4 validators", &bft, txs));
        if let Ok(keep) = std::env::var("BENCH_KEEP_LOGS") {
            for i in 0..4 {
                let _ = std::fs::copy(
                    bft.dir.join(format!("node{i}/node.log")),
                    format!("{keep}/node{i}.log"),
                );
            }
        }
    }
    if only.is_empty() || only == "relay" {
        let (net_base, relay_base) = (base + 100, base + 140);
        for j in 0..4u16 {
            // Node j's P2P port is net_base + 10j + 2 (as `dcloud testnet` lays them out).
            rt.spawn(bftnet::delay_relay(
                relay_base + j,
                net_base + 10 * j + 2,
                Duration::from_millis(50),
            ));
        }
        let bft = start_with(4, false, net_base, Some(relay_base));
        rt.block_on(measure("bft 4 + 50 ms relay", &bft, txs));
    }
}
