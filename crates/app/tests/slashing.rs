//! Slashing: a validator that misses too many blocks of the window is slashed and jailed,
//! leaves the active set, and unjails with `MsgUnjail` after the jail time; double-sign
//! evidence slashes 5 % (unbonding and redelegation entries created after the infraction
//! first), jails and tombstones; F1 rewards stay exact across a slash; the supply falls by
//! exactly what was burned; rejections. Mint is off (inflation 0) so supplies are exact.
//! The test chain checks every invariant (pools, distribution, supply) after every block.

use dcloud_app::modules::auth;
use dcloud_app::modules::distribution::DistributionParams;
use dcloud_app::modules::mint::{MintGenesis, MintParams, Minter};
use dcloud_app::modules::slashing::{self, SlashingParams};
use dcloud_app::modules::staking::{self, StakingParams};
use dcloud_app::testkit::staking::{self as sk, val};
use dcloud_app::testkit::{account_address, TestChain, TestConfig, TxOpts};
use dcloud_app::{Misbehavior, TxResult};
use dcloud_proto::cosmos::cosmos::slashing::v1beta1::MsgUnjail;
use dcloud_proto::Msg;
use dcloud_types::DENOM_AKT;

const AKT: u128 = 1_000_000;
const WINDOW: u64 = 10;
const JAIL_MS: u64 = 5_000;
/// Unbonding takes 30 blocks (one block per second).
const UNBONDING_MS: u64 = 30_000;
const ATTO: u128 = 1_000_000_000_000_000_000;

fn chain() -> TestChain {
    chain_with(SlashingParams::default())
}

/// Validators 0 and 1 (accounts 0 and 1) with 100 AKT each; no inflation.
fn chain_with(p: SlashingParams) -> TestChain {
    TestChain::new(TestConfig {
        funded: 6,
        uakt: 1_000_000 * AKT,
        uact: 0,
        staking: Some(sk::genesis(
            &[(0, 100 * AKT), (1, 100 * AKT)],
            StakingParams { unbonding_time_ms: UNBONDING_MS, ..StakingParams::default() },
        )),
        distribution: Some(DistributionParams::default()),
        mint: Some(MintGenesis {
            params: MintParams { inflation_min: 0, inflation_max: 0, ..MintParams::default() },
            minter: Minter { inflation: 0, ..Minter::default() },
        }),
        slashing: Some(SlashingParams {
            signed_blocks_window: WINDOW,
            min_signed_per_window: 500_000_000_000_000_000,
            downtime_jail_duration_ms: JAIL_MS,
            ..p
        }),
        ..TestConfig::default()
    })
}

fn ok(r: &TxResult) {
    assert_eq!(r.code, 0, "{}", r.log);
}

fn tokens(c: &TestChain, i: usize) -> u128 {
    validator(c, i).tokens
}

fn validator(c: &TestChain, i: usize) -> staking::Validator {
    staking::get_validator(&c.store().latest(), &account_address(i)).unwrap().unwrap()
}

fn uakt_supply(c: &TestChain) -> u128 {
    c.supply().amount_of(DENOM_AKT)
}

/// Double-sign evidence against validator `i` for height `height` with `power`, handed to
/// the next block.
fn evidence(c: &mut TestChain, i: u8, height: u64, power: u64) {
    c.misbehavior.push(Misbehavior {
        kind: "duplicate_vote".into(),
        validator_address: sk::consensus_address(i),
        height,
        time_ms: 0,
        power,
    });
}

fn unbonding_balances(c: &TestChain, del: usize) -> Vec<(u64, u128, u128)> {
    staking::unbondings_of(&c.store().latest(), &account_address(del))
        .unwrap()
        .into_iter()
        .flat_map(|u| u.entries)
        .map(|e| (e.creation_height, e.initial_balance, e.balance))
        .collect()
}

