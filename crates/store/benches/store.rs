//! Store benchmark (plain `main`, no harness). Run with
//! `cargo bench -p dcloud-store --bench store`; `STORE_BENCH_ACCOUNTS` (default 1,000,000) sets
//! the account count of the disk-size phase.
//!
//! 1. Commit latency: blocks of 10,000 balance updates on a database of ~100k keys.
//! 2. Read latency: random point reads (latest, older version), proofs.
//! 3. Disk size per account: N bank-like accounts of 3 keys each (`0x01‖addr20` → 80-byte
//!    account, `0x02‖addr20‖denom` → 16-byte balance for two denoms), 10,000 accounts per block.

use std::time::{Duration, Instant};

use dcloud_store::{verify_proof, Changes, StateRead, Store, StoreOptions};
use sha2::{Digest, Sha256};

/// splitmix64: deterministic pseudo-random numbers without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn addr(i: u64) -> [u8; 20] {
    let h = Sha256::digest(i.to_be_bytes());
    let mut a = [0u8; 20];
    a.copy_from_slice(&h[..20]);
    a
}

fn account_key(i: u64) -> Vec<u8> {
    let mut k = vec![0x01];
    k.extend_from_slice(&addr(i));
    k
}

fn balance_key(i: u64, denom: &[u8]) -> Vec<u8> {
    let mut k = vec![0x02];
    k.extend_from_slice(&addr(i));
    k.extend_from_slice(denom);
    k
}

fn account_value(i: u64) -> Vec<u8> {
    // address, a 33-byte pubkey, account number, sequence: ~80 bytes.
    let mut v = Vec::with_capacity(80);
    v.extend_from_slice(&addr(i));
    v.extend_from_slice(&Sha256::digest(i.to_le_bytes()));
    v.push(2);
    v.extend_from_slice(&i.to_be_bytes());
    v.extend_from_slice(&0u64.to_be_bytes());
    v.resize(80, 0);
    v
}

fn balance_value(amount: u128) -> Vec<u8> {
    amount.to_be_bytes().to_vec()
}

/// Adds accounts `from..to` (3 keys each) to `c`.
fn add_accounts(c: &mut Changes, from: u64, to: u64) {
    for i in from..to {
        c.insert(account_key(i), Some(account_value(i)));
        c.insert(balance_key(i, b"uakt"), Some(balance_value(1_000_000 + u128::from(i))));
        c.insert(balance_key(i, b"uact"), Some(balance_value(5_000)));
    }
}

/// Prepares and commits; returns (prepare, commit) durations.
fn timed_commit(store: &Store, c: &Changes) -> (Duration, Duration) {
    let t0 = Instant::now();
    let prepared = store.prepare_commit(c).expect("prepare");
    let t1 = Instant::now();
    store.commit(prepared, vec![]).expect("commit");
    (t1 - t0, t1.elapsed())
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[idx]
}

fn summary(mut d: Vec<Duration>) -> String {
    d.sort();
    format!(
        "median {:>9.1?}  p99 {:>9.1?}  max {:>9.1?}  (n={})",
        pct(&d, 0.5),
        pct(&d, 0.99),
        d.last().copied().unwrap_or_default(),
        d.len()
    )
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}

/// Random read latencies over `accounts` accounts.
fn read_bench(store: &Store, accounts: u64, rng: &mut Rng) {
    let latest = store.latest();
    let version = latest.version().expect("committed");
    let n = 100_000;
    let mut lat = Vec::with_capacity(n);
    for _ in 0..n {
        let k = balance_key(rng.below(accounts), b"uakt");
        let t = Instant::now();
        let v = latest.get(&k).expect("get");
        lat.push(t.elapsed());
        assert!(v.is_some());
    }
    println!("  get (latest, flat table)        {}", summary(lat));

    let old = version.saturating_sub(5).max(store.oldest_version().unwrap_or(0));
    let snap = store.snapshot(old).expect("old snapshot");
    let mut lat = Vec::with_capacity(n);
    for _ in 0..n {
        let k = balance_key(rng.below(accounts), b"uakt");
        let t = Instant::now();
        let _ = snap.get(&k).expect("get old");
        lat.push(t.elapsed());
    }
    println!("  get (version {old}, values table) {}", summary(lat));

    let mut lat = Vec::with_capacity(n);
    for _ in 0..n {
        let k = balance_key(rng.below(accounts), b"uakt");
        let t = Instant::now();
        let s = store.latest();
        let _ = s.get(&k).expect("get");
        lat.push(t.elapsed());
    }
    println!("  latest() + get                  {}", summary(lat));

    let root = latest.root_hash().expect("root");
    let (mut gen, mut ver, mut sizes) = (Vec::new(), Vec::new(), 0usize);
    for j in 0..5_000u64 {
        // Half members, half non-members.
        let k = if j % 2 == 0 {
            balance_key(rng.below(accounts), b"uakt")
        } else {
            balance_key(rng.next(), b"none")
        };
        let t = Instant::now();
        let (v, proof) = latest.get_with_proof(&k).expect("proof");
        gen.push(t.elapsed());
        let t = Instant::now();
        verify_proof(root, &k, v.as_deref(), &proof).expect("verify");
        ver.push(t.elapsed());
        sizes += proof.to_bytes().len();
    }
    println!("  get_with_proof                  {}", summary(gen));
    println!(
        "  verify_proof                    {}  (avg proof {} bytes)",
        summary(ver),
        sizes / 5_000
    );
}

