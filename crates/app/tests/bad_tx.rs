//! Bad input, each its own test: a clear error, no state change (or, where the Cosmos SDK
//! charges it, only the fee and the sequence), nothing lost. The harness checks every
//! invariant and the total supply after every block.

use dcloud_app::modules::bank::{BankParams, SendEnabled};
use dcloud_app::testkit::{
    fee_collector, proto_coin, raw_send, TestChain, TestConfig, TxOpts, DEFAULT_FEE,
};
use dcloud_app::{CheckTxKind, TxResult};
use dcloud_proto::cosmos::cosmos::bank::v1beta1::MsgSend;
use dcloud_proto::{Any, Msg, MAX_TX_BYTES};
use dcloud_types::{DENOM_ACT, DENOM_AKT};

fn chain() -> TestChain {
    TestChain::new(TestConfig::default())
}

/// Checks `tx` is refused by `check_tx` and, delivered in a block, fails with `code` and a
/// log containing `log`, leaving the committed state exactly as it was (same app hash).
fn assert_refused_without_change(c: &mut TestChain, tx: Vec<u8>, code: u32, log: &str) -> TxResult {
    let before = c.summary();
    let chk = c.check_tx(&tx);
    assert_eq!(chk.code, code, "check_tx: {}", chk.log);
    assert!(chk.log.contains(log), "check_tx log {:?} lacks {log:?}", chk.log);
    let r = c.deliver_block(vec![tx]);
    let res = r.tx_results[0].clone();
    assert_eq!(res.code, code, "{}", res.log);
    assert_eq!(res.codespace, "sdk");
    assert!(res.log.contains(log), "log {:?} lacks {log:?}", res.log);
    assert!(res.events.is_empty(), "a refused tx emits nothing: {:?}", res.events);
    let after = c.summary();
    assert_eq!(after.app_hash, before.app_hash, "app hash changed");
    assert_eq!(after.accounts, before.accounts, "balances or accounts changed");
    assert_eq!(after.fee_collector, before.fee_collector, "a fee was charged");
    assert_eq!(after.height, before.height + 1);
    res
}

/// Checks `tx` passes `check_tx` (its ante is fine) but its message fails in the block
/// with `code`: the fee is charged and the sequence used, nothing else changes.
fn assert_msg_fails_charging_only_the_fee(
    c: &mut TestChain,
    from: usize,
    tx: Vec<u8>,
    fee: u128,
    code: u32,
    log: &str,
) -> TxResult {
    let before = c.summary();
    let chk = c.check_tx(&tx);
    assert_eq!(chk.code, 0, "ante passes in check_tx: {}", chk.log);
    let res = c.deliver_block(vec![tx]).tx_results.remove(0);
    assert_eq!(res.code, code, "{}", res.log);
    assert!(res.log.contains(log), "log {:?} lacks {log:?}", res.log);
    assert!(res.events.iter().all(|e| e.kind != "message"), "no message events kept");
    assert!(res.events.iter().any(|e| e.kind == "tx" && e.get("fee").is_some()), "fee event");
    let after = c.summary();
    for (i, (b, a)) in before.accounts.iter().zip(&after.accounts).enumerate() {
        if i == from {
            let want = b.0.checked_sub(&dcloud_types::Coins::one(fee, DENOM_AKT)).unwrap();
            assert_eq!(a.0, want, "sender pays exactly the fee");
            let (sb, sa) = (b.1.as_ref().unwrap(), a.1.as_ref().unwrap());
            assert_eq!(sa.sequence, sb.sequence + 1, "sequence used");
        } else {
            assert_eq!(a, b, "account {i} changed");
        }
    }
    assert_eq!(
        after.fee_collector.amount_of(DENOM_AKT),
        before.fee_collector.amount_of(DENOM_AKT) + fee
    );
    res
}

#[test]
fn a_tampered_signature_is_refused_with_code_4_and_changes_nothing() {
    let mut c = chain();
    let bob = c.address(1);
    let tx = c.send_with(
        0,
        &bob,
        &[(10, DENOM_AKT)],
        &TxOpts { tamper_signature: true, ..Default::default() },
    );
    let res = assert_refused_without_change(&mut c, tx, 4, "signature verification failed");
    assert!(res.log.contains("chain-id (dcloud-test-1)"), "{}", res.log);
}

