//! Queries: typed paths, raw store reads with proofs, historical heights, errors.

use dcloud_app::modules::auth::Account;
use dcloud_app::testkit::{TestChain, TestConfig};
use dcloud_store::{verify_proof, StateProof};
use dcloud_types::{Coin, Coins, DENOM_ACT, DENOM_AKT};

/// The raw state key of a balance (`0x10 ‖ len ‖ addr ‖ denom`), as documented in bank.
fn balance_key(addr: &dcloud_types::AccAddress, denom: &str) -> Vec<u8> {
    let mut k = vec![0x10, addr.as_bytes().len() as u8];
    k.extend_from_slice(addr.as_bytes());
    k.extend_from_slice(denom.as_bytes());
    k
}

fn chain_with_a_send() -> TestChain {
    let mut c = TestChain::new(TestConfig::default());
    let bob = c.address(1);
    let tx = c.send(0, &bob, &[(250, DENOM_AKT)]);
    assert_eq!(c.deliver_block(vec![tx]).tx_results[0].code, 0);
    c
}

#[test]
fn bank_balances_returns_every_denom_of_an_address() {
    let c = chain_with_a_send();
    let bob = c.address(1);
    let r = c.query("/bank/balances", bob.to_string().as_bytes(), 0, false);
    assert_eq!(r.height, 1);
    let coins: Vec<Coin> = serde_json::from_slice(&r.value).unwrap();
    assert_eq!(coins, vec![Coin::new(500_000_000, DENOM_ACT), Coin::new(1_000_000_250, DENOM_AKT)]);
    // An unknown but valid address has no balances.
    let nobody = c.address(4);
    let r = c.query("/bank/balances", nobody.to_string().as_bytes(), 0, false);
    let coins: Vec<Coin> = serde_json::from_slice(&r.value).unwrap();
    assert!(coins.is_empty());
}

#[test]
fn auth_account_returns_the_account_with_its_sequence_and_public_key() {
    let c = chain_with_a_send();
    let alice = c.address(0);
    let r = c.query("/auth/account", format!("\"{alice}\"").as_bytes(), 0, false);
    let acc: Account = serde_json::from_slice(&r.value).unwrap();
    assert_eq!(acc.address, alice);
    assert_eq!(acc.sequence, 1);
    assert_eq!(
        acc.pub_key.as_deref(),
        Some(hex::encode(c.accounts[0].key.public_key().to_bytes()).as_str())
    );
    let e =
        c.app().query("/auth/account", c.address(4).to_string().as_bytes(), 0, false).unwrap_err();
    assert_eq!(e.code(), 9, "{e}");
    let e = c.app().query("/auth/account", b"cosmos1xyz", 0, false).unwrap_err();
    assert_eq!(e.code(), 7, "{e}");
}

#[test]
fn a_store_query_with_prove_verifies_against_the_app_hash_and_fails_when_tampered() {
    let c = chain_with_a_send();
    let bob = c.address(1);
    let key = balance_key(&bob, DENOM_AKT);
    let r = c.query("/store", &key, 0, true);
    assert_eq!(r.value, 1_000_000_250u128.to_be_bytes().to_vec());
    let proof = StateProof::from_bytes(r.proof.as_ref().expect("a proof")).unwrap();
    assert_eq!(proof.version, 1);
    let root = c.app_hash();
    verify_proof(root, &key, Some(&r.value), &proof).unwrap();
    // A tampered value, another key, or another root fail.
    let mut tampered = r.value.clone();
    tampered[15] ^= 1;
    assert!(verify_proof(root, &key, Some(&tampered), &proof).is_err());
    assert!(verify_proof(root, &balance_key(&bob, DENOM_ACT), Some(&r.value), &proof).is_err());
    let mut other_root = root;
    other_root[0] ^= 1;
    assert!(verify_proof(other_root, &key, Some(&r.value), &proof).is_err());
}

#[test]
fn a_store_query_with_prove_of_an_absent_key_proves_absence() {
    let c = chain_with_a_send();
    let key = balance_key(&c.address(4), DENOM_AKT);
    let r = c.query("/store", &key, 0, true);
    assert!(r.value.is_empty());
    let proof = StateProof::from_bytes(r.proof.as_ref().unwrap()).unwrap();
    verify_proof(c.app_hash(), &key, None, &proof).unwrap();
    assert!(verify_proof(c.app_hash(), &key, Some(b"1"), &proof).is_err());
}

