//! Staking: every message and every rejection, scenarios (unbonding after the unbonding
//! time, the active set and the validator updates finalize_block returns, jailing,
//! redelegation), and a seeded, replayable randomized simulation of many delegators. The
//! test chain checks every module invariant after every block: supply = genesis + minted −
//! burned, the bonded pool = Σ bonded validators' tokens, the not-bonded pool = Σ other
//! validators' tokens + Σ unbonding entries, shares = Σ delegations, rewards paid ≤ accrued.

use dcloud_app::modules::auth;
use dcloud_app::modules::distribution::DistributionParams;
use dcloud_app::modules::mint::{MintGenesis, MintParams};
use dcloud_app::modules::staking::{self, BondStatus, StakingParams, Validator};
use dcloud_app::query::{DelegationsView, PoolView};
use dcloud_app::testkit::staking::{self as sk, val};
use dcloud_app::testkit::{account_address, TestChain, TestConfig, TxOpts};
use dcloud_app::{TxResult, ValidatorUpdate};
use dcloud_proto::Msg;
use dcloud_types::{AccAddress, DENOM_AKT};

const AKT: u128 = 1_000_000;
const GENESIS_AKT: u128 = 1_000_000 * AKT;
/// 10 blocks of the test chain (1 s per block).
const UNBONDING_MS: u64 = 10_000;

fn params(max_validators: u32, max_entries: u32) -> StakingParams {
    StakingParams {
        unbonding_time_ms: UNBONDING_MS,
        max_validators,
        max_entries,
        ..StakingParams::default()
    }
}

/// Account 0 operates the genesis validator (100 AKT, consensus key 0); 8 funded accounts.
fn chain_with(p: StakingParams, genesis_vals: &[(usize, u128)]) -> TestChain {
    TestChain::new(TestConfig {
        funded: 8,
        uakt: GENESIS_AKT,
        uact: 0,
        staking: Some(sk::genesis(genesis_vals, p)),
        distribution: Some(DistributionParams::default()),
        mint: Some(MintGenesis::default()),
        ..TestConfig::default()
    })
}

fn chain() -> TestChain {
    chain_with(params(100, 7), &[(0, 100 * AKT)])
}

fn exec(c: &mut TestChain, from: usize, msgs: Vec<Msg>) -> TxResult {
    let opts = TxOpts { gas_limit: sk::STAKING_GAS, fee: sk::STAKING_FEE, ..Default::default() };
    let tx = c.tx_with(from, msgs, &opts);
    c.deliver_block(vec![tx]).tx_results.remove(0)
}

fn ok(r: &TxResult) {
    assert_eq!(r.code, 0, "{}", r.log);
}

fn rejected(r: &TxResult, codespace: &str, code: u32, text: &str) {
    assert_eq!((r.codespace.as_str(), r.code), (codespace, code), "{}", r.log);
    assert!(r.log.contains(text), "{:?} does not mention {text:?}", r.log);
}

/// A message signed by someone other than its signer: the ante refuses it (code 4 when the
/// signer's account has no key yet, 8 when its registered key differs).
fn unauthorized(r: &TxResult) {
    assert!(r.codespace == "sdk" && (r.code == 4 || r.code == 8), "{} {}", r.code, r.log);
}

fn validator(c: &TestChain, i: usize) -> Option<Validator> {
    c.query_json::<Validator>("/staking/validator", val(i).as_bytes())
}

fn delegations(c: &TestChain, a: &AccAddress) -> DelegationsView {
    c.query_json("/staking/delegations", a.to_string().as_bytes()).unwrap()
}

fn delegated(c: &TestChain, del: usize, v: usize) -> u128 {
    delegations(c, &c.address(del))
        .delegations
        .iter()
        .find(|d| d.delegation.validator == val(v))
        .map_or(0, |d| d.balance.amount)
}

trait QueryJson {
    fn query_json<T: serde::de::DeserializeOwned>(&self, path: &str, data: &[u8]) -> Option<T>;
}

impl QueryJson for TestChain {
    fn query_json<T: serde::de::DeserializeOwned>(&self, path: &str, data: &[u8]) -> Option<T> {
        let r = self.app().query(path, data, 0, false).ok()?;
        Some(serde_json::from_slice(&r.value).unwrap())
    }
}

fn empty_blocks(c: &mut TestChain, n: usize) -> Vec<ValidatorUpdate> {
    let mut ups = Vec::new();
    for _ in 0..n {
        ups.extend(c.deliver_block(Vec::new()).validator_updates);
    }
    ups
}

// ---------------------------------------------------------------------------------------
// Genesis.

