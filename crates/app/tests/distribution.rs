//! Distribution: fees split among the previous block's signers by power, commission, the
//! community tax, F1 delegator rewards exact to the micro-unit, automatic withdrawal on
//! delegation changes, withdraw address, and every rejection. Mint is switched off here
//! (inflation band [0, 0]) so that fees are the only rewards and amounts are exact.

use dcloud_app::modules::auth;
use dcloud_app::modules::distribution::{DistributionParams, COMMUNITY_POOL};
use dcloud_app::modules::mint::{MintGenesis, MintParams, Minter};
use dcloud_app::modules::staking::{GenesisDelegation, StakingParams};
use dcloud_app::query::RewardsView;
use dcloud_app::testkit::staking::{self as sk, val};
use dcloud_app::testkit::{TestChain, TestConfig, TxOpts};
use dcloud_app::TxResult;
use dcloud_types::{AccAddress, DENOM_AKT};

const AKT: u128 = 1_000_000;
const GENESIS_AKT: u128 = 1_000_000 * AKT;
const FEE: u128 = sk::STAKING_FEE;

/// Validator 0 (account 0): 300 AKT self + 100 AKT from account 2 → power 400.
/// Validator 1 (account 1): 100 AKT → power 100. Commission 10%, community tax 2%.
fn chain() -> TestChain {
    let mut g = sk::genesis(&[(0, 300 * AKT), (1, 100 * AKT)], StakingParams::default());
    g.delegations.push(GenesisDelegation {
        delegator: dcloud_app::testkit::account_address(2).to_string(),
        validator: dcloud_app::testkit::account_address(0).to_string(),
        amount: 100 * AKT,
    });
    TestChain::new(TestConfig {
        funded: 6,
        uakt: GENESIS_AKT,
        uact: 0,
        staking: Some(g),
        distribution: Some(DistributionParams::default()),
        mint: Some(MintGenesis {
            params: MintParams { inflation_min: 0, inflation_max: 0, ..MintParams::default() },
            minter: Minter { inflation: 0, ..Minter::default() },
        }),
        ..TestConfig::default()
    })
}

fn opts(fee: u128) -> TxOpts {
    TxOpts { gas_limit: sk::STAKING_GAS, fee, ..Default::default() }
}

fn exec(c: &mut TestChain, from: usize, msgs: Vec<dcloud_proto::Msg>) -> TxResult {
    let tx = c.tx_with(from, msgs, &opts(FEE));
    c.deliver_block(vec![tx]).tx_results.remove(0)
}

fn rewards(c: &TestChain, a: &AccAddress) -> RewardsView {
    let r = c.app().query("/distribution/rewards", a.to_string().as_bytes(), 0, false).unwrap();
    serde_json::from_slice(&r.value).unwrap()
}

fn reward_from(c: &TestChain, del: usize, v: usize) -> String {
    rewards(c, &c.address(del))
        .rewards
        .into_iter()
        .find(|r| r.validator_address == val(v))
        .map(|r| r.reward)
        .unwrap_or_default()
}

fn commission(c: &TestChain, v: usize) -> serde_json::Value {
    let r = c.app().query("/distribution/validator", val(v).as_bytes(), 0, false).unwrap();
    serde_json::from_slice(&r.value).unwrap()
}

fn community(c: &TestChain) -> u128 {
    c.balance(&auth::module_address(COMMUNITY_POOL), DENOM_AKT)
}

/// Block 2 carries a tx (from account 5) paying `fee`; block 3 distributes it.
fn pay_fee_and_distribute(c: &mut TestChain, fee: u128) {
    c.deliver_block(Vec::new()); // height 1: no previous commit
    let to = c.address(4);
    let tx = c.tx_with(
        5,
        vec![dcloud_app::testkit::raw_send(
            &c.address(5).to_string(),
            &to.to_string(),
            &[("1", DENOM_AKT)],
        )],
        &opts(fee),
    );
    let r = c.deliver_block(vec![tx]);
    assert_eq!(r.tx_results[0].code, 0, "{}", r.tx_results[0].log);
    c.deliver_block(Vec::new());
}

