//! Behaviour of the persistent store: persistence, determinism, history, proofs, pruning,
//! ranges, aux atomicity, commit ordering, and a model-based property test.

use std::collections::BTreeMap;

use dcloud_store::{
    verify_proof, Changes, Overlay, ReadCacheBypass, Snapshot, StateProof, StateRead, StateWrite,
    Store, StoreError, StoreOptions,
};
use proptest::prelude::*;

fn opts(keep_recent: u64) -> StoreOptions {
    StoreOptions { keep_recent, ..StoreOptions::default() }
}

fn changes(items: &[(&str, Option<&str>)]) -> Changes {
    items.iter().map(|(k, v)| (k.as_bytes().to_vec(), v.map(|v| v.as_bytes().to_vec()))).collect()
}

fn commit(store: &Store, c: &Changes) -> (u64, [u8; 32]) {
    let prepared = store.prepare_commit(c).unwrap();
    let root = prepared.root_hash();
    let v = store.commit(prepared, vec![]).unwrap();
    (v, root)
}

fn get(s: &Snapshot, k: &str) -> Option<String> {
    s.get(k.as_bytes()).unwrap().map(|v| String::from_utf8(v).unwrap())
}

#[test]
fn types_are_send_sync() {
    fn check<T: Send + Sync>() {}
    check::<Store>();
    check::<Snapshot>();
    check::<dcloud_store::PreparedCommit>();
}

#[test]
fn fresh_store_and_empty_genesis() {
    let store = Store::in_memory(opts(10)).unwrap();
    assert_eq!(store.latest_version(), None);
    let snap = store.latest();
    assert_eq!(snap.version(), None);
    assert_eq!(snap.root_hash(), None);
    assert_eq!(snap.get(b"x").unwrap(), None);
    assert!(snap.prefix_range(b"", None, 10).unwrap().is_empty());
    assert!(matches!(store.root_hash(0), Err(StoreError::VersionUnavailable { .. })));

    // Version 0 with no keys: the well-defined empty-tree root.
    let prepared = store.prepare_commit(&Changes::new()).unwrap();
    assert_eq!(prepared.version(), 0);
    let empty_root = prepared.root_hash();
    assert_eq!(&empty_root, b"SPARSE_MERKLE_PLACEHOLDER_HASH__");
    assert_eq!(store.commit(prepared, vec![]).unwrap(), 0);
    assert_eq!(store.latest_version(), Some(0));
    assert_eq!(store.root_hash(0).unwrap(), empty_root);
    // An empty block keeps the root.
    let (v, root) = commit(&store, &Changes::new());
    assert_eq!((v, root), (1, empty_root));
    // Non-membership in the empty tree is provable.
    let (value, proof) = store.get_with_proof(b"nothing", 1).unwrap();
    assert_eq!(value, None);
    verify_proof(empty_root, b"nothing", None, &proof).unwrap();
}

#[test]
fn commit_reopen_keeps_version_root_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/data/state.redb");
    let (root0, root1);
    {
        let store = Store::open(&path, opts(100)).unwrap();
        root0 = commit(&store, &changes(&[("a", Some("1")), ("b", Some("2"))])).1;
        root1 = commit(&store, &changes(&[("a", Some("3")), ("c", Some(""))])).1;
        assert_ne!(root0, root1);
        assert!(store.disk_size() > 0);
    }
    let store = Store::open(&path, opts(100)).unwrap();
    assert_eq!(store.latest_version(), Some(1));
    assert_eq!(store.oldest_version(), Some(0));
    assert_eq!(store.root_hash(0).unwrap(), root0);
    assert_eq!(store.root_hash(1).unwrap(), root1);
    let snap = store.latest();
    assert_eq!(snap.version(), Some(1));
    assert_eq!(snap.root_hash(), Some(root1));
    assert_eq!(get(&snap, "a").as_deref(), Some("3"));
    assert_eq!(get(&snap, "b").as_deref(), Some("2"));
    assert_eq!(get(&snap, "c").as_deref(), Some(""));
    assert_eq!(get(&store.snapshot(0).unwrap(), "a").as_deref(), Some("1"));
    // And it keeps going from there.
    let (v, _) = commit(&store, &changes(&[("d", Some("4"))]));
    assert_eq!(v, 2);
}