#[test]
fn the_genesis_validator_is_a_bonded_staking_validator_with_its_self_delegation_and_the_consensus_set(
) {
    let c = chain();
    let v = validator(&c, 0).unwrap();
    assert_eq!(v.status, BondStatus::Bonded);
    assert_eq!(v.tokens, 100 * AKT);
    assert_eq!(v.consensus_address, sk::consensus_address(0));
    assert_eq!(delegated(&c, 0, 0), 100 * AKT);
    assert_eq!(c.balance(&c.address(0), DENOM_AKT), GENESIS_AKT - 100 * AKT);
    let set = c.app().validators().unwrap();
    assert_eq!(set.len(), 1);
    assert_eq!((set[0].address.as_str(), set[0].power), (sk::consensus_address(0).as_str(), 100));
    let pool: PoolView = c.query_json("/staking/pool", b"").unwrap();
    assert_eq!((pool.bonded_tokens, pool.not_bonded_tokens), (100 * AKT, 0));
}

#[test]
fn a_chain_without_staking_genesis_refuses_staking_messages() {
    let mut c = TestChain::new(TestConfig::default());
    let d = c.address(1);
    let r = exec(&mut c, 1, vec![sk::delegate(&d, &val(0), AKT)]);
    rejected(&r, "staking", 1, "not enabled");
    assert!(c.deliver_block(Vec::new()).validator_updates.is_empty());
}

// ---------------------------------------------------------------------------------------
// MsgCreateValidator.

#[test]
fn create_validator_bonds_it_and_finalize_block_returns_its_power() {
    let mut c = chain();
    let opts = TxOpts { gas_limit: sk::STAKING_GAS, fee: sk::STAKING_FEE, ..Default::default() };
    let tx = c.tx_with(1, vec![sk::create_validator(1, 1, 50 * AKT, "0.1", "0.2", "0.01")], &opts);
    let resp = c.deliver_block(vec![tx]);
    ok(&resp.tx_results[0]);
    let v = validator(&c, 1).unwrap();
    assert_eq!((v.status, v.tokens, v.power()), (BondStatus::Bonded, 50 * AKT, 50));
    use base64::Engine;
    let pk = base64::engine::general_purpose::STANDARD.encode(sk::consensus_key(1).public_key());
    assert_eq!(resp.validator_updates, vec![ValidatorUpdate { pub_key: pk, power: 50 }]);
    assert_eq!(c.app().validators().unwrap().len(), 2);
    assert_eq!(c.balance(&c.address(1), DENOM_AKT), GENESIS_AKT - 50 * AKT - sk::STAKING_FEE);
}

#[test]
fn create_validator_rejects_a_commission_above_its_max_rate() {
    let mut c = chain();
    let r = exec(&mut c, 1, vec![sk::create_validator(1, 1, AKT, "0.3", "0.2", "0.01")]);
    rejected(&r, "staking", 11, "above the max rate");
    assert!(validator(&c, 1).is_none());
}

#[test]
fn create_validator_rejects_a_max_change_rate_above_the_max_rate() {
    let mut c = chain();
    let r = exec(&mut c, 1, vec![sk::create_validator(1, 1, AKT, "0.1", "0.2", "0.3")]);
    rejected(&r, "staking", 11, "max change rate");
}

#[test]
fn create_validator_rejects_a_commission_below_the_minimum_commission_param() {
    let mut c = chain();
    let r = exec(&mut c, 1, vec![sk::create_validator(1, 1, AKT, "0.04", "0.2", "0.01")]);
    rejected(&r, "staking", 11, "below the minimum commission rate");
}

#[test]
fn create_validator_rejects_a_second_validator_of_the_same_operator_or_consensus_key() {
    let mut c = chain();
    let r = exec(&mut c, 0, vec![sk::create_validator(0, 1, AKT, "0.1", "0.2", "0.01")]);
    rejected(&r, "staking", 4, "already operates");
    let r = exec(&mut c, 1, vec![sk::create_validator(1, 0, AKT, "0.1", "0.2", "0.01")]);
    rejected(&r, "staking", 4, "consensus key");
}

#[test]
fn create_validator_rejects_insufficient_funds() {
    let mut c = chain();
    let r = exec(&mut c, 1, vec![sk::create_validator(1, 1, GENESIS_AKT, "0.1", "0.2", "0.01")]);
    rejected(&r, "sdk", 5, "delegates");
}

#[test]
fn create_validator_rejects_a_signer_other_than_the_operator() {
    let mut c = chain();
    unauthorized(&exec(&mut c, 2, vec![sk::create_validator(1, 1, AKT, "0.1", "0.2", "0.01")]));
    assert!(validator(&c, 1).is_none());
}