#[test]
fn a_signature_by_another_key_with_the_right_public_key_is_refused() {
    let mut c = chain();
    let bob = c.address(1);
    // Body says alice, pubkey is alice's, but bob's key signed.
    let mut signer = c.signer(0);
    signer.sequence = 0;
    let other = dcloud_app::testkit::account_key(1);
    let raw = dcloud_proto::TxBuilder::new()
        .msg(&dcloud_proto::msg_send(&c.address(0).to_string(), &bob.to_string(), 10, DENOM_AKT))
        .fee(DEFAULT_FEE, DENOM_AKT, 200_000)
        .sign(&signer, |d| other.sign(d))
        .unwrap();
    assert_refused_without_change(&mut c, raw, 4, "signature verification failed");
}

#[test]
fn a_signature_for_another_chain_id_is_refused_with_code_4() {
    let mut c = chain();
    let bob = c.address(1);
    let opts = TxOpts { chain_id: Some("akashnet-2".into()), ..Default::default() };
    let tx = c.send_with(0, &bob, &[(10, DENOM_AKT)], &opts);
    assert_refused_without_change(&mut c, tx, 4, "signature verification failed");
}

#[test]
fn a_signature_for_another_account_number_is_refused_with_code_4() {
    let mut c = chain();
    let bob = c.address(1);
    let opts = TxOpts { account_number: Some(99), ..Default::default() };
    let tx = c.send_with(0, &bob, &[(10, DENOM_AKT)], &opts);
    assert_refused_without_change(&mut c, tx, 4, "signature verification failed");
}

#[test]
fn a_replayed_tx_is_refused_with_code_32_and_changes_nothing() {
    let mut c = chain();
    let bob = c.address(1);
    let tx = c.send(0, &bob, &[(10, DENOM_AKT)]);
    assert_eq!(c.deliver_block(vec![tx.clone()]).tx_results[0].code, 0);
    let res = assert_refused_without_change(&mut c, tx, 32, "account sequence mismatch");
    assert!(res.log.contains("expected 1, got 0"), "{}", res.log);
}

#[test]
fn a_new_tx_reusing_an_old_sequence_is_refused_with_code_32() {
    let mut c = chain();
    let bob = c.address(1);
    let tx = c.send(0, &bob, &[(10, DENOM_AKT)]);
    assert_eq!(c.deliver_block(vec![tx]).tx_results[0].code, 0);
    let tx = c.send_with(
        0,
        &bob,
        &[(99, DENOM_AKT)],
        &TxOpts { sequence: Some(0), ..Default::default() },
    );
    assert_refused_without_change(&mut c, tx, 32, "expected 1, got 0");
}

#[test]
fn the_same_tx_twice_in_one_block_succeeds_once_and_is_refused_the_second_time() {
    let mut c = chain();
    let bob = c.address(1);
    let tx = c.send(0, &bob, &[(10, DENOM_AKT)]);
    let r = c.deliver_block(vec![tx.clone(), tx]);
    assert_eq!(r.tx_results[0].code, 0);
    assert_eq!(r.tx_results[1].code, 32, "{}", r.tx_results[1].log);
    assert_eq!(c.balance(&bob, DENOM_AKT), 1_000_000_010);
    assert_eq!(c.balance(&fee_collector(), DENOM_AKT), DEFAULT_FEE, "one fee only");
}

#[test]
fn a_skipped_sequence_is_refused_with_code_32_and_changes_nothing() {
    let mut c = chain();
    let bob = c.address(1);
    let tx = c.send_with(
        0,
        &bob,
        &[(10, DENOM_AKT)],
        &TxOpts { sequence: Some(1), ..Default::default() },
    );
    assert_refused_without_change(&mut c, tx, 32, "expected 0, got 1");
}

