//! Crash safety: a child process commits versions in a loop and is SIGKILLed at a random-ish
//! moment, several times over the same database. After each kill the store must reopen at a
//! complete version: its root equals the root recomputed from that version's content, `last`
//! equals the version and is provable, the aux writes of that version are there, and nothing of
//! the next version is.
//!
//! The child is this test binary itself, re-executed with `DCLOUD_STORE_CRASH_CHILD` set.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use dcloud_store::{verify_proof, Changes, StateRead, Store, StoreError, StoreOptions};

const CHILD_ENV: &str = "DCLOUD_STORE_CRASH_CHILD";
/// Keys written by every version (besides `last`).
const KEYS: u32 = 300;
const OPTS: StoreOptions = StoreOptions {
    keep_recent: 4,
    cache_size_bytes: StoreOptions::DEFAULT_CACHE_SIZE_BYTES,
    read_cache_bytes: StoreOptions::DEFAULT_READ_CACHE_BYTES,
};

fn key(i: u32) -> Vec<u8> {
    format!("key/{i:04}").into_bytes()
}

fn value(v: u64, i: u32) -> Vec<u8> {
    format!("v{v}-i{i}-{}", "x".repeat((i % 50) as usize)).into_bytes()
}

/// The full content of the state at version `v` (every version rewrites every key).
fn content(v: u64) -> Changes {
    let mut c: Changes = (0..KEYS).map(|i| (key(i), Some(value(v, i)))).collect();
    c.insert(b"last".to_vec(), Some(v.to_string().into_bytes()));
    c
}

fn aux(v: u64) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
    vec![
        (b"aux/last".to_vec(), Some(v.to_be_bytes().to_vec())),
        (format!("aux/block/{v:010}").into_bytes(), Some(vec![0xab; 200])),
    ]
}

/// The child: commit versions until killed (or, as a safety net, for at most 30 s).
fn writer(path: &Path) {
    let store = Store::open(path, OPTS).expect("child open");
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        let v = store.latest_version().map_or(0, |l| l + 1);
        let prepared = store.prepare_commit(&content(v)).expect("prepare");
        assert_eq!(prepared.version(), v);
        store.commit(prepared, aux(v)).expect("commit");
    }
}

fn pseudo_random(round: u64) -> u64 {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos() as u64);
    (nanos ^ round.wrapping_mul(0x9e37_79b9_7f4a_7c15)).wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11
}

/// Checks the store after a kill; returns its latest version.
fn check(path: &Path) -> Option<u64> {
    let opened = Instant::now();
    let store = Store::open(path, OPTS).expect("reopen after kill");
    let reopen = opened.elapsed();
    let v = store.latest_version()?;
    eprintln!(
        "after kill: latest version {v}, reopen took {reopen:?}, file {} bytes",
        store.disk_size()
    );

    let root = store.root_hash(v).expect("root of latest");
    let recomputed = {
        let fresh = Store::in_memory(StoreOptions::default()).expect("fresh");
        fresh.prepare_commit(&content(v)).expect("recompute").root_hash()
    };
    assert_eq!(root, recomputed, "stored root of version {v} differs from recomputed root");

    let snap = store.latest();
    assert_eq!(snap.version(), Some(v));
    let last = snap.get(b"last").expect("get last");
    assert_eq!(last, Some(v.to_string().into_bytes()), "last != latest");
    let (proven, proof) = store.get_with_proof(b"last", v).expect("proof");
    assert_eq!(proven, last);
    verify_proof(root, b"last", proven.as_deref(), &proof).expect("proof of last verifies");
    for i in 0..KEYS {
        assert_eq!(snap.get(&key(i)).expect("get"), Some(value(v, i)), "key {i} at version {v}");
    }
    assert_eq!(snap.prefix_range(b"key/", None, 10_000).expect("range").len(), KEYS as usize);

    assert_eq!(store.aux_get(b"aux/last").expect("aux"), Some(v.to_be_bytes().to_vec()));
    let blocks = store.aux_range(b"aux/block/", None, 1, true).expect("aux range");
    assert_eq!(blocks[0].0, format!("aux/block/{v:010}").into_bytes());

    // Nothing of the next version is visible.
    assert!(matches!(store.root_hash(v + 1), Err(StoreError::VersionUnavailable { .. })));
    // The previous retained version still reads and proves as it was.
    if v > 0 && store.oldest_version() < Some(v) {
        let prev = store.snapshot(v - 1).expect("previous version");
        assert_eq!(prev.get(&key(7)).expect("get"), Some(value(v - 1, 7)));
        let (val, proof) = store.get_with_proof(&key(7), v - 1).expect("old proof");
        verify_proof(store.root_hash(v - 1).expect("old root"), &key(7), val.as_deref(), &proof)
            .expect("old proof verifies");
    }
    Some(v)
}

#[test]
fn crash_safety() {
    if let Some(path) = std::env::var_os(CHILD_ENV) {
        writer(Path::new(&path));
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("data/state.redb");
    let exe = std::env::current_exe().expect("current exe");
    let mut latest: Option<u64> = None;
    for round in 0..5u64 {
        let mut child = Command::new(&exe)
            .args(["crash_safety", "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn writer");
        let delay = Duration::from_millis(400 + pseudo_random(round) % 1100);
        std::thread::sleep(delay);
        // `Child::kill` sends SIGKILL on Unix: no destructor, no flush, no clean close.
        child.kill().expect("kill writer");
        let status = child.wait().expect("wait writer");
        assert!(!status.success(), "the writer finished on its own instead of being killed");
        let now = check(&path);
        assert!(now >= latest, "went back from {latest:?} to {now:?}");
        latest = now;
    }
    let latest = latest.expect("the writer never committed a version");
    assert!(latest >= 5, "too few versions committed ({latest}) to exercise crashes");
}