#[test]
fn create_validator_rejects_a_non_ed25519_key_and_a_wrong_denom() {
    let mut c = chain();
    let mut m = sk::create_validator(1, 1, AKT, "0.1", "0.2", "0.01");
    if let Msg::CreateValidator(x) = &mut m {
        x.pubkey.as_mut().unwrap().type_url = "/cosmos.crypto.secp256k1.PubKey".into();
    }
    rejected(&exec(&mut c, 1, vec![m]), "sdk", 8, "ed25519");
    let mut m = sk::create_validator(1, 1, AKT, "0.1", "0.2", "0.01");
    if let Msg::CreateValidator(x) = &mut m {
        x.value.as_mut().unwrap().denom = "uact".into();
    }
    rejected(&exec(&mut c, 1, vec![m]), "sdk", 10, "denomination");
}

// ---------------------------------------------------------------------------------------
// MsgEditValidator.

#[test]
fn edit_validator_changes_the_commission_within_the_max_change_once_per_day() {
    let mut c = chain();
    // The genesis validator's commission was set at genesis (time 0): a change is due.
    ok(&exec(&mut c, 0, vec![sk::edit_commission(0, "0.105")]));
    assert_eq!(validator(&c, 0).unwrap().commission.rate, 105_000_000_000_000_000);
    let r = exec(&mut c, 0, vec![sk::edit_commission(0, "0.11")]);
    rejected(&r, "staking", 12, "24h");
}

#[test]
fn edit_validator_rejects_a_change_faster_than_the_max_change_rate() {
    let mut c = chain();
    let r = exec(&mut c, 0, vec![sk::edit_commission(0, "0.12")]);
    rejected(&r, "staking", 15, "exceeds");
    assert_eq!(validator(&c, 0).unwrap().commission.rate, 100_000_000_000_000_000);
}

#[test]
fn edit_validator_rejects_a_rate_above_max_or_below_the_minimum() {
    let mut c = chain();
    rejected(&exec(&mut c, 0, vec![sk::edit_commission(0, "0.25")]), "staking", 11, "max rate");
    rejected(&exec(&mut c, 0, vec![sk::edit_commission(0, "0.01")]), "staking", 11, "minimum");
}

#[test]
fn edit_validator_of_a_fresh_validator_is_too_soon_and_others_cannot_edit_it() {
    let mut c = chain();
    ok(&exec(&mut c, 1, vec![sk::create_validator(1, 1, AKT, "0.1", "0.2", "0.05")]));
    rejected(&exec(&mut c, 1, vec![sk::edit_commission(1, "0.11")]), "staking", 12, "24h");
    unauthorized(&exec(&mut c, 2, vec![sk::edit_commission(1, "0.11")]));
    rejected(&exec(&mut c, 3, vec![sk::edit_commission(3, "0.11")]), "staking", 3, "");
}

// ---------------------------------------------------------------------------------------
// MsgDelegate.

#[test]
fn delegate_adds_tokens_and_shares_and_raises_the_power() {
    let mut c = chain();
    let d = c.address(1);
    let opts = TxOpts { gas_limit: sk::STAKING_GAS, fee: sk::STAKING_FEE, ..Default::default() };
    let tx = c.tx_with(1, vec![sk::delegate(&d, &val(0), 30 * AKT)], &opts);
    let resp = c.deliver_block(vec![tx]);
    ok(&resp.tx_results[0]);
    assert_eq!(delegated(&c, 1, 0), 30 * AKT);
    let v = validator(&c, 0).unwrap();
    assert_eq!((v.tokens, v.power()), (130 * AKT, 130));
    assert_eq!(resp.validator_updates.len(), 1);
    assert_eq!(resp.validator_updates[0].power, 130);
}

#[test]
fn delegate_to_an_unknown_validator_is_rejected() {
    let mut c = chain();
    let d = c.address(1);
    let r = exec(&mut c, 1, vec![sk::delegate(&d, &val(5), AKT)]);
    rejected(&r, "staking", 3, "validator does not exist");
}

#[test]
fn delegate_more_than_the_balance_is_rejected() {
    let mut c = chain();
    let d = c.address(1);
    let r = exec(&mut c, 1, vec![sk::delegate(&d, &val(0), GENESIS_AKT)]);
    rejected(&r, "sdk", 5, "insufficient funds");
    assert_eq!(delegated(&c, 1, 0), 0);
}

#[test]
fn delegate_for_another_account_is_unauthorized() {
    let mut c = chain();
    let d = c.address(1);
    unauthorized(&exec(&mut c, 2, vec![sk::delegate(&d, &val(0), AKT)]));
}