#[test]
fn root_is_deterministic_and_history_independent() {
    let a = Store::in_memory(opts(0)).unwrap();
    let b = Store::in_memory(opts(0)).unwrap();
    // Same changes, inserted into the map in different orders.
    let mut c1 = Changes::new();
    c1.insert(b"x".to_vec(), Some(b"1".to_vec()));
    c1.insert(b"y".to_vec(), Some(b"2".to_vec()));
    let mut c2 = Changes::new();
    c2.insert(b"y".to_vec(), Some(b"2".to_vec()));
    c2.insert(b"x".to_vec(), Some(b"1".to_vec()));
    assert_eq!(commit(&a, &c1), commit(&b, &c2));
    // Different values give different roots.
    let c = Store::in_memory(opts(0)).unwrap();
    assert_ne!(commit(&c, &changes(&[("x", Some("1")), ("y", Some("3"))])).1, commit(&a, &c1).1);
    // The root depends on content only: reaching the same state another way gives the same root.
    let d = Store::in_memory(opts(0)).unwrap();
    commit(&d, &changes(&[("x", Some("0")), ("z", Some("9"))]));
    let (_, rd) = commit(&d, &changes(&[("x", Some("1")), ("y", Some("2")), ("z", None)]));
    assert_eq!(rd, b.root_hash(0).unwrap());
}

#[test]
fn historical_reads_and_deletes() {
    let store = Store::in_memory(opts(0)).unwrap();
    commit(&store, &changes(&[("k", Some("v0")), ("gone", Some("g"))]));
    commit(&store, &changes(&[("k", Some("v1"))]));
    commit(&store, &changes(&[("gone", None), ("never", None)]));
    commit(&store, &changes(&[("k", Some("v3")), ("gone", Some("back"))]));
    let at = |v: u64, k: &str| get(&store.snapshot(v).unwrap(), k);
    assert_eq!(at(0, "k").as_deref(), Some("v0"));
    assert_eq!(at(1, "k").as_deref(), Some("v1"));
    assert_eq!(at(2, "k").as_deref(), Some("v1"));
    assert_eq!(at(3, "k").as_deref(), Some("v3"));
    assert_eq!(at(1, "gone").as_deref(), Some("g"));
    assert_eq!(at(2, "gone"), None);
    assert_eq!(at(3, "gone").as_deref(), Some("back"));
    assert_eq!(at(2, "never"), None);
    // Ranges at a past version see that version: deleted keys are absent, re-added ones back.
    let keys_at = |v: u64| -> Vec<(String, String)> {
        let snap = store.snapshot(v).unwrap();
        let pairs = snap.prefix_range(b"", None, 10).unwrap();
        pairs
            .into_iter()
            .map(|(k, v)| (String::from_utf8(k).unwrap(), String::from_utf8(v).unwrap()))
            .collect()
    };
    let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
    assert_eq!(keys_at(0), vec![pair("gone", "g"), pair("k", "v0")]);
    assert_eq!(keys_at(1), vec![pair("gone", "g"), pair("k", "v1")]);
    assert_eq!(keys_at(2), vec![pair("k", "v1")]);
    assert_eq!(keys_at(3), vec![pair("gone", "back"), pair("k", "v3")]);
    let s1 = store.snapshot(1).unwrap();
    assert_eq!(
        s1.prefix_range(b"", Some(b"gone"), 10).unwrap(),
        vec![(b"k".to_vec(), b"v1".to_vec())]
    );
    assert_eq!(s1.prefix_range(b"g", None, 10).unwrap().len(), 1);
    assert!(s1.prefix_range(b"n", None, 10).unwrap().is_empty());
    assert!(matches!(store.snapshot(4), Err(StoreError::VersionUnavailable { .. })));
    let latest = store.latest();
    let keys: Vec<_> =
        latest.prefix_range(b"", None, 10).unwrap().into_iter().map(|p| p.0).collect();
    assert_eq!(keys, vec![b"gone".to_vec(), b"k".to_vec()]);
    // Deleting everything returns to the empty root.
    let (_, root) = commit(&store, &changes(&[("k", None), ("gone", None)]));
    assert_eq!(&root, b"SPARSE_MERKLE_PLACEHOLDER_HASH__");
    assert!(store.latest().prefix_range(b"", None, 10).unwrap().is_empty());
    assert_eq!(at(3, "k").as_deref(), Some("v3"));
    assert_eq!(keys_at(3), vec![pair("gone", "back"), pair("k", "v3")]);
}