#[test]
fn a_sender_with_no_account_is_refused_with_code_9() {
    let mut c = chain();
    let alice = c.address(0);
    let tx = c.send(4, &alice, &[(1, DENOM_AKT)]); // key 4 was never funded
    let res = assert_refused_without_change(&mut c, tx, 9, "does not exist");
    assert!(res.log.contains(&c.address(4).to_string()), "{}", res.log);
    assert!(c.account(&c.address(4)).is_none(), "no account was created");
}

#[test]
fn a_send_of_more_than_the_balance_fails_with_code_5_charging_only_the_fee() {
    let mut c = chain();
    let bob = c.address(1);
    let tx = c.send(0, &bob, &[(1_000_000_000, DENOM_AKT)]); // has 1_000_000_000, minus the fee
    let res =
        assert_msg_fails_charging_only_the_fee(&mut c, 0, tx, DEFAULT_FEE, 5, "insufficient funds");
    assert!(res.log.contains("uakt"), "{}", res.log);
}

#[test]
fn a_fee_larger_than_the_balance_is_refused_with_code_5_and_changes_nothing() {
    let mut c = TestChain::new(TestConfig { uakt: 1_000, ..TestConfig::default() });
    let bob = c.address(1);
    let opts = TxOpts { fee: 5_000, ..Default::default() };
    let tx = c.send_with(0, &bob, &[(1, DENOM_AKT)], &opts);
    assert_refused_without_change(&mut c, tx, 5, "cannot pay fee 5000uakt");
}

#[test]
fn a_fee_below_the_minimum_gas_price_is_refused_with_code_13() {
    let mut c = chain();
    let bob = c.address(1);
    // 200_000 gas at 0.025 needs 5000uakt.
    let opts = TxOpts { fee: 4_999, ..Default::default() };
    let tx = c.send_with(0, &bob, &[(1, DENOM_AKT)], &opts);
    assert_refused_without_change(&mut c, tx, 13, "required at least 5000uakt");
}

#[test]
fn a_fee_in_another_denom_is_refused_with_code_13() {
    let mut c = chain();
    let bob = c.address(1);
    let opts = TxOpts { fee: 10_000, fee_denom: DENOM_ACT.into(), ..Default::default() };
    let tx = c.send_with(0, &bob, &[(1, DENOM_AKT)], &opts);
    assert_refused_without_change(&mut c, tx, 13, "fees must be paid in uakt");
}

#[test]
fn a_zero_amount_is_refused_with_code_10() {
    let mut c = chain();
    let bob = c.address(1);
    let tx = c.send(0, &bob, &[(0, DENOM_AKT)]);
    assert_refused_without_change(&mut c, tx, 10, "must be positive");
}

#[test]
fn an_empty_amount_is_refused_with_code_10() {
    let mut c = chain();
    let bob = c.address(1);
    let tx = c.send(0, &bob, &[]);
    assert_refused_without_change(&mut c, tx, 10, "send amount is empty");
}

#[test]
fn a_negative_looking_amount_is_refused_with_code_10() {
    let mut c = chain();
    let (a, b) = (c.address(0).to_string(), c.address(1).to_string());
    let tx = c.tx(0, vec![raw_send(&a, &b, &[("-5", DENOM_AKT)])]);
    assert_refused_without_change(&mut c, tx, 10, "negative amount -5uakt");
}

#[test]
fn a_decimal_amount_is_refused_with_code_10() {
    let mut c = chain();
    let (a, b) = (c.address(0).to_string(), c.address(1).to_string());
    let tx = c.tx(0, vec![raw_send(&a, &b, &[("1.5", DENOM_AKT)])]);
    assert_refused_without_change(&mut c, tx, 10, "malformed amount \"1.5\"");
}

#[test]
fn a_non_numeric_amount_is_refused_with_code_10() {
    let mut c = chain();
    let (a, b) = (c.address(0).to_string(), c.address(1).to_string());
    let tx = c.tx(0, vec![raw_send(&a, &b, &[("abc", DENOM_AKT)])]);
    assert_refused_without_change(&mut c, tx, 10, "malformed amount \"abc\"");
}

#[test]
fn an_amount_beyond_u128_is_refused_with_code_10() {
    let mut c = chain();
    let (a, b) = (c.address(0).to_string(), c.address(1).to_string());
    let huge = "1".repeat(60);
    let tx = c.tx(0, vec![raw_send(&a, &b, &[(&huge, DENOM_AKT)])]);
    assert_refused_without_change(&mut c, tx, 10, "malformed amount");
}

