//! Successful bank sends: balances, fees, sequences, events, app hash.

use dcloud_app::testkit::{fee_collector, TestChain, TestConfig, DEFAULT_FEE};
use dcloud_types::{Event, DENOM_ACT, DENOM_AKT};

fn event<'a>(events: &'a [Event], kind: &str) -> Vec<&'a Event> {
    events.iter().filter(|e| e.kind == kind).collect()
}

#[test]
fn a_send_moves_the_amount_to_the_recipient_and_the_fee_to_the_fee_collector() {
    let mut c = TestChain::new(TestConfig::default());
    let (alice, bob) = (c.address(0), c.address(1));
    let before = c.summary();
    let tx = c.send(0, &bob, &[(1_234, DENOM_AKT)]);
    let r = c.deliver_block(vec![tx]);
    let res = &r.tx_results[0];
    assert_eq!(res.code, 0, "{}", res.log);
    assert!(res.gas_used > 0 && res.gas_used <= res.gas_wanted);
    assert_eq!(c.balance(&alice, DENOM_AKT), 1_000_000_000 - 1_234 - DEFAULT_FEE);
    assert_eq!(c.balance(&bob, DENOM_AKT), 1_000_000_000 + 1_234);
    assert_eq!(c.balance(&alice, DENOM_ACT), 500_000_000, "other denoms untouched");
    assert_eq!(c.balance(&fee_collector(), DENOM_AKT), DEFAULT_FEE);
    assert_eq!(c.sequence(0), 1);
    assert_eq!(c.sequence(1), 0);
    assert_ne!(c.app_hash(), before.app_hash);
    assert_eq!(c.supply(), before.supply);
}

#[test]
fn a_send_emits_transfer_coin_spent_coin_received_message_and_fee_events() {
    let mut c = TestChain::new(TestConfig::default());
    let (alice, bob) = (c.address(0).to_string(), c.address(1).to_string());
    let tx = c.send(0, &bob, &[(77, DENOM_AKT)]);
    let res = c.deliver_block(vec![tx]).tx_results.remove(0);
    assert_eq!(res.code, 0, "{}", res.log);
    let transfers = event(&res.events, "transfer");
    // One for the fee, one for the message.
    assert_eq!(transfers.len(), 2, "{:?}", res.events);
    let t = transfers.iter().find(|e| e.get("recipient") == Some(&bob)).expect("transfer to bob");
    assert_eq!(t.get("sender"), Some(alice.as_str()));
    assert_eq!(t.get("amount"), Some("77uakt"));
    let fee_t = transfers
        .iter()
        .find(|e| e.get("recipient") == Some(&fee_collector().to_string()))
        .expect("fee transfer");
    assert_eq!(fee_t.get("amount"), Some(format!("{DEFAULT_FEE}uakt").as_str()));
    assert!(event(&res.events, "coin_received")
        .iter()
        .any(|e| e.get("receiver") == Some(&bob) && e.get("amount") == Some("77uakt")));
    assert!(event(&res.events, "coin_spent").iter().any(|e| e.get("spender") == Some(&alice)));
    let msg = event(&res.events, "message");
    assert_eq!(msg.len(), 1);
    assert_eq!(msg[0].get("action"), Some("/cosmos.bank.v1beta1.MsgSend"));
    assert_eq!(msg[0].get("sender"), Some(alice.as_str()));
    let tx_events = event(&res.events, "tx");
    assert!(tx_events.iter().any(|e| e.get("fee") == Some(&format!("{DEFAULT_FEE}uakt"))));
    assert!(tx_events.iter().any(|e| e.get("acc_seq") == Some(&format!("{alice}/0"))));
}

#[test]
fn a_multi_send_pays_every_output_and_emits_a_transfer_per_output() {
    let mut c = TestChain::new(TestConfig::default());
    let (alice, bob, carol) = (c.address(0), c.address(1), c.address(2));
    let msg = c.multi_send_msg(
        0,
        &[(bob.clone(), vec![(100, DENOM_AKT)]), (carol.clone(), vec![(7, DENOM_AKT)])],
    );
    let tx = c.tx(0, vec![msg]);
    let res = c.deliver_block(vec![tx]).tx_results.remove(0);
    assert_eq!(res.code, 0, "{}", res.log);
    assert_eq!(c.balance(&bob, DENOM_AKT), 1_000_000_100);
    assert_eq!(c.balance(&carol, DENOM_AKT), 1_000_000_007);
    assert_eq!(c.balance(&alice, DENOM_AKT), 1_000_000_000 - 107 - DEFAULT_FEE);
    // ACT is non-transferable: untouched (multi-sends of uact are refused, see bme.rs).
    assert_eq!(c.balance(&carol, DENOM_ACT), 500_000_000);
    assert_eq!(c.balance(&alice, DENOM_ACT), 500_000_000);
    let recipients: Vec<_> =
        event(&res.events, "transfer").iter().filter_map(|e| e.get("recipient")).collect();
    assert!(recipients.contains(&bob.to_string().as_str()));
    assert!(recipients.contains(&carol.to_string().as_str()));
    assert_eq!(
        event(&res.events, "message")[0].get("action"),
        Some("/cosmos.bank.v1beta1.MsgMultiSend")
    );
}