#[test]
fn a_range_at_a_pruned_version_is_refused_with_the_retained_window() {
    let store = Store::in_memory(opts(2)).unwrap();
    for i in 0..5 {
        commit(&store, &changes(&[("a", Some(&i.to_string()))]));
    }
    match store.snapshot(1) {
        Err(e @ StoreError::VersionUnavailable { requested: 1, oldest: 3, latest: 4 }) => {
            assert_eq!(e.to_string(), "version 1 is not available (retained: 3..=4)");
        }
        other => panic!("expected VersionUnavailable, got {other:?}"),
    }
    let snap = store.snapshot(3).unwrap();
    assert_eq!(snap.prefix_range(b"", None, 10).unwrap(), vec![(b"a".to_vec(), b"3".to_vec())]);
}

#[test]
fn snapshot_is_stable_across_commits_and_pruning() {
    let store = Store::in_memory(opts(1)).unwrap();
    commit(&store, &changes(&[("a", Some("1")), ("b", Some("1"))]));
    let snap = store.latest();
    for i in 2..6 {
        commit(&store, &changes(&[("a", Some(&i.to_string())), ("b", None), ("c", Some("x"))]));
    }
    assert_eq!(store.oldest_version(), Some(4));
    assert_eq!(snap.version(), Some(0));
    assert_eq!(get(&snap, "a").as_deref(), Some("1"));
    assert_eq!(get(&snap, "b").as_deref(), Some("1"));
    assert_eq!(get(&snap, "c"), None);
    assert_eq!(snap.prefix_range(b"", None, 10).unwrap().len(), 2);
    let (value, proof) = snap.get_with_proof(b"a").unwrap();
    verify_proof(snap.root_hash().unwrap(), b"a", value.as_deref(), &proof).unwrap();
    assert_eq!(get(&store.latest(), "a").as_deref(), Some("5"));
}

#[test]
fn proofs_member_and_non_member() {
    let store = Store::in_memory(opts(0)).unwrap();
    let mut c = Changes::new();
    for i in 0..200u32 {
        c.insert(format!("key{i}").into_bytes(), Some(format!("value{i}").into_bytes()));
    }
    c.insert(Vec::new(), Some(b"empty key".to_vec()));
    let (_, root0) = commit(&store, &c);
    let (_, root1) = commit(&store, &changes(&[("key7", Some("seven")), ("key8", None)]));

    for (key, version, root) in [("key7", 0, root0), ("key7", 1, root1), ("key9", 1, root1)] {
        let (value, proof) = store.get_with_proof(key.as_bytes(), version).unwrap();
        let value = value.expect("member");
        verify_proof(root, key.as_bytes(), Some(&value), &proof).unwrap();
        // Wrong value, wrong root, absent claim, other key: all rejected.
        assert!(matches!(
            verify_proof(root, key.as_bytes(), Some(b"wrong"), &proof),
            Err(StoreError::ProofInvalid(_))
        ));
        let other_root = if root == root0 { root1 } else { root0 };
        assert!(verify_proof(other_root, key.as_bytes(), Some(&value), &proof).is_err());
        assert!(verify_proof(root, key.as_bytes(), None, &proof).is_err());
        assert!(verify_proof(root, b"key10", Some(&value), &proof).is_err());
        // Serialization round trips.
        let back = StateProof::from_bytes(&proof.to_bytes()).unwrap();
        assert_eq!(back, proof);
        verify_proof(root, key.as_bytes(), Some(&value), &back).unwrap();
        let json = serde_json_roundtrip(&proof);
        assert_eq!(json, proof);
    }
    // The empty key is an ordinary key.
    let (value, proof) = store.get_with_proof(b"", 1).unwrap();
    assert_eq!(value.as_deref(), Some(&b"empty key"[..]));
    verify_proof(root1, b"", value.as_deref(), &proof).unwrap();

    // Non-members: never written, and deleted at version 1 (but a member at version 0).
    for key in ["missing", "key8"] {
        let (value, proof) = store.get_with_proof(key.as_bytes(), 1).unwrap();
        assert_eq!(value, None);
        verify_proof(root1, key.as_bytes(), None, &proof).unwrap();
        assert!(verify_proof(root1, key.as_bytes(), Some(b"x"), &proof).is_err());
        assert!(verify_proof(root0, key.as_bytes(), None, &proof).is_err());
    }
    let (value, proof) = store.get_with_proof(b"key8", 0).unwrap();
    verify_proof(root0, b"key8", Some(&value.unwrap()), &proof).unwrap();

    // A tampered proof is rejected, a truncated one fails to decode.
    let (value, mut proof) = store.get_with_proof(b"key1", 1).unwrap();
    let last = proof.proof.len() - 1;
    proof.proof[last] ^= 1;
    assert!(verify_proof(root1, b"key1", value.as_deref(), &proof).is_err());
    assert!(StateProof::from_bytes(&[1, 2, 3]).is_err());
}

