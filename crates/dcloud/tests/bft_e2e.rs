//! A 4-validator BFT network of real `dcloud node` processes on loopback, written by
//! `dcloud testnet --init-only`: every node commits the same blocks and app hashes; one
//! validator down → blocks continue and a tx sent to any node lands; two down → the chain
//! halts without forking, and resumes (the killed nodes catching up) once they restart.
//! After each scenario the checker compares every node's block store height by height.

#[path = "common/bftnet.rs"]
mod bftnet;
mod common;

use std::sync::Mutex;
use std::time::Duration;

use bftnet::{base_port, Net};
use serde_json::json;

/// The scenarios each run 4+ nodes: never at the same time on a small machine.
static SERIAL: Mutex<()> = Mutex::new(());

#[test]
fn four_validators_agree_and_survive_one_crash() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut net = Net::new(base_port(0), 4, "1s");
    net.wait_all(&[0, 1, 2, 3], 3, Duration::from_secs(180));
    net.check_same_chain(&[0, 1, 2, 3], 3);

    // status says bft and counts peers; net_info lists them in CometBFT's shape.
    let s = net.call(0, "status", json!({})).expect("status");
    assert_eq!(s["node_info"]["consensus"], "bft", "{s}");
    net.wait_for("3 peers in net_info", Duration::from_secs(30), |n| {
        n.call(1, "net_info", json!({})).is_some_and(|v| v["n_peers"] == "3")
    });
    let ni = net.call(1, "net_info", json!({})).expect("net_info");
    assert_eq!(ni["listening"], true);
    assert_eq!(ni["listeners"][0], net.nodes[1].p2p.as_str());
    let peers = ni["peers"].as_array().expect("peers");
    assert!(peers.iter().all(|p| p["node_info"]["id"].as_str().is_some_and(|id| id.len() > 40)));
    assert!(peers.iter().all(|p| p["remote_ip"] == "127.0.0.1"), "{ni}");
    let s = net.call(1, "status", json!({})).expect("status");
    assert_eq!(s["node_info"]["other"]["n_peers"], "3", "{s}");

    // Txs sent to node 3 land, also in blocks other validators proposed (tx gossip).
    let to = net.address("validator0");
    let (me3, _) = net.validator_key(3);
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
    net.check_same_chain(&[1, 2, 3], 3);
}

#[test]
fn two_down_halts_then_resumes_and_catches_up() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut net = Net::new(base_port(1), 4, "1s");
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
    net.check_same_chain(&[2, 3], 3);

    // Both back: the chain resumes and the restarted nodes catch up through sync.
    net.start(0);
    net.start(1);
    net.wait_all(&[0, 1, 2, 3], halted + 3, Duration::from_secs(180));
    net.check_same_chain(&[0, 1, 2, 3], 3);
}
