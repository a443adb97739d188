//! Slashing (downtime): a validator that misses too many blocks of the window is jailed,
//! leaves the active set, and unjails with `MsgUnjail` after the jail time; rejections. The
//! test chain checks every invariant after every block.

use dcloud_app::modules::distribution::DistributionParams;
use dcloud_app::modules::mint::MintGenesis;
use dcloud_app::modules::slashing::{self, SlashingParams};
use dcloud_app::modules::staking::{self, StakingParams};
use dcloud_app::testkit::staking::{self as sk, val};
use dcloud_app::testkit::{account_address, TestChain, TestConfig, TxOpts};
use dcloud_app::TxResult;
use dcloud_proto::cosmos::cosmos::slashing::v1beta1::MsgUnjail;
use dcloud_proto::Msg;

const AKT: u128 = 1_000_000;
const WINDOW: u64 = 10;
const JAIL_MS: u64 = 5_000;

fn chain() -> TestChain {
    TestChain::new(TestConfig {
        funded: 4,
        uakt: 1_000_000 * AKT,
        uact: 0,
        staking: Some(sk::genesis(&[(0, 100 * AKT), (1, 100 * AKT)], StakingParams::default())),
        distribution: Some(DistributionParams::default()),
        mint: Some(MintGenesis::default()),
        slashing: Some(SlashingParams {
            signed_blocks_window: WINDOW,
            min_signed_per_window: 500_000_000_000_000_000,
            downtime_jail_duration_ms: JAIL_MS,
            ..SlashingParams::default()
        }),
        ..TestConfig::default()
    })
}

fn exec(c: &mut TestChain, from: usize, msgs: Vec<Msg>) -> TxResult {
    let opts = TxOpts { gas_limit: sk::STAKING_GAS, fee: sk::STAKING_FEE, ..Default::default() };
    let tx = c.tx_with(from, msgs, &opts);
    c.deliver_block(vec![tx]).tx_results.remove(0)
}

fn unjail(i: usize) -> Msg {
    Msg::Unjail(MsgUnjail { validator_addr: val(i) })
}

fn jailed(c: &TestChain, i: usize) -> bool {
    let op = account_address(i);
    staking::get_validator(&c.store().latest(), &op).unwrap().unwrap().jailed
}

fn rejected(r: &TxResult, code: u32, text: &str) {
    assert_eq!((r.codespace.as_str(), r.code), ("slashing", code), "{}", r.log);
    assert!(r.log.contains(text), "{:?} does not mention {text:?}", r.log);
}

#[test]
fn a_validator_jailed_for_downtime_and_unjailed() {
    let mut c = chain();
    // Not jailed: nothing to unjail.
    rejected(&exec(&mut c, 1, vec![unjail(1)]), 5, "not jailed");
    c.absent_signers.insert(sk::consensus_address(1));
    let mut blocks = 0;
    while !jailed(&c, 1) {
        c.deliver_block(Vec::new());
        blocks += 1;
        assert!(blocks < 3 * WINDOW, "never jailed");
        assert!(!jailed(&c, 0), "the signing validator stays");
    }
    // It leaves the consensus set.
    assert_eq!(c.app().validators().unwrap().len(), 1);
    let info =
        slashing::signing_info(&c.store().latest(), &sk::consensus_address(1)).unwrap().unwrap();
    assert!(info.jailed_until_ms > 0 && info.missed.is_empty());
    c.absent_signers.clear();
    // Too early.
    rejected(&exec(&mut c, 1, vec![unjail(1)]), 4, "jailed until");
    while c.next_block_info().time_ms < info.jailed_until_ms {
        c.deliver_block(Vec::new());
    }
    let r = exec(&mut c, 1, vec![unjail(1)]);
    assert_eq!(r.code, 0, "{}", r.log);
    assert!(!jailed(&c, 1));
    c.deliver_block(Vec::new());
    assert_eq!(c.app().validators().unwrap().len(), 2, "back in the set");
}

#[test]
fn a_validator_that_signs_enough_is_not_jailed() {
    let mut c = chain();
    // Missing every other block stays within min_signed (50%).
    for h in 0..(3 * WINDOW) {
        if h % 2 == 0 {
            c.absent_signers.insert(sk::consensus_address(1));
        } else {
            c.absent_signers.clear();
        }
        c.deliver_block(Vec::new());
    }
    assert!(!jailed(&c, 1));
}

#[test]
fn downtime_token_slashing_params_are_refused_until_implemented() {
    let p = SlashingParams { slash_fraction_downtime: 1, ..SlashingParams::default() };
    assert!(!p.validate("slashing").is_empty());
    assert!(SlashingParams::default().validate("slashing").is_empty());
}

#[test]
fn double_sign_evidence_tombstones_the_validator_for_good() {
    let mut c = chain();
    c.deliver_block(Vec::new());
    let mut info = c.next_block_info();
    info.misbehavior = vec![dcloud_app::Misbehavior {
        kind: "duplicate_vote".into(),
        validator_address: sk::consensus_address(1),
        height: info.height - 1,
    }];
    let resp = c.app().finalize_block(&info, &[]).unwrap();
    assert!(resp
        .events
        .iter()
        .any(|e| e.kind == "slash" && e.attributes.iter().any(|a| a.value == "double_sign")));
    c.app().commit(Vec::new()).unwrap();
    c.sync();
    assert!(jailed(&c, 1));
    let si =
        slashing::signing_info(&c.store().latest(), &sk::consensus_address(1)).unwrap().unwrap();
    assert!(si.tombstoned);
    c.deliver_block(Vec::new());
    assert_eq!(c.app().validators().unwrap().len(), 1);
    rejected(&exec(&mut c, 1, vec![unjail(1)]), 4, "tombstoned");
}