fn serde_json_roundtrip(p: &StateProof) -> StateProof {
    serde_json::from_str(&serde_json::to_string(p).unwrap()).unwrap()
}

#[test]
fn ics23_proofs_verify() {
    let store = Store::in_memory(opts(0)).unwrap();
    let mut c = Changes::new();
    for i in 0..50u32 {
        c.insert(format!("k{i}").into_bytes(), Some(format!("v{i}").into_bytes()));
    }
    let (_, root) = commit(&store, &c);
    let snap = store.latest();
    let spec = dcloud_store::ics23_spec();
    let (value, proof) = snap.get_with_ics23_proof(b"k3").unwrap();
    assert_eq!(value.as_deref(), Some(&b"v3"[..]));
    assert!(ics23::verify_membership::<ics23::HostFunctionsManager>(
        &proof,
        &spec,
        &root.to_vec(),
        b"k3",
        b"v3"
    ));
    assert!(!ics23::verify_membership::<ics23::HostFunctionsManager>(
        &proof,
        &spec,
        &root.to_vec(),
        b"k3",
        b"v4"
    ));
    let (value, proof) = snap.get_with_ics23_proof(b"absent").unwrap();
    assert_eq!(value, None);
    assert!(ics23::verify_non_membership::<ics23::HostFunctionsManager>(
        &proof,
        &spec,
        &root.to_vec(),
        b"absent"
    ));
    assert!(snap.get_with_ics23_proof(b"").is_err());
}

#[test]
fn pruning_removes_old_versions_keeps_latest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let store = Store::open(&path, opts(3)).unwrap();
    let mut roots = Vec::new();
    for v in 0..10u64 {
        let mut c = changes(&[("counter", Some(&v.to_string()))]);
        c.insert(format!("k{v}").into_bytes(), Some(b"x".to_vec()));
        if v > 0 {
            c.insert(format!("k{}", v - 1).into_bytes(), None);
        }
        if v % 4 == 3 {
            // An empty-ish version (no-op delete only): the root node is copied.
            c = changes(&[("absent", None)]);
        }
        roots.push(commit(&store, &c).1);
    }
    assert_eq!(store.latest_version(), Some(9));
    assert_eq!(store.oldest_version(), Some(7));
    for v in 0..7 {
        assert!(matches!(store.root_hash(v), Err(StoreError::VersionUnavailable { .. })), "{v}");
        assert!(matches!(store.snapshot(v), Err(StoreError::VersionUnavailable { .. })));
        assert!(store.get_with_proof(b"counter", v).is_err());
    }
    for v in 7..10 {
        assert_eq!(store.root_hash(v).unwrap(), roots[v as usize]);
        let (value, proof) = store.get_with_proof(b"counter", v).unwrap();
        verify_proof(roots[v as usize], b"counter", value.as_deref(), &proof).unwrap();
    }
    assert_eq!(get(&store.snapshot(7).unwrap(), "counter").as_deref(), Some("6"));
    assert_eq!(get(&store.latest(), "counter").as_deref(), Some("9"));
    assert_eq!(get(&store.latest(), "k9").as_deref(), Some("x"));
    // Reopening with another window prunes at the next commit.
    drop(store);
    let store = Store::open(&path, opts(1)).unwrap();
    assert_eq!(store.oldest_version(), Some(7));
    let (_, r10) = commit(&store, &Changes::new());
    assert_eq!(r10, roots[9]);
    assert_eq!(store.oldest_version(), Some(10));
    assert!(store.root_hash(9).is_err());
    assert_eq!(get(&store.latest(), "counter").as_deref(), Some("9"));
}

