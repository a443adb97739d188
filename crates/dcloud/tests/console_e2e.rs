//! End to end: the web console in a real browser. Starts `dcloud devnet --no-provider` (which
//! serves the console, with its faucet), sends one tx and creates one deployment with the CLI,
//! starts `dcloud console` for a node that is down, then
//! drives headless Chromium with playwright-core (`web/tests/e2e.mjs`) through the explorer
//! (blocks live, a block, the tx decoded, validators, providers, an account, search,
//! governance), the
//! wallet (create with a password, the faucet, wrong password, unlock, import a phrase and
//! send coins signed in the browser) and the node-down message. Screenshots of every page at 1280x800
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

/// A plain HTTP/1.0 GET of `http://host:port/path`; returns the body (panics unless 200).
fn http_get(url: &str) -> String {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("http URL");
    let (host, path) =
        rest.split_once('/').map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let mut s = std::net::TcpStream::connect(host).expect("connect");
    write!(s, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    let (head, body) = out.split_once("\r\n\r\n").expect("HTTP response");
    assert!(head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"), "{head}");
    body.to_string()
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
            &format!("127.0.0.1:{}", common::free_port()),
            "-o",
            "json",
        ],
    );
    let info = devnet.first_json_line(T);
    env.wait_for_height(2, T, &mut devnet);
    let bob = key(&info, "bob")["address"].as_str().expect("bob").to_string();
    let alice = key(&info, "alice")["address"].as_str().expect("alice").to_string();
    let alice_mnemonic =
        key(&info, "alice")["mnemonic"].as_str().expect("alice's mnemonic").to_string();

    // One bank send from the CLI, for the tx page.
    let out =
        env.run(&["tx", "bank", "send", "alice", &bob, "2500uakt", "-y", "-o", "json"]).json();
    assert_eq!(out["code"], 0, "{out}");
    let send_tx = out["hash"].as_str().expect("hash").to_string();
    // A deployment (no provider runs: its order stays open), for alice's account page.
    let sdl = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/hello.yaml");
    let sdl = sdl.to_str().expect("utf-8 path");
    let out = env
        .run(&[
            "tx",
            "deployment",
            "create",
            sdl,
            "--deposit",
            "5000000uact",
            "--from",
            "alice",
            "-y",
            "-o",
            "json",
        ])
        .json();
    assert_eq!(out["code"], 0, "{out}");
    let dseq = out["dseq"].as_u64().expect("dseq").to_string();
    // A text proposal in its voting period, for the governance page.
    let prop = env.dir.path().join("proposal.json");
    std::fs::write(
        &prop,
        r#"{"messages": [], "metadata": "", "deposit": "2500000000uakt", "title": "Console e2e", "summary": "A text proposal to vote on from the browser"}"#,
    )
    .expect("write proposal");
    let prop = prop.to_str().expect("utf-8 path");
    let out = env
        .run(&["tx", "gov", "submit-proposal", prop, "--from", "alice", "-y", "-o", "json"])
        .json();
    assert_eq!(out["code"], 0, "{out}");

    // The devnet's own console (with its faucet), and `dcloud console` for a node that does
    // not run.
    let url =
        info["console"].as_str().unwrap_or_else(|| panic!("no console in {info}")).to_string();
    let c: serde_json::Value =
        serde_json::from_str(&http_get(&format!("{url}api/config"))).expect("config JSON");
    assert_eq!(
        c["embedded"], true,
        "this dcloud was built without the web app: run `cd web && npm ci && npm run build`, then the test again"
    );
    assert_eq!(c["faucet"], true, "{c}");
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
        .env("ALICE", &alice)
        .env("DSEQ", &dseq)
        .env("FAUCET", "1")
        .env("SEND_TX", &send_tx)
        .env("SHOTS_DIR", &shots)
        .env("CHROMIUM", &chromium)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    dead.assert_running();
    devnet.assert_running();
    assert!(
        out.status.success(),
        "the browser test failed:\n{stdout}\n{stderr}\ndevnet: {}",
        devnet.logs()
    );
    // The figures line, and every screenshot it names exists.
    let last = stdout.lines().rev().find(|l| l.starts_with("{\"result\"")).expect("result line");
    let r: serde_json::Value = serde_json::from_str(last).expect("result JSON");
    let files = r["result"]["shots"].as_array().expect("shots");
    assert!(files.len() >= 31, "{r}");
    for f in files {
        let p = Path::new(f.as_str().expect("path"));
        assert!(std::fs::metadata(p).map(|m| m.len() > 1000).unwrap_or(false), "{}", p.display());
    }

    // Seen by the CLI: bob got 2500uakt (CLI) and 1.5 AKT (signed in the browser), and paid
    // the faucet's 100 AKT and its fee.
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
    let faucet_fee = 7_500; // ceil(300 000 gas × 0.025 uakt)
    assert_eq!(uakt, 1_000_000_000_000 + 2500 + 1_500_000 - 100_000_000 - faucet_fee);
}
