//! The whole market flow end to end on a devnet, driving the real binary: two providers
//! register, a tenant deploys with the automatic lowest-bid auction, both providers bid, the
//! chain leases the lower bid when the bid window closes, the loser gets its deposit back,
//! the winner withdraws its earnings, the tenant closes, and every micro-unit is accounted
//! for (fees are paid in uakt, so uact balances move only with the market).

mod common;

use std::time::{Duration, Instant};

use common::{Env, Run};

const T: Duration = Duration::from_secs(60);
/// How long the chain may take to act (lease creation, heights).
const POLL: Duration = Duration::from_secs(30);
/// 10^18: one micro-unit in atto-units (prices are atto-units per block).
const ATTO: u128 = 1_000_000_000_000_000_000;

const DEPOSIT: u128 = 5_000_000;
const MAX_PRICE: u128 = 100;
const LOW_PRICE: u128 = 20;
const HIGH_PRICE: u128 = 30;
const BID_WINDOW: u64 = 3;

const SDL: &str = r#"---
version: "2.0"
services:
  web:
    image: nginxdemos/hello:0.4
    expose:
      - port: 80
        as: 80
        to:
          - global: true
profiles:
  compute:
    web:
      resources:
        cpu:
          units: 0.5
        memory:
          size: 256Mi
        storage:
          size: 512Mi
  placement:
    dc1:
      attributes:
        region: flow-test
      pricing:
        web:
          denom: uact
          amount: 100
deployment:
  web:
    dc1:
      profile: web
      count: 1
"#;

/// A u128 carried as a JSON string (or number).
fn num(v: &serde_json::Value) -> u128 {
    match v {
        serde_json::Value::String(s) => s.parse().unwrap_or_else(|e| panic!("{s:?}: {e}")),
        serde_json::Value::Number(n) => n.as_u64().expect("unsigned").into(),
        other => panic!("not a number: {other}"),
    }
}

fn uact(env: &Env, who: &str) -> u128 {
    let b = env.run(&["query", "bank", "balances", who, "-o", "json"]).json();
    b["balances"]
        .as_array()
        .expect("balances array")
        .iter()
        .find(|c| c["denom"] == "uact")
        .map(|c| num(&c["amount"]))
        .unwrap_or(0)
}

fn latest_height(env: &Env) -> u64 {
    let s = env.run(&["status", "-o", "json"]).json();
    s["sync_info"]["latest_block_height"].as_str().expect("height").parse().expect("height")
}

/// A successful tx's JSON record; returns its height.
#[track_caller]
fn tx_ok(r: &Run) -> u64 {
    let out = r.json();
    assert_eq!(out["code"], 0, "{out}");
    out["height"].as_u64().expect("tx height")
}

