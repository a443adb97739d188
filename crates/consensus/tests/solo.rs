//! The solo driver over a real app: block linking, commit signatures, app hashes, the tx
//! index, mempool recheck, restart. Invariants are checked after every block.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use dcloud_app::testkit::{
    validator_key, TestChain, TestConfig, TxOpts, BLOCK_INTERVAL_MS, GENESIS_TIME_MS,
};
use dcloud_app::CheckTxKind;
use dcloud_consensus::block::tx_merkle_root;
use dcloud_consensus::{
    Commit, CommittedBlock, EventQuery, Mempool, MempoolError, SoloConfig, SoloDriver,
};
use dcloud_crypto::ed25519::NodeKey;
use dcloud_store::{Store, StoreOptions};
use dcloud_types::DENOM_AKT;

struct Node {
    chain: TestChain,
    mempool: Arc<Mempool>,
    driver: SoloDriver,
}

fn node_on(chain: TestChain, cfg: SoloConfig) -> Node {
    let mempool = Arc::new(Mempool::new(1_000, 4 << 20));
    let driver =
        SoloDriver::new(chain.app().clone(), mempool.clone(), validator_key(), cfg).unwrap();
    Node { chain, mempool, driver }
}

fn node() -> Node {
    node_on(TestChain::new(TestConfig::default()), SoloConfig::default())
}

impl Node {
    /// check_tx then insert, as the node's broadcast path does.
    fn admit(&self, raw: &[u8]) {
        let r = self.chain.app().check_tx(raw, CheckTxKind::New);
        assert_eq!(r.code, 0, "check_tx: {}", r.log);
        self.mempool.insert(raw.to_vec()).unwrap();
    }

    fn produce(&mut self) -> Arc<CommittedBlock> {
        let h = self.driver.height() + 1;
        let cb = self.driver.produce_block(GENESIS_TIME_MS + h * BLOCK_INTERVAL_MS).unwrap();
        assert_eq!(cb.block.header.height, h);
        self.chain.sync(); // checks every invariant on the committed state
        cb
    }
}

fn verify_commit(chain_id: &str, cb: &CommittedBlock) -> Result<(), dcloud_crypto::CryptoError> {
    let key = validator_key();
    let sig = base64::engine::general_purpose::STANDARD
        .decode(&cb.commit.signatures[0].signature)
        .unwrap();
    let msg =
        Commit::sign_bytes(chain_id, cb.commit.height, cb.commit.round, &cb.commit.block_hash);
    dcloud_crypto::ed25519::verify(&key.public_key(), &msg, &sig)
}

#[test]
fn produced_blocks_link_by_last_block_hash_and_carry_the_previous_commit() {
    let mut n = node();
    let blocks: Vec<_> = (0..4).map(|_| n.produce()).collect();
    assert_eq!(blocks[0].block.header.last_block_hash, [0; 32]);
    assert_eq!(blocks[0].block.last_commit, None);
    for w in blocks.windows(2) {
        let (prev, cur) = (&w[0], &w[1]);
        assert_eq!(cur.block.header.last_block_hash, prev.block.header.hash());
        assert_eq!(cur.block.header.last_commit_hash, prev.commit.hash());
        assert_eq!(cur.block.last_commit.as_ref(), Some(&prev.commit));
        assert!(cur.block.header.time_ms > prev.block.header.time_ms);
    }
    for b in &blocks {
        assert_eq!(b.commit.block_hash, b.block.header.hash());
        assert_eq!(b.block.header.chain_id, "dcloud-test-1");
        assert_eq!(b.block.header.proposer_address, hex::encode_upper(validator_key().address()));
        // What the block store holds is what was produced.
        let h = b.block.header.height;
        assert_eq!(n.driver.blocks().block(h).unwrap().as_ref(), Some(&b.block));
        assert_eq!(n.driver.blocks().commit(h).unwrap().as_ref(), Some(&b.commit));
        assert_eq!(n.driver.blocks().results(h).unwrap().as_ref(), Some(&b.results));
    }
    assert_eq!(n.driver.blocks().latest_height().unwrap(), 4);
}

