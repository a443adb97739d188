//! A chain on a file-backed store survives being dropped and reopened.

use std::sync::Arc;

use dcloud_app::testkit::{TestChain, TestConfig};
use dcloud_store::{Store, StoreOptions};
use dcloud_types::DENOM_AKT;

fn open(path: &std::path::Path) -> Arc<Store> {
    Arc::new(Store::open(path, StoreOptions::default()).unwrap())
}

#[test]
fn a_reopened_store_keeps_height_app_hash_balances_and_sequences_and_the_next_block_works() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let cfg = TestConfig::default();
    let (summary, hashes) = {
        let mut c = TestChain::with_store(cfg.clone(), open(&path));
        let mut hashes = vec![c.app_hash()];
        for i in 0..4u128 {
            let to = c.address(1 + (i as usize % 2));
            let tx = c.send(0, &to, &[(100 + i, DENOM_AKT)]);
            assert_eq!(c.deliver_block(vec![tx]).tx_results[0].code, 0);
            hashes.push(c.app_hash());
        }
        (c.summary(), hashes)
        // App and Store dropped here.
    };
    let mut c = TestChain::reopen(cfg, open(&path));
    assert_eq!(c.height(), 4);
    assert_eq!(c.summary(), summary, "everything observable is preserved");
    assert_eq!(c.app().info().unwrap().chain_id, "dcloud-test-1", "chain id restored");
    for (h, want) in hashes.iter().enumerate() {
        assert_eq!(c.store().root_hash(h as u64).unwrap(), *want, "root of version {h}");
    }
    assert_eq!(c.sequence(0), 4);
    // The next block continues at height 5 and sequence 4.
    let bob = c.address(1);
    let tx = c.send(0, &bob, &[(1, DENOM_AKT)]);
    let r = c.deliver_block(vec![tx]);
    assert_eq!(r.tx_results[0].code, 0, "{}", r.tx_results[0].log);
    assert_eq!(c.height(), 5);
    assert_eq!(c.sequence(0), 5);
    assert_ne!(c.app_hash(), summary.app_hash);
}

#[test]
fn an_uncommitted_block_is_lost_on_restart_and_replaying_it_gives_the_same_app_hash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let cfg = TestConfig::default();
    let (tx, finalized_hash, committed) = {
        let mut c = TestChain::with_store(cfg.clone(), open(&path));
        c.deliver_block(vec![]);
        let bob = c.address(1);
        let tx = c.send(0, &bob, &[(9, DENOM_AKT)]);
        let info = c.next_block_info();
        let r = c.app().finalize_block(&info, std::slice::from_ref(&tx)).unwrap();
        assert_eq!(r.tx_results[0].code, 0);
        (tx, r.app_hash, c.summary())
        // Dropped before commit: a crash between finalize and commit.
    };
    let mut c = TestChain::reopen(cfg, open(&path));
    assert_eq!(c.height(), 1);
    assert_eq!(c.summary(), committed);
    let r = c.deliver_block(vec![tx]);
    assert_eq!(r.tx_results[0].code, 0);
    assert_eq!(r.app_hash, finalized_hash, "re-execution is deterministic");
}

#[test]
fn a_reopened_app_refuses_a_second_genesis() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let cfg = TestConfig::default();
    let h = TestChain::with_store(cfg.clone(), open(&path)).app_hash();
    let c = TestChain::reopen(cfg, open(&path));
    assert!(c.app().init_chain(&c.genesis).is_err());
    assert_eq!(c.app_hash(), h);
}
