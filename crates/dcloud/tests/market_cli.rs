//! End to end on a devnet: a tenant creates a deployment from an SDL fixture with a manual
//! auction, sees it (groups, escrow, order, blocks remaining), an unregistered provider's
//! bid is refused, the tenant tops it up and closes it, and the whole deposit returns.
//!
//! Successful bids and leases are not driven here: a provider can only be registered
//! through a provider tx, which lands with the registry work (`tx provider create`).

mod common;

use std::path::PathBuf;
use std::time::Duration;

const T: Duration = Duration::from_secs(60);
const FIXTURE: &str = "profile-svc-name-mismatch.yaml";

/// The shared SDL fixtures: `$DCLOUD_TESTDATA/sdl`, else `../../../shared/testdata/sdl`.
fn sdl_fixture(name: &str) -> PathBuf {
    let base = match std::env::var_os("DCLOUD_TESTDATA") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata"),
    };
    let p = base.join("sdl").join(name);
    assert!(
        p.is_file(),
        "SDL fixture {} is missing: set DCLOUD_TESTDATA to the shared testdata directory",
        p.display()
    );
    p
}

fn uact(balances: &serde_json::Value) -> u128 {
    balances["balances"]
        .as_array()
        .expect("balances array")
        .iter()
        .find(|c| c["denom"] == "uact")
        .map(|c| c["amount"].as_str().expect("amount string").parse().expect("amount"))
        .unwrap_or(0)
}

