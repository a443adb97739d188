//! Mint: inflation moves toward the bonded-ratio goal within its band, the block provision
//! is `floor(inflation × supply / blocks_per_year)`, minted into the fee collector (and from
//! there distributed), and supply = genesis + minted (checked after every block).

use dcloud_app::modules::dec::ATTO;
use dcloud_app::modules::mint::{self, MintGenesis, MintParams, Minter};
use dcloud_app::modules::staking::StakingParams;
use dcloud_app::query::InflationView;
use dcloud_app::testkit::staking as sk;
use dcloud_app::testkit::{TestChain, TestConfig};
use dcloud_types::DENOM_AKT;

const AKT: u128 = 1_000_000;

fn chain(bonded: u128, p: MintParams, inflation: u128) -> TestChain {
    TestChain::new(TestConfig {
        funded: 4,
        uakt: 1_000 * AKT,
        uact: 0,
        staking: Some(sk::genesis(&[(0, bonded)], StakingParams::default())),
        mint: Some(MintGenesis { params: p, minter: Minter { inflation, ..Minter::default() } }),
        ..TestConfig::default()
    })
}

fn inflation_view(c: &TestChain) -> InflationView {
    serde_json::from_slice(&c.app().query("/mint/inflation", b"", 0, false).unwrap().value).unwrap()
}

#[test]
fn next_inflation_follows_the_cosmos_formula_exactly() {
    let p = MintParams { blocks_per_year: 100, ..MintParams::default() };
    // Bonded 0: +13%/year → +0.13/100 per block, from 5%.
    let start = ATTO * 5 / 100;
    assert_eq!(mint::next_inflation(&p, start, 0).unwrap(), start + ATTO * 13 / 100 / 100);
    // At the goal: no change.
    assert_eq!(mint::next_inflation(&p, start, p.goal_bonded).unwrap(), start);
    // Fully bonded: (1 − 1/0.67) × 0.13 per year, negative.
    let ratio_over_goal = ATTO * ATTO / p.goal_bonded;
    let change =
        (ATTO as i128 - ratio_over_goal as i128) * (ATTO * 13 / 100) as i128 / ATTO as i128 / 100;
    assert!(change < 0);
    assert_eq!(mint::next_inflation(&p, start, ATTO).unwrap() as i128, start as i128 + change);
    // Clamped to the band.
    assert_eq!(mint::next_inflation(&p, p.inflation_max, 0).unwrap(), p.inflation_max);
    assert_eq!(mint::next_inflation(&p, p.inflation_min, ATTO).unwrap(), p.inflation_min);
}

#[test]
fn inflation_rises_toward_the_max_while_the_bonded_ratio_is_below_the_goal() {
    // 100 AKT of 4000 bonded: ratio 2.5%, far below 67%.
    let p = MintParams { blocks_per_year: 1_000, ..MintParams::default() };
    let start = ATTO * 5 / 100;
    let mut c = chain(100 * AKT, p.clone(), start);
    let mut last = start;
    for _ in 0..5 {
        let supply = c.supply().amount_of(DENOM_AKT);
        c.deliver_block(Vec::new());
        let m = mint::minter(&c.store().latest()).unwrap();
        assert!(m.inflation > last, "inflation rises");
        assert_eq!(m.annual_provisions, m.inflation * supply);
        let provision = m.annual_provisions / ATTO / 1_000;
        assert_eq!(
            c.supply().amount_of(DENOM_AKT),
            supply + provision,
            "minted exactly the block provision"
        );
        last = m.inflation;
    }
    // Long enough and it is capped at inflation_max.
    for _ in 0..300 {
        c.deliver_block(Vec::new());
    }
    assert_eq!(inflation_view(&c).inflation, "0.080000000000000000");
}

#[test]
fn inflation_falls_toward_the_min_when_most_tokens_are_bonded() {
    // Nearly everything bonded; 100 blocks a "year" so the band is crossed quickly.
    let p = MintParams { blocks_per_year: 100, ..MintParams::default() };
    let mut c = chain(999 * AKT, p, ATTO * 8 / 100);
    // Account 0 bonds 999 of its 1000 AKT; the others hold 3000: ratio ≈ 25%. Bond more.
    #[allow(clippy::needless_range_loop)]
    for i in 1..4 {
        let d = c.address(i);
        let tx = c.tx_with(
            i,
            vec![sk::delegate(&d, &sk::val(0), 990 * AKT)],
            &dcloud_app::testkit::TxOpts {
                gas_limit: sk::STAKING_GAS,
                fee: sk::STAKING_FEE,
                ..Default::default()
            },
        );
        let r = c.deliver_block(vec![tx]);
        assert_eq!(r.tx_results[0].code, 0, "{}", r.tx_results[0].log);
    }
    let v = inflation_view(&c);
    assert!(v.bonded_ratio.as_str() > "0.67", "{}", v.bonded_ratio);
    let before = mint::minter(&c.store().latest()).unwrap().inflation;
    c.deliver_block(Vec::new());
    let after = mint::minter(&c.store().latest()).unwrap().inflation;
    assert!(after < before, "{after} < {before}");
    for _ in 0..100 {
        c.deliver_block(Vec::new());
    }
    assert_eq!(inflation_view(&c).inflation, "0.040000000000000000");
    assert!(inflation_view(&c).total_minted > 0);
}

#[test]
fn minted_coins_reach_the_validators_as_rewards() {
    let p = MintParams { blocks_per_year: 1_000, ..MintParams::default() };
    let mut c = chain(100 * AKT, p, ATTO * 8 / 100);
    for _ in 0..3 {
        c.deliver_block(Vec::new());
    }
    let r = c.app().query("/distribution/validator", sk::val(0).as_bytes(), 0, false).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&r.value).unwrap();
    assert_ne!(v["outstanding_rewards"], "0.000000000000000000");
    // Nothing stays in the fee collector or the mint account.
    assert_eq!(c.balance(&dcloud_app::testkit::fee_collector(), DENOM_AKT), 0);
}

#[test]
fn a_proof_of_authority_chain_mints_nothing() {
    let mut c = TestChain::new(TestConfig::default());
    let supply = c.supply();
    for _ in 0..3 {
        c.deliver_block(Vec::new());
    }
    assert_eq!(c.supply(), supply);
}

#[test]
fn mint_params_are_validated_in_genesis() {
    let bad = MintParams {
        inflation_min: ATTO,
        inflation_max: ATTO / 2,
        blocks_per_year: 0,
        ..MintParams::default()
    };
    let errs = bad.validate("app_state.mint.params");
    assert_eq!(errs.len(), 2, "{errs:?}");
}