#[test]
fn a_duplicate_denom_in_one_amount_is_refused_with_code_10() {
    let mut c = chain();
    let (a, b) = (c.address(0).to_string(), c.address(1).to_string());
    let tx = c.tx(0, vec![raw_send(&a, &b, &[("1", DENOM_AKT), ("2", DENOM_AKT)])]);
    assert_refused_without_change(&mut c, tx, 10, "duplicate denom");
}

#[test]
fn an_invalid_denom_is_refused_with_code_10() {
    let mut c = chain();
    let (a, b) = (c.address(0).to_string(), c.address(1).to_string());
    let tx = c.tx(0, vec![raw_send(&a, &b, &[("1", "u$")])]);
    assert_refused_without_change(&mut c, tx, 10, "invalid denom");
}

#[test]
fn an_invalid_bech32_recipient_is_refused_with_code_7() {
    let mut c = chain();
    let mut bad = c.address(1).to_string();
    bad.pop();
    bad.push(if bad.ends_with('q') { 'p' } else { 'q' }); // break the checksum
    let tx = c.send(0, &bad, &[(1, DENOM_AKT)]);
    assert_refused_without_change(&mut c, tx, 7, "to_address");
}

#[test]
fn a_recipient_with_the_cosmos_prefix_is_refused_with_code_7() {
    let mut c = chain();
    let bob = c.address(1);
    let cosmos = bob.to_bech32_with_prefix("cosmos");
    assert!(cosmos.starts_with("cosmos1"));
    let tx = c.send(0, &cosmos, &[(1, DENOM_AKT)]);
    let res = assert_refused_without_change(&mut c, tx, 7, "expected \"akash\"");
    assert!(res.log.contains("to_address"), "{}", res.log);
}

#[test]
fn a_garbage_sender_address_is_refused_with_code_7() {
    let mut c = chain();
    let b = c.address(1).to_string();
    let tx = c.tx(0, vec![raw_send("not-an-address", &b, &[("1", DENOM_AKT)])]);
    assert_refused_without_change(&mut c, tx, 7, "from_address");
}

#[test]
fn an_unknown_message_type_url_is_refused_with_code_6() {
    let mut c = chain();
    let signer = c.signer(0);
    let key = c.accounts[0].key.clone();
    let raw = dcloud_proto::TxBuilder::new()
        .any(Any { type_url: "/cosmos.nft.v1beta1.MsgSend".into(), value: vec![] })
        .fee(DEFAULT_FEE, DENOM_AKT, 200_000)
        .sign(&signer, |d| key.sign(d))
        .unwrap();
    let before = c.summary();
    let chk = c.check_tx(&raw);
    assert_eq!(chk.code, 6, "{}", chk.log);
    assert!(chk.log.contains("/cosmos.nft.v1beta1.MsgSend"), "{}", chk.log);
    // prepare_proposal leaves it out, process_proposal refuses a block with it.
    assert!(c.app().prepare_proposal(vec![raw.clone()]).unwrap().is_empty());
    assert!(!c.app().process_proposal(std::slice::from_ref(&raw)).unwrap());
    // Forced into a block anyway, it fails and changes nothing.
    let res = c.deliver_block_unchecked(vec![raw]).tx_results.remove(0);
    assert_eq!(res.code, 6, "{}", res.log);
    assert_eq!(c.summary().app_hash, before.app_hash);
    assert_eq!(c.summary().accounts, before.accounts);
}

