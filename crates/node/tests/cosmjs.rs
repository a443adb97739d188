//! cosmjs from npm, unmodified, against a real node: starts a node whose genesis funds a
//! mnemonic, then runs `tests/js/cosmjs.test.mjs` (node's test runner) against it.
//!
//! Needs node.js and `npm ci` in `tests/js` (CI does both). Without node.js the test says
//! so and passes, unless `DCLOUD_REQUIRE_JS=1` (set by CI), where it fails.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use dcloud_app::modules::bank::{GenesisBalance, RawCoin};
use dcloud_app::Genesis;
use dcloud_crypto::secp256k1::SigningKey;
use dcloud_node::{init_home, NodeConfig, RunningNode};
use serde_json::json;

const MNEMONIC: &str = "wealth flavor believe regret funny network recall kiss grape useless pepper cram hint member few certain unveil rather brick bargain curious require crowd raise";
const CHAIN_ID: &str = "cosmjs-test-1";

fn js_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/js")
}

fn have_node() -> bool {
    Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cosmjs_against_a_node() {
    let required = std::env::var("DCLOUD_REQUIRE_JS").is_ok_and(|v| v == "1");
    let modules = js_dir().join("node_modules/@cosmjs/stargate");
    if !have_node() || !modules.exists() {
        assert!(
            !required,
            "DCLOUD_REQUIRE_JS=1 but node.js or tests/js/node_modules is missing (run `npm ci` in tests/js)"
        );
        eprintln!("SKIPPED: cosmjs test needs node.js and `npm ci` in tests/js");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    init_home(home, "cosmjs", CHAIN_ID, false).unwrap();
    let key = SigningKey::from_mnemonic(MNEMONIC, "", 0, 0).unwrap();
    let gpath = dcloud_node::genesis_path(home);
    let mut g = Genesis::from_json(&std::fs::read_to_string(&gpath).unwrap()).unwrap();
    g.app_state.bank.balances.push(GenesisBalance {
        address: key.public_key().address().to_string(),
        coins: vec![RawCoin { denom: "uakt".into(), amount: json!("11000000000") }],
    });
    // Proof of stake as on the devnet, the funded key operating the node's validator (its
    // self-delegation comes out of the balance above).
    dcloud_testkit::devnet::staking(&mut g, &key.public_key().address()).unwrap();
    std::fs::write(&gpath, g.to_json()).unwrap();
    let mut cfg = NodeConfig::default_for(home);
    cfg.rpc_listen = "127.0.0.1:0".parse().unwrap();
    cfg.api_listen = "127.0.0.1:0".parse().unwrap();
    cfg.block_time = Duration::from_millis(300);
    cfg.check_invariants = true;
    let node = RunningNode::start(cfg).await.unwrap();
    let rpc = format!("http://{}", node.rpc_addr);
    let client = dcloud_client::RpcClient::new(&rpc).unwrap();
    client.wait_for_height(2, Duration::from_secs(20)).await.unwrap();

    let out = tokio::task::spawn_blocking(move || {
        // `timeout`: a test that leaves a socket open must not hang the suite.
        Command::new("timeout")
            .args(["180", "node", "--test", "--test-reporter=spec", "cosmjs.test.mjs"])
            .current_dir(js_dir())
            .env("DCLOUD_RPC", &rpc)
            .env("DCLOUD_CHAIN_ID", CHAIN_ID)
            .env("DCLOUD_MNEMONIC", MNEMONIC)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    node.shutdown().await.unwrap();
    assert!(out.status.success(), "cosmjs tests failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("pass 4"), "all four cosmjs tests ran:\n{stdout}");
}
