//! A BFT network of real `dcloud node` processes on loopback for the `bft_*` tests:
//! validators written by `dcloud testnet --init-only`, extra nodes (a full node that joins
//! later, a second instance of a validator key), helpers to send txs through the CLI, and
//! the checker every test ends with: all nodes hold the same block (hash, app hash, results
//! app hash) and a matching commit at every height.
#![allow(dead_code)] // each test file uses a different subset

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::bin;

/// One node: its home, ports and process.
pub struct Node {
    pub home: PathBuf,
    pub rpc: String,
    /// P2P listen multiaddr.
    pub p2p: String,
    /// Extra `node start` flags.
    pub flags: Vec<String>,
    pub child: Option<Child>,
}

/// The network.
pub struct Net {
    _tmp: tempfile::TempDir,
    /// The testnet directory (holds `keyring-test` with `validator<i>` and `user`).
    pub dir: PathBuf,
    pub base: u16,
    pub nodes: Vec<Node>,
    rt: tokio::runtime::Runtime,
}

/// Ports below the kernel's ephemeral range (32768+), so no outgoing connection holds them.
pub fn base_port(slot: u16) -> u16 {
    20_000 + (std::process::id() % 120) as u16 * 100 + slot * 20
}

impl Net {
    /// Writes `validators` homes with `dcloud testnet --init-only` (blocks `block_time`
    /// apart) and starts them.
    pub fn new(base: u16, validators: usize, block_time: &str) -> Self {
        let mut net = Self::init(base, validators, block_time);
        for i in 0..validators {
            net.start(i);
        }
        net
    }