#[test]
fn the_commit_signature_verifies_with_the_validator_key_and_fails_when_tampered() {
    let mut n = node();
    let cb = n.produce();
    assert_eq!(cb.commit.signatures.len(), 1);
    assert_eq!(
        cb.commit.signatures[0].validator_address,
        hex::encode_upper(validator_key().address())
    );
    verify_commit("dcloud-test-1", &cb).unwrap();
    assert!(verify_commit("other-chain", &cb).is_err(), "bound to the chain id");
    let mut forged = (*cb).clone();
    forged.commit.block_hash[0] ^= 1;
    assert!(verify_commit("dcloud-test-1", &forged).is_err(), "bound to the block hash");
}

#[test]
fn each_header_carries_the_app_hash_of_the_previous_block() {
    let mut n = node();
    let genesis_hash = n.chain.app_hash();
    let bob = n.chain.address(1);
    let mut prev_app_hash = genesis_hash;
    for i in 0..3 {
        let tx = n.chain.send(0, &bob, &[(10 + i, DENOM_AKT)]);
        n.admit(&tx);
        let cb = n.produce();
        assert_eq!(cb.block.txs, vec![tx]);
        assert_eq!(cb.results.tx_results[0].code, 0, "{}", cb.results.tx_results[0].log);
        assert_eq!(cb.block.header.app_hash, prev_app_hash);
        assert_eq!(cb.block.header.data_hash, tx_merkle_root(&cb.block.txs));
        assert_ne!(cb.results.app_hash, prev_app_hash, "a send changes state");
        assert_eq!(cb.results.app_hash, n.chain.app_hash());
        prev_app_hash = cb.results.app_hash;
    }
    assert_eq!(n.chain.balance(&bob, DENOM_AKT), 1_000_000_000 + 10 + 11 + 12);
}

#[test]
fn committed_txs_are_found_by_hash_and_by_event_search() {
    let mut n = node();
    let (bob, carol) = (n.chain.address(1), n.chain.address(2));
    n.produce(); // height 1: empty
    let t_bob = n.chain.send(0, &bob, &[(5, DENOM_AKT)]);
    let t_carol = n.chain.send(3, &carol, &[(6, DENOM_AKT)]);
    n.admit(&t_bob);
    n.admit(&t_carol);
    let cb = n.produce(); // height 2
    assert_eq!(cb.block.txs.len(), 2);
    let bad = n.chain.send_with(
        0,
        &bob,
        &[(1, DENOM_AKT)],
        &TxOpts { tamper_signature: true, ..Default::default() },
    );
    let t_bob2 = n.chain.send(2, &bob, &[(7, DENOM_AKT)]);
    n.admit(&t_bob2);
    // A tx that fails in the block is still recorded with its code.
    n.mempool.insert(bad.clone()).unwrap();
    n.produce(); // height 3

    let blocks = n.driver.blocks();
    let rec = blocks.tx(&dcloud_types::sha256(&t_bob)).unwrap().expect("indexed by hash");
    assert_eq!((rec.height, rec.index, rec.tx_result.code), (2, 0, 0));
    assert_eq!(rec.hash, hex::encode_upper(dcloud_types::sha256(&t_bob)));
    assert_eq!(base64::engine::general_purpose::STANDARD.decode(&rec.tx).unwrap(), t_bob);
    let rec = blocks.tx(&dcloud_types::sha256(&bad)).unwrap().expect("failed tx indexed");
    assert_eq!((rec.height, rec.tx_result.code), (3, 4));
    assert!(blocks.tx(&[7; 32]).unwrap().is_none());

    let search = |q: &str| {
        let (recs, total) = blocks.search(&EventQuery::parse(q).unwrap(), 1, 100, false).unwrap();
        assert_eq!(recs.len(), total);
        recs.into_iter().map(|r| (r.height, r.index)).collect::<Vec<_>>()
    };
    assert_eq!(search(&format!("transfer.recipient='{bob}'")), vec![(2, 0), (3, 0)]);
    assert_eq!(search(&format!("transfer.recipient='{carol}'")), vec![(2, 1)]);
    assert_eq!(search("tx.height=2"), vec![(2, 0), (2, 1)]);
    assert_eq!(search("tx.height=3"), vec![(3, 0), (3, 1)]);
    assert_eq!(search("tx.height=1"), vec![]);
    assert_eq!(search(&format!("transfer.recipient='{bob}' AND tx.height=3")), vec![(3, 0)]);
    assert_eq!(
        search(&format!("tm.event='Tx' AND message.sender='{}'", n.chain.address(3))),
        vec![(2, 1)]
    );
    let nobody = n.chain.address(4);
    assert_eq!(search(&format!("transfer.recipient='{nobody}'")), vec![]);
    // Descending order and pagination.
    let (recs, total) = blocks
        .search(&EventQuery::parse(&format!("transfer.recipient='{bob}'")).unwrap(), 1, 1, true)
        .unwrap();
    assert_eq!(total, 2);
    assert_eq!((recs[0].height, recs.len()), (3, 1));
}