#[test]
fn malformed_protobuf_is_refused_with_code_2_and_kept_out_of_blocks() {
    let mut c = chain();
    let bob = c.address(1);
    let good = c.send(0, &bob, &[(1, DENOM_AKT)]);
    let garbage = vec![0xff, 0xff, 0xff, 0x0f, 0x01];
    let truncated = good[..good.len() / 2].to_vec();
    let before = c.summary();
    for raw in [&garbage, &truncated] {
        let chk = c.check_tx(raw);
        assert_eq!(chk.code, 2, "{}", chk.log);
        assert!(chk.log.contains("malformed tx"), "{}", chk.log);
        assert_eq!(chk.hash, hex::encode_upper(dcloud_types::sha256(raw)));
    }
    // prepare_proposal drops it but keeps the good tx around it.
    let picked = c.app().prepare_proposal(vec![garbage.clone(), good.clone()]).unwrap();
    assert_eq!(picked, vec![good]);
    assert!(!c.app().process_proposal(std::slice::from_ref(&garbage)).unwrap());
    let r = c.deliver_block_unchecked(vec![garbage, truncated]);
    assert!(r.tx_results.iter().all(|t| t.code == 2), "{:?}", r.tx_results);
    assert_eq!(c.summary().app_hash, before.app_hash);
    assert_eq!(c.summary().accounts, before.accounts);
}

#[test]
fn an_oversized_tx_is_refused_with_code_21() {
    let mut c = chain();
    let bob = c.address(1);
    let opts = TxOpts { memo: "x".repeat(MAX_TX_BYTES), ..Default::default() };
    let tx = c.send_with(0, &bob, &[(1, DENOM_AKT)], &opts);
    assert!(tx.len() > MAX_TX_BYTES);
    let before = c.summary();
    let chk = c.check_tx(&tx);
    assert_eq!(chk.code, 21, "{}", chk.log);
    assert!(chk.log.contains("exceeds the limit"), "{}", chk.log);
    let res = c.deliver_block_unchecked(vec![tx]).tx_results.remove(0);
    assert_eq!(res.code, 21);
    assert_eq!(c.summary().app_hash, before.app_hash);
    assert_eq!(c.summary().accounts, before.accounts);
}

#[test]
fn a_send_from_someone_elses_address_signed_by_me_is_refused_with_code_4() {
    let mut c = chain();
    let (bob, carol) = (c.address(1), c.address(2));
    // Alice (key 0) signs a MsgSend whose from_address is bob, with her own key and pubkey.
    let msg = Msg::Send(MsgSend {
        from_address: bob.to_string(),
        to_address: carol.to_string(),
        amount: vec![proto_coin("1000", DENOM_AKT)],
    });
    let opts = TxOpts { sequence: Some(0), ..Default::default() };
    let mut tx_opts = opts.clone();
    tx_opts.sign_with = Some(c.accounts[0].key.clone());
    let tx = c.tx_with(1, vec![msg.clone()], &tx_opts);
    let res = assert_refused_without_change(&mut c, tx, 4, "belongs to");
    assert!(res.log.contains(&c.address(0).to_string()), "{}", res.log);
    // Once bob has registered his key, the mismatch is reported against it.
    let tx = c.send(1, &carol, &[(1, DENOM_AKT)]);
    assert_eq!(c.deliver_block(vec![tx]).tx_results[0].code, 0);
    tx_opts.sequence = Some(1);
    let tx = c.tx_with(1, vec![msg], &tx_opts);
    assert_refused_without_change(&mut c, tx, 8, "does not match the key registered");
}

#[test]
fn a_tx_whose_messages_name_two_senders_is_refused_with_code_4() {
    let mut c = chain();
    let (a, b, carol) =
        (c.address(0).to_string(), c.address(1).to_string(), c.address(2).to_string());
    let tx = c.tx(
        0,
        vec![raw_send(&a, &carol, &[("1", DENOM_AKT)]), raw_send(&b, &carol, &[("1", DENOM_AKT)])],
    );
    assert_refused_without_change(&mut c, tx, 4, "exactly one signer");
}

#[test]
fn running_out_of_gas_in_the_messages_reverts_the_send_but_charges_the_fee_and_uses_the_sequence() {
    let mut c = chain();
    let bob = c.address(1);
    // Enough gas for the ante (size, signature, fee transfer), not for the send.
    let opts = TxOpts { fee: 1_000, gas_limit: 30_000, ..Default::default() };
    let tx = c.send_with(0, &bob, &[(1_000, DENOM_AKT)], &opts);
    let res = assert_msg_fails_charging_only_the_fee(&mut c, 0, tx, 1_000, 11, "out of gas");
    assert_eq!(res.gas_wanted, 30_000);
    assert_eq!(res.gas_used, 30_000, "gas used is capped at the limit");
    assert!(res.events.iter().all(|e| e.get("recipient") != Some(&bob.to_string())));
}

