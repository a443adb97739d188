//! End to end: `dcloud devnet` up, status, send, query, SIGKILL, restart with
//! `dcloud node start`, nothing lost; Ctrl-C stops cleanly.

mod common;

use std::time::Duration;

use common::Env;

const T: Duration = Duration::from_secs(60);

fn uakt(balances: &serde_json::Value) -> u128 {
    balances["balances"]
        .as_array()
        .expect("balances array")
        .iter()
        .find(|c| c["denom"] == "uakt")
        .map(|c| c["amount"].as_str().expect("amount string").parse().expect("amount"))
        .unwrap_or(0)
}

#[test]
fn devnet_send_sigkill_restart_keeps_everything() {
    let (env, mut devnet, _) = common::devnet();

    // The chain runs and the height rises.
    let h1 = env.wait_for_height(1, T, &mut devnet);
    env.wait_for_height(h1 + 1, T, &mut devnet);

    // The devnet keys exist in the test keyring.
    let keys = env.run(&["keys", "list", "-o", "json"]).json();
    let names: Vec<&str> =
        keys.as_array().expect("array").iter().map(|k| k["name"].as_str().expect("name")).collect();
    assert_eq!(names, ["alice", "bob", "provider", "validator"]);
    let bob = env.run(&["keys", "show", "bob", "-a"]).ok().trim().to_string();
    assert!(bob.starts_with("akash1"), "{bob}");

    let before = uakt(&env.run(&["query", "bank", "balances", &bob, "-o", "json"]).json());
    assert_eq!(before, 1_000_000_000_000);

    // Send, waiting for inclusion.
    let out =
        env.run(&["tx", "bank", "send", "alice", "bob", "1000uakt", "-y", "-o", "json"]).json();
    assert_eq!(out["code"], 0, "{out}");
    let hash = out["hash"].as_str().expect("hash").to_string();
    let tx_height = out["height"].as_u64().expect("height");
    assert_eq!(hash.len(), 64);

    let after = uakt(&env.run(&["query", "bank", "balances", "bob", "-o", "json"]).json());
    assert_eq!(after, before + 1000);

    let tx = env.run(&["query", "tx", &hash, "-o", "json"]).json();
    assert_eq!(tx["height"].as_u64(), Some(tx_height));
    assert_eq!(tx["tx_result"]["code"], 0);
    let text = env.run(&["query", "tx", &hash.to_lowercase()]).ok().to_string();
    assert!(text.contains(&bob), "{text}");

    let search = env
        .run(&["query", "txs", "--query", &format!("transfer.recipient='{bob}'"), "-o", "json"])
        .json();
    assert!(
        search["txs"].as_array().expect("txs").iter().any(|t| t["hash"] == hash.as_str()),
        "{search}"
    );

    let acc = env.run(&["query", "auth", "account", "alice", "-o", "json"]).json();
    assert_eq!(acc["sequence"], 1, "{acc}");

    // A block after the tx, to compare after the restart.
    let last = env.wait_for_height(tx_height + 1, T, &mut devnet);
    let block_before = env.run(&["query", "block", &tx_height.to_string(), "-o", "json"]).json();
    let next_before =
        env.run(&["query", "block", &(tx_height + 1).to_string(), "-o", "json"]).json();

    // SIGKILL, then restart with `node start` on the same home (the devnet saved its ports).
    devnet.kill();
    assert_ne!(env.run(&["status"]).code, 0, "node should be down");
    let mut node = env.spawn("node", &["node", "start"]);
    let h = env.wait_for_height(last, T, &mut node);
    assert!(h >= last);
    env.wait_for_height(h + 1, T, &mut node);

    assert_eq!(
        uakt(&env.run(&["query", "bank", "balances", "bob", "-o", "json"]).json()),
        before + 1000
    );
    let tx2 = env.run(&["query", "tx", &hash, "-o", "json"]).json();
    assert_eq!(tx2, tx, "tx record changed across the restart");
    let block_after = env.run(&["query", "block", &tx_height.to_string(), "-o", "json"]).json();
    assert_eq!(block_after, block_before, "block changed across the restart");
    let next_after =
        env.run(&["query", "block", &(tx_height + 1).to_string(), "-o", "json"]).json();
    assert_eq!(
        next_after["block"]["header"]["app_hash"], next_before["block"]["header"]["app_hash"],
        "app hash after the tx's block changed"
    );

    // A second send after the restart uses the next sequence.
    let out = env
        .run(&[
            "tx",
            "bank",
            "send",
            "alice",
            &bob,
            "5uakt",
            "-y",
            "--broadcast-mode",
            "sync",
            "-o",
            "json",
        ])
        .json();
    assert_eq!(out["code"], 0);
    assert!(out["height"].is_null());

    // Ctrl-C stops cleanly.
    assert_eq!(node.interrupt(Duration::from_secs(20)), 0, "{}", node.logs());
}

#[test]
fn devnet_reuses_its_home_and_resets_on_request() {
    let rpc = common::free_port();
    let api = common::free_port();
    let mut env = Env::new();
    env.node = format!("http://127.0.0.1:{rpc}");
    let args = [
        "devnet",
        "--no-provider",
        "-o",
        "json",
        "--rpc.laddr",
        &format!("127.0.0.1:{rpc}"),
        "--api.laddr",
        &format!("127.0.0.1:{api}"),
    ];
    let mut first = env.spawn("first", &args);
    env.wait_for_height(1, T, &mut first);
    let info: serde_json::Value = first.first_json_line(T);
    assert_eq!(info["chain_id"], "dcloud-devnet-1");
    assert_eq!(info["created"], true);
    assert_eq!(info["rpc"], format!("http://127.0.0.1:{rpc}"));
    let keys = info["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 4);
    assert!(keys
        .iter()
        .all(|k| k["mnemonic"].as_str().is_some_and(|m| m.split(' ').count() == 24)));
    assert_eq!(first.interrupt(Duration::from_secs(20)), 0, "{}", first.logs());

    // Second start: same keys, no mnemonics, chain resumes.
    let mut second = env.spawn("second", &args);
    env.wait_for_height(1, T, &mut second);
    let info2: serde_json::Value = second.first_json_line(T);
    assert_eq!(info2["created"], false);
    assert_eq!(info2["keys"][0]["address"], info["keys"][0]["address"]);
    assert!(info2["keys"][0]["mnemonic"].is_null());
    assert_eq!(second.interrupt(Duration::from_secs(20)), 0);

    // --reset: new keys.
    let mut reset_args = args.to_vec();
    reset_args.push("--reset");
    let mut third = env.spawn("third", &reset_args);
    env.wait_for_height(1, T, &mut third);
    let info3: serde_json::Value = third.first_json_line(T);
    assert_eq!(info3["created"], true);
    assert_ne!(info3["keys"][0]["address"], info["keys"][0]["address"]);
    assert_eq!(third.interrupt(Duration::from_secs(20)), 0);
}