fn pending(c: &TestChain, del: usize, v: usize) -> u128 {
    dcloud_app::modules::distribution::pending_rewards(
        &c.store().latest(),
        &account_address(del),
        &account_address(v),
    )
    .unwrap()
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
fn slashing_params_need_fractions_between_zero_and_one() {
    for bad in [
        SlashingParams { slash_fraction_downtime: ATTO + 1, ..SlashingParams::default() },
        SlashingParams { slash_fraction_double_sign: ATTO + 1, ..SlashingParams::default() },
        SlashingParams { evidence_max_age_num_blocks: 0, ..SlashingParams::default() },
    ] {
        assert_eq!(bad.validate("slashing").len(), 1, "{bad:?}");
    }
    let d = SlashingParams::default();
    assert!(d.validate("slashing").is_empty());
    // Cosmos defaults: 0.01 % downtime, 5 % double sign.
    assert_eq!(
        (d.slash_fraction_downtime, d.slash_fraction_double_sign),
        (ATTO / 10_000, ATTO / 20)
    );
    let json =
        serde_json::to_string(&SlashingParams { slash_fraction_downtime: ATTO, ..d }).unwrap();
    assert!(dcloud_app::modules::gov::validate_module_params("slashing", &json).is_ok());
    let json = json.replace("\"1.000000000000000000\"", "\"1.5\"");
    assert!(dcloud_app::modules::gov::validate_module_params("slashing", &json).is_err());
}

#[test]
fn double_sign_evidence_tombstones_the_validator_for_good() {
    let mut c = chain();
    c.deliver_block(Vec::new());
    let h = c.height();
    evidence(&mut c, 1, h, 0);
    let supply = uakt_supply(&c);
    let resp = c.deliver_block(Vec::new());
    assert!(resp
        .events
        .iter()
        .any(|e| e.kind == "slash" && e.attributes.iter().any(|a| a.value == "double_sign")));
    assert!(jailed(&c, 1));
    // 5 % of its power (100) at the infraction.
    assert_eq!(tokens(&c, 1), 95 * AKT);
    assert_eq!(uakt_supply(&c), supply - 5 * AKT);
    let si =
        slashing::signing_info(&c.store().latest(), &sk::consensus_address(1)).unwrap().unwrap();
    assert!(si.tombstoned);
    c.deliver_block(Vec::new());
    assert_eq!(c.app().validators().unwrap().len(), 1);
    rejected(&exec(&mut c, 1, vec![unjail(1)]), 4, "tombstoned");
}

#[test]
fn a_tombstoned_validator_is_not_slashed_twice() {
    let mut c = chain();
    c.deliver_block(Vec::new());
    let h = c.height();
    evidence(&mut c, 1, h, 100);
    c.deliver_block(Vec::new());
    assert_eq!(tokens(&c, 1), 95 * AKT);
    let supply = uakt_supply(&c);
    // The same offence (or another) reported again changes nothing.
    evidence(&mut c, 1, h, 100);
    evidence(&mut c, 1, h + 1, 100);
    c.deliver_block(Vec::new());
    assert_eq!(tokens(&c, 1), 95 * AKT);
    assert_eq!(uakt_supply(&c), supply);
    assert_eq!(staking::total_slashed(&c.store().latest()).unwrap(), 5 * AKT);
}

#[test]
fn evidence_older_than_the_max_age_is_ignored() {
    let mut c = chain_with(SlashingParams {
        evidence_max_age_num_blocks: 3,
        evidence_max_age_ms: 3_000,
        ..SlashingParams::default()
    });
    for _ in 0..6 {
        c.deliver_block(Vec::new());
    }
    evidence(&mut c, 1, 1, 100);
    let resp = c.deliver_block(Vec::new());
    assert!(resp.events.iter().any(|e| e.kind == "evidence_expired"));
    assert!(!jailed(&c, 1));
    assert_eq!(tokens(&c, 1), 100 * AKT);
}

#[test]
fn a_delegator_slashed_for_double_sign_while_unbonding() {
    let mut c = chain();
    let d = account_address(2);
    ok(&exec(&mut c, 2, vec![sk::delegate(&d, &val(1), 50 * AKT)]));
    // Entry A: before the infraction.
    ok(&exec(&mut c, 2, vec![sk::undelegate(&d, &val(1), 10 * AKT)]));
    let a_height = c.height();
    c.deliver_block(Vec::new());
    // The double sign happens at height E; the SDK slashes from E − 1 (distribution height).
    let e = c.height() + 2;
    c.deliver_block(Vec::new());
    // Entry B: created at E, after the infraction.
    ok(&exec(&mut c, 2, vec![sk::undelegate(&d, &val(1), 20 * AKT)]));
    let b_height = c.height();
    assert_eq!(b_height, e);
    assert_eq!(tokens(&c, 1), 120 * AKT);
    let not_bonded = c.balance(&auth::module_address(staking::NOT_BONDED_POOL), DENOM_AKT);
    let supply = uakt_supply(&c);
    // Power at the infraction: 140.
    evidence(&mut c, 1, e, 140);
    c.deliver_block(Vec::new());
    // 5 % × 140 AKT = 7 AKT: 1 AKT from entry B (5 % of 20), 6 AKT from the validator.
    assert_eq!(
        unbonding_balances(&c, 2),
        vec![(a_height, 10 * AKT, 10 * AKT), (b_height, 20 * AKT, 19 * AKT)]
    );
    assert_eq!(tokens(&c, 1), 114 * AKT);
    assert_eq!(uakt_supply(&c), supply - 7 * AKT);
    assert_eq!(
        c.balance(&auth::module_address(staking::NOT_BONDED_POOL), DENOM_AKT),
        not_bonded + 114 * AKT - AKT,
        "the jailed validator's tokens moved to the not-bonded pool, entry B lost 1 AKT"
    );
    // The remaining delegation (20 of 120 AKT worth of shares) is worth 19 AKT.
    assert_eq!(
        staking::delegation_tokens(&c.store().latest(), &d, &account_address(1)).unwrap(),
        19 * AKT
    );
    // Both entries pay out what is left of them.
    let before = c.balance(&d, DENOM_AKT);
    for _ in 0..(UNBONDING_MS / 1000 + 1) {
        c.deliver_block(Vec::new());
    }
    assert!(unbonding_balances(&c, 2).is_empty());
    assert_eq!(c.balance(&d, DENOM_AKT), before + 29 * AKT);
}

#[test]
fn a_redelegation_made_after_the_infraction_is_slashed_at_its_destination() {
    let mut c = chain();
    let d = account_address(2);
    ok(&exec(&mut c, 2, vec![sk::delegate(&d, &val(1), 50 * AKT)]));
    c.deliver_block(Vec::new());
    let e = c.height() + 1;
    // Redelegated at E, after the infraction (E − 1).
    ok(&exec(&mut c, 2, vec![sk::redelegate(&d, &val(1), &val(0), 20 * AKT)]));
    assert_eq!((tokens(&c, 0), tokens(&c, 1)), (120 * AKT, 130 * AKT));
    let supply = uakt_supply(&c);
    evidence(&mut c, 1, e, 150);
    c.deliver_block(Vec::new());
    // 5 % × 150 = 7.5 AKT: 1 AKT (5 % of the 20 AKT moved) unbonded at validator 0 and
    // burned, 6.5 AKT from validator 1.
    assert_eq!(tokens(&c, 0), 119 * AKT);
    assert_eq!(tokens(&c, 1), 123_500_000);
    assert_eq!(uakt_supply(&c), supply - 7_500_000);
    let latest = c.store().latest();
    assert_eq!(staking::delegation_tokens(&latest, &d, &account_address(0)).unwrap(), 19 * AKT);
    // Validator 1's delegators lost 5 %: account 2 had 30 of 130 AKT.
    assert_eq!(staking::delegation_tokens(&latest, &d, &account_address(1)).unwrap(), 28_500_000);
}

#[test]
fn a_downtime_slash_burns_exactly_the_downtime_fraction_of_its_power() {
    let mut c = chain();
    let d = account_address(2);
    ok(&exec(&mut c, 2, vec![sk::delegate(&d, &val(1), 50 * AKT)]));
    // Undelegated long before the downtime: not slashed.
    ok(&exec(&mut c, 2, vec![sk::undelegate(&d, &val(1), 10 * AKT)]));
    c.absent_signers.insert(sk::consensus_address(1));
    let mut blocks = 0;
    loop {
        let supply = uakt_supply(&c);
        let resp = c.deliver_block(Vec::new());
        blocks += 1;
        assert!(blocks < 3 * WINDOW, "never jailed");
        if jailed(&c, 1) {
            // 0.01 % of its power 140 AKT = 14 000 uakt, at height − 2.
            assert_eq!(uakt_supply(&c), supply - 14_000);
            assert_eq!(tokens(&c, 1), 140 * AKT - 14_000);
            let ev = resp.events.iter().find(|e| e.kind == "slash").unwrap();
            let attr = |k: &str| {
                ev.attributes.iter().find(|a| a.key == k).map(|a| a.value.clone()).unwrap()
            };
            assert_eq!(attr("infraction_height"), (c.height() - 2).to_string());
            assert_eq!(attr("burned"), "14000uakt");
            break;
        }
        assert_eq!(uakt_supply(&c), supply, "nothing burned before the jailing");
    }
    assert_eq!(unbonding_balances(&c, 2)[0].2, 10 * AKT);
}

#[test]
fn rewards_stay_exact_across_a_slash_of_a_validator_with_commission() {
    // A 10 % downtime slash makes the numbers round.
    let mut c = chain_with(SlashingParams {
        slash_fraction_downtime: ATTO / 10,
        ..SlashingParams::default()
    });
    let d = account_address(2);
    ok(&exec(&mut c, 2, vec![sk::delegate(&d, &val(1), 100 * AKT)]));
    c.deliver_block(Vec::new()); // distributes the delegate tx's fee
    c.absent_signers.insert(sk::consensus_address(1));
    let mut before = pending(&c, 2, 1);
    let outstanding_before =
        dcloud_app::modules::distribution::validator_dist(&c.store().latest(), &account_address(1))
            .unwrap();
    while !jailed(&c, 1) {
        before = pending(&c, 2, 1);
        c.deliver_block(Vec::new());
    }
    // 10 % of 200 AKT; the delegation is worth 90 AKT; what it had accrued is untouched.
    assert_eq!(tokens(&c, 1), 180 * AKT);
    assert_eq!(
        staking::delegation_tokens(&c.store().latest(), &d, &account_address(1)).unwrap(),
        90 * AKT
    );
    assert!(before > 0);
    assert_eq!(pending(&c, 2, 1), before, "a slash does not change accrued rewards");
    let vd =
        dcloud_app::modules::distribution::validator_dist(&c.store().latest(), &account_address(1))
            .unwrap();
    assert_eq!(vd.commission, outstanding_before.commission);
    let events = dcloud_app::modules::distribution::slash_events(
        &c.store().latest(),
        &account_address(1),
        0,
    )
    .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].fraction, ATTO / 10);
    // Back in the set.
    c.absent_signers.clear();
    while c.next_block_info().time_ms
        < slashing::signing_info(&c.store().latest(), &sk::consensus_address(1))
            .unwrap()
            .unwrap()
            .jailed_until_ms
    {
        c.deliver_block(Vec::new());
    }
    ok(&exec(&mut c, 1, vec![unjail(1)]));
    c.deliver_block(Vec::new()); // the unjail fee is distributed
    c.deliver_block(Vec::new());
    assert_eq!(c.app().validators().unwrap().len(), 2);
    // A fee F paid now is split by power 100 : 180.
    let base = pending(&c, 2, 1);
    let commission_base =
        dcloud_app::modules::distribution::validator_dist(&c.store().latest(), &account_address(1))
            .unwrap()
            .commission;
    let fee: u128 = 2_800_000;
    let tx = c.tx_with(
        5,
        vec![dcloud_app::testkit::raw_send(
            &account_address(5).to_string(),
            &account_address(4).to_string(),
            &[("1", DENOM_AKT)],
        )],
        &TxOpts { gas_limit: sk::STAKING_GAS, fee, ..Default::default() },
    );
    ok(&c.deliver_block(vec![tx]).tx_results[0]);
    c.deliver_block(Vec::new());
    // 98 % for validators = 2 744 000; validator 1 gets 180/280 = 1 764 000, commission 10 %
    // = 176 400, delegators 1 587 600 over 180 AKT; account 2 holds 90 AKT: 793 800.
    let reward = 793_800 * ATTO;
    assert_eq!(pending(&c, 2, 1), base + reward);
    let vd =
        dcloud_app::modules::distribution::validator_dist(&c.store().latest(), &account_address(1))
            .unwrap();
    assert_eq!(vd.commission, commission_base + 176_400 * ATTO);
    // Withdrawing pays exactly that, rounded down to the micro-unit.
    let bal = c.balance(&d, DENOM_AKT);
    ok(&exec(&mut c, 2, vec![sk::withdraw_rewards(&d, &val(1))]));
    assert_eq!(c.balance(&d, DENOM_AKT), bal + (base + reward) / ATTO - sk::STAKING_FEE);
    assert_eq!(pending(&c, 2, 1), 0);
}