#[test]
fn delegate_of_zero_or_another_denom_is_rejected() {
    let mut c = chain();
    let d = c.address(1);
    rejected(&exec(&mut c, 1, vec![sk::delegate(&d, &val(0), 0)]), "sdk", 10, "positive");
    let mut m = sk::delegate(&d, &val(0), 5);
    if let Msg::Delegate(x) = &mut m {
        x.amount.as_mut().unwrap().denom = "uact".into();
    }
    rejected(&exec(&mut c, 1, vec![m]), "sdk", 10, "denomination");
    let mut m = sk::delegate(&d, &val(0), 5);
    if let Msg::Delegate(x) = &mut m {
        x.validator_address = d.to_string();
    }
    rejected(&exec(&mut c, 1, vec![m]), "sdk", 7, "validator_address");
}

// ---------------------------------------------------------------------------------------
// MsgUndelegate.

#[test]
fn undelegate_more_than_delegated_is_rejected() {
    let mut c = chain();
    let d = c.address(1);
    ok(&exec(&mut c, 1, vec![sk::delegate(&d, &val(0), 10 * AKT)]));
    let r = exec(&mut c, 1, vec![sk::undelegate(&d, &val(0), 10 * AKT + 1)]);
    rejected(&r, "staking", 22, "cannot take");
    assert_eq!(delegated(&c, 1, 0), 10 * AKT);
}

#[test]
fn undelegate_without_a_delegation_is_rejected() {
    let mut c = chain();
    let d = c.address(1);
    let r = exec(&mut c, 1, vec![sk::undelegate(&d, &val(0), AKT)]);
    rejected(&r, "staking", 19, "no delegation");
    let r = exec(&mut c, 1, vec![sk::undelegate(&d, &val(4), AKT)]);
    rejected(&r, "staking", 3, "");
}

#[test]
fn undelegate_beyond_max_entries_is_rejected() {
    let mut c = chain_with(params(100, 2), &[(0, 100 * AKT)]);
    let d = c.address(1);
    ok(&exec(&mut c, 1, vec![sk::delegate(&d, &val(0), 10 * AKT)]));
    ok(&exec(&mut c, 1, vec![sk::undelegate(&d, &val(0), AKT)]));
    ok(&exec(&mut c, 1, vec![sk::undelegate(&d, &val(0), AKT)]));
    let r = exec(&mut c, 1, vec![sk::undelegate(&d, &val(0), AKT)]);
    rejected(&r, "staking", 34, "entries");
    assert_eq!(delegations(&c, &d).unbonding[0].entries.len(), 2);
}

#[test]
fn a_delegator_unbonds_and_gets_its_tokens_after_the_unbonding_time_and_not_before() {
    let mut c = chain();
    let d = c.address(1);
    ok(&exec(&mut c, 1, vec![sk::delegate(&d, &val(0), 40 * AKT)]));
    let r = exec(&mut c, 1, vec![sk::undelegate(&d, &val(0), 15 * AKT)]);
    ok(&r);
    let started = c.height();
    let balance = c.balance(&d, DENOM_AKT);
    assert_eq!(delegated(&c, 1, 0), 25 * AKT);
    let ubd = &delegations(&c, &d).unbonding[0];
    assert_eq!(ubd.entries[0].balance, 15 * AKT);
    let pool: PoolView = c.query_json("/staking/pool", b"").unwrap();
    assert_eq!((pool.bonded_tokens, pool.not_bonded_tokens), (125 * AKT, 15 * AKT));
    // 10 blocks of 1 s: nothing arrives before the completion time.
    for _ in 0..9 {
        c.deliver_block(Vec::new());
        assert_eq!(c.balance(&d, DENOM_AKT), balance, "paid early at height {}", c.height());
    }
    let resp = c.deliver_block(Vec::new());
    assert_eq!(c.height(), started + 10);
    assert_eq!(c.balance(&d, DENOM_AKT), balance + 15 * AKT);
    assert!(resp.events.iter().any(|e| e.kind == "complete_unbonding"));
    assert!(delegations(&c, &d).unbonding.is_empty());
    let pool: PoolView = c.query_json("/staking/pool", b"").unwrap();
    assert_eq!(pool.not_bonded_tokens, 0);
}

#[test]
fn undelegating_everything_removes_the_delegation() {
    let mut c = chain();
    let d = c.address(1);
    ok(&exec(&mut c, 1, vec![sk::delegate(&d, &val(0), 7 * AKT + 3)]));
    ok(&exec(&mut c, 1, vec![sk::undelegate(&d, &val(0), 7 * AKT + 3)]));
    assert!(delegations(&c, &d).delegations.is_empty());
    assert_eq!(validator(&c, 0).unwrap().tokens, 100 * AKT);
}

// ---------------------------------------------------------------------------------------
// MsgBeginRedelegate.