#[test]
fn pruning_bounds_storage() {
    // Rewriting the same keys for many versions must not grow the database without bound.
    let dir = tempfile::tempdir().unwrap();
    let sizes: Vec<u64> = [2u64, 0]
        .iter()
        .map(|&keep| {
            let store =
                Store::open(&dir.path().join(format!("keep{keep}.redb")), opts(keep)).unwrap();
            for v in 0..60u32 {
                let mut c = Changes::new();
                for i in 0..100u32 {
                    c.insert(
                        format!("key{i}").into_bytes(),
                        Some(format!("{v}-{i}-padding-padding").into_bytes()),
                    );
                }
                commit(&store, &c);
            }
            store.disk_size()
        })
        .collect();
    assert!(sizes[0] * 3 < sizes[1], "pruned {} vs unpruned {}", sizes[0], sizes[1]);
}

#[test]
fn prefix_range_pagination() {
    let store = Store::in_memory(opts(0)).unwrap();
    let mut c = Changes::new();
    for i in 0..20u8 {
        c.insert(vec![1, i], Some(vec![i]));
    }
    c.insert(vec![0, 9], Some(vec![0]));
    c.insert(vec![2], Some(vec![2]));
    c.insert(vec![1], Some(vec![100]));
    c.insert(vec![0xff, 0xff], Some(vec![0xff]));
    c.insert(vec![0xff, 0xff, 1], Some(vec![0xff]));
    commit(&store, &c);
    let snap = store.latest();
    let all = snap.prefix_range(&[1], None, 100).unwrap();
    assert_eq!(all.len(), 21);
    assert_eq!(all[0], (vec![1], vec![100]));
    assert!(all.windows(2).all(|w| w[0].0 < w[1].0));
    let page1 = snap.prefix_range(&[1], None, 5).unwrap();
    assert_eq!(page1.len(), 5);
    let page2 = snap.prefix_range(&[1], Some(&page1[4].0), 5).unwrap();
    assert_eq!(page2[0].0, vec![1, 4]);
    let tail = snap.prefix_range(&[1], Some(&[1, 17]), 100).unwrap();
    assert_eq!(tail.iter().map(|p| p.0[1]).collect::<Vec<_>>(), vec![18, 19]);
    assert!(snap.prefix_range(&[1], Some(&[1, 19]), 100).unwrap().is_empty());
    assert!(snap.prefix_range(&[1], Some(&[3]), 100).unwrap().is_empty());
    assert_eq!(snap.prefix_range(&[1], Some(&[0, 5]), 1).unwrap()[0].0, vec![1]);
    assert!(snap.prefix_range(&[1], None, 0).unwrap().is_empty());
    assert_eq!(snap.prefix_range(&[0xff, 0xff], None, 10).unwrap().len(), 2);
    assert_eq!(snap.prefix_range(&[], None, 100).unwrap().len(), 25);
    // Through an overlay with pending changes.
    let mut overlay = Overlay::new(store.latest());
    overlay.delete(vec![1, 0]);
    overlay.put(vec![1, 0, 5], vec![5]);
    let merged = overlay.prefix_range(&[1], Some(&[1]), 2).unwrap();
    assert_eq!(
        merged.iter().map(|p| p.0.clone()).collect::<Vec<_>>(),
        vec![vec![1, 0, 5], vec![1, 1]]
    );
}