fn commit_latency_phase() {
    println!("== 1. commit latency: 10,000 updates per block on ~100k keys ==");
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("state.redb"), StoreOptions::default()).expect("open");
    let accounts = 33_334u64; // ~100k keys
    for chunk in (0..accounts).step_by(10_000) {
        let mut c = Changes::new();
        add_accounts(&mut c, chunk, (chunk + 10_000).min(accounts));
        timed_commit(&store, &c);
    }
    let mut rng = Rng(42);
    let (mut prep, mut comm, mut total) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..15 {
        let mut c = Changes::new();
        while c.len() < 10_000 {
            let i = rng.below(accounts);
            c.insert(balance_key(i, b"uakt"), Some(balance_value(u128::from(rng.next()))));
        }
        let (p, w) = timed_commit(&store, &c);
        prep.push(p);
        comm.push(w);
        total.push(p + w);
    }
    println!("  prepare_commit (JMT, in memory) {}", summary(prep));
    println!("  commit (one fsync'd redb txn)   {}", summary(comm));
    println!("  total per block                 {}", summary(total));
    println!("  db file {:.1} MiB", mb(store.disk_size()));
    println!("== 2. random reads on that database ==");
    read_bench(&store, accounts, &mut rng);
}

fn size_phase(accounts: u64) {
    println!("== 3. disk size: {accounts} accounts x 3 keys, 10,000 accounts per block ==");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.redb");
    let mut store = Store::open(&path, StoreOptions::default()).expect("open");
    let started = Instant::now();
    let (mut preps, mut comms) = (Vec::new(), Vec::new());
    for chunk in (0..accounts).step_by(10_000) {
        let mut c = Changes::new();
        let end = (chunk + 10_000).min(accounts);
        add_accounts(&mut c, chunk, end);
        let (p, w) = timed_commit(&store, &c);
        preps.push(p);
        comms.push(w);
        if end % 250_000 == 0 {
            println!(
                "  .. {end} accounts after {:.1?}: last block prepare {p:.1?} + commit {w:.1?}, file {:.1} MiB",
                started.elapsed(),
                mb(store.disk_size())
            );
        }
    }
    let load = started.elapsed();
    let size = store.disk_size();
    println!("  load: {load:.1?} total; per block of 10k accounts (30k new keys):");
    println!("    prepare_commit {}", summary(preps));
    println!("    commit         {}", summary(comms));
    println!(
        "  after load (all {} load versions retained): {:.1} MiB = {:.0} bytes/account",
        store.latest_version().map_or(0, |v| v + 1),
        mb(size),
        size as f64 / accounts as f64
    );
    let mut rng = Rng(7);
    println!("  random reads at this size:");
    read_bench(&store, accounts, &mut rng);

    // Push the load history out of the retention window, then compact.
    let keep = store.options().keep_recent;
    for _ in 0..keep {
        let mut c = Changes::new();
        for _ in 0..100 {
            let i = rng.below(accounts);
            c.insert(balance_key(i, b"uakt"), Some(balance_value(u128::from(rng.next()))));
        }
        timed_commit(&store, &c);
    }
    println!(
        "  after {keep} more small blocks (load history pruned): {:.1} MiB (file does not shrink by itself)",
        mb(store.disk_size())
    );
    let t = Instant::now();
    store.compact().expect("compact");
    let size = store.disk_size();
    println!(
        "  after compact() ({:.1?}): {:.1} MiB = {:.0} bytes/account",
        t.elapsed(),
        mb(size),
        size as f64 / accounts as f64
    );
    drop(store);
    let t = Instant::now();
    let store = Store::open(&path, StoreOptions::default()).expect("reopen");
    println!("  reopen: {:.1?} (latest version {:?})", t.elapsed(), store.latest_version());
}

fn main() {
    // `cargo bench` passes `--bench`; a plain run (or `cargo test --benches`) ends quickly.
    let accounts: u64 = std::env::var("STORE_BENCH_ACCOUNTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    if !std::env::args().any(|a| a == "--bench") {
        println!("store bench: run with `cargo bench -p dcloud-store --bench store`");
        return;
    }
    commit_latency_phase();
    size_phase(accounts);
}
