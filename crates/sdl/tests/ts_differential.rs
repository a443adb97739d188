//! Differential test against Akash's own TypeScript SDK (`@akashnetwork/chain-sdk`, the SDL
//! parser of Akash's Console), run under node from `tests/ts-oracle` (installed with `npm ci`
//! on first use; package-lock.json pins it).
//!
//! proptest generates SDLs (services, counts, CPU, and sizes spelt every way public templates
//! spell them: `512Mi`, `6GB`, `16gi`, `1ti`, `15Gb`, `512Mb`, `512m`, `1K` …) plus invalid
//! ones; both parsers judge each. They must agree on the verdict, and for valid SDLs on every
//! service's sizes and on the manifest hash (the whole manifest, byte for byte).
//!
//! Known, deliberate differences are kept out of the generator and pinned in
//! `known_differences`: where the TypeScript SDK and Akash's Go code disagree we follow Go.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::Value;

fn oracle_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/ts-oracle")
}

/// Runs the oracle over `sdls`; installs its locked npm packages first if needed.
fn oracle(sdls: &[String]) -> Vec<Value> {
    let dir = oracle_dir();
    if !dir.join("node_modules/@akashnetwork/chain-sdk").is_dir() {
        let st = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .status()
            .expect("npm is needed for the SDL differential test (apt-get install nodejs npm)");
        assert!(st.success(), "npm ci in {} failed", dir.display());
    }
    let mut child = Command::new("node")
        .arg("oracle.mjs")
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node is needed for the SDL differential test");
    let input = serde_json::to_vec(sdls).expect("json");
    child.stdin.take().expect("stdin").write_all(&input).expect("write to oracle");
    let out = child.wait_with_output().expect("oracle output");
    assert!(out.status.success(), "oracle failed: {:?}", out.status);
    serde_json::from_slice(&out.stdout).expect("oracle prints JSON")
}

/// A size as people write it: `(text, bytes)`.
fn size() -> impl Strategy<Value = (String, u64)> {
    let mantissa = prop_oneof![
        Just(("1", 1u64, 1u64)),
        Just(("2", 2, 1)),
        Just(("16", 16, 1)),
        Just(("128", 128, 1)),
        Just(("512", 512, 1)),
        Just(("1.5", 3, 2)),
        Just(("0.5", 1, 2)),
    ];
    // (suffix spelling, multiplier); the prefix letter in any case, optional `i`, optional `b`.
    let suffix = prop_oneof![
        Just(("Ki", 1u64 << 10)),
        Just(("Mi", 1 << 20)),
        Just(("Gi", 1 << 30)),
        Just(("k", 1_000)),
        Just(("M", 1_000_000)),
        Just(("G", 1_000_000_000)),
        Just(("mi", 1 << 20)),
        Just(("gi", 1 << 30)),
        Just(("GI", 1 << 30)),
        Just(("ki", 1 << 10)),
        Just(("K", 1_000)),
        Just(("KB", 1_000)),
        Just(("m", 1_000_000)),
        Just(("MB", 1_000_000)),
        Just(("Mb", 1_000_000)),
        Just(("mb", 1_000_000)),
        Just(("g", 1_000_000_000)),
        Just(("GB", 1_000_000_000)),
        Just(("Gb", 1_000_000_000)),
    ];
    // Within the on-chain limits (memory 1Mi..2Ti, storage 5Mi..32Ti), which Go enforces
    // and TS does not.
    (mantissa, suffix)
        .prop_map(|((t, n, d), (s, m))| (format!("{t}{s}"), n * m / d))
        .prop_filter("within the on-chain limits", |(_, b)| (5 << 20..=2 << 40).contains(b))
}

#[derive(Debug, Clone)]
struct Svc {
    name: &'static str,
    count: u32,
    cpu: &'static str,
    memory: (String, u64),
    storage: (String, u64),
    global: bool,
}

fn service(name: &'static str) -> impl Strategy<Value = Svc> {
    (
        1u32..4,
        prop_oneof![Just("0.1"), Just("0.5"), Just("1"), Just("2"), Just("100m"), Just("250m")],
        size(),
        size(),
        any::<bool>(),
    )
        .prop_map(move |(count, cpu, memory, storage, global)| Svc {
            name,
            count,
            cpu,
            memory,
            storage,
            global,
        })
}

/// An invalid edit both parsers must refuse (none, or one of these).
fn breakage() -> impl Strategy<Value = Option<&'static str>> {
    prop_oneof![
        6 => Just(None),
        1 => Just(Some("Gi")),
        1 => Just(Some("-1Gi")),
        1 => Just(Some("abc")),
    ]
}