#[test]
fn aux_is_atomic_with_state_and_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let store = Store::open(&path, opts(10)).unwrap();
    let aux = |h: u8| vec![(vec![b'b', h], Some(vec![h; 3])), (b"latest".to_vec(), Some(vec![h]))];
    for h in 0..10u8 {
        let p = store.prepare_commit(&changes(&[("s", Some(&h.to_string()))])).unwrap();
        store.commit(p, aux(h)).unwrap();
    }
    // A rejected commit writes neither state nor aux.
    let stale = store.prepare_commit(&changes(&[("s", Some("bad"))])).unwrap();
    let p = store.prepare_commit(&changes(&[("s", Some("10"))])).unwrap();
    store.commit(p, vec![(b"latest".to_vec(), Some(vec![10])), (vec![b'b', 0], None)]).unwrap();
    assert!(matches!(store.commit(stale, aux(99)), Err(StoreError::OutOfOrder(_))));
    drop(store);

    let store = Store::open(&path, opts(10)).unwrap();
    assert_eq!(store.aux_get(b"latest").unwrap(), Some(vec![10]));
    assert_eq!(get(&store.latest(), "s").as_deref(), Some("10"));
    assert_eq!(store.aux_get(&[b'b', 0]).unwrap(), None);
    assert_eq!(store.aux_get(&[b'b', 99]).unwrap(), None);
    let fwd = store.aux_range(b"b", None, 3, false).unwrap();
    assert_eq!(fwd.iter().map(|p| p.0[1]).collect::<Vec<_>>(), vec![1, 2, 3]);
    let fwd2 = store.aux_range(b"b", Some(&[b'b', 3]), 3, false).unwrap();
    assert_eq!(fwd2.iter().map(|p| p.0[1]).collect::<Vec<_>>(), vec![4, 5, 6]);
    let rev = store.aux_range(b"b", None, 3, true).unwrap();
    assert_eq!(rev.iter().map(|p| p.0[1]).collect::<Vec<_>>(), vec![9, 8, 7]);
    let rev2 = store.aux_range(b"b", Some(&[b'b', 7]), 100, true).unwrap();
    assert_eq!(rev2.iter().map(|p| p.0[1]).collect::<Vec<_>>(), vec![6, 5, 4, 3, 2, 1]);
    assert_eq!(rev2[0].1, vec![6; 3]);
    assert!(store.aux_range(b"b", None, 0, false).unwrap().is_empty());
    assert_eq!(store.aux_range(b"", None, 100, false).unwrap().len(), 10);
}

#[test]
fn out_of_order_commits_are_rejected() {
    let store = Store::in_memory(opts(0)).unwrap();
    let a = store.prepare_commit(&changes(&[("k", Some("a"))])).unwrap();
    let b = store.prepare_commit(&changes(&[("k", Some("b"))])).unwrap();
    assert_eq!((a.version(), b.version()), (0, 0));
    assert_eq!(store.commit(a, vec![]).unwrap(), 0);
    let err = store.commit(b, vec![]).unwrap_err();
    assert!(matches!(err, StoreError::OutOfOrder(_)), "{err}");
    assert_eq!(store.latest_version(), Some(0));
    assert_eq!(get(&store.latest(), "k").as_deref(), Some("a"));
    // A commit prepared on an older store after the fact is rejected too.
    let c = store.prepare_commit(&changes(&[("k", Some("c"))])).unwrap();
    assert_eq!(c.version(), 1);
    let d = store.prepare_commit(&Changes::new()).unwrap();
    store.commit(c, vec![]).unwrap();
    assert!(matches!(store.commit(d, vec![]), Err(StoreError::OutOfOrder(_))));
}

#[test]
fn concurrent_readers_during_commits() {
    let store = std::sync::Arc::new(Store::in_memory(opts(5)).unwrap());
    commit(&store, &changes(&[("n", Some("0"))]));
    let reader = {
        let store = store.clone();
        std::thread::spawn(move || {
            for _ in 0..200 {
                let snap = store.latest();
                let v = snap.version().unwrap();
                assert_eq!(get(&snap, "n"), Some(v.to_string()));
                // Scans (cached at the latest version) agree with the snapshot's version too.
                let head = snap.prefix_range(b"n", None, 1).unwrap();
                assert_eq!(head, vec![(b"n".to_vec(), v.to_string().into_bytes())]);
                let (value, proof) = snap.get_with_proof(b"n").unwrap();
                verify_proof(snap.root_hash().unwrap(), b"n", value.as_deref(), &proof).unwrap();
            }
        })
    };
    for v in 1..50u64 {
        commit(&store, &changes(&[("n", Some(&v.to_string()))]));
    }
    reader.join().unwrap();
}

