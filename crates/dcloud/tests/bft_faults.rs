//! Faults between nodes: a node whose genesis has another chain id (same validators) is
//! connected but refused — nothing it is sent verifies, so it never takes a block; and a
//! network whose every P2P link runs through a userspace relay adding 50 ms each way
//! (the kernel here has no netem) keeps making blocks; a 2|2 partition (every link through
//! a relay that can be cut) halts the chain without a fork, and healing it resumes it. The checker compares every
//! node's block store after each scenario.

#[path = "common/bftnet.rs"]
mod bftnet;
mod common;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use bftnet::{base_port, Net};
use serde_json::{json, Value};

static SERIAL: Mutex<()> = Mutex::new(());
const T: Duration = Duration::from_secs(180);

#[test]
fn a_node_with_another_chain_id_is_refused() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut net = Net::new(base_port(4), 4, "500ms");
    net.wait_all(&[0, 1, 2, 3], 2, T);
    let s = net.add_full_node_with("stranger", "other-chain-1", |g: &mut Value| {
        g["chain_id"] = json!("other-chain-1");
    });
    net.start(s);
    net.wait_for("the stranger to connect", T, |n| {
        n.call(s, "net_info", json!({})).is_some_and(|v| v["n_peers"] != "0")
    });
    let h = net.height(0).expect("height");
    net.wait_all(&[0, 1, 2, 3], h + 6, T);
    assert_eq!(net.height(s), Some(0), "a node of another chain took blocks\n{}", net.logs());
    net.check_same_chain(&[0, 1, 2, 3], 3);
}

#[test]
fn blocks_continue_with_50ms_added_between_nodes() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let base = base_port(5);
    let mut net = Net::init(base, 4, "500ms");
    // Node j's P2P port is base+10j+2; its relay listens on base+10j+5.
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    for j in 0..4u16 {
        rt.spawn(bftnet::delay_relay(
            base + 10 * j + 5,
            base + 10 * j + 2,
            Duration::from_millis(50),
        ));
    }
    for i in 0..4 {
        let peers: Vec<String> = (0..4u16)
            .filter(|&j| usize::from(j) != i)
            .map(|j| format!("/ip4/127.0.0.1/tcp/{}", base + 10 * j + 5))
            .collect();
        net.nodes[i].flags.push(format!("--p2p.persistent_peers={}", peers.join(",")));
        net.start(i);
    }
    net.wait_all(&[0, 1, 2, 3], 2, T);
    let (h0, t0) = (net.height(0).expect("height"), Instant::now());
    net.wait_all(&[0, 1, 2, 3], h0 + 10, T);
    let per_block = t0.elapsed() / 10;
    let log = std::fs::read_to_string(net.nodes[0].home.join("node.log")).unwrap_or_default();
    let committed: Vec<&str> = log.lines().filter(|l| l.contains("committed block")).collect();
    let later_round = committed.iter().filter(|l| !l.contains("round=0")).count();
    eprintln!(
        "50 ms relay: {per_block:?} per block (target 500 ms); {later_round} of {} blocks \
         decided after round 0",
        committed.len()
    );
    if std::env::var("BFT_KEEP_LOG").is_ok() {
        let _ = std::fs::copy(net.nodes[0].home.join("node.log"), "/tmp/bft-relay-node0.log");
    }
    net.send_via(2, &net.address("validator0"));
    net.check_same_chain(&[0, 1, 2, 3], 3);
    drop(net);
    rt.shutdown_background();
}

#[test]
fn a_two_two_partition_halts_without_fork_then_heals() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let base = base_port(6);
    let mut net = Net::init(base, 4, "500ms");
    // One relay per ordered pair (i dials j through it): base + 50 + 4i + j.
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let side = |i: usize| i / 2; // {0,1} | {2,3}
    let mut cross = Vec::new();
    for i in 0..4usize {
        for j in (0..4usize).filter(|&j| j != i) {
            let cut = Arc::new(AtomicBool::new(false));
            if side(i) != side(j) {
                cross.push(cut.clone());
            }
            let listen = base + 50 + (4 * i + j) as u16;
            rt.spawn(bftnet::cuttable_relay(listen, base + 10 * j as u16 + 2, cut));
        }
    }
    for i in 0..4usize {
        let peers: Vec<String> = (0..4usize)
            .filter(|&j| j != i)
            .map(|j| format!("/ip4/127.0.0.1/tcp/{}", base + 50 + (4 * i + j) as u16))
            .collect();
        net.nodes[i].flags.push(format!("--p2p.persistent_peers={}", peers.join(",")));
        net.start(i);
    }
    net.wait_all(&[0, 1, 2, 3], 3, T);

    // Partition: neither side holds 2/3, so no side decides (at most one block in flight).
    for c in &cross {
        c.store(true, Ordering::SeqCst);
    }
    std::thread::sleep(Duration::from_secs(3));
    let at: Vec<u64> = (0..4).map(|i| net.height(i).expect("height")).collect();
    std::thread::sleep(Duration::from_secs(8));
    let later: Vec<u64> = (0..4).map(|i| net.height(i).expect("height")).collect();
    let top = *at.iter().max().expect("heights");
    assert!(
        later.iter().all(|&h| h <= top + 1),
        "a side of a 2|2 partition made blocks: {at:?} → {later:?}"
    );
    net.check_same_chain(&[0, 1, 2, 3], 3);

    // Heal: the chain resumes and every node catches up.
    for c in &cross {
        c.store(false, Ordering::SeqCst);
    }
    net.wait_all(&[0, 1, 2, 3], top + 4, T);
    net.check_same_chain(&[0, 1, 2, 3], 3);
    drop(net);
    rt.shutdown_background();
}