fn two_validators() -> TestChain {
    chain_with(params(100, 2), &[(0, 100 * AKT), (1, 80 * AKT)])
}

#[test]
fn redelegate_moves_stake_at_once_and_keeps_an_entry_until_maturity() {
    let mut c = two_validators();
    let d = c.address(2);
    ok(&exec(&mut c, 2, vec![sk::delegate(&d, &val(0), 20 * AKT)]));
    let before = c.balance(&d, DENOM_AKT);
    ok(&exec(&mut c, 2, vec![sk::redelegate(&d, &val(0), &val(1), 5 * AKT)]));
    assert_eq!((delegated(&c, 2, 0), delegated(&c, 2, 1)), (15 * AKT, 5 * AKT));
    assert_eq!(validator(&c, 1).unwrap().tokens, 85 * AKT);
    assert_eq!(delegations(&c, &d).redelegations[0].entries.len(), 1);
    // No tokens reach the account (apart from the auto-withdrawn rewards, minus the fee).
    assert!(c.balance(&d, DENOM_AKT) < before + 5 * AKT);
    empty_blocks(&mut c, 10);
    assert!(delegations(&c, &d).redelegations.is_empty());
}

#[test]
fn redelegate_to_the_same_validator_is_rejected() {
    let mut c = two_validators();
    let d = c.address(0);
    let r = exec(&mut c, 0, vec![sk::redelegate(&d, &val(0), &val(0), AKT)]);
    rejected(&r, "staking", 31, "same validator");
}

#[test]
fn redelegate_onward_while_the_first_redelegation_matures_is_rejected() {
    let mut c = chain_with(params(100, 7), &[(0, 100 * AKT), (1, 80 * AKT), (2, 60 * AKT)]);
    let d = c.address(3);
    ok(&exec(&mut c, 3, vec![sk::delegate(&d, &val(0), 20 * AKT)]));
    ok(&exec(&mut c, 3, vec![sk::redelegate(&d, &val(0), &val(1), 5 * AKT)]));
    let r = exec(&mut c, 3, vec![sk::redelegate(&d, &val(1), &val(2), AKT)]);
    rejected(&r, "staking", 33, "maturing");
    empty_blocks(&mut c, 10);
    ok(&exec(&mut c, 3, vec![sk::redelegate(&d, &val(1), &val(2), AKT)]));
}

#[test]
fn redelegate_beyond_max_entries_is_rejected() {
    let mut c = two_validators();
    let d = c.address(2);
    ok(&exec(&mut c, 2, vec![sk::delegate(&d, &val(0), 20 * AKT)]));
    ok(&exec(&mut c, 2, vec![sk::redelegate(&d, &val(0), &val(1), AKT)]));
    ok(&exec(&mut c, 2, vec![sk::redelegate(&d, &val(0), &val(1), AKT)]));
    let r = exec(&mut c, 2, vec![sk::redelegate(&d, &val(0), &val(1), AKT)]);
    rejected(&r, "staking", 34, "entries");
}

#[test]
fn redelegate_more_than_delegated_to_unknown_or_for_another_account_is_rejected() {
    let mut c = two_validators();
    let d = c.address(2);
    ok(&exec(&mut c, 2, vec![sk::delegate(&d, &val(0), 3 * AKT)]));
    rejected(
        &exec(&mut c, 2, vec![sk::redelegate(&d, &val(0), &val(1), 4 * AKT)]),
        "staking",
        22,
        "",
    );
    rejected(&exec(&mut c, 2, vec![sk::redelegate(&d, &val(0), &val(6), AKT)]), "staking", 3, "");
    unauthorized(&exec(&mut c, 3, vec![sk::redelegate(&d, &val(0), &val(1), AKT)]));
}

// ---------------------------------------------------------------------------------------
// The active set.

