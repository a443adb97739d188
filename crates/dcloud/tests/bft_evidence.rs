//! Double signing is punished: a second instance of validator 0's key (own home and P2P
//! key, same consensus key) signs conflicting votes; Malachite reports the equivocation
//! (`Finalized` evidence), the next proposer puts it into a block (`evidence`, committed to
//! by the header's `evidence_hash`, checked by every node), and the slashing module slashes,
//! jails and tombstones validator 0. The chain goes on with the other three; the checker
//! compares every node's block store, the double signer's included.

#[path = "common/bftnet.rs"]
mod bftnet;
mod common;

use std::time::Duration;

use bftnet::{base_port, Net};
use serde_json::{json, Value};

const T: Duration = Duration::from_secs(240);

#[test]
fn double_signing_gets_the_validator_slashed_and_tombstoned() {
    let mut net = Net::new(base_port(3), 4, "500ms");
    net.wait_all(&[0, 1, 2, 3], 2, T);
    let (addr0, _) = net.validator_key(0);
    let twin = net.add_twin(0);
    net.start(twin);

    net.wait_for("validator 0 to be tombstoned", T, |n| {
        n.call(1, "status", json!({})).is_some()
            && n.cli(1, &["query", "slashing", "signing-info", &addr0])["tombstoned"] == true
    });
    // Which block carried the evidence: every node holds it, for validator 0.
    let top = net.height(1).expect("height");
    let with_evidence: Vec<(u64, Value)> = (1..=top)
        .filter_map(|h| {
            let b = net.call(1, "block", json!({ "height": h.to_string() }))?;
            let ev = b["block"]["evidence"]["evidence"].clone();
            ev.as_array().is_some_and(|a| !a.is_empty()).then_some((h, b))
        })
        .collect();
    assert!(!with_evidence.is_empty(), "no block carries evidence");
    let (eh, b) = &with_evidence[0];
    // CometBFT's shape: {"evidence": [{"type": "tendermint/DuplicateVoteEvidence", "value"}]}.
    let item = &b["block"]["evidence"]["evidence"][0];
    assert_eq!(item["type"], "tendermint/DuplicateVoteEvidence");
    let ev = &item["value"];
    assert_eq!(ev["validator_address"].as_str().map(str::to_uppercase), Some(addr0.clone()));
    assert_ne!(ev["vote_a"]["block_hash"], ev["vote_b"]["block_hash"]);
    assert!(b["block"]["header"]["evidence_hash"].as_str().is_some_and(|s| s.len() == 64));
    eprintln!("evidence at height {eh}: {ev}");

    // Slashed (tokens below the 1000 AKT self-delegation) and jailed.
    let v = net.cli(1, &["query", "staking", "validator", "validator0"]);
    assert_eq!(v["jailed"], true, "{v}");
    let tokens: u128 = v["tokens"]
        .as_str()
        .map(|s| s.parse().expect("tokens"))
        .or_else(|| v["tokens"].as_u64().map(u128::from))
        .expect("tokens");
    assert!(tokens < 1_000_000_000, "not slashed: {v}");

    // The chain goes on with the other three.
    let h = net.height(1).expect("height");
    net.wait_all(&[1, 2, 3], h + 3, T);
    let (a1, _) = net.validator_key(1);
    assert!(net.signers(1, h + 2).contains(&a1));
    assert!(!net.signers(1, h + 2).contains(&addr0), "a tombstoned validator still signs");
    net.check_same_chain(&net.all(), 3);
}