#[test]
fn a_double_sign_of_a_validator_already_unbonding_burns_from_the_not_bonded_pool() {
    let mut c = chain();
    c.absent_signers.insert(sk::consensus_address(1));
    while !jailed(&c, 1) {
        c.deliver_block(Vec::new());
    }
    c.absent_signers.clear();
    c.deliver_block(Vec::new());
    let v = validator(&c, 1);
    assert_eq!(v.status, staking::BondStatus::Unbonding);
    // Downtime took 0.01 % of 100 AKT.
    assert_eq!(v.tokens, 100 * AKT - 10_000);
    let nb = c.balance(&auth::module_address(staking::NOT_BONDED_POOL), DENOM_AKT);
    let bonded = c.balance(&auth::module_address(staking::BONDED_POOL), DENOM_AKT);
    let h = c.height();
    evidence(&mut c, 1, h, 100);
    c.deliver_block(Vec::new());
    assert_eq!(tokens(&c, 1), 95 * AKT - 10_000);
    assert_eq!(c.balance(&auth::module_address(staking::NOT_BONDED_POOL), DENOM_AKT), nb - 5 * AKT);
    assert_eq!(c.balance(&auth::module_address(staking::BONDED_POOL), DENOM_AKT), bonded);
    assert!(
        slashing::signing_info(&c.store().latest(), &sk::consensus_address(1))
            .unwrap()
            .unwrap()
            .tombstoned
    );
}