#[test]
fn a_send_to_a_new_address_creates_its_account_with_the_next_account_number() {
    let mut c = TestChain::new(TestConfig::default());
    let newbie = c.address(4); // the unfunded key
    assert!(c.account(&newbie).is_none());
    let highest = (0..4).map(|i| c.account(&c.address(i)).unwrap().account_number).max().unwrap();
    let tx = c.send(0, &newbie, &[(5_000, DENOM_AKT)]);
    assert_eq!(c.deliver_block(vec![tx]).tx_results[0].code, 0);
    let acc = c.account(&newbie).expect("account created");
    assert_eq!(acc.account_number, highest + 1);
    assert_eq!(acc.sequence, 0);
    assert_eq!(c.balance(&newbie, DENOM_AKT), 5_000);
    // The new account can now spend what it got.
    let alice = c.address(0);
    let tx = c.send_with(
        4,
        &alice,
        &[(1, DENOM_AKT)],
        &dcloud_app::testkit::TxOpts { fee: 1_000, gas_limit: 40_000, ..Default::default() },
    );
    let res = c.deliver_block(vec![tx]).tx_results.remove(0);
    assert_eq!(res.code, 0, "{}", res.log);
    assert_eq!(c.balance(&newbie, DENOM_AKT), 5_000 - 1 - 1_000);
    assert!(c.account(&newbie).unwrap().pub_key.is_some(), "first tx registers the pubkey");
}

#[test]
fn several_txs_from_one_sender_in_one_block_apply_in_sequence_order() {
    let mut c = TestChain::new(TestConfig::default());
    let bob = c.address(1);
    let txs: Vec<_> = (0..5).map(|_| c.send(0, &bob, &[(10, DENOM_AKT)])).collect();
    let r = c.deliver_block(txs);
    assert!(r.tx_results.iter().all(|t| t.code == 0), "{:?}", r.tx_results);
    assert_eq!(c.sequence(0), 5);
    assert_eq!(c.balance(&bob, DENOM_AKT), 1_000_000_050);
    assert_eq!(c.balance(&fee_collector(), DENOM_AKT), 5 * DEFAULT_FEE);
}

#[test]
fn a_send_of_the_whole_balance_leaves_no_zero_balance_entry() {
    let mut c = TestChain::new(TestConfig::default());
    let (alice, bob) = (c.address(0), c.address(1));
    // All uakt but the fee (ACT cannot be sent; it stays).
    let tx = c.send(0, &bob, &[(1_000_000_000 - DEFAULT_FEE, DENOM_AKT)]);
    assert_eq!(c.deliver_block(vec![tx]).tx_results[0].code, 0);
    assert_eq!(c.balance(&alice, DENOM_AKT), 0);
    assert_eq!(c.balances(&alice).amount_of(DENOM_AKT), 0);
    assert_eq!(c.balances(&alice).iter().count(), 1, "only uact left: {}", c.balances(&alice));
}

#[test]
fn empty_blocks_keep_the_app_hash_and_advance_the_height() {
    let mut c = TestChain::new(TestConfig::default());
    let h = c.app_hash();
    for i in 1..=3 {
        let r = c.deliver_block(vec![]);
        assert_eq!(r.app_hash, h);
        assert_eq!(c.height(), i);
    }
    assert_eq!(c.app().info().unwrap().last_height, Some(3));
}

#[test]
fn finalize_refuses_a_block_at_the_wrong_height_and_a_second_uncommitted_block() {
    let mut c = TestChain::new(TestConfig::default());
    c.deliver_block(vec![]);
    let mut info = c.next_block_info();
    info.height = 5;
    let e = c.app().finalize_block(&info, &[]).unwrap_err();
    assert!(e.to_string().contains("does not follow"), "{e}");
    let info = c.next_block_info();
    c.app().finalize_block(&info, &[]).unwrap();
    let e = c.app().finalize_block(&info, &[]).unwrap_err();
    assert!(e.to_string().contains("not committed"), "{e}");
    c.app().abort_pending();
    assert!(c.app().commit(Vec::new()).is_err(), "nothing to commit after abort");
    assert_eq!(c.deliver_block(vec![]).app_hash, c.app_hash());
    assert_eq!(c.height(), 2);
}

#[test]
fn simulate_reports_the_gas_a_send_uses_without_changing_state() {
    let mut c = TestChain::new(TestConfig::default());
    let bob = c.address(1);
    let tx = c.send(0, &bob, &[(10, DENOM_AKT)]);
    let before = c.summary();
    let sim = c.app().simulate(&tx);
    assert_eq!(sim.code, 0, "{}", sim.log);
    assert_eq!(c.summary(), before);
    let res = c.deliver_block(vec![tx]).tx_results.remove(0);
    assert_eq!(res.code, 0);
    assert_eq!(res.gas_used, sim.gas_used, "deterministic gas");
}