#[test]
fn tenant_deploys_from_sdl_sees_it_and_gets_the_deposit_back_on_close() {
    let sdl = sdl_fixture(FIXTURE);
    let sdl = sdl.to_str().expect("utf-8 path");
    let (env, mut devnet, _) = common::devnet();
    env.wait_for_height(2, T, &mut devnet);

    let alice = env.run(&["keys", "show", "alice", "-a"]).ok().trim().to_string();
    let before = uact(&env.run(&["query", "bank", "balances", "alice", "-o", "json"]).json());
    assert!(before >= 10_000_000, "alice has {before}uact");

    // A broken SDL is refused before anything is signed, on one line.
    let bad = env.dir.path().join("bad.yaml");
    std::fs::write(&bad, "version: \"2.0\"\nservices: {}\n").expect("write bad SDL");
    let e = env
        .run(&[
            "tx",
            "deployment",
            "create",
            bad.to_str().expect("path"),
            "--from",
            "alice",
            "--deposit",
            "5000000uact",
            "-y",
        ])
        .one_line_error()
        .to_string();
    assert!(e.contains("invalid SDL"), "{e}");
    // An SDL the chain would refuse (signedBy auditors that are not addresses), too.
    let simple = sdl_fixture("simple.yaml");
    let e = env
        .run(&[
            "tx",
            "deployment",
            "create",
            simple.to_str().expect("path"),
            "--from",
            "alice",
            "--deposit",
            "5000000uact",
            "-y",
        ])
        .one_line_error()
        .to_string();
    assert!(e.contains("simple.yaml") && e.contains("signedBy"), "{e}");
    // A deposit in the wrong denom, too.
    // Creating a deployment from `sdl` funded in uakt: the one-line error.
    let create_in_uakt = |sdl: &str| {
        env.run(&[
            "tx",
            "deployment",
            "create",
            sdl,
            "--from",
            "alice",
            "--deposit",
            "5000000uakt",
            "-y",
        ])
        .one_line_error()
        .to_string()
    };
    let e = create_in_uakt(sdl);
    assert!(e.contains("prices in uact"), "{e}");
    // 9.5: the devnet's market runs on ACT: an SDL priced (and funded) in uakt is refused by
    // the chain, with the way to get ACT.
    let hello = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/hello.yaml");
    let hello = std::fs::read_to_string(hello).expect("read examples/hello.yaml");
    assert!(hello.contains("denom: uact"), "{hello}");
    let akt_sdl = env.dir.path().join("hello-uakt.yaml");
    std::fs::write(&akt_sdl, hello.replace("denom: uact", "denom: uakt")).expect("write SDL");
    let e = create_in_uakt(akt_sdl.to_str().expect("path"));
    assert!(e.contains("uakt is not accepted") && e.contains("dcloud tx bme mint-act"), "{e}");

    // Create, manual auction; the dseq defaults to the latest height and is printed.
    let out = env
        .run(&[
            "tx",
            "deployment",
            "create",
            sdl,
            "--from",
            "alice",
            "--deposit",
            "5000000uact",
            "--auction",
            "manual",
            "-y",
            "-o",
            "json",
        ])
        .json();
    assert_eq!(out["code"], 0, "{out}");
    assert_eq!(out["owner"], alice.as_str());
    let dseq = out["dseq"].as_u64().expect("dseq");
    let created = out["height"].as_u64().expect("height");
    assert!(dseq >= 1 && dseq <= created, "dseq {dseq}, tx height {created}");
    let ds = dseq.to_string();
    let after_create = uact(&env.run(&["query", "bank", "balances", "alice", "-o", "json"]).json());
    assert_eq!(after_create, before - 5_000_000);

    // Active, with its group and its escrow.
    let got = env
        .run(&["query", "deployment", "get", "--owner", "alice", "--dseq", &ds, "-o", "json"])
        .json();
    let d = &got["deployment"];
    assert_eq!(d["state"], "active", "{got}");
    assert_eq!(d["auction"], "manual");
    assert_eq!(d["owner"], alice.as_str());
    let groups = d["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), 1, "{got}");
    assert_eq!(groups[0]["spec"]["name"], "san-jose");
    assert_eq!(groups[0]["state"], "open");
    assert_eq!(got["escrow_account"]["balance"], "5000000");
    assert_eq!(got["escrow_account"]["denom"], "uact");
    assert!(got["blocks_remaining"].is_null(), "{got}");
    let text =
        env.run(&["query", "deployment", "get", "--owner", &alice, "--dseq", &ds]).ok().to_string();
    assert!(text.contains("san-jose") && text.contains("5000000uact"), "{text}");

    let list = env.run(&["query", "deployment", "list", "--owner", "alice", "-o", "json"]).json();
    assert!(
        list["deployments"].as_array().expect("list").iter().any(|x| x["dseq"] == dseq),
        "{list}"
    );

    // The open order.
    let orders = env
        .run(&["query", "market", "order", "list", "--owner", "alice", "--dseq", &ds, "-o", "json"])
        .json();
    let items = orders["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{orders}");
    assert_eq!(items[0]["state"], "open");
    assert_eq!((items[0]["gseq"].as_u64(), items[0]["oseq"].as_u64()), (Some(1), Some(1)));
    assert_eq!(items[0]["denom"], "uact");

    // Blocks remaining: nothing is spent without a lease.
    let br = env
        .run(&[
            "query",
            "escrow",
            "blocks-remaining",
            "--owner",
            "alice",
            "--dseq",
            &ds,
            "-o",
            "json",
        ])
        .json();
    assert_eq!(br["balance"], "5000000", "{br}");
    assert!(br["blocks_remaining"].is_null(), "{br}");
    let acct = env
        .run(&["query", "escrow", "account", "--owner", "alice", "--dseq", &ds, "-o", "json"])
        .json();
    assert_eq!(acct["deposited"], "5000000", "{acct}");

    // A bid from bob, who is no registered provider: refused on one line, nothing changes.
    let e = env
        .run(&[
            "tx",
            "market",
            "bid",
            "create",
            "--owner",
            &alice,
            "--dseq",
            &ds,
            "--gseq",
            "1",
            "--oseq",
            "1",
            "--price",
            "10uact",
            "--deposit",
            "500000uact",
            "--from",
            "bob",
            "-y",
        ])
        .one_line_error()
        .to_string();
    assert!(e.contains("provider not registered"), "{e}");
    let bids = env.run(&["query", "market", "bid", "list", "--dseq", &ds, "-o", "json"]).json();
    assert_eq!(bids["items"].as_array().expect("items").len(), 0, "{bids}");

    // Top up, then close: everything returns to alice.
    let out = env
        .run(&[
            "tx",
            "deployment",
            "deposit",
            "1000000uact",
            "--dseq",
            &ds,
            "--from",
            "alice",
            "-y",
            "-o",
            "json",
        ])
        .json();
    assert_eq!(out["code"], 0, "{out}");
    let acct = env
        .run(&["query", "escrow", "account", "--owner", "alice", "--dseq", &ds, "-o", "json"])
        .json();
    assert_eq!(acct["balance"], "6000000", "{acct}");

    let out = env
        .run(&["tx", "deployment", "close", "--dseq", &ds, "--from", "alice", "-y", "-o", "json"])
        .json();
    assert_eq!(out["code"], 0, "{out}");
    let closed_at = out["height"].as_u64().expect("height");
    let got = env
        .run(&["query", "deployment", "get", "--owner", "alice", "--dseq", &ds, "-o", "json"])
        .json();
    assert_eq!(got["deployment"]["state"], "closed", "{got}");
    let orders = env
        .run(&["query", "market", "order", "list", "--dseq", &ds, "--state", "open", "-o", "json"])
        .json();
    assert_eq!(orders["items"].as_array().expect("items").len(), 0, "{orders}");
    let after = uact(&env.run(&["query", "bank", "balances", "alice", "-o", "json"]).json());
    assert_eq!(after, before, "the whole deposit returns (fees are paid in uakt)");

    // Queries answer from an earlier height.
    let h = (closed_at - 1).to_string();
    let old = env
        .run(&[
            "query",
            "deployment",
            "get",
            "--owner",
            "alice",
            "--dseq",
            &ds,
            "--height",
            &h,
            "-o",
            "json",
        ])
        .json();
    assert_eq!(old["deployment"]["state"], "active", "{old}");
    // List queries answer from an earlier height too.
    let old_list = env
        .run(&[
            "query",
            "deployment",
            "list",
            "--owner",
            "alice",
            "--state",
            "active",
            "--height",
            &h,
            "-o",
            "json",
        ])
        .json();
    let listed = old_list["deployments"].as_array().expect("deployments");
    assert!(
        listed.iter().any(|d| d["dseq"].as_u64() == Some(dseq) && d["state"] == "active"),
        "{old_list}"
    );

    // Closing twice is a clear one-line error.
    let e = env
        .run(&["tx", "deployment", "close", "--dseq", &ds, "--from", "alice", "-y"])
        .one_line_error()
        .to_string();
    assert!(e.contains("closed"), "{e}");

    assert_eq!(devnet.interrupt(Duration::from_secs(20)), 0, "{}", devnet.logs());
}