#[test]
fn running_out_of_gas_in_the_ante_changes_nothing() {
    let mut c = chain();
    let bob = c.address(1);
    let opts = TxOpts { fee: 100, gas_limit: 2_000, ..Default::default() };
    let tx = c.send_with(0, &bob, &[(1, DENOM_AKT)], &opts);
    assert_refused_without_change(&mut c, tx, 11, "out of gas");
}

#[test]
fn a_memo_over_256_characters_is_refused_with_code_12() {
    // Memo length counts bytes, as the Cosmos SDK does (`len(memo)` in Go).
    let mut c = chain();
    let bob = c.address(1);
    let opts = TxOpts { memo: "x".repeat(257), ..Default::default() };
    let tx = c.send_with(0, &bob, &[(1, DENOM_AKT)], &opts);
    assert_refused_without_change(&mut c, tx, 12, "257 bytes, maximum 256");
    // 129 two-byte characters are 258 bytes: refused too.
    let opts = TxOpts { memo: "é".repeat(129), ..Default::default() };
    let tx = c.send_with(0, &bob, &[(1, DENOM_AKT)], &opts);
    assert_refused_without_change(&mut c, tx, 12, "258 bytes, maximum 256");
    // Exactly 256 bytes is fine.
    let opts = TxOpts { memo: "é".repeat(128), ..Default::default() };
    let tx = c.send_with(0, &bob, &[(1, DENOM_AKT)], &opts);
    assert_eq!(c.deliver_block(vec![tx]).tx_results[0].code, 0);
}

#[test]
fn a_tx_past_its_timeout_height_is_refused_with_code_30() {
    let mut c = chain();
    let bob = c.address(1);
    c.deliver_block(vec![]);
    c.deliver_block(vec![]);
    // The next block is height 3; a timeout of 2 has passed.
    let opts = TxOpts { timeout_height: 2, ..Default::default() };
    let tx = c.send_with(0, &bob, &[(1, DENOM_AKT)], &opts);
    assert_refused_without_change(&mut c, tx, 30, "timeout height 2");
    // A timeout equal to the block height is still valid.
    let opts = TxOpts { timeout_height: c.height() + 1, ..Default::default() };
    let tx = c.send_with(0, &bob, &[(1, DENOM_AKT)], &opts);
    assert_eq!(c.deliver_block(vec![tx]).tx_results[0].code, 0);
}

#[test]
fn a_send_to_a_module_account_fails_charging_only_the_fee() {
    let mut c = chain();
    let fc = fee_collector();
    let tx = c.send(0, &fc, &[(1_000, DENOM_AKT)]);
    let res =
        assert_msg_fails_charging_only_the_fee(&mut c, 0, tx, DEFAULT_FEE, 4, "module account");
    assert!(res.log.contains(&fc.to_string()), "{}", res.log);
    assert_eq!(c.balance(&fc, DENOM_AKT), DEFAULT_FEE, "only the fee reached the collector");
}

#[test]
fn a_send_of_a_send_disabled_denom_fails_with_code_22_charging_only_the_fee() {
    let cfg = TestConfig {
        bank_params: BankParams {
            default_send_enabled: true,
            send_enabled: vec![SendEnabled { denom: DENOM_ACT.into(), enabled: false }],
        },
        ..TestConfig::default()
    };
    let mut c = TestChain::new(cfg);
    let bob = c.address(1);
    let tx = c.send(0, &bob, &[(1, DENOM_ACT)]);
    let res = assert_msg_fails_charging_only_the_fee(
        &mut c,
        0,
        tx,
        DEFAULT_FEE,
        22,
        "send is disabled for denom uact",
    );
    assert_eq!(res.codespace, "bank");
    // uakt still moves.
    let tx = c.send(0, &bob, &[(1, DENOM_AKT)]);
    assert_eq!(c.deliver_block(vec![tx]).tx_results[0].code, 0);
}