#[test]
fn a_validator_falls_out_of_the_active_set_when_another_gets_more_power_and_the_finalize_block_validator_updates_say_so(
) {
    let mut c = chain_with(params(2, 7), &[(0, 100 * AKT), (1, 80 * AKT)]);
    use base64::Engine;
    let pk =
        |n: u8| base64::engine::general_purpose::STANDARD.encode(sk::consensus_key(n).public_key());
    // A third validator with less power waits outside the set.
    let opts = TxOpts { gas_limit: sk::STAKING_GAS, fee: sk::STAKING_FEE, ..Default::default() };
    let tx = c.tx_with(2, vec![sk::create_validator(2, 2, 50 * AKT, "0.1", "0.2", "0.01")], &opts);
    let resp = c.deliver_block(vec![tx]);
    ok(&resp.tx_results[0]);
    assert!(resp.validator_updates.is_empty());
    assert_eq!(validator(&c, 2).unwrap().status, BondStatus::Unbonded);
    // A delegation lifts it above validator 1, which leaves the set in the same block.
    let d = c.address(3);
    let tx = c.tx_with(3, vec![sk::delegate(&d, &val(2), 40 * AKT)], &opts);
    let resp = c.deliver_block(vec![tx]);
    ok(&resp.tx_results[0]);
    let mut want = vec![
        ValidatorUpdate { pub_key: pk(1), power: 0 },
        ValidatorUpdate { pub_key: pk(2), power: 90 },
    ];
    want.sort_by(|a, b| a.pub_key.cmp(&b.pub_key));
    assert_eq!(resp.validator_updates, want);
    assert_eq!(validator(&c, 1).unwrap().status, BondStatus::Unbonding);
    assert_eq!(validator(&c, 2).unwrap().status, BondStatus::Bonded);
    let set: Vec<String> = c.app().validators().unwrap().into_iter().map(|v| v.address).collect();
    assert_eq!(set, vec![sk::consensus_address(0), sk::consensus_address(2)]);
    let pool: PoolView = c.query_json("/staking/pool", b"").unwrap();
    assert_eq!((pool.bonded_tokens, pool.not_bonded_tokens), (190 * AKT, 80 * AKT));
    // After the unbonding time it is unbonded (tokens stay with its delegators).
    empty_blocks(&mut c, 10);
    assert_eq!(validator(&c, 1).unwrap().status, BondStatus::Unbonded);
}

#[test]
fn an_operator_below_its_minimum_self_delegation_is_jailed_and_leaves_the_set() {
    let mut c = chain_with(params(100, 7), &[(0, 100 * AKT), (1, 80 * AKT)]);
    let mut m = sk::create_validator(2, 2, 10 * AKT, "0.1", "0.2", "0.01");
    if let Msg::CreateValidator(x) = &mut m {
        x.min_self_delegation = (5 * AKT).to_string();
    }
    ok(&exec(&mut c, 2, vec![m]));
    assert_eq!(c.app().validators().unwrap().len(), 3);
    let op = c.address(2);
    let opts = TxOpts { gas_limit: sk::STAKING_GAS, fee: sk::STAKING_FEE, ..Default::default() };
    let tx = c.tx_with(2, vec![sk::undelegate(&op, &val(2), 6 * AKT)], &opts);
    let resp = c.deliver_block(vec![tx]);
    ok(&resp.tx_results[0]);
    let v = validator(&c, 2).unwrap();
    assert!(v.jailed);
    assert_eq!(v.status, BondStatus::Unbonding);
    assert_eq!(resp.validator_updates.len(), 1);
    assert_eq!(resp.validator_updates[0].power, 0);
    assert_eq!(c.app().validators().unwrap().len(), 2);
}

#[test]
fn jailing_through_the_slashing_hook_removes_the_validator_from_the_set() {
    let mut c = chain_with(params(100, 7), &[(0, 100 * AKT), (1, 80 * AKT)]);
    let op = account_address(1);
    c.write_state(|s| staking::jail(s, &op));
    let resp = c.deliver_block(Vec::new());
    assert_eq!(resp.validator_updates.len(), 1);
    assert_eq!(resp.validator_updates[0].power, 0);
    c.write_state(|s| staking::unjail(s, &op));
    let resp = c.deliver_block(Vec::new());
    assert_eq!(resp.validator_updates[0].power, 80);
}

#[test]
fn an_unbonded_validator_whose_delegators_all_leave_is_removed() {
    let mut c = chain_with(params(1, 7), &[(0, 100 * AKT), (1, 80 * AKT)]);
    assert_eq!(validator(&c, 1).unwrap().status, BondStatus::Unbonded);
    let op = c.address(1);
    ok(&exec(&mut c, 1, vec![sk::undelegate(&op, &val(1), 80 * AKT)]));
    assert!(validator(&c, 1).is_none());
    empty_blocks(&mut c, 10);
    assert_eq!(c.balance(&op, DENOM_AKT) + sk::STAKING_FEE, GENESIS_AKT);
}

