//! Genesis validation reports every problem; `init_chain` refuses an invalid genesis.

use std::sync::Arc;

use dcloud_app::modules::auth::GenesisAccount;
use dcloud_app::modules::bank::{GenesisBalance, RawCoin};
use dcloud_app::testkit::{account_address, genesis, TestChain, TestConfig};
use dcloud_app::{App, AppError, Genesis};
use dcloud_store::{Store, StoreOptions};
use dcloud_types::{DENOM_ACT, DENOM_AKT};

fn coin(amount: serde_json::Value, denom: &str) -> RawCoin {
    RawCoin { denom: denom.into(), amount }
}

fn fresh_app() -> App {
    App::new(Arc::new(Store::in_memory(StoreOptions::default()).unwrap())).unwrap()
}

#[test]
fn the_test_genesis_is_valid_and_round_trips_through_json() {
    let g = genesis(&TestConfig::default());
    assert_eq!(g.validate(), Vec::<String>::new());
    let back = Genesis::from_json(&g.to_json()).unwrap();
    assert_eq!(back, g);
}

#[test]
fn validate_reports_every_problem_of_a_bad_genesis_at_once() {
    let mut g = genesis(&TestConfig::default());
    let a0 = account_address(0).to_string();
    let a1 = account_address(1).to_string();
    // 1: duplicate auth account.
    g.app_state.auth.accounts =
        vec![GenesisAccount { address: a0.clone() }, GenesisAccount { address: a0.clone() }];
    // 2: duplicate balance entry for a0 (balances[0] is a0 already).
    g.app_state
        .bank
        .balances
        .push(GenesisBalance { address: a0.clone(), coins: vec![coin("1".into(), DENOM_AKT)] });
    // 3: zero amount.
    g.app_state.bank.balances[1].coins.push(coin("0".into(), "ufoo"));
    // 4: bad address (wrong prefix).
    g.app_state.bank.balances.push(GenesisBalance {
        address: account_address(5).to_bech32_with_prefix("cosmos"),
        coins: vec![coin("10".into(), DENOM_AKT)],
    });
    // 5: negative supply entry, and 6: the declared supply does not match the balances.
    g.app_state.bank.supply = vec![coin("-5".into(), DENOM_AKT), coin("1".into(), DENOM_ACT)];
    let problems = g.validate();
    assert_eq!(problems.len(), 6, "{problems:#?}");
    let has = |needle: &str| problems.iter().any(|p| p.contains(needle));
    assert!(has(&format!("auth.accounts[1]: duplicate account {a0}")), "{problems:#?}");
    assert!(has(&format!("bank.balances[4]: duplicate balance entry for {a0}")), "{problems:#?}");
    assert!(has("bank.balances[1].coins[2]: zero amount of ufoo"), "{problems:#?}");
    assert!(has("bank.balances[5]: address") && has("expected \"akash\""), "{problems:#?}");
    assert!(has("bank.supply[0]: negative amount -5uakt"), "{problems:#?}");
    assert!(has("does not equal the sum of balances"), "{problems:#?}");
    assert!(!has(&a1), "the valid balance of {a1} is not reported: {problems:#?}");

    let app = fresh_app();
    match app.init_chain(&g) {
        Err(AppError::InvalidGenesis(p)) => assert_eq!(p, problems),
        other => panic!("expected InvalidGenesis, got {other:?}"),
    }
    assert_eq!(app.info().unwrap().last_height, None, "nothing written");
    assert!(app.store().latest_version().is_none());
}