/// One step of the model test: a change set over a small key space.
fn change_set() -> impl Strategy<Value = Vec<(u8, Option<Vec<u8>>)>> {
    prop::collection::vec(
        (0u8..24, prop::option::weighted(0.7, prop::collection::vec(any::<u8>(), 0..6))),
        0..12,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random change sets applied to the store match a BTreeMap model at every version: point
    /// reads (latest and historical), ranges, proofs, and a root equal to that of a fresh store
    /// holding the same content.
    #[test]
    fn store_matches_model(steps in prop::collection::vec(change_set(), 1..8), keep in 0u64..4) {
        let store = Store::in_memory(opts(keep)).unwrap();
        let mut model: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
        let mut history: Vec<BTreeMap<Vec<u8>, Vec<u8>>> = Vec::new();
        let key = |k: u8| vec![b'k', k % 3, k];
        for step in steps {
            let mut c = Changes::new();
            for (k, v) in step {
                c.insert(key(k), v);
            }
            for (k, v) in &c {
                match v {
                    Some(v) => { model.insert(k.clone(), v.clone()); }
                    None => { model.remove(k); }
                }
            }
            let (version, root) = commit(&store, &c);
            prop_assert_eq!(version, history.len() as u64);
            history.push(model.clone());

            // Root equals a fresh store's root for the same content.
            let fresh = Store::in_memory(opts(0)).unwrap();
            let content: Changes = model.iter().map(|(k, v)| (k.clone(), Some(v.clone()))).collect();
            prop_assert_eq!(commit(&fresh, &content).1, root);

            let latest = store.latest();
            for k in 0u8..24 {
                prop_assert_eq!(latest.get(&key(k)).unwrap(), model.get(&key(k)).cloned());
            }
            let all: Vec<_> = model.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            prop_assert_eq!(latest.prefix_range(b"k", None, 1000).unwrap(), all.clone());
            let sub: Vec<_> = all.iter().filter(|(k, _)| k[1] == 1).skip(1).take(2).cloned().collect();
            let first = all.iter().find(|(k, _)| k[1] == 1).map(|(k, _)| k.clone());
            if let Some(first) = first {
                prop_assert_eq!(latest.prefix_range(&[b'k', 1], Some(&first), 2).unwrap(), sub);
            }

            // Every retained version reads as the model did then; pruned ones are unavailable.
            let oldest = store.oldest_version().unwrap();
            prop_assert_eq!(oldest, if keep == 0 { 0 } else { (version + 1).saturating_sub(keep) });
            for (v, then) in history.iter().enumerate() {
                let v = v as u64;
                if v < oldest {
                    prop_assert!(store.snapshot(v).is_err());
                    continue;
                }
                let snap = store.snapshot(v).unwrap();
                let root_v = store.root_hash(v).unwrap();
                for k in 0u8..24 {
                    let expect = then.get(&key(k)).cloned();
                    prop_assert_eq!(snap.get(&key(k)).unwrap(), expect.clone());
                    if k % 5 == 0 {
                        let (value, proof) = store.get_with_proof(&key(k), v).unwrap();
                        prop_assert_eq!(&value, &expect);
                        prop_assert!(verify_proof(root_v, &key(k), value.as_deref(), &proof).is_ok());
                    }
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// The latest-version read cache never changes a result: stores with a tiny cache (so that
    /// generations rotate), a small one (scans cached) and none answer every point read
    /// and scan like the model, through snapshots taken before a commit and read after it as
    /// well as through fresh ones.
    #[test]
    fn the_read_cache_never_changes_a_result(
        steps in prop::collection::vec(change_set(), 1..10),
        probes in prop::collection::vec((0u8..24, 0u8..4, 1usize..4), 1..12),
    ) {
        // 2 KiB: point-read generations rotate, no scan fits; 64 KiB: scans are cached too.
        let stores = [2048, 1 << 16, 0].map(|read_cache_bytes| {
            let o = StoreOptions { keep_recent: 3, read_cache_bytes, ..StoreOptions::default() };
            Store::in_memory(o).unwrap()
        });
        let key = |k: u8| vec![b'k', k % 3, k];
        let mut model: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
        // Reads of `snap` against `model`: the probed keys, and scans under `k`, `k‖p`, `k‖p‖k`.
        let check = |snap: &Snapshot, model: &BTreeMap<Vec<u8>, Vec<u8>>| -> Result<(), TestCaseError> {
            for &(k, p, limit) in &probes {
                prop_assert_eq!(snap.get(&key(k)).unwrap(), model.get(&key(k)).cloned());
                let prefixes = [vec![b'k'], vec![b'k', p % 3], key(k)];
                for prefix in prefixes {
                    let under: Vec<_> = model
                        .iter()
                        .filter(|(mk, _)| mk.starts_with(&prefix))
                        .map(|(mk, v)| (mk.clone(), v.clone()))
                        .collect();
                    prop_assert_eq!(
                        snap.prefix_range(&prefix, None, limit).unwrap(),
                        under.iter().take(limit).cloned().collect::<Vec<_>>()
                    );
                    if let Some((first, _)) = under.first() {
                        prop_assert_eq!(
                            snap.prefix_range(&prefix, Some(first), limit).unwrap(),
                            under.iter().skip(1).take(limit).cloned().collect::<Vec<_>>()
                        );
                    }
                }
            }
            Ok(())
        };
        for (i, step) in steps.into_iter().enumerate() {
            // The small cache is bypassed now and then, for scans or for everything (commits
            // keep it current meanwhile).
            stores[1].set_read_cache_bypass(match i % 3 {
                1 => ReadCacheBypass::Scans,
                2 => ReadCacheBypass::All,
                _ => ReadCacheBypass::None,
            });
            let before: Vec<Snapshot> = stores.iter().map(Store::latest).collect();
            for snap in &before {
                check(snap, &model)?;
            }
            let mut c = Changes::new();
            for (k, v) in step {
                c.insert(key(k), v);
            }
            let old = model.clone();
            for (k, v) in &c {
                match v {
                    Some(v) => { model.insert(k.clone(), v.clone()); }
                    None => { model.remove(k); }
                }
            }
            let roots: Vec<_> = stores.iter().map(|s| commit(s, &c).1).collect();
            prop_assert!(roots.iter().all(|r| *r == roots[0]));
            for (store, snap) in stores.iter().zip(&before) {
                // The snapshot taken before the commit still reads the old state…
                check(snap, &old)?;
                // …and a new one the new state, twice (the second time from the cache).
                let latest = store.latest();
                check(&latest, &model)?;
                check(&latest, &model)?;
            }
        }
    }
}

/// Keys of varying length over a tiny alphabet with `0x00` and `0xff`, so that keys are
/// prefixes of one another and contain the escape byte.
fn past_key() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(vec![0u8, 1, 0xff]), 0..4)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Prefix scans at every retained version (with and without pagination, over every prefix
    /// of length 0..=2) equal the model of that version: values change, keys are deleted and
    /// re-added across versions, and pruning keeps the retained versions intact.
    #[test]
    fn ranges_at_past_versions_match_model(
        steps in prop::collection::vec(
            prop::collection::vec((past_key(), prop::option::weighted(0.6, prop::collection::vec(any::<u8>(), 0..3))), 0..8),
            1..10,
        ),
        keep in 0u64..5,
    ) {
        let store = Store::in_memory(opts(keep)).unwrap();
        let mut model: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
        let mut history: Vec<BTreeMap<Vec<u8>, Vec<u8>>> = Vec::new();
        for step in steps {
            let c: Changes = step.into_iter().collect();
            for (k, v) in &c {
                match v {
                    Some(v) => { model.insert(k.clone(), v.clone()); }
                    None => { model.remove(k); }
                }
            }
            commit(&store, &c);
            history.push(model.clone());
        }
        let alphabet = [0u8, 1, 0xff];
        let mut prefixes = vec![vec![]];
        for a in alphabet {
            prefixes.push(vec![a]);
            for b in alphabet {
                prefixes.push(vec![a, b]);
            }
        }
        let oldest = store.oldest_version().unwrap();
        for (v, then) in history.iter().enumerate() {
            let v = v as u64;
            if v < oldest {
                prop_assert!(
                    matches!(store.snapshot(v), Err(StoreError::VersionUnavailable { .. })),
                    "pruned version {} must be refused", v
                );
                continue;
            }
            let snap = store.snapshot(v).unwrap();
            for prefix in &prefixes {
                let expect: Vec<(Vec<u8>, Vec<u8>)> = then
                    .iter()
                    .filter(|(k, _)| k.starts_with(prefix))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                prop_assert_eq!(&snap.prefix_range(prefix, None, 1000).unwrap(), &expect);
                // Page through two at a time.
                let mut paged = Vec::new();
                let mut after: Option<Vec<u8>> = None;
                loop {
                    let page = snap.prefix_range(prefix, after.as_deref(), 2).unwrap();
                    prop_assert!(page.len() <= 2);
                    let Some(last) = page.last() else { break };
                    after = Some(last.0.clone());
                    paged.extend(page);
                }
                prop_assert_eq!(&paged, &expect);
                // A start before the prefix, or any start key, behaves as on the model.
                for start in &prefixes {
                    let from_model: Vec<_> = expect.iter().filter(|(k, _)| k > start).cloned().collect();
                    prop_assert_eq!(snap.prefix_range(prefix, Some(start), 1000).unwrap(), from_model);
                }
            }
        }
    }
}