// ---------------------------------------------------------------------------------------
// A seeded randomized simulation.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn a_seeded_simulation_of_many_delegators_and_slashes_keeps_supply_pools_and_rewards_exact() {
    let seed: u64 =
        std::env::var("STAKING_SIM_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(7);
    let blocks: usize =
        std::env::var("STAKING_SIM_BLOCKS").ok().and_then(|s| s.parse().ok()).unwrap_or(120);
    let mut rng = Rng(seed.max(1));
    let mut c = TestChain::new(TestConfig {
        funded: 16,
        uakt: GENESIS_AKT,
        uact: 0,
        staking: Some(sk::genesis(&[(0, 100 * AKT), (1, 60 * AKT), (2, 30 * AKT)], params(3, 3))),
        distribution: Some(DistributionParams::default()),
        // A fast mint so rewards are large.
        mint: Some(MintGenesis {
            params: MintParams { blocks_per_year: 1_000, ..MintParams::default() },
            ..MintGenesis::default()
        }),
        ..TestConfig::default()
    });
    let opts = TxOpts { gas_limit: sk::STAKING_GAS, fee: sk::STAKING_FEE, ..Default::default() };
    let mut next_val = 3u8;
    let (mut okays, mut fails) = (0, 0);
    for _ in 0..blocks {
        let mut txs = Vec::new();
        let mut senders = std::collections::BTreeSet::new();
        for _ in 0..rng.below(5) {
            let from = 3 + rng.below(13) as usize;
            if !senders.insert(from) {
                continue;
            }
            let d = c.address(from);
            let nval = next_val as usize;
            let v = val(rng.below(nval as u64) as usize);
            let w = val(rng.below(nval as u64) as usize);
            let amount = 1 + rng.below(20 * AKT as u64) as u128;
            let msg = match rng.below(7) {
                0 | 1 => sk::delegate(&d, &v, amount),
                2 => sk::undelegate(&d, &v, amount),
                3 => sk::redelegate(&d, &v, &w, amount),
                4 => sk::withdraw_rewards(&d, &v),
                5 if next_val < 8 && from == next_val as usize => {
                    next_val += 1;
                    sk::create_validator(from, from as u8, 5 * AKT + amount, "0.07", "0.5", "0.1")
                }
                5 => sk::withdraw_commission(&val(from)),
                _ => sk::set_withdraw_address(&d, &c.address(3 + rng.below(13) as usize)),
            };
            txs.push(c.tx_with(from, vec![msg], &opts));
        }
        // Sometimes a validator misses the previous block.
        c.absent_signers.clear();
        if rng.below(5) == 0 {
            c.absent_signers.insert(sk::consensus_address(rng.below(3) as u8));
        }
        // Sometimes a validator (never the first) double-signed a recent block: slashed
        // 5 % (its unbonding and redelegation entries first), jailed, tombstoned.
        if rng.below(30) == 0 && next_val > 1 {
            let i = 1 + rng.below(u64::from(next_val) - 1) as u8;
            let back = rng.below(4).min(c.height().saturating_sub(1));
            c.misbehavior.push(dcloud_app::Misbehavior {
                kind: "duplicate_vote".into(),
                validator_address: sk::consensus_address(i),
                height: c.height() - back,
                time_ms: 0,
                power: 0,
            });
        }
        for r in c.deliver_block(txs).tx_results {
            if r.code == 0 {
                okays += 1;
            } else {
                fails += 1;
            }
        }
    }
    // The invariants ran after every block; the run did real work.
    assert!(okays > blocks / 2 && fails > 0, "ok {okays}, failed {fails}");
    let fp: serde_json::Value = c.query_json("/distribution/community-pool", b"").unwrap();
    assert_ne!(fp["fee_pool"]["total_paid"], "0");
    let bonded = c.balance(&auth::module_address(staking::BONDED_POOL), DENOM_AKT);
    assert!(bonded > 0);
    if blocks >= 120 {
        assert!(staking::total_slashed(&c.store().latest()).unwrap() > 0, "nothing was slashed");
    }
}

#[test]
fn a_staking_genesis_is_validated_and_must_agree_with_listed_validators() {
    let mut g = sk::genesis(&[(0, 100 * AKT)], params(100, 7));
    g.validators[0].commission_rate = "0.5".into();
    g.validators[0].self_delegation = 10;
    let errs = g.validate();
    assert!(errs.iter().any(|e| e.contains("above the max rate")), "{errs:?}");
    assert!(errs.iter().any(|e| e.contains("self_delegation")), "{errs:?}");
    // Listed consensus validators that are not the staking set are refused.
    let cfg = TestConfig {
        staking: Some(sk::genesis(&[(0, 100 * AKT)], params(100, 7))),
        ..TestConfig::default()
    };
    let mut genesis = dcloud_app::testkit::genesis(&cfg);
    let mut other = dcloud_app::testkit::validator_entry(&sk::consensus_key(9));
    other.power = 1;
    genesis.validators = vec![other];
    let store = dcloud_store::Store::in_memory(dcloud_store::StoreOptions::default()).unwrap();
    let app = dcloud_app::App::new(std::sync::Arc::new(store)).unwrap();
    let e = app.init_chain(&genesis).unwrap_err();
    assert!(e.to_string().contains("staking genesis"), "{e}");
}