#[test]
fn a_multi_send_whose_inputs_and_outputs_differ_is_refused_with_code_10() {
    let mut c = chain();
    let bob = c.address(1);
    let mut msg = c.multi_send_msg(0, &[(bob, vec![(10, DENOM_AKT)])]);
    if let Msg::MultiSend(m) = &mut msg {
        m.inputs[0].coins = vec![proto_coin("11", DENOM_AKT)];
    }
    let tx = c.tx(0, vec![msg]);
    assert_refused_without_change(&mut c, tx, 10, "do not equal outputs");
}

#[test]
fn a_multi_send_with_one_bad_output_reverts_every_output() {
    let mut c = chain();
    let (bob, carol) = (c.address(1), c.address(2));
    // Outputs are valid on their own, but together exceed alice's uakt.
    let msg = c.multi_send_msg(
        0,
        &[(bob, vec![(600_000_000, DENOM_AKT)]), (carol, vec![(600_000_000, DENOM_AKT)])],
    );
    let tx = c.tx(0, vec![msg]);
    assert_msg_fails_charging_only_the_fee(&mut c, 0, tx, DEFAULT_FEE, 5, "insufficient funds");
}

#[test]
fn a_failed_tx_does_not_block_the_valid_txs_around_it() {
    let mut c = chain();
    let bob = c.address(1);
    let good1 = c.send(2, &bob, &[(1, DENOM_AKT)]);
    let bad = c.send_with(
        0,
        &bob,
        &[(1, DENOM_AKT)],
        &TxOpts { tamper_signature: true, sequence: Some(0), ..Default::default() },
    );
    let good2 = c.send(3, &bob, &[(2, DENOM_AKT)]);
    let r = c.deliver_block(vec![good1, bad, good2]);
    let codes: Vec<u32> = r.tx_results.iter().map(|t| t.code).collect();
    assert_eq!(codes, vec![0, 4, 0]);
    assert_eq!(c.balance(&bob, DENOM_AKT), 1_000_000_003);
    assert_eq!(c.sequence(0), 0);
}

#[test]
fn recheck_refuses_a_tx_that_was_already_committed() {
    let mut c = chain();
    let bob = c.address(1);
    let tx = c.send(0, &bob, &[(1, DENOM_AKT)]);
    c.deliver_block(vec![tx.clone()]);
    let r = c.app().check_tx(&tx, CheckTxKind::Recheck);
    assert_eq!(r.code, 32, "{}", r.log);
}

#[test]
fn a_gas_limit_whose_minimum_fee_overflows_is_refused_with_code_13_not_a_panic() {
    // A (silly but valid) genesis gas price of 10^27 uakt/gas: 10^6 gas costs more than u128.
    let cfg = TestConfig {
        min_gas_price: "1000000000000000000000000000".into(),
        ..TestConfig::default()
    };
    let mut c = TestChain::new(cfg);
    let bob = c.address(1);
    let opts = TxOpts { fee: 1, gas_limit: 1_000_000, ..Default::default() };
    let tx = c.send_with(0, &bob, &[(1, DENOM_AKT)], &opts);
    assert_refused_without_change(&mut c, tx, 13, "overflows");
}

#[test]
fn simulate_skips_the_signature_check_that_delivery_enforces() {
    // Clients (cosmjs, the SDK's CLI) simulate before signing, with an empty signature.
    let mut c = chain();
    let bob = c.address(1);
    let signed = c.send_with(
        0,
        &bob,
        &[(1, DENOM_AKT)],
        &TxOpts { sequence: Some(0), ..Default::default() },
    );
    let unsigned = c.send_with(
        0,
        &bob,
        &[(1, DENOM_AKT)],
        &TxOpts { sequence: Some(0), tamper_signature: true, ..Default::default() },
    );
    let (good, sim) = (c.app().simulate(&signed), c.app().simulate(&unsigned));
    assert_eq!(sim.code, 0, "{}", sim.log);
    assert_eq!(sim.gas_used, good.gas_used, "verification gas is still charged");
    assert_refused_without_change(&mut c, unsigned, 4, "signature verification failed");
}