    /// Writes the homes without starting any node.
    pub fn init(base: u16, validators: usize, block_time: &str) -> Self {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("testnet");
        let out = Command::new(bin())
            .args(["testnet", "--init-only", "--validators", &validators.to_string()])
            .args(["--block-time", block_time, "--base-port", &base.to_string()])
            .arg("--dir")
            .arg(&dir)
            .output()
            .expect("run dcloud testnet");
        assert!(
            out.status.success(),
            "testnet init failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        let nodes = (0..validators)
            .map(|i| {
                let p = usize::from(base) + 10 * i;
                Node {
                    home: dir.join(format!("node{i}")),
                    rpc: format!("http://127.0.0.1:{p}"),
                    p2p: format!("/ip4/127.0.0.1/tcp/{}", p + 2),
                    flags: Vec::new(),
                    child: None,
                }
            })
            .collect();
        Self { _tmp: tmp, dir, base, nodes, rt }
    }

    /// Ports of the next extra node (after the validators and earlier extras).
    fn next_ports(&self) -> (u16, u16, u16) {
        let p = self.base + 10 * self.nodes.len() as u16;
        (p, p + 1, p + 2)
    }

    /// A new full node: `dcloud init` in its own home, the network's genesis, node 0 as
    /// its one persistent peer (and tx-gossip target). Not started. Returns its index.
    pub fn add_full_node(&mut self, moniker: &str) -> usize {
        self.add_full_node_with(moniker, "dcloud-testnet-1", |_| {})
    }

    /// As [`Net::add_full_node`], with chain id `chain_id` and `edit` applied to the
    /// network's genesis (JSON) before it is written to the new home.
    pub fn add_full_node_with(
        &mut self,
        moniker: &str,
        chain_id: &str,
        edit: impl FnOnce(&mut Value),
    ) -> usize {
        let home = self.dir.join(moniker);
        let out = Command::new(bin())
            .args(["--home"])
            .arg(&home)
            .args(["init", moniker, "--chain-id", chain_id])
            .output()
            .expect("dcloud init");
        assert!(out.status.success(), "init: {}", String::from_utf8_lossy(&out.stderr));
        let g = std::fs::read_to_string(self.nodes[0].home.join("config/genesis.json"))
            .expect("genesis");
        let mut g: Value = serde_json::from_str(&g).expect("genesis json");
        edit(&mut g);
        std::fs::write(home.join("config/genesis.json"), g.to_string()).expect("write genesis");
        self.push_extra(home, &[0])
    }

    /// A second instance of validator `i`'s key (a double signer): a copy of its home's
    /// config (same node key, so the same consensus key) with a P2P key of its own, fresh
    /// data, connected to every validator. Not started. Returns its index.
    pub fn add_twin(&mut self, i: usize) -> usize {
        let home = self.dir.join(format!("twin{i}"));
        let scratch = self.dir.join(format!("twin{i}-p2pkey"));
        let out = Command::new(bin())
            .args(["--home"])
            .arg(&scratch)
            .args(["init", "p2pkey", "--chain-id", "dcloud-testnet-1"])
            .output()
            .expect("dcloud init");
        assert!(out.status.success(), "init: {}", String::from_utf8_lossy(&out.stderr));
        std::fs::create_dir_all(home.join("config")).expect("mkdir");
        for f in ["config.toml", "genesis.json", "node_key.json"] {
            std::fs::copy(self.nodes[i].home.join("config").join(f), home.join("config").join(f))
                .unwrap_or_else(|e| panic!("copy {f}: {e}"));
        }
        std::fs::copy(scratch.join("config/node_key.json"), home.join("config/p2p_key.json"))
            .expect("copy p2p key");
        let peers: Vec<usize> = (0..self.nodes.len()).collect();
        let idx = self.push_extra(home, &peers);
        self.nodes[idx].flags.push("--p2p.key_file=config/p2p_key.json".into());
        idx
    }

    fn push_extra(&mut self, home: PathBuf, peers: &[usize]) -> usize {
        let (rpc, api, p2p) = self.next_ports();
        let peer_addrs: Vec<String> = peers.iter().map(|&j| self.nodes[j].p2p.clone()).collect();
        let peer_rpc: Vec<String> = peers.iter().map(|&j| self.nodes[j].rpc.clone()).collect();
        let p2p_addr = format!("/ip4/127.0.0.1/tcp/{p2p}");
        let flags = vec![
            "--consensus.driver=bft".to_string(),
            format!("--rpc.laddr=127.0.0.1:{rpc}"),
            format!("--api.laddr=127.0.0.1:{api}"),
            // Its own gRPC port: a twin's copied config names its original's.
            format!("--grpc.laddr=127.0.0.1:{}", p2p + 1),
            format!("--p2p.laddr={p2p_addr}"),
            format!("--p2p.persistent_peers={}", peer_addrs.join(",")),
            format!("--p2p.peer_rpc={}", peer_rpc.join(",")),
            "--block-time=500ms".to_string(),
        ];
        self.nodes.push(Node {
            home,
            rpc: format!("http://127.0.0.1:{rpc}"),
            p2p: p2p_addr,
            flags,
            child: None,
        });
        self.nodes.len() - 1
    }

    pub fn all(&self) -> Vec<usize> {
        (0..self.nodes.len()).collect()
    }

    pub fn start(&mut self, i: usize) {
        let n = &self.nodes[i];
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(n.home.join("node.log"))
            .expect("log file");
        let child = Command::new(bin())
            .args(["node", "start", "--home"])
            .arg(&n.home)
            .args(&n.flags)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("spawn node");
        self.nodes[i].child = Some(child);
    }

    pub fn kill(&mut self, i: usize) {
        if let Some(mut c) = self.nodes[i].child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn logs(&self) -> String {
        self.nodes
            .iter()
            .map(|n| {
                let s = std::fs::read_to_string(n.home.join("node.log")).unwrap_or_default();
                let tail: Vec<&str> = s.lines().rev().take(25).collect();
                format!(
                    "--- {} ---\n{}",
                    n.home.display(),
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn call(&self, i: usize, method: &str, params: Value) -> Option<Value> {
        let c = dcloud_client::RpcClient::new(&self.nodes[i].rpc).ok()?;
        self.rt.block_on(async {
            tokio::time::timeout(Duration::from_secs(5), c.call::<Value>(method, params))
                .await
                .ok()?
                .ok()
        })
    }

    pub fn height(&self, i: usize) -> Option<u64> {
        let s = self.call(i, "status", json!({}))?;
        s["sync_info"]["latest_block_height"].as_str()?.parse().ok()
    }

    /// Waits until every node in `which` is at `h` or above.
    pub fn wait_all(&self, which: &[usize], h: u64, t: Duration) {
        let start = Instant::now();
        loop {
            let hs: Vec<_> = which.iter().map(|&i| self.height(i)).collect();
            if hs.iter().all(|x| x.is_some_and(|x| x >= h)) {
                return;
            }
            assert!(
                start.elapsed() < t,
                "nodes {which:?} did not reach height {h} in {t:?} (heights {hs:?})\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Waits until `f` holds (polling every 500 ms); panics with the logs after `t`.
    pub fn wait_for(&self, what: &str, t: Duration, mut f: impl FnMut(&Self) -> bool) {
        let start = Instant::now();
        while !f(self) {
            assert!(
                start.elapsed() < t,
                "timed out after {t:?} waiting for {what}\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    /// The checker: every node in `which` holds the same block (hash, app hash, results app
    /// hash) at every height they all have, and a commit for that block signed by at least
    /// `min_sigs` validators. Returns the common height.
    pub fn check_same_chain(&self, which: &[usize], min_sigs: usize) -> u64 {
        let common = which
            .iter()
            .map(|&i| self.height(i).unwrap_or_else(|| panic!("node{i} height")))
            .min()
            .expect("nodes");
        for h in 1..=common {
            let mut seen: Option<(String, String, String)> = None;
            for &i in which {
                let p = json!({ "height": h.to_string() });
                let b =
                    self.call(i, "block", p.clone()).unwrap_or_else(|| panic!("node{i} block {h}"));
                let r = self
                    .call(i, "block_results", p.clone())
                    .unwrap_or_else(|| panic!("node{i} results {h}"));
                let c = self.call(i, "commit", p).unwrap_or_else(|| panic!("node{i} commit {h}"));
                let hash = b["block_id"]["hash"].as_str().expect("hash").to_string();
                let c = &c["signed_header"]["commit"];
                assert_eq!(
                    c["block_id"]["hash"].as_str(),
                    Some(hash.as_str()),
                    "node{i} commit {h}"
                );
                let sigs = c["signatures"].as_array().map_or(0, Vec::len);
                assert!(sigs >= min_sigs, "node{i} commit {h} has {sigs} signatures: {c}");
                let key = (
                    hash,
                    b["block"]["header"]["app_hash"].as_str().unwrap_or_default().to_string(),
                    r["app_hash"].as_str().unwrap_or_default().to_string(),
                );
                match &seen {
                    None => seen = Some(key),
                    Some(k) => assert_eq!(k, &key, "node{i} differs at height {h}"),
                }
            }
        }
        common
    }

    /// Runs the CLI against node `i` with the testnet keyring; returns its JSON output.
    pub fn cli(&self, i: usize, args: &[&str]) -> Value {
        let out = Command::new(bin())
            .arg("--home")
            .arg(&self.dir)
            .args(["--node", &self.nodes[i].rpc, "--keyring-backend", "test", "-o", "json"])
            .args(args)
            .output()
            .expect("run dcloud");
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "dcloud {args:?} failed: {text} {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            self.logs()
        );
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    }

    /// Sends a tx through the CLI via node `i`; asserts code 0; returns its height.
    pub fn tx(&self, i: usize, args: &[&str]) -> u64 {
        let mut a = vec!["tx"];
        a.extend_from_slice(args);
        // Generous: a loaded machine can take several rounds per block.
        a.extend_from_slice(&["-y", "--wait", "120s"]);
        let v = self.cli(i, &a);
        assert_eq!(v["code"], 0, "{v}");
        v["height"].as_u64().expect("height")
    }

    /// Sends 1000uakt from `user` through node `i`; returns (height, proposer) of its block.
    pub fn send_via(&self, i: usize, to: &str) -> (u64, String) {
        let h = self.tx(i, &["bank", "send", "user", to, "1000uakt"]);
        let b = self.call(i, "block", json!({ "height": h.to_string() })).expect("block");
        (h, b["block"]["header"]["proposer_address"].as_str().unwrap_or_default().to_string())
    }

    /// Node `i`'s consensus address (hex) and public key (base64), from `status`.
    pub fn validator_key(&self, i: usize) -> (String, String) {
        let s = self.call(i, "status", json!({})).expect("status");
        (
            s["validator_info"]["address"].as_str().unwrap_or_default().to_string(),
            s["validator_info"]["pub_key"]["value"].as_str().unwrap_or_default().to_string(),
        )
    }

    /// Consensus addresses that signed block `h`, as node `i` knows them: its stored commit
    /// (the first 2/3+) and, when block `h + 1` exists, the full certificate it embeds.
    pub fn signers(&self, i: usize, h: u64) -> Vec<String> {
        let of = |c: &Value| -> Vec<String> {
            c["signatures"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s["validator_address"].as_str().map(str::to_uppercase))
                        .collect()
                })
                .unwrap_or_default()
        };
        let c = self.call(i, "commit", json!({ "height": h.to_string() })).expect("commit");
        let mut out = of(&c["signed_header"]["commit"]);
        if let Some(b) = self.call(i, "block", json!({ "height": (h + 1).to_string() })) {
            out.extend(of(&b["block"]["last_commit"]));
        }
        out.sort();
        out.dedup();
        out
    }

    /// The header of block `h` (as node `i` stores it).
    pub fn header(&self, i: usize, h: u64) -> Value {
        let b = self.call(i, "block", json!({ "height": h.to_string() })).expect("block");
        b["block"]["header"].clone()
    }

    /// A keyring key's account address.
    pub fn address(&self, name: &str) -> String {
        keyring_address(&self.dir, name)
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        for i in 0..self.nodes.len() {
            self.kill(i);
        }
    }
}

pub fn keyring_address(dir: &Path, name: &str) -> String {
    let kr = dcloud_crypto::keyring::Keyring::open(
        &dir.join("keyring-test"),
        dcloud_crypto::keyring::KeyringBackend::Test,
    )
    .expect("keyring");
    kr.get(name).expect("key").address.to_string()
}

/// Forwards one direction of a connection, each chunk `delay` after it was read.
async fn delayed_copy(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    delay: Duration,
) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let writer = tokio::spawn(async move {
        while let Some((at, chunk)) = rx.recv().await {
            tokio::time::sleep_until((at + delay).into()).await;
            if to.write_all(&chunk).await.is_err() {
                break;
            }
        }
        let _ = to.shutdown().await;
    });
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if tx.send((Instant::now(), buf[..n].to_vec())).is_err() {
                    break;
                }
            }
        }
    }
    drop(tx);
    let _ = writer.await;
}

/// A userspace TCP relay `127.0.0.1:listen` → `127.0.0.1:target` adding `delay` in both
/// directions (the kernel here has no netem). Runs until its runtime stops.
pub async fn delay_relay(listen: u16, target: u16, delay: Duration) {
    let l = tokio::net::TcpListener::bind(("127.0.0.1", listen)).await.expect("relay bind");
    loop {
        let Ok((inbound, _)) = l.accept().await else { continue };
        tokio::spawn(async move {
            let Ok(outbound) = tokio::net::TcpStream::connect(("127.0.0.1", target)).await else {
                return;
            };
            let _ = inbound.set_nodelay(true);
            let _ = outbound.set_nodelay(true);
            let (ir, iw) = inbound.into_split();
            let (or, ow) = outbound.into_split();
            tokio::join!(delayed_copy(ir, ow, delay), delayed_copy(or, iw, delay));
        });
    }
}

/// A relay `127.0.0.1:listen` → `127.0.0.1:target` that can be cut: while `cut` is set,
/// its open connections are closed and new ones are refused (a network partition).
pub async fn cuttable_relay(
    listen: u16,
    target: u16,
    cut: std::sync::Arc<std::sync::atomic::AtomicBool>,
) {
    use std::sync::atomic::Ordering;
    let l = tokio::net::TcpListener::bind(("127.0.0.1", listen)).await.expect("relay bind");
    loop {
        let Ok((mut inbound, _)) = l.accept().await else { continue };
        if cut.load(Ordering::SeqCst) {
            let _ = inbound.shutdown().await;
            continue;
        }
        let cut = cut.clone();
        tokio::spawn(async move {
            let Ok(mut outbound) = tokio::net::TcpStream::connect(("127.0.0.1", target)).await
            else {
                return;
            };
            let copy = tokio::io::copy_bidirectional(&mut inbound, &mut outbound);
            let watch = async {
                while !cut.load(Ordering::SeqCst) {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            };
            tokio::select! {
                _ = copy => {}
                _ = watch => {}
            }
        });
    }
}