// ---------------------------------------------------------------------------------------
// MsgCancelUnbondingDelegation.

#[test]
fn an_undelegation_cancelled_partly_then_fully_is_bonded_again() {
    let mut c = chain();
    let d = c.address(2);
    ok(&exec(&mut c, 2, vec![sk::delegate(&d, &val(0), 50 * AKT)]));
    ok(&exec(&mut c, 2, vec![sk::undelegate(&d, &val(0), 20 * AKT)]));
    let h = c.height();
    let not_bonded = || staking::NOT_BONDED_POOL;
    assert_eq!(c.balance(&auth::module_address(not_bonded()), DENOM_AKT), 20 * AKT);
    ok(&exec(&mut c, 2, vec![sk::cancel_unbond(&d, &val(0), 5 * AKT, h)]));
    assert_eq!(delegated(&c, 2, 0), 35 * AKT);
    assert_eq!(validator(&c, 0).unwrap().tokens, 135 * AKT);
    let u = staking::unbondings_of(&c.store().latest(), &d).unwrap();
    assert_eq!((u[0].entries[0].initial_balance, u[0].entries[0].balance), (15 * AKT, 15 * AKT));
    assert_eq!(c.balance(&auth::module_address(not_bonded()), DENOM_AKT), 15 * AKT);
    ok(&exec(&mut c, 2, vec![sk::cancel_unbond(&d, &val(0), 15 * AKT, h)]));
    assert_eq!(delegated(&c, 2, 0), 50 * AKT);
    assert!(staking::unbondings_of(&c.store().latest(), &d).unwrap().is_empty());
    assert_eq!(c.balance(&auth::module_address(not_bonded()), DENOM_AKT), 0);
    // Nothing is paid out when the (cancelled) entry would have matured.
    let bal = c.balance(&d, DENOM_AKT);
    empty_blocks(&mut c, 12);
    assert_eq!(c.balance(&d, DENOM_AKT), bal);
}

#[test]
fn cancel_unbond_rejections() {
    let mut c = two_validators();
    let d = c.address(2);
    // Nothing unbonding.
    rejected(
        &exec(&mut c, 2, vec![sk::cancel_unbond(&d, &val(0), AKT, 1)]),
        "staking",
        26,
        "not unbonding",
    );
    ok(&exec(&mut c, 2, vec![sk::delegate(&d, &val(0), 50 * AKT)]));
    ok(&exec(&mut c, 2, vec![sk::undelegate(&d, &val(0), 20 * AKT)]));
    let h = c.height();
    // No entry at that height.
    rejected(
        &exec(&mut c, 2, vec![sk::cancel_unbond(&d, &val(0), AKT, h - 1)]),
        "staking",
        26,
        "created at height",
    );
    // More than the entry holds.
    rejected(
        &exec(&mut c, 2, vec![sk::cancel_unbond(&d, &val(0), 21 * AKT, h)]),
        "staking",
        40,
        "greater than",
    );
    // Unknown validator.
    rejected(&exec(&mut c, 2, vec![sk::cancel_unbond(&d, &val(5), AKT, h)]), "staking", 3, "");
    // Zero, a wrong denom, a non-positive height.
    let mut zero = sk::cancel_unbond(&d, &val(0), 0, h);
    rejected(&exec(&mut c, 2, vec![zero.clone()]), "sdk", 10, "positive");
    if let Msg::CancelUnbondingDelegation(m) = &mut zero {
        m.amount = Some(dcloud_app::testkit::proto_coin("5", "uact"));
    }
    rejected(&exec(&mut c, 2, vec![zero.clone()]), "sdk", 10, "denomination");
    if let Msg::CancelUnbondingDelegation(m) = &mut zero {
        m.amount = Some(dcloud_app::testkit::proto_coin("5", DENOM_AKT));
        m.creation_height = 0;
    }
    rejected(&exec(&mut c, 2, vec![zero]), "sdk", 18, "creation_height");
    // Someone else's entry.
    unauthorized(&exec(&mut c, 3, vec![sk::cancel_unbond(&d, &val(0), AKT, h)]));
    // A jailed validator takes no stake back.
    let op = c.address(0);
    let all = delegated(&c, 0, 0);
    ok(&exec(&mut c, 0, vec![sk::undelegate(&op, &val(0), all)]));
    assert!(validator(&c, 0).unwrap().jailed);
    rejected(
        &exec(&mut c, 2, vec![sk::cancel_unbond(&d, &val(0), AKT, h)]),
        "staking",
        7,
        "jailed",
    );
    // Every rejection left the entry as it was.
    let u = staking::unbondings_of(&c.store().latest(), &d).unwrap();
    assert_eq!(u[0].entries[0].balance, 20 * AKT);
}