#[test]
fn mempool_recheck_after_a_block_drops_txs_the_block_invalidated() {
    // Alice can pay two fees; her first tx also sends away everything left after them.
    let cfg = TestConfig { uakt: 12_000, ..TestConfig::default() };
    let mut n =
        node_on(TestChain::new(cfg), SoloConfig { max_block_txs: 1, ..SoloConfig::default() });
    let bob = n.chain.address(1);
    let drain = n.chain.send(0, &bob, &[(7_000, DENOM_AKT)]);
    let next = n.chain.send(0, &bob, &[(1, DENOM_AKT)]);
    let other = n.chain.send(2, &bob, &[(1, DENOM_AKT)]);
    n.admit(&drain);
    n.admit(&next);
    n.admit(&other);
    assert_eq!(n.mempool.len(), 3);
    let cb = n.produce();
    assert_eq!(cb.block.txs, vec![drain.clone()]);
    assert_eq!(cb.results.tx_results[0].code, 0);
    assert_eq!(n.chain.balance(&n.chain.address(0), DENOM_AKT), 0);
    // `next` can no longer pay its fee: dropped. `other` is still valid: kept.
    assert_eq!(n.mempool.len(), 1);
    assert!(!n.mempool.contains(&dcloud_types::sha256(&drain)));
    assert!(!n.mempool.contains(&dcloud_types::sha256(&next)));
    assert!(n.mempool.contains(&dcloud_types::sha256(&other)));
    let cb = n.produce();
    assert_eq!(cb.block.txs, vec![other]);
    assert!(n.mempool.is_empty());
}

#[test]
fn after_recheck_the_check_state_admits_the_next_sequence() {
    let mut n = node_on(
        TestChain::new(TestConfig::default()),
        SoloConfig { max_block_txs: 1, ..SoloConfig::default() },
    );
    let bob = n.chain.address(1);
    let t0 = n.chain.send(0, &bob, &[(1, DENOM_AKT)]);
    let t1 = n.chain.send(0, &bob, &[(1, DENOM_AKT)]);
    n.admit(&t0);
    n.admit(&t1);
    n.produce(); // t0 committed, t1 rechecked and kept
    assert_eq!(n.mempool.len(), 1);
    // The re-checked t1 holds sequence 1 in the check state: sequence 2 is next.
    let t2 = n.chain.send_with(
        0,
        &bob,
        &[(1, DENOM_AKT)],
        &TxOpts { sequence: Some(2), ..Default::default() },
    );
    n.admit(&t2);
    let dup = n.chain.app().check_tx(&t1, CheckTxKind::New);
    assert_eq!(dup.code, 32, "{}", dup.log);
    n.produce();
    n.produce();
    assert!(n.mempool.is_empty());
    assert_eq!(n.chain.sequence(0), 3);
}

