//! End to end: the web console in a real browser. Starts `dcloud devnet --no-provider`, sends
//! one tx with the CLI, starts `dcloud console` for it (and one for a node that is down), then
//! drives headless Chromium with playwright-core (`web/tests/e2e.mjs`) through the explorer
//! (blocks live, a block, the tx decoded, validators, providers, an account, search), the
//! wallet (create with a password, wrong password, unlock, import a phrase and send coins
//! signed in the browser) and the node-down message. Screenshots of every page at 1280x800
//! and 390x844 land in a folder whose path is printed (kept; `DCLOUD_SHOTS_DIR` picks it).
//!
//! Needs: the binary built with the web app (`cd web && npm ci && npm run build` before
//! `cargo build`), Chromium (`apt-get install chromium`) and node + npm.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::Env;

const T: Duration = Duration::from_secs(60);

fn web_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web")
}

fn chromium() -> String {
    if let Ok(p) = std::env::var("CHROMIUM") {
        return p;
    }
    for p in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"] {
        if Path::new(p).exists() {
            return p.into();
        }
    }
    panic!("the console test needs Chromium: apt-get install -y chromium (or set CHROMIUM=/path)");
}

/// Installs the web app's locked npm packages (playwright-core among them) when missing.
fn ensure_playwright() {
    let dir = web_dir();
    if !dir.join("node_modules/playwright-core").is_dir() {
        let st = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .status()
            .expect("npm is needed for the console test (apt-get install nodejs npm)");
        assert!(st.success(), "npm ci in {} failed", dir.display());
    }
}

fn key<'a>(info: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    info["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["name"] == name)
        .unwrap_or_else(|| panic!("no key {name} in {info}"))
}

#[test]
fn console_in_a_real_browser() {
    let chromium = chromium();
    ensure_playwright();

    // A devnet that prints its keys (with mnemonics) as JSON.
    let rpc = common::free_port();
    let api = common::free_port();
    let mut env = Env::new().env("DCLOUD_KEYRING_BACKEND", "test");
    env.node = format!("http://127.0.0.1:{rpc}");
    let mut devnet = env.spawn(
        "devnet",
        &[
            "devnet",
            "--no-provider",
            "--block-time",
            "300ms",
            "--rpc.laddr",
            &format!("127.0.0.1:{rpc}"),
            "--api.laddr",
            &format!("127.0.0.1:{api}"),
            "--console.laddr",
            "off",
            "-o",
            "json",
        ],
    );
    let info = devnet.first_json_line(T);
    env.wait_for_height(2, T, &mut devnet);
    let bob = key(&info, "bob")["address"].as_str().expect("bob").to_string();
    let alice_mnemonic =
        key(&info, "alice")["mnemonic"].as_str().expect("alice's mnemonic").to_string();

    // One bank send from the CLI, for the tx page.
    let out =
        env.run(&["tx", "bank", "send", "alice", &bob, "2500uakt", "-y", "-o", "json"]).json();
    assert_eq!(out["code"], 0, "{out}");
    let send_tx = out["hash"].as_str().expect("hash").to_string();

    // The console for the devnet, and one for a node that does not run.
    let port = common::free_port();
    let mut console = env.spawn(
        "console",
        &[
            "console",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--rest",
            &format!("http://127.0.0.1:{api}"),
            "-o",
            "json",
        ],
    );
    let c = console.first_json_line(T);
    assert_eq!(
        c["embedded"], true,
        "this dcloud was built without the web app: run `cd web && npm ci && npm run build`, then the test again"
    );
    let url = c["url"].as_str().expect("url").to_string();
    let dead_port = common::free_port();
    let dead_env = Env { node: format!("http://127.0.0.1:{dead_port}"), ..Env::new() };
    let mut dead = dead_env.spawn(
        "console",
        &["console", "--listen", &format!("127.0.0.1:{}", common::free_port()), "-o", "json"],
    );
    let dead_url = dead.first_json_line(T)["url"].as_str().expect("url").to_string();

    let shots = std::env::var("DCLOUD_SHOTS_DIR").map(PathBuf::from).unwrap_or_else(|_| {
        std::env::temp_dir().join(format!("dcloud-console-shots-{}", std::process::id()))
    });
    println!("console screenshots: {}", shots.display());
    let out = Command::new("node")
        .arg(web_dir().join("tests/e2e.mjs"))
        .current_dir(web_dir())
        .env("CONSOLE_URL", &url)
        .env("DEAD_CONSOLE_URL", &dead_url)
        .env("ALICE_MNEMONIC", &alice_mnemonic)
        .env("BOB", &bob)
        .env("SEND_TX", &send_tx)
        .env("SHOTS_DIR", &shots)
        .env("CHROMIUM", &chromium)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    console.assert_running();
    dead.assert_running();
    devnet.assert_running();
    assert!(
        out.status.success(),
        "the browser test failed:\n{stdout}\n{stderr}\nconsole: {}\ndevnet: {}",
        console.logs(),
        devnet.logs()
    );
    // The figures line, and every screenshot it names exists.
    let last = stdout.lines().rev().find(|l| l.starts_with("{\"result\"")).expect("result line");
    let r: serde_json::Value = serde_json::from_str(last).expect("result JSON");
    let files = r["result"]["shots"].as_array().expect("shots");
    assert!(files.len() >= 20, "{r}");
    for f in files {
        let p = Path::new(f.as_str().expect("path"));
        assert!(std::fs::metadata(p).map(|m| m.len() > 1000).unwrap_or(false), "{}", p.display());
    }

    // The same tx, seen by the CLI: the browser's send landed too (bob got 1.5 AKT + 2500uakt).
    let bal = env.run(&["query", "bank", "balances", &bob, "-o", "json"]).json();
    let uakt: u128 = bal["balances"]
        .as_array()
        .expect("balances")
        .iter()
        .find(|c| c["denom"] == "uakt")
        .and_then(|c| c["amount"].as_str())
        .expect("uakt")
        .parse()
        .expect("amount");
    assert_eq!(uakt, 1_000_000_000_000 + 2500 + 1_500_000);
}