#[test]
fn rewards_split_by_power_and_commission_to_the_micro_unit() {
    let mut c = chain();
    let pool_before = community(&c);
    pay_fee_and_distribute(&mut c, 1_000_000);
    // 2% community tax: 20 000. Validators: 980 000 by power 400:100 → 784 000 / 196 000.
    assert_eq!(community(&c) - pool_before, 20_000);
    // Commission 10%: 78 400 and 19 600.
    assert_eq!(commission(&c, 0)["commission"], "78400.000000000000000000");
    assert_eq!(commission(&c, 1)["commission"], "19600.000000000000000000");
    assert_eq!(commission(&c, 0)["outstanding_rewards"], "784000.000000000000000000");
    // Delegators of validator 0 (705 600) split 300:100.
    assert_eq!(reward_from(&c, 0, 0), "529200.000000000000000000");
    assert_eq!(reward_from(&c, 2, 0), "176400.000000000000000000");
    assert_eq!(reward_from(&c, 1, 1), "176400.000000000000000000");
    // Withdrawing pays exactly that (minus the tx's own fee, which is distributed later).
    let (b0, b2) = (c.balance(&c.address(0), DENOM_AKT), c.balance(&c.address(2), DENOM_AKT));
    let d0 = c.address(0);
    let d2 = c.address(2);
    let t0 = c.tx_with(
        0,
        vec![sk::withdraw_rewards(&d0, &val(0)), sk::withdraw_commission(&val(0))],
        &opts(FEE),
    );
    let t2 = c.tx_with(2, vec![sk::withdraw_rewards(&d2, &val(0))], &opts(FEE));
    let r = c.deliver_block(vec![t0, t2]);
    assert!(r.tx_results.iter().all(|r| r.code == 0), "{:?}", r.tx_results);
    assert_eq!(c.balance(&c.address(0), DENOM_AKT), b0 + 529_200 + 78_400 - FEE);
    assert_eq!(c.balance(&c.address(2), DENOM_AKT), b2 + 176_400 - FEE);
    assert_eq!(reward_from(&c, 2, 0), "0.000000000000000000");
}

#[test]
fn a_validator_that_did_not_sign_the_previous_block_gets_nothing() {
    let mut c = chain();
    c.absent_signers.insert(sk::consensus_address(1));
    pay_fee_and_distribute(&mut c, 1_000_000);
    assert_eq!(commission(&c, 1)["outstanding_rewards"], "0.000000000000000000");
    assert_eq!(commission(&c, 0)["outstanding_rewards"], "980000.000000000000000000");
}

#[test]
fn rewards_are_withdrawn_automatically_when_a_delegation_changes() {
    let mut c = chain();
    pay_fee_and_distribute(&mut c, 1_000_000);
    let d = c.address(2);
    let before = c.balance(&d, DENOM_AKT);
    let r = exec(&mut c, 2, vec![sk::delegate(&d, &val(0), 10 * AKT)]);
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(c.balance(&d, DENOM_AKT), before + 176_400 - 10 * AKT - FEE);
    assert!(r.events.iter().any(|e| e.kind == "withdraw_rewards"));
}

#[test]
fn a_withdraw_address_receives_the_rewards_and_a_module_account_cannot_be_one() {
    let mut c = chain();
    let d = c.address(2);
    let to = c.address(3);
    assert_eq!(exec(&mut c, 2, vec![sk::set_withdraw_address(&d, &to)]).code, 0);
    let r =
        exec(&mut c, 2, vec![sk::set_withdraw_address(&d, &auth::module_address(COMMUNITY_POOL))]);
    assert_eq!((r.codespace.as_str(), r.code), ("sdk", 4), "{}", r.log);
    c.deliver_block(Vec::new());
    let pending = reward_from(&c, 2, 0);
    let whole: u128 = pending.split('.').next().unwrap().parse().unwrap();
    assert!(whole > 0);
    let before = c.balance(&to, DENOM_AKT);
    // The tx's block distributes the previous block's fees first: read the reward then.
    let r = exec(&mut c, 2, vec![sk::withdraw_rewards(&d, &val(0))]);
    assert_eq!(r.code, 0, "{}", r.log);
    let paid: u128 = r
        .events
        .iter()
        .find(|e| e.kind == "withdraw_rewards")
        .and_then(|e| e.attributes.iter().find(|a| a.key == "amount"))
        .map(|a| a.value.trim_end_matches(DENOM_AKT).parse().unwrap())
        .unwrap();
    assert!(paid >= whole);
    assert_eq!(c.balance(&to, DENOM_AKT), before + paid);
}

