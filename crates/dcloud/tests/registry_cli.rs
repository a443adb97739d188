//! CLI end to end for the registry and SDL commands: `sdl validate|show` on the shared
//! fixtures, and a provider registered, updated, audited and queried on a devnet, with a
//! client certificate generated, published and revoked.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::Env;

const T: Duration = Duration::from_secs(60);

/// The SDL fixtures: `DCLOUD_TESTDATA` (the `testdata` folder or its `sdl` subfolder) or
/// `../shared/testdata/sdl` next to the repository. Missing fixtures fail the test.
fn sdl_fixtures() -> PathBuf {
    let dir = match std::env::var_os("DCLOUD_TESTDATA") {
        Some(p) => {
            let p = PathBuf::from(p);
            if p.join("sdl").is_dir() {
                p.join("sdl")
            } else {
                p
            }
        }
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/sdl"),
    };
    assert!(
        dir.join("simple.yaml").is_file(),
        "SDL fixtures not found at {} — check out `shared/` next to the repository \
         (…/shared/testdata/sdl) or set DCLOUD_TESTDATA",
        dir.display()
    );
    dir
}

fn fixture(name: &str) -> String {
    sdl_fixtures().join(name).to_string_lossy().into_owned()
}

#[test]
fn sdl_validate_accepts_a_good_file_and_reports_every_error_of_a_bad_one() {
    let env = Env::new();
    let ok = env.run(&["sdl", "validate", &fixture("simple.yaml")]);
    assert!(ok.ok().contains("valid SDL (1 groups)"));
    let j = env.run(&["sdl", "validate", &fixture("simple.yaml"), "-o", "json"]).json();
    assert_eq!(j["valid"], true);
    assert_eq!(j["version"], "2.0");

    let bad = env.run(&["sdl", "validate", &fixture("deployment-svc-mismatch.yaml")]);
    assert_ne!(bad.code, 0);
    assert!(bad.stderr.contains("no service profile named"), "{}", bad.stderr);
    assert!(bad.stderr.contains("line 43"), "errors carry the position: {}", bad.stderr);
    let bj = env.run(&["sdl", "validate", &fixture("deployment-svc-mismatch.yaml"), "-o", "json"]);
    assert_ne!(bj.code, 0);
    let v: serde_json::Value = serde_json::from_str(&bj.stdout).expect("json on stdout");
    assert_eq!(v["valid"], false);
    assert!(v["errors"][0].as_str().unwrap_or_default().contains("no service profile named"));

    let missing = env.run(&["sdl", "validate", "/nonexistent/sdl.yaml"]);
    assert!(missing.one_line_error().contains("cannot read /nonexistent/sdl.yaml"));
}

#[test]
fn sdl_show_gives_groups_and_prices_per_block_and_per_month_at_the_block_time() {
    let env = Env::new();
    // simple.yaml: 2 × 50 uact per block.
    let j = env.run(&["sdl", "show", &fixture("simple.yaml"), "-o", "json"]).json();
    assert_eq!(j["block_time_ms"], 6000);
    assert_eq!(j["groups"][0]["name"], "westcoast");
    assert_eq!(j["groups"][0]["resources"][0]["count"], 2);
    assert_eq!(j["price_per_block"], "100.000000000000000000uact");
    // 30 days / 6 s = 432,000 blocks.
    assert_eq!(j["price_per_month"], "43200000.000000000000000000uact");
    let fast = env
        .run(&["sdl", "show", &fixture("simple.yaml"), "--block-time", "500ms", "-o", "json"])
        .json();
    assert_eq!(fast["price_per_month"], "518400000.000000000000000000uact");
    let text = env.run(&["sdl", "show", &fixture("simple.yaml")]).ok().to_string();
    assert!(text.contains("group westcoast"), "{text}");
    assert!(text.contains("per month"), "{text}");
    // The manifest hash a provider will check the manifest against.
    let sdl = std::fs::read_to_string(fixture("simple.yaml")).expect("read fixture");
    let hash = hex::encode(dcloud_sdl::parse(&sdl).expect("valid").manifest_hash());
    assert_eq!(j["manifest_hash"], hash.as_str());
    assert!(text.contains(&format!("manifest hash: {hash}")), "{text}");
}