fn yaml(svcs: &[Svc], broken: Option<&str>) -> String {
    let mut y = String::from("version: \"2.0\"\nservices:\n");
    for (i, s) in svcs.iter().enumerate() {
        // Go refuses an SDL with no global service, TS does not: keep one (the first).
        let global = s.global || i == 0;
        y += &format!(
            "  {}:\n    image: nginx:1.25\n    expose:\n      - port: 80\n        as: 80\n        to:\n          - global: {}\n",
            s.name, global
        );
    }
    y += "profiles:\n  compute:\n";
    for (i, s) in svcs.iter().enumerate() {
        let mem = match (i, broken) {
            (0, Some(b)) => b.to_string(),
            _ => s.memory.0.clone(),
        };
        y += &format!(
            "    {}:\n      resources:\n        cpu:\n          units: {}\n        memory:\n          size: {}\n        storage:\n          size: {}\n",
            s.name, s.cpu, mem, s.storage.0
        );
    }
    y += "  placement:\n    dc:\n      pricing:\n";
    for s in svcs {
        y += &format!("        {}:\n          denom: uact\n          amount: 100\n", s.name);
    }
    y += "deployment:\n";
    for s in svcs {
        y += &format!(
            "  {}:\n    dc:\n      profile: {}\n      count: {}\n",
            s.name, s.name, s.count
        );
    }
    y
}

fn case() -> impl Strategy<Value = (Vec<Svc>, Option<&'static str>)> {
    (
        prop_oneof![
            service("web").prop_map(|a| vec![a]),
            (service("api"), service("web")).prop_map(|(a, b)| vec![a, b]),
            (service("api"), service("db"), service("web")).prop_map(|(a, b, c)| vec![a, b, c]),
        ],
        breakage(),
    )
}

#[test]
fn dcloud_and_akash_typescript_sdk_agree_on_generated_sdls() {
    let mut runner = TestRunner::deterministic();
    let strategy = case();
    let cases: Vec<(Vec<Svc>, Option<&str>)> =
        (0..300).map(|_| strategy.new_tree(&mut runner).expect("generate").current()).collect();
    let texts: Vec<String> = cases.iter().map(|(s, b)| yaml(s, *b)).collect();
    let verdicts = oracle(&texts);
    assert_eq!(verdicts.len(), texts.len());
    let (mut valid, mut invalid, mut lenient) = (0, 0, 0);
    for (((svcs, broken), text), ts) in cases.iter().zip(&texts).zip(&verdicts) {
        let ours = dcloud_sdl::parse(text);
        assert_eq!(
            ours.is_ok(),
            ts["ok"] == true,
            "verdicts differ\n{text}\ndcloud: {:?}\nakash TS: {ts}",
            ours.as_ref().err().map(|e| e.to_string())
        );
        let Ok(sdl) = ours else {
            assert!(broken.is_some(), "a valid SDL was refused:\n{text}");
            invalid += 1;
            continue;
        };
        valid += 1;
        for s in svcs {
            let got = &ts["sizes"][s.name];
            assert_eq!(got["memory"], s.memory.1.to_string(), "memory of {}: {text}", s.name);
            assert_eq!(got["storage"][0], s.storage.1.to_string(), "storage of {}: {text}", s.name);
            if s.memory.0.ends_with(['B', 'b', 'K', 'I', 'g', 'm']) || s.memory.0.ends_with("mi") {
                lenient += 1;
            }
        }
        let svc_bytes: Vec<(u64, u64)> = sdl
            .manifest()
            .0
            .iter()
            .flat_map(|g| g.services.iter())
            .map(|s| (s.resources.memory.quantity.0, s.resources.storage[0].quantity.0))
            .collect();
        let want: Vec<(u64, u64)> = svcs.iter().map(|s| (s.memory.1, s.storage.1)).collect();
        assert_eq!(svc_bytes, want, "dcloud's sizes: {text}");
        assert_eq!(ts["hash"], hex::encode(sdl.manifest_hash()), "manifest hash differs:\n{text}");
    }
    eprintln!("{valid} valid (lenient sizes in {lenient} services), {invalid} invalid: all agree");
    assert!(valid > 150 && invalid > 20 && lenient > 50, "the generator covers too little");
}

/// Where Akash's TypeScript SDK is laxer than its Go code, dcloud follows Go and refuses;
/// pinned here so a change on either side shows.
#[test]
fn known_differences() {
    let base = |size: &str| {
        let svc = Svc {
            name: "web",
            count: 1,
            cpu: "0.5",
            memory: (size.to_string(), 0),
            storage: ("1Gi".into(), 1 << 30),
            global: true,
        };
        yaml(&[svc], None)
    };
    let texts: Vec<String> =
        ["1GiB", "1x", "1.2.3Gi", "1073741824"].iter().map(|s| base(s)).collect();
    let ts = oracle(&texts);
    // TS reads `1GiB` as 10^9 bytes, `1x` as 1 byte and `1.2.3Gi` as 1.2 Gi; we refuse all three.
    for i in 0..3 {
        assert_eq!(ts[i]["ok"], true, "{}", texts[i]);
        assert!(dcloud_sdl::parse(&texts[i]).is_err(), "{}", texts[i]);
    }
    assert_eq!(ts[0]["sizes"]["web"]["memory"], "1000000000");
    // A bare number of bytes: Go accepts it, TS refuses it.
    assert_eq!(ts[3]["ok"], false);
    assert!(dcloud_sdl::parse(&texts[3]).is_ok());
}
