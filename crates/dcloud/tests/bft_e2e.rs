//! A 4-validator BFT network of real `dcloud node` processes on loopback, written by
//! `dcloud testnet --init-only`: every node commits the same blocks and app hashes; one
//! validator down → blocks continue and a tx sent to any node lands; two down → the chain
//! halts without forking, and resumes (the killed nodes catching up) once they restart.
//! After each scenario a checker compares every node's block store height by height.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The two scenarios each run 4 nodes: never at the same time on a small machine.
static SERIAL: Mutex<()> = Mutex::new(());

const N: usize = 4;

struct Net {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    base: u16,
    nodes: Vec<Option<Child>>,
    rt: tokio::runtime::Runtime,
}

impl Net {
    fn new(base: u16) -> Self {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("testnet");
        let out = Command::new(common::bin())
            .args(["testnet", "--validators", "4", "--init-only", "--base-port"])
            .arg(base.to_string())
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
        let mut net = Self { _tmp: tmp, dir, base, nodes: (0..N).map(|_| None).collect(), rt };
        for i in 0..N {
            net.start(i);
        }
        net
    }

    fn home(&self, i: usize) -> PathBuf {
        self.dir.join(format!("node{i}"))
    }

    fn rpc(&self, i: usize) -> String {
        format!("http://127.0.0.1:{}", usize::from(self.base) + 10 * i)
    }

    fn start(&mut self, i: usize) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.home(i).join("node.log"))
            .expect("log file");
        let child = Command::new(common::bin())
            .args(["node", "start", "--home"])
            .arg(self.home(i))
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("spawn node");
        self.nodes[i] = Some(child);
    }

    fn kill(&mut self, i: usize) {
        if let Some(mut c) = self.nodes[i].take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn logs(&self) -> String {
        (0..N)
            .map(|i| {
                let s = std::fs::read_to_string(self.home(i).join("node.log")).unwrap_or_default();
                let tail: Vec<&str> = s.lines().rev().take(25).collect();
                format!(
                    "--- node{i} ---\n{}",
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn call(&self, i: usize, method: &str, params: Value) -> Option<Value> {
        let c = dcloud_client::RpcClient::new(&self.rpc(i)).ok()?;
        self.rt.block_on(async {
            tokio::time::timeout(Duration::from_secs(5), c.call::<Value>(method, params))
                .await
                .ok()?
                .ok()
        })
    }

    fn height(&self, i: usize) -> Option<u64> {
        let s = self.call(i, "status", json!({}))?;
        s["sync_info"]["latest_block_height"].as_str()?.parse().ok()
    }

    /// Waits until every node in `which` is at `h` or above.
    fn wait_all(&self, which: &[usize], h: u64, t: Duration) {
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

    /// Every node in `which` holds the same block (hash, app hash, results app hash) at
    /// every height they all have, and a commit for it. Returns the common height.
    fn check_same_chain(&self, which: &[usize]) -> u64 {
        let common = which.iter().map(|&i| self.height(i).expect("height")).min().expect("nodes");
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
                assert!(sigs >= 3, "node{i} commit {h} has {sigs} signatures: {c}");
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

    /// Sends 1000uakt from `user` through node `i`; returns (height, proposer) of its block.
    fn send_via(&self, i: usize, to: &str) -> (u64, String) {
        let out = Command::new(common::bin())
            .arg("--home")
            .arg(&self.dir)
            .args(["--node", &self.rpc(i), "--keyring-backend", "test"])
            .args(["tx", "bank", "send", "user", to, "1000uakt", "-y", "-o", "json"])
            .output()
            .expect("run tx");
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "send failed: {text} {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            self.logs()
        );
        let v: Value = serde_json::from_str(&text).expect("json");
        assert_eq!(v["code"], 0, "{v}");
        let h = v["height"].as_u64().expect("height");
        let b = self.call(i, "block", json!({ "height": h.to_string() })).expect("block");
        (h, b["block"]["header"]["proposer_address"].as_str().unwrap_or_default().to_string())
    }

    fn validator_address(&self, i: usize) -> String {
        let s = self.call(i, "status", json!({})).expect("status");
        s["validator_info"]["address"].as_str().unwrap_or_default().to_string()
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        for i in 0..N {
            self.kill(i);
        }
    }
}

/// Ports below the kernel's ephemeral range (32768+), so no outgoing connection holds them.
fn base_port(slot: u16) -> u16 {
    20_000 + (std::process::id() % 120) as u16 * 100 + slot * 50
}

fn keyring_address(dir: &Path, name: &str) -> String {
    let kr = dcloud_crypto::keyring::Keyring::open(
        &dir.join("keyring-test"),
        dcloud_crypto::keyring::KeyringBackend::Test,
    )
    .expect("keyring");
    kr.get(name).expect("key").address.to_string()
}

#[test]
fn four_validators_agree_and_survive_one_crash() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut net = Net::new(base_port(0));
    net.wait_all(&[0, 1, 2, 3], 3, Duration::from_secs(180));
    net.check_same_chain(&[0, 1, 2, 3]);

    // Txs sent to node 3 land, also in blocks other validators proposed (tx gossip).
    let to = keyring_address(&net.dir, "validator0");
    let me3 = net.validator_address(3);
    let mut by_others = 0;
    for _ in 0..5 {
        let (_, proposer) = net.send_via(3, &to);
        if !proposer.eq_ignore_ascii_case(&me3) {
            by_others += 1;
            break;
        }
    }
    assert!(by_others > 0, "every tx sent to node3 was proposed by node3");

    // One of four down: the chain goes on.
    net.kill(0);
    let h = net.height(1).expect("height");
    net.wait_all(&[1, 2, 3], h + 3, Duration::from_secs(150));
    net.send_via(2, &to);
    net.check_same_chain(&[1, 2, 3]);
}

#[test]
fn two_down_halts_then_resumes_and_catches_up() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut net = Net::new(base_port(1));
    net.wait_all(&[0, 1, 2, 3], 2, Duration::from_secs(180));

    // Two of four down: no 2/3 majority, no new blocks (at most one already in flight).
    net.kill(0);
    net.kill(1);
    std::thread::sleep(Duration::from_secs(4));
    let halted = net.height(2).expect("height");
    std::thread::sleep(Duration::from_secs(6));
    let later = [net.height(2).expect("height"), net.height(3).expect("height")];
    assert!(
        later.iter().all(|&x| x <= halted + 1),
        "chain moved with 2 of 4 down: {halted} → {later:?}"
    );
    net.check_same_chain(&[2, 3]);

    // Both back: the chain resumes and the restarted nodes catch up through sync.
    net.start(0);
    net.start(1);
    net.wait_all(&[0, 1, 2, 3], halted + 3, Duration::from_secs(180));
    net.check_same_chain(&[0, 1, 2, 3]);
}