#[test]
fn devnet_provider_create_update_audit_and_certificate_lifecycle() {
    let (env, mut devnet, _) = common::devnet();
    env.wait_for_height(1, T, &mut devnet);
    let provider = env.run(&["keys", "show", "provider", "-a"]).ok().trim().to_string();

    let yaml = env.dir.path().join("provider.yaml");
    std::fs::write(
        &yaml,
        "host: https://provider.example.com:8443\nattributes:\n  - key: region\n    value: eu-west\n\
         info:\n  email: ops@example.com\n  website: https://example.com\n",
    )
    .expect("write provider.yaml");
    let yaml_s = yaml.to_string_lossy().into_owned();
    let out = env
        .run(&["tx", "provider", "create", &yaml_s, "--from", "provider", "-y", "-o", "json"])
        .json();
    assert_eq!(out["code"], 0, "{out}");

    let got = env.run(&["query", "provider", "get", "provider", "-o", "json"]).json();
    assert_eq!(got["owner"], provider.as_str());
    assert_eq!(got["host_uri"], "https://provider.example.com:8443");
    assert_eq!(got["attributes"][0]["key"], "region");
    let list = env.run(&["query", "provider", "list", "-o", "json"]).json();
    assert_eq!(list["providers"].as_array().map(Vec::len), Some(1), "{list}");

    // Creating twice fails with a clear, one-line error naming the codespace.
    let again = env.run(&["tx", "provider", "create", &yaml_s, "--from", "provider", "-y"]);
    assert_ne!(again.code, 0);
    let line = again.one_line_error();
    assert!(line.contains("provider already exists"), "{line}");

    // A bad host is refused before anything is broadcast.
    std::fs::write(&yaml, "host: http://insecure.example.com\n").expect("write");
    let bad = env.run(&["tx", "provider", "update", &yaml_s, "--from", "provider", "-y"]);
    assert_ne!(bad.code, 0);
    assert!(bad.one_line_error().contains("https://"), "{}", bad.stderr);

    // An auditor signs an attribute; the audit list shows it.
    let out = env
        .run(&[
            "tx", "audit", "attr", "create", &provider, "tier", "gold", "--from", "alice", "-y",
            "-o", "json",
        ])
        .json();
    assert_eq!(out["code"], 0, "{out}");
    let audits =
        env.run(&["query", "audit", "list", "--provider", "provider", "-o", "json"]).json();
    assert_eq!(audits[0]["attributes"][0]["value"], "gold", "{audits}");

    // Certificates: generate (0600 files), publish, list, revoke.
    let gen = env.run(&["tx", "cert", "generate", "client", "--from", "bob", "-o", "json"]).json();
    let key_path = gen["key"].as_str().expect("key path").to_string();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_path).expect("key file").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let out = env.run(&["tx", "cert", "publish", "--from", "bob", "-y", "-o", "json"]).json();
    assert_eq!(out["code"], 0, "{out}");
    let certs = env.run(&["query", "cert", "list", "--owner", "bob", "-o", "json"]).json();
    assert_eq!(certs[0]["state"], "valid", "{certs}");
    assert_eq!(certs[0]["serial"], gen["serial"]);
    let out = env.run(&["tx", "cert", "revoke", "--from", "bob", "-y", "-o", "json"]).json();
    assert_eq!(out["code"], 0, "{out}");
    let certs = env.run(&["query", "cert", "list", "--owner", "bob", "-o", "json"]).json();
    assert_eq!(certs[0]["state"], "revoked", "{certs}");

    assert_eq!(devnet.interrupt(Duration::from_secs(20)), 0, "{}", devnet.logs());
}
