//! Anyone can join: a new full node made with `dcloud init` + the network's genesis + one
//! persistent peer syncs the chain from genesis; its operator sends
//! `tx staking create-validator` with the node's consensus key and enough stake, and the
//! node is in the validator set — and signs — from height h+2 (CometBFT's rule; the
//! headers' validators hash changes exactly there); unbonding its stake removes it again at
//! u+2 and the chain goes on. The checker compares all five nodes' block stores.

#[path = "common/bftnet.rs"]
mod bftnet;
mod common;

use std::time::Duration;

use bftnet::{base_port, Net};
use serde_json::json;

const T: Duration = Duration::from_secs(180);

#[test]
fn a_new_node_syncs_from_genesis_joins_the_validators_and_leaves() {
    let mut net = Net::new(base_port(2), 4, "500ms");
    let vals = [0, 1, 2, 3];
    net.wait_all(&vals, 4, T);

    // A full node from `dcloud init` + genesis + node0 as its persistent peer syncs.
    let j = net.add_full_node("joiner");
    net.start(j);
    let tip = net.height(0).expect("height");
    net.wait_all(&[j], tip, T);
    net.check_same_chain(&net.all(), 3);
    let ni = net.call(j, "net_info", json!({})).expect("net_info");
    assert_ne!(ni["n_peers"], "0", "{ni}");
    let (jaddr, jpk) = net.validator_key(j);
    assert!(!jaddr.is_empty() && !jpk.is_empty());

    // create-validator with the node's consensus key: in the set from h+2 on.
    let h = net.tx(
        1,
        &[
            "staking",
            "create-validator",
            "1000000000uakt",
            "--from",
            "user",
            "--pubkey",
            &jpk,
            "--moniker",
            "joiner",
        ],
    );
    net.wait_all(&vals, h + 3, T);
    let vh = |x: u64| net.header(0, x)["validators_hash"].as_str().unwrap_or_default().to_string();
    assert_eq!(vh(h + 1), vh(h), "the set changed before h+2");
    assert_ne!(vh(h + 2), vh(h + 1), "the set did not change at h+2");
    assert!(!net.signers(0, h + 1).contains(&jaddr), "the joiner signed h+1, before its set");
    net.wait_for("the joiner to sign a block", T, |n| {
        let top = n.height(0).unwrap_or(0).saturating_sub(1);
        (h + 2..=top).any(|x| n.signers(0, x).contains(&jaddr))
    });

    // Unbonding its whole stake removes it at u+2; the chain goes on without it.
    let u = net.tx(1, &["staking", "unbond", "user", "1000000000uakt", "--from", "user"]);
    net.wait_all(&vals, u + 5, T);
    assert_ne!(vh(u + 2), vh(u + 1), "the set did not change at u+2");
    for x in u + 2..=u + 4 {
        assert!(!net.signers(0, x).contains(&jaddr), "the joiner signed {x} after leaving");
    }
    net.wait_all(&net.all(), u + 5, T);
    net.check_same_chain(&net.all(), 3);
}