/// Polls `f` every 100 ms until it returns `Some`, for at most `POLL`.
#[track_caller]
fn poll<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(start.elapsed() < POLL, "timed out after {POLL:?} waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_tenant_deploys_two_providers_bid_the_lowest_wins_and_everyone_is_paid_exactly() {
    let (env, mut devnet, _) = common::devnet();
    env.wait_for_height(2, T, &mut devnet);
    let addr = |k: &str| env.run(&["keys", "show", k, "-a"]).ok().trim().to_string();
    let (alice, bob, provider) = (addr("alice"), addr("bob"), addr("provider"));

    // `provider` and `bob` register as providers, with the attribute the SDL's placement asks for.
    for (name, host) in
        [("provider", "https://p1.example.com:8443"), ("bob", "https://p2.example.com")]
    {
        let yaml = env.dir.path().join(format!("{name}.yaml"));
        std::fs::write(
            &yaml,
            format!("host: {host}\nattributes:\n  - key: region\n    value: flow-test\n"),
        )
        .expect("write provider file");
        let yaml = yaml.to_str().expect("utf-8 path");
        tx_ok(&env.run(&["tx", "provider", "create", yaml, "--from", name, "-y", "-o", "json"]));
    }
    let sdl = env.dir.path().join("web.yaml");
    std::fs::write(&sdl, SDL).expect("write SDL");
    let sdl = sdl.to_str().expect("utf-8 path");

    let alice_start = uact(&env, "alice");
    let bob_start = uact(&env, "bob");
    let provider_start = uact(&env, "provider");

    // Alice deploys with the automatic lowest-bid auction and a 3-block bid window.
    let deposit = format!("{DEPOSIT}uact");
    let r = env.run(&[
        "tx",
        "deployment",
        "create",
        sdl,
        "--from",
        "alice",
        "--deposit",
        &deposit,
        "--auction",
        "lowest",
        "--bid-window",
        &BID_WINDOW.to_string(),
        "-y",
        "-o",
        "json",
    ]);
    let created = tx_ok(&r);
    let dseq = r.json()["dseq"].as_u64().expect("dseq");
    let ds = dseq.to_string();
    assert_eq!(uact(&env, "alice"), alice_start - DEPOSIT);
    let orders = env
        .run(&["query", "market", "order", "list", "--owner", "alice", "--dseq", &ds, "-o", "json"])
        .json();
    let order = &orders["items"][0];
    assert_eq!(order["state"], "open", "{orders}");
    assert_eq!(order["auction"], "lowest", "{orders}");
    assert_eq!(num(&order["max_price_atto"]), MAX_PRICE * ATTO, "{orders}");
    let window_end = order["window_end"].as_u64().expect("window_end");
    assert_eq!(window_end, created + BID_WINDOW, "{orders}");

    // Both providers bid at once (both inside the window), below the max; bob is cheaper.
    let bid = |from: &str, price: u128| {
        env.run(&[
            "tx",
            "market",
            "bid",
            "create",
            "--owner",
            &alice,
            "--dseq",
            &ds,
            "--price",
            &format!("{price}uact"),
            "--from",
            from,
            "-y",
            "-o",
            "json",
        ])
    };
    let (high, low) = std::thread::scope(|s| {
        let high = s.spawn(|| bid("provider", HIGH_PRICE));
        let low = s.spawn(|| bid("bob", LOW_PRICE));
        (high.join().expect("provider bid"), low.join().expect("bob bid"))
    });
    for h in [tx_ok(&high), tx_ok(&low)] {
        assert!(h <= window_end, "a bid landed at {h}, after the bid window (ends {window_end})");
    }

    // The chain leases the lowest bid when the window closes.
    let lease = poll("the automatic lease", || {
        let l = env.run(&["query", "market", "lease", "list", "--owner", "alice", "-o", "json"]);
        let items = l.json()["items"].as_array().expect("items").clone();
        items.into_iter().find(|x| x["dseq"] == dseq)
    });
    assert_eq!(lease["provider"], bob.as_str(), "the lower bidder wins: {lease}");
    assert_eq!(num(&lease["price_atto"]), LOW_PRICE * ATTO, "{lease}");
    assert_eq!(lease["state"], "active", "{lease}");
    let leased_at = lease["created_at"].as_u64().expect("created_at");
    assert_eq!(leased_at, window_end, "leased at the end of the bid window: {lease}");

    let bids = env.run(&["query", "market", "bid", "list", "--dseq", &ds, "-o", "json"]).json();
    let bid_state = |p: &str| {
        bids["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|b| b["provider"] == p)
            .map(|b| b["state"].as_str().expect("state").to_string())
            .unwrap_or_else(|| panic!("no bid of {p}: {bids}"))
    };
    assert_eq!(bid_state(&bob), "active", "{bids}");
    assert_eq!(bid_state(&provider), "lost", "{bids}");
    assert_eq!(uact(&env, "provider"), provider_start, "the losing bid's deposit is refunded");
    // The winner's bid deposit (the chain's minimum, 500000uact) stays locked.
    let bid_deposit = bob_start - uact(&env, "bob");
    assert_eq!(bid_deposit, 500_000);

    // Escrow: the deposit lasts floor(deposit / price) blocks after the lease.
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
    let exhausted_at = leased_at + (DEPOSIT / LOW_PRICE) as u64;
    assert_eq!(br["exhausted_at"].as_u64(), Some(exhausted_at), "{br}");
    let at = br["height"].as_u64().expect("height");
    assert_eq!(br["blocks_remaining"].as_u64(), Some(exhausted_at - at), "{br}");
    assert_eq!(br["rate_per_block"], "20.000000000000000000", "{br}");

    // A few blocks later the winner withdraws exactly price × blocks since the lease.
    poll("blocks to pass", || (latest_height(&env) >= leased_at + 5).then_some(()));
    let withdrawn_at = tx_ok(&env.run(&[
        "tx", "market", "lease", "withdraw", "--owner", &alice, "--dseq", &ds, "--from", "bob",
        "-y", "-o", "json",
    ]));
    let earned = LOW_PRICE * u128::from(withdrawn_at - leased_at);
    assert!(earned >= 5 * LOW_PRICE);
    assert_eq!(uact(&env, "bob"), bob_start - bid_deposit + earned);
    let acct = env
        .run(&[
            "query",
            "escrow",
            "account",
            "--owner",
            "alice",
            "--dseq",
            &ds,
            "--height",
            &withdrawn_at.to_string(),
            "-o",
            "json",
        ])
        .json();
    assert_eq!(num(&acct["transferred"]), earned, "the escrow paid what bob received: {acct}");
    assert_eq!(num(&acct["balance"]), DEPOSIT - earned, "{acct}");

    // Alice closes: the lease settles, bob's deposit returns, the rest of the escrow refunds.
    let closed_at = tx_ok(&env.run(&[
        "tx",
        "deployment",
        "close",
        "--dseq",
        &ds,
        "--from",
        "alice",
        "-y",
        "-o",
        "json",
    ]));
    let leases = env
        .run(&["query", "market", "lease", "list", "--owner", "alice", "--dseq", &ds, "-o", "json"])
        .json();
    let lease = &leases["items"][0];
    assert_eq!(lease["state"], "closed", "{leases}");
    assert_eq!(lease["reason"], "owner", "{leases}");
    assert_eq!(lease["closed_on"].as_u64(), Some(closed_at), "{leases}");
    let paid = num(&lease["paid"]);
    assert_eq!(paid, LOW_PRICE * u128::from(closed_at - leased_at), "{leases}");

    let acct =
        env.run(&["query", "escrow", "account", "--owner", "alice", "--dseq", &ds, "-o", "json"]);
    let acct = acct.json();
    assert_eq!(acct["state"], "closed", "{acct}");
    let transferred = num(&acct["transferred"]);
    let refunded = num(&acct["refunded"]);
    assert_eq!(transferred, paid, "{acct}");
    assert_eq!(num(&acct["balance"]), 0, "{acct}");
    assert_eq!(transferred + refunded, DEPOSIT, "{acct}");

    // Every micro-unit: alice got back all but what bob was paid; bob holds exactly that more.
    let alice_end = uact(&env, "alice");
    assert_eq!(alice_end, alice_start - DEPOSIT + refunded);
    assert_eq!(alice_end + transferred, alice_start);
    assert_eq!(uact(&env, "bob"), bob_start + paid, "earnings plus the returned bid deposit");
    assert_eq!(uact(&env, "provider"), provider_start);
    let bids = env.run(&["query", "market", "bid", "list", "--dseq", &ds, "-o", "json"]).json();
    let states: Vec<_> =
        bids["items"].as_array().expect("items").iter().map(|b| b["state"].clone()).collect();
    assert!(states.iter().all(|s| s == "closed" || s == "lost"), "{bids}");

    assert_eq!(devnet.interrupt(Duration::from_secs(20)), 0, "{}", devnet.logs());
}
