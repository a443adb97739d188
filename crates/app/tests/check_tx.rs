//! Mempool admission through `check_tx`: ante checks against the check state, per-sender
//! sequence ordering, and recheck after a block.

use dcloud_app::testkit::{TestChain, TestConfig, TxOpts};
use dcloud_app::CheckTxKind;
use dcloud_types::DENOM_AKT;

#[test]
fn a_valid_tx_is_admitted_with_its_sender_sequence_gas_and_hash() {
    let mut c = TestChain::new(TestConfig::default());
    let bob = c.address(1);
    let tx = c.send(0, &bob, &[(1, DENOM_AKT)]);
    let before = c.summary();
    let r = c.check_tx(&tx);
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(r.sender, c.address(0).to_string());
    assert_eq!(r.sequence, 0);
    assert_eq!(r.gas_wanted, 200_000);
    assert_eq!(r.hash, hex::encode_upper(dcloud_types::sha256(&tx)));
    assert_eq!(c.summary(), before, "check_tx never touches committed state");
}

#[test]
fn consecutive_sequences_from_one_sender_are_admitted_and_a_gap_is_refused_with_code_32() {
    let mut c = TestChain::new(TestConfig::default());
    let bob = c.address(1);
    let t0 = c.send(0, &bob, &[(1, DENOM_AKT)]);
    let t1 = c.send(0, &bob, &[(1, DENOM_AKT)]);
    let t3 = c.send_with(
        0,
        &bob,
        &[(1, DENOM_AKT)],
        &TxOpts { sequence: Some(3), ..Default::default() },
    );
    assert_eq!(c.check_tx(&t0).code, 0);
    let r1 = c.check_tx(&t1);
    assert_eq!((r1.code, r1.sequence), (0, 1), "{}", r1.log);
    let r3 = c.check_tx(&t3);
    assert_eq!(r3.code, 32, "{}", r3.log);
    assert!(r3.log.contains("expected 2, got 3"), "{}", r3.log);
    assert_eq!(r3.sender, c.address(0).to_string(), "sender known even on rejection");
    // The same tx again: its sequence is used in the check state.
    let again = c.check_tx(&t0);
    assert_eq!(again.code, 32, "{}", again.log);
}

#[test]
fn check_tx_tracks_the_fees_already_admitted_against_the_balance() {
    // 12_000uakt pays two 5_000 fees but not three.
    let mut c = TestChain::new(TestConfig { uakt: 12_000, ..TestConfig::default() });
    let bob = c.address(1);
    let txs: Vec<_> = (0..3).map(|_| c.send(0, &bob, &[(1, "uakt")])).collect();
    assert_eq!(c.check_tx(&txs[0]).code, 0);
    assert_eq!(c.check_tx(&txs[1]).code, 0);
    let r = c.check_tx(&txs[2]);
    assert_eq!(r.code, 5, "{}", r.log);
    assert!(r.log.contains("cannot pay fee"), "{}", r.log);
}

#[test]
fn recheck_after_a_block_keeps_txs_that_are_still_valid_and_drops_invalidated_ones() {
    let mut c = TestChain::new(TestConfig::default());
    let bob = c.address(1);
    let t0 = c.send(0, &bob, &[(1, DENOM_AKT)]);
    let t1 = c.send(0, &bob, &[(1, DENOM_AKT)]);
    // A competing tx with sequence 1 that will be committed instead of t1.
    let t1b = c.send_with(
        0,
        &bob,
        &[(2, DENOM_AKT)],
        &TxOpts { sequence: Some(1), ..Default::default() },
    );
    let t2 = c.send_with(
        0,
        &bob,
        &[(3, DENOM_AKT)],
        &TxOpts { sequence: Some(2), ..Default::default() },
    );
    assert_eq!(c.check_tx(&t0).code, 0);
    assert_eq!(c.check_tx(&t1).code, 0);
    assert_eq!(c.check_tx(&t2).code, 0);
    let r = c.deliver_block(vec![t0, t1b]);
    assert!(r.tx_results.iter().all(|t| t.code == 0), "{:?}", r.tx_results);
    // Commit reset the check state: t1's sequence is now taken, t2 is next.
    let r1 = c.app().check_tx(&t1, CheckTxKind::Recheck);
    assert_eq!(r1.code, 32, "{}", r1.log);
    let r2 = c.app().check_tx(&t2, CheckTxKind::Recheck);
    assert_eq!(r2.code, 0, "{}", r2.log);
    // And t2 lands in the next block.
    assert_eq!(c.deliver_block(vec![t2]).tx_results[0].code, 0);
    assert_eq!(c.balance(&bob, DENOM_AKT), 1_000_000_000 + 1 + 2 + 3);
}

#[test]
fn check_tx_runs_only_the_ante_so_a_send_beyond_the_balance_is_admitted() {
    // As in the Cosmos SDK, messages run only in blocks.
    let mut c = TestChain::new(TestConfig::default());
    let bob = c.address(1);
    let tx = c.send(0, &bob, &[(u128::from(u64::MAX), DENOM_AKT)]);
    assert_eq!(c.check_tx(&tx).code, 0);
    assert_eq!(c.deliver_block(vec![tx]).tx_results[0].code, 5);
}

#[test]
fn check_tx_refuses_txs_for_an_expired_timeout_height() {
    let mut c = TestChain::new(TestConfig::default());
    let bob = c.address(1);
    c.deliver_block(vec![]);
    let tx = c.send_with(
        0,
        &bob,
        &[(1, DENOM_AKT)],
        &TxOpts { timeout_height: 1, ..Default::default() },
    );
    let r = c.check_tx(&tx);
    assert_eq!(r.code, 30, "{}", r.log);
}