#[test]
fn withdraw_rejections() {
    let mut c = chain();
    // No commission yet (the first block: no fees distributed): refused.
    let r = exec(&mut c, 1, vec![sk::withdraw_commission(&val(1))]);
    assert_eq!((r.codespace.as_str(), r.code), ("distribution", 2), "{}", r.log);
    let d = c.address(3);
    let r = exec(&mut c, 3, vec![sk::withdraw_rewards(&d, &val(0))]);
    assert_eq!((r.codespace.as_str(), r.code), ("staking", 19), "{}", r.log);
    let r = exec(&mut c, 3, vec![sk::withdraw_rewards(&d, &val(4))]);
    assert_eq!((r.codespace.as_str(), r.code), ("staking", 3), "{}", r.log);
    // Commission of someone else's validator: unauthorized.
    let r = exec(&mut c, 3, vec![sk::withdraw_commission(&val(0))]);
    assert!(r.codespace == "sdk" && (r.code == 4 || r.code == 8), "{}", r.log);
    // Not a validator.
    let r = exec(&mut c, 3, vec![sk::withdraw_commission(&val(3))]);
    assert_eq!((r.codespace.as_str(), r.code), ("staking", 3), "{}", r.log);
}

#[test]
fn set_withdraw_address_is_refused_when_disabled() {
    let mut c = TestChain::new(TestConfig {
        funded: 4,
        staking: Some(sk::genesis(&[(0, 100 * AKT)], StakingParams::default())),
        distribution: Some(DistributionParams {
            withdraw_addr_enabled: false,
            ..DistributionParams::default()
        }),
        ..TestConfig::default()
    });
    let d = c.address(1);
    let to = c.address(2);
    let r = exec(&mut c, 1, vec![sk::set_withdraw_address(&d, &to)]);
    assert_eq!((r.codespace.as_str(), r.code), ("distribution", 5), "{}", r.log);
}

#[test]
fn uneven_splits_round_down_and_the_remainder_stays_accounted() {
    let mut c = chain();
    // 999 983 does not divide evenly: every payout is rounded down, the invariants (checked
    // after every block) prove nothing is created or lost.
    pay_fee_and_distribute(&mut c, 999_983);
    let d0 = c.address(0);
    let d2 = c.address(2);
    let t0 = c.tx_with(0, vec![sk::withdraw_rewards(&d0, &val(0))], &opts(FEE));
    let t2 = c.tx_with(2, vec![sk::withdraw_rewards(&d2, &val(0))], &opts(FEE));
    let r = c.deliver_block(vec![t0, t2]);
    assert!(r.tx_results.iter().all(|r| r.code == 0));
    let fp: serde_json::Value = serde_json::from_slice(
        &c.app().query("/distribution/community-pool", b"", 0, false).unwrap().value,
    )
    .unwrap();
    assert_ne!(fp["fee_pool"]["total_paid"], "0");
}

#[test]
fn fund_community_pool_moves_coins_into_the_pool() {
    let mut c = chain();
    let pool = community(&c);
    let d = c.address(3);
    let before = c.balance(&d, DENOM_AKT);
    let r = exec(&mut c, 3, vec![sk::fund_community_pool(&d, 7 * AKT, DENOM_AKT)]);
    assert_eq!(r.code, 0, "{}", r.log);
    // The pool also got its 2 % of the previous block's fees.
    assert!(community(&c) >= pool + 7 * AKT && community(&c) < pool + 7 * AKT + FEE);
    assert_eq!(c.balance(&d, DENOM_AKT), before - 7 * AKT - FEE);
}

#[test]
fn fund_community_pool_rejections() {
    let mut c = chain();
    let d = c.address(3);
    let pool = community(&c);
    let rejected = |r: TxResult, space: &str, code: u32, text: &str| {
        assert_eq!((r.codespace.as_str(), r.code), (space, code), "{}", r.log);
        assert!(r.log.contains(text), "{:?} does not mention {text:?}", r.log);
    };
    // More than the depositor has.
    rejected(
        exec(&mut c, 3, vec![sk::fund_community_pool(&d, GENESIS_AKT, DENOM_AKT)]),
        "sdk",
        5,
        "funds the community pool",
    );
    // ACT is non-transferable.
    rejected(
        exec(&mut c, 3, vec![sk::fund_community_pool(&d, 1, dcloud_types::DENOM_ACT)]),
        "bank",
        22,
        "non-transferable",
    );
    // An empty amount.
    let mut empty = sk::fund_community_pool(&d, 1, DENOM_AKT);
    if let dcloud_proto::Msg::FundCommunityPool(m) = &mut empty {
        m.amount.clear();
    }
    rejected(exec(&mut c, 3, vec![empty]), "sdk", 10, "empty");
    // Somebody else's coins.
    let r = exec(&mut c, 4, vec![sk::fund_community_pool(&d, AKT, DENOM_AKT)]);
    assert!(r.codespace == "sdk" && (r.code == 4 || r.code == 8), "{}", r.log);
    // Only fees' community tax reached the pool.
    assert!(community(&c) < pool + 4 * FEE);
}
