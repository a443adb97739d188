//! Bad input to the CLI: one clear line on stderr and a non-zero exit, no node needed.

mod common;

use common::Env;

const ADDR: &str = "akash19rl4cm2hmr8afy4kldpxz3fka4jguq0a3mq6x0";

fn env_with_alice() -> Env {
    let env = Env::new().env("DCLOUD_KEYRING_BACKEND", "test");
    env.run(&["keys", "add", "alice"]).ok();
    env
}

#[test]
fn tx_send_bad_input_is_one_line() {
    let env = env_with_alice();
    for (args, needle) in [
        (vec!["tx", "bank", "send", "alice", "akash1qqqq", "5uakt", "-y"], "invalid recipient"),
        (
            vec![
                "tx",
                "bank",
                "send",
                "alice",
                "cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0a6uj3ks",
                "5uakt",
                "-y",
            ],
            "recipient",
        ),
        (vec!["tx", "bank", "send", "alice", "nobody", "5uakt", "-y"], "nobody"),
        (vec!["tx", "bank", "send", "alice", ADDR, "5", "-y"], "invalid amount"),
        (vec!["tx", "bank", "send", "alice", ADDR, "-5uakt", "-y"], "invalid amount"),
        (vec!["tx", "bank", "send", "alice", ADDR, "0uakt", "-y"], "positive"),
        (vec!["tx", "bank", "send", "alice", ADDR, "1.5uakt", "-y"], "invalid amount"),
        (vec!["tx", "bank", "send", "carol", ADDR, "5uakt", "-y"], "key \"carol\" not found"),
        (vec!["tx", "bank", "send", "alice", ADDR, "5uakt", "-y", "--fees", "abc"], "--fees"),
        // Valid input, but no node: a clear connection error.
        (vec!["tx", "bank", "send", "alice", ADDR, "5uakt", "-y"], "cannot reach node"),
    ] {
        let r = env.run(&args);
        let line = r.one_line_error();
        assert!(line.contains(needle), "{args:?}: {line}");
    }
}

#[test]
fn queries_without_a_node_or_with_bad_input() {
    let env = env_with_alice();
    for (args, needle) in [
        (vec!["status"], "is the node running"),
        (vec!["query", "bank", "balances", ADDR], "cannot reach node"),
        (vec!["query", "bank", "balances", "akash1bad"], "invalid address"),
        (vec!["query", "tx", "xyz"], "64 hex"),
        (vec!["query", "auth", "account", "nobody"], "nobody"),
    ] {
        let r = env.run(&args);
        let line = r.one_line_error();
        assert!(line.contains(needle), "{args:?}: {line}");
    }
}

#[test]
fn node_start_without_a_home_explains_what_to_do() {
    let env = Env::new();
    let line = env.run(&["node", "start"]).one_line_error().to_string();
    assert!(line.contains("dcloud init") && line.contains("dcloud devnet"), "{line}");
}