#[test]
fn a_full_mempool_refuses_with_code_20_and_a_duplicate_with_code_19() {
    let mut chain = TestChain::new(TestConfig::default());
    let bob = chain.address(1);
    let m = Mempool::new(2, 1 << 20);
    let t: Vec<_> = (0..3).map(|i| chain.send(i, &bob, &[(1, DENOM_AKT)])).collect();
    m.insert(t[0].clone()).unwrap();
    assert_eq!(m.insert(t[0].clone()).unwrap_err().code(), 19);
    m.insert(t[1].clone()).unwrap();
    let e = m.insert(t[2].clone()).unwrap_err();
    assert!(matches!(e, MempoolError::Full { txs: 2, max_txs: 2, .. }), "{e}");
    assert_eq!(e.code(), 20);
    assert_eq!(m.len(), 2);
}

#[test]
fn a_restarted_driver_continues_at_the_next_height_with_the_right_last_block_hash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let open = || Arc::new(Store::open(&path, StoreOptions::default()).unwrap());
    let cfg = TestConfig::default();
    let (last, tx_hash) = {
        let mut n = node_on(TestChain::with_store(cfg.clone(), open()), SoloConfig::default());
        let bob = n.chain.address(1);
        let tx = n.chain.send(0, &bob, &[(42, DENOM_AKT)]);
        n.admit(&tx);
        n.produce();
        n.produce();
        let last = n.produce();
        (last, dcloud_types::sha256(&tx))
        // Driver, app and store dropped.
    };
    let mut n = node_on(TestChain::reopen(cfg, open()), SoloConfig::default());
    assert_eq!(n.driver.height(), 3);
    assert_eq!(n.chain.height(), 3);
    let rec = n.driver.blocks().tx(&tx_hash).unwrap().expect("tx still found after restart");
    assert_eq!(rec.height, 1);
    let bob = n.chain.address(1);
    let tx = n.chain.send(0, &bob, &[(1, DENOM_AKT)]);
    n.admit(&tx);
    let cb = n.produce();
    assert_eq!(cb.block.header.height, 4);
    assert_eq!(cb.block.header.last_block_hash, last.block.header.hash());
    assert_eq!(cb.block.last_commit.as_ref(), Some(&last.commit));
    assert_eq!(cb.block.header.app_hash, last.results.app_hash);
    assert!(cb.block.header.time_ms > last.block.header.time_ms);
    assert_eq!(cb.results.tx_results[0].code, 0, "{}", cb.results.tx_results[0].log);
    assert_eq!(n.chain.balance(&bob, DENOM_AKT), 1_000_000_000 + 42 + 1);
}

#[test]
fn the_driver_refuses_a_key_outside_the_validator_set() {
    let chain = TestChain::new(TestConfig::default());
    let m = Arc::new(Mempool::new(10, 1 << 20));
    let e =
        SoloDriver::new(chain.app().clone(), m, NodeKey::from_seed([1; 32]), SoloConfig::default())
            .unwrap_err();
    assert!(e.to_string().contains("not in the genesis validator set"), "{e}");
}

#[test]
fn the_driver_refuses_a_block_store_that_disagrees_with_the_state_height() {
    // State committed by the app alone (no block records) cannot be resumed by the driver.
    let mut chain = TestChain::new(TestConfig::default());
    chain.deliver_block(vec![]);
    let m = Arc::new(Mempool::new(10, 1 << 20));
    let e = SoloDriver::new(chain.app().clone(), m, validator_key(), SoloConfig::default())
        .unwrap_err();
    assert!(e.to_string().contains("block store at height 0 but state at height 1"), "{e}");
}