#[test]
fn a_proof_at_an_older_height_verifies_against_that_heights_app_hash() {
    let mut c = chain_with_a_send();
    let h1 = c.app_hash();
    let bob = c.address(1);
    let tx = c.send(0, &bob, &[(1, DENOM_AKT)]);
    c.deliver_block(vec![tx]);
    assert_ne!(c.app_hash(), h1);
    let key = balance_key(&bob, DENOM_AKT);
    let r = c.query("/store", &key, 1, true);
    assert_eq!(r.height, 1);
    assert_eq!(r.value, 1_000_000_250u128.to_be_bytes().to_vec());
    let proof = StateProof::from_bytes(r.proof.as_ref().unwrap()).unwrap();
    verify_proof(h1, &key, Some(&r.value), &proof).unwrap();
    assert!(verify_proof(c.app_hash(), &key, Some(&r.value), &proof).is_err());
}

#[test]
fn a_historical_query_returns_the_balance_at_that_height() {
    let mut c = chain_with_a_send();
    let bob = c.address(1);
    let tx = c.send(0, &bob, &[(50, DENOM_AKT)]);
    c.deliver_block(vec![tx]);
    let q = |h: u64| {
        let data = serde_json::json!({"address": bob.to_string(), "denom": DENOM_AKT}).to_string();
        let r = c.query("/bank/balance", data.as_bytes(), h, false);
        assert_eq!(r.height, if h == 0 { 2 } else { h });
        serde_json::from_slice::<Coin>(&r.value).unwrap().amount
    };
    assert_eq!(q(0), 1_000_000_300);
    assert_eq!(q(2), 1_000_000_300);
    assert_eq!(q(1), 1_000_000_250);
    // The raw store read at height 1 is the old value too.
    let r = c.query("/store", &balance_key(&bob, DENOM_AKT), 1, false);
    assert_eq!(r.value, 1_000_000_250u128.to_be_bytes().to_vec());
    // All balances at an older height.
    let all = |h: u64| {
        let r = c.query("/bank/balances", bob.to_string().as_bytes(), h, false);
        serde_json::from_slice::<dcloud_types::Coins>(&r.value).unwrap()
    };
    assert_eq!(all(1).amount_of(DENOM_AKT), 1_000_000_250);
    assert_eq!(all(2).amount_of(DENOM_AKT), 1_000_000_300);
    assert_eq!(all(1).amount_of("uact"), all(2).amount_of("uact"));
}

#[test]
fn a_query_above_the_latest_height_is_an_error() {
    let c = chain_with_a_send();
    let bob = c.address(1);
    assert!(c.app().query("/bank/balances", bob.to_string().as_bytes(), 99, false).is_err());
}

#[test]
fn an_unknown_query_path_is_refused_with_code_6() {
    let c = chain_with_a_send();
    let e = c.app().query("/bank/nonsense", b"", 0, false).unwrap_err();
    assert_eq!(e.code(), 6);
    assert!(e.to_string().contains("/bank/nonsense"), "{e}");
}

#[test]
fn supply_params_validators_and_accounts_queries_answer_json() {
    let c = chain_with_a_send();
    let supply: Vec<Coin> =
        serde_json::from_slice(&c.query("/bank/supply", b"", 0, false).value).unwrap();
    assert_eq!(Coins::from_coins(supply).unwrap(), c.supply());
    let p: serde_json::Value =
        serde_json::from_slice(&c.query("/auth/params", b"", 0, false).value).unwrap();
    assert_eq!(p["min_gas_price"], "0.025");
    let p: serde_json::Value =
        serde_json::from_slice(&c.query("/bank/params", b"", 0, false).value).unwrap();
    assert_eq!(p["default_send_enabled"], true);
    let v: Vec<dcloud_app::modules::consensus::Validator> =
        serde_json::from_slice(&c.query("/consensus/validators", b"", 0, false).value).unwrap();
    assert_eq!(v, c.genesis.validators);
    let accs: Vec<Account> =
        serde_json::from_slice(&c.query("/auth/accounts", br#"{"limit":2}"#, 0, false).value)
            .unwrap();
    assert_eq!(accs.len(), 2);
    let rest: Vec<Account> = serde_json::from_slice(
        &c.query(
            "/auth/accounts",
            format!(r#"{{"start_after":"{}"}}"#, accs[1].address).as_bytes(),
            0,
            false,
        )
        .value,
    )
    .unwrap();
    // 4 funded + the module accounts (fee collector, escrow, community pool, bme vault,
    // mint, distribution, bonded and not-bonded pools, gov).
    assert_eq!(accs.len() + rest.len(), 13);
    assert!(rest.iter().all(|a| !accs.contains(a)));
}

#[test]
fn simulate_through_query_reports_gas() {
    let mut c = TestChain::new(TestConfig::default());
    let bob = c.address(1);
    let tx = c.send(0, &bob, &[(1, DENOM_AKT)]);
    let r = c.query("/app/simulate", &tx, 0, false);
    let res: dcloud_app::TxResult = serde_json::from_slice(&r.value).unwrap();
    assert_eq!(res.code, 0, "{}", res.log);
    assert!(res.gas_used > 10_000);
}