#[test]
fn validate_reports_malformed_amounts_bad_denoms_and_bad_validators() {
    let mut g = genesis(&TestConfig::default());
    g.app_state.bank.balances[0].coins = vec![
        coin("1.5".into(), DENOM_AKT),
        coin(serde_json::json!(-3), DENOM_ACT),
        coin("7".into(), "x"),
    ];
    g.app_state.bank.balances[1].coins.push(coin(serde_json::json!(true), "ubar"));
    g.chain_id = "bad chain id!".into();
    g.validators[0].power = 0;
    g.validators[0].pub_key = "not base64".into();
    g.app_state.auth.params.min_gas_price = "0.0000001".into();
    let p = g.validate();
    let has = |needle: &str| p.iter().any(|s| s.contains(needle));
    assert!(has("malformed amount \"1.5\""), "{p:#?}");
    assert!(has("negative amount -3uact"), "{p:#?}");
    assert!(has("invalid denom \"x\""), "{p:#?}");
    assert!(has("amount true is not a number"), "{p:#?}");
    assert!(has("chain_id \"bad chain id!\""), "{p:#?}");
    assert!(has("validators[0]: power must be positive"), "{p:#?}");
    assert!(has("validators[0]: pub_key must be a base64 ed25519 key"), "{p:#?}");
    assert!(has("auth.params.min_gas_price"), "{p:#?}");
    assert_eq!(p.len(), 8, "{p:#?}");
}

#[test]
fn validate_requires_a_validator_and_a_matching_validator_address() {
    let mut g = genesis(&TestConfig::default());
    g.validators[0].address = "00".repeat(20);
    let p = g.validate();
    assert_eq!(p.len(), 1, "{p:#?}");
    assert!(p[0].contains("does not match its pub_key"), "{p:#?}");
    g.validators.clear();
    assert_eq!(g.validate(), vec!["validators: at least one validator is required".to_string()]);
}

#[test]
fn a_declared_supply_equal_to_the_sum_of_balances_is_accepted() {
    let cfg = TestConfig::default();
    let mut g = genesis(&cfg);
    let n = cfg.funded as u128;
    g.app_state.bank.supply = vec![
        coin((cfg.uakt * n).to_string().into(), DENOM_AKT),
        coin((cfg.uact * n).to_string().into(), DENOM_ACT),
    ];
    assert_eq!(g.validate(), Vec::<String>::new());
    let app = fresh_app();
    app.init_chain(&g).unwrap();
    app.check_invariants_now().unwrap();
}

#[test]
fn genesis_from_json_explains_what_is_wrong() {
    let e = Genesis::from_json("{\"chain_id\": 5}").unwrap_err();
    assert!(e.contains("genesis is not valid JSON for dcloud"), "{e}");
}

#[test]
fn init_chain_refuses_a_second_genesis_and_an_initial_height_other_than_one() {
    let c = TestChain::new(TestConfig::default());
    let h = c.app_hash();
    let e = c.app().init_chain(&c.genesis).unwrap_err();
    assert!(matches!(e, AppError::ChainState(_)), "{e}");
    assert_eq!(c.app_hash(), h);

    let mut g = genesis(&TestConfig::default());
    g.initial_height = 5;
    let app = fresh_app();
    assert!(matches!(app.init_chain(&g), Err(AppError::InvalidGenesis(_))));
    assert!(app.store().latest_version().is_none());
}

#[test]
fn init_chain_writes_accounts_balances_supply_and_validators() {
    let cfg = TestConfig::default();
    let c = TestChain::new(cfg.clone());
    for i in 0..cfg.funded {
        let a = c.address(i);
        assert_eq!(c.balance(&a, DENOM_AKT), cfg.uakt);
        assert_eq!(c.balance(&a, DENOM_ACT), cfg.uact);
        assert_eq!(c.account(&a).unwrap().sequence, 0);
    }
    let supply = c.supply();
    assert_eq!(supply.amount_of(DENOM_AKT), cfg.uakt * cfg.funded as u128);
    let vals = c.app().validators().unwrap();
    assert_eq!(vals, c.genesis.validators);
    assert_eq!(c.app().info().unwrap().chain_id, c.chain_id());
    assert_eq!(c.app().info().unwrap().last_height, Some(0));
    // Account numbers are unique.
    let mut nums: Vec<u64> =
        (0..cfg.funded).map(|i| c.account(&c.address(i)).unwrap().account_number).collect();
    nums.sort_unstable();
    nums.dedup();
    assert_eq!(nums.len(), cfg.funded);
}

#[test]
fn finalize_before_genesis_is_refused() {
    let app = fresh_app();
    let info = dcloud_app::BlockInfo { height: 1, time_ms: 1, ..Default::default() };
    let e = app.finalize_block(&info, &[]).unwrap_err();
    assert!(e.to_string().contains("no genesis"), "{e}");
}