#[test]
fn block_times_never_go_backwards_even_if_the_clock_does() {
    let mut n = node();
    let a = n.driver.produce_block(GENESIS_TIME_MS + 10_000).unwrap();
    let b = n.driver.produce_block(GENESIS_TIME_MS).unwrap();
    n.chain.sync();
    assert_eq!(b.block.header.time_ms, a.block.header.time_ms + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_running_driver_commits_a_submitted_tx_quickly_and_stops_on_shutdown() {
    let mut chain = TestChain::new(TestConfig::default());
    let bob = chain.address(1);
    let tx = chain.send(0, &bob, &[(3, DENOM_AKT)]);
    let mempool = Arc::new(Mempool::new(100, 1 << 20));
    let cfg = SoloConfig {
        block_time: Duration::from_secs(30),
        min_block_interval: Duration::from_millis(10),
        ..SoloConfig::default()
    };
    let driver = Arc::new(
        SoloDriver::new(chain.app().clone(), mempool.clone(), validator_key(), cfg).unwrap(),
    );
    let mut sub = driver.subscribe();
    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(driver.clone().run(stop_rx));
    assert_eq!(chain.app().check_tx(&tx, CheckTxKind::New).code, 0);
    mempool.insert(tx.clone()).unwrap();
    let cb = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let cb = sub.recv().await.unwrap();
            if !cb.block.txs.is_empty() {
                return cb;
            }
        }
    })
    .await
    .expect("a block with the tx within 5s (block_time is 30s)");
    assert_eq!(cb.block.txs, vec![tx]);
    assert_eq!(cb.results.tx_results[0].code, 0);
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), task).await.unwrap().unwrap().unwrap();
    chain.sync();
    assert_eq!(chain.balance(&bob, DENOM_AKT), 1_000_000_003);
}

#[test]
fn search_handles_out_of_range_heights_bad_hashes_and_unindexed_attributes() {
    let mut n = node();
    let bob = n.chain.address(1);
    n.produce();
    let tx = n.chain.send(0, &bob, &[(5, DENOM_AKT)]);
    n.admit(&tx);
    n.produce(); // height 2
    let blocks = n.driver.blocks();
    let search = |q: &str| {
        let q = EventQuery::parse(q).unwrap();
        let (recs, _) = blocks.search(&q, 1, 100, false).unwrap();
        recs.into_iter().map(|r| (r.height, r.index)).collect::<Vec<_>>()
    };
    assert_eq!(search("tx.height>18446744073709551615"), vec![]);
    assert_eq!(search("tx.height<99999999999999999999"), vec![(2, 0)]);
    assert_eq!(search("tx.height>=-3"), vec![(2, 0)]);
    assert_eq!(search("tx.height=-2"), vec![]);
    // A malformed hash is no match, not a "corrupt block store" error.
    assert_eq!(search("tx.hash='zz'"), vec![]);
    let h = hex::encode_upper(dcloud_types::sha256(&tx));
    assert_eq!(search(&format!("tx.hash='{h}'")), vec![(2, 0)]);
    // `amount` is not indexed, yet a query on it still finds the tx.
    assert_eq!(search("transfer.amount='5uakt'"), vec![(2, 0)]);
    assert_eq!(search("transfer.amount='5uakt' AND tx.height=2"), vec![(2, 0)]);
    assert_eq!(search("transfer.amount='6uakt'"), vec![]);
}

#[test]
fn concurrent_inserts_of_one_tx_keep_a_single_copy_and_respect_the_limit() {
    for _ in 0..50 {
        let m = Arc::new(Mempool::new(3, 1 << 20));
        let barrier = Arc::new(std::sync::Barrier::new(8));
        let threads: Vec<_> = (0..8u8)
            .map(|i| {
                let (m, barrier) = (m.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    // Half insert the same tx, half distinct ones.
                    let tx = if i % 2 == 0 { b"same".to_vec() } else { vec![i; 4] };
                    m.insert(tx).is_ok()
                })
            })
            .collect();
        let ok = threads.into_iter().map(|t| t.join().unwrap()).filter(|ok| *ok).count();
        assert_eq!(m.len(), ok, "every accepted insert is one entry");
        assert!(m.len() <= 3, "limit exceeded: {}", m.len());
        assert_eq!(m.bytes(), 4 * m.len());
        let reaped = m.reap(1 << 20, 100);
        let same = reaped.iter().filter(|t| t.as_slice() == b"same").count();
        assert!(same <= 1, "the same tx was admitted {same} times");
        if m.len() < 3 {
            // Room was left, so one of the four `same` inserts must have been admitted.
            assert_eq!(same, 1);
        }
    }
}
