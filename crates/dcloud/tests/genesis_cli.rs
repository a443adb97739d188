//! `dcloud init` and `dcloud genesis …` through the real binary.

mod common;

use common::Env;

const ADDR: &str = "akash19rl4cm2hmr8afy4kldpxz3fka4jguq0a3mq6x0";

#[test]
fn init_add_account_validate() {
    let env = Env::new().env("DCLOUD_KEYRING_BACKEND", "test");
    let e = env.run(&["init", "n1"]).one_line_error().to_string();
    assert!(e.contains("--chain-id"), "{e}");
    let out = env.run(&["init", "n1", "--chain-id", "test-1", "-o", "json"]).json();
    assert_eq!(out["chain_id"], "test-1");
    // Not twice without --overwrite.
    let e = env.run(&["init", "n1", "--chain-id", "test-1"]).one_line_error().to_string();
    assert!(e.contains("--overwrite"), "{e}");

    env.run(&["genesis", "add-account", ADDR, "100uakt,5uact"]).ok();
    env.run(&["genesis", "add-account", ADDR, "50uakt"]).ok();
    env.run(&["keys", "add", "alice"]).ok();
    env.run(&["genesis", "add-account", "alice", "7uakt"]).ok();
    let v = env.run(&["genesis", "validate", "-o", "json"]).json();
    assert_eq!(v["valid"], true, "{v}");
    assert!(env.run(&["genesis", "validate"]).ok().contains("valid"));

    let g: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(env.home.join("config/genesis.json")).expect("genesis"),
    )
    .expect("json");
    let balances = g["app_state"]["bank"]["balances"].as_array().expect("balances");
    assert_eq!(balances.len(), 2);
    let mine = balances.iter().find(|b| b["address"] == ADDR).expect("entry");
    let coins: Vec<(String, String)> = mine["coins"]
        .as_array()
        .expect("coins")
        .iter()
        .map(|c| (c["denom"].as_str().expect("d").into(), c["amount"].as_str().expect("a").into()))
        .collect();
    assert_eq!(coins, [("uact".into(), "5".into()), ("uakt".into(), "150".into())]);

    for (args, needle) in [
        (vec!["genesis", "add-account", "akash1nope", "5uakt"], "invalid"),
        (vec!["genesis", "add-account", ADDR, "5"], "invalid coins"),
        (vec!["genesis", "add-account", ADDR, "0uakt"], "positive"),
        (vec!["genesis", "add-account", "carol", "5uakt"], "carol"),
    ] {
        let e = env.run(&args).one_line_error().to_string();
        assert!(e.contains(needle), "{args:?}: {e}");
    }
}

#[test]
fn validate_lists_every_problem() {
    let env = Env::new();
    let bad = serde_json::json!({
        "chain_id": "bad chain id!",
        "initial_height": 0,
        "validators": [],
        "app_state": {
            "auth": {"accounts": [{"address": ADDR}, {"address": ADDR}]},
            "bank": {"balances": [
                {"address": ADDR, "coins": [{"denom": "uakt", "amount": "-5"}]},
                {"address": ADDR, "coins": [{"denom": "uakt", "amount": "0"}]},
                {"address": "cosmos1xyz", "coins": [{"denom": "uakt", "amount": "10"}]}
            ]}
        }
    });
    let file = env.dir.path().join("bad.json");
    std::fs::write(&file, bad.to_string()).expect("write");
    let r = env.run(&["genesis", "validate", file.to_str().expect("path")]);
    assert_eq!(r.code, 1, "{r:?}");
    for needle in [
        "chain_id",
        "initial_height",
        "at least one validator",
        "duplicate account",
        "negative amount",
        "zero amount",
        "duplicate balance entry",
        "bank.balances[2]",
    ] {
        assert!(r.stderr.contains(needle), "missing {needle:?} in:\n{}", r.stderr);
    }
    assert!(!r.stderr.contains("panicked"));
    let v = env.run(&["genesis", "validate", file.to_str().expect("path"), "-o", "json"]);
    assert_eq!(v.code, 1);
    let v: serde_json::Value = serde_json::from_str(&v.stdout).expect("json");
    assert_eq!(v["valid"], false);
    assert!(v["problems"].as_array().expect("problems").len() >= 8, "{v}");

    // Not JSON at all, and a missing file: still a report, still exit 1.
    std::fs::write(&file, "{ nope").expect("write");
    let r = env.run(&["genesis", "validate", file.to_str().expect("path")]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("not valid JSON"), "{}", r.stderr);
    let r = env.run(&["genesis", "validate", "/nonexistent/genesis.json"]);
    assert_eq!(r.code, 1);
}
