//! The devnet's genesis economics: oracle and BME (the `validator` key is the price source
//! and the BME authority, the vault backs the genesis ACT) and proof of stake (the
//! `validator` key operates the genesis validator). A library-shaped piece kept here until
//! a testkit crate exists to own it.

use anyhow::bail;
use dcloud_crypto::keyring::Keyring;
use dcloud_types::{Coins, DENOM_AKT};

/// uakt seeded into the BME vault at genesis: collateral for the genesis ACT.
const VAULT_AKT: u128 = 8_000_000_000;

/// The devnet's oracle and BME: the `validator` key is the price source and the BME
/// authority, the genesis price is the feed's first value, prices stay fresh for 120
/// blocks (a 5 s feeder has slack), and the vault holds AKT backing the genesis ACT.
pub(crate) fn oracle_and_bme_genesis(
    genesis: &mut dcloud_app::Genesis,
    keyring: &Keyring,
    feed: &crate::feeder::PriceFeed,
) -> anyhow::Result<()> {
    use dcloud_app::modules::{bme, oracle};
    let validator = keyring.get("validator")?.address.to_string();
    genesis.app_state.oracle = Some(oracle::OracleGenesis {
        params: oracle::OracleParams {
            sources: vec![validator.clone()],
            max_price_staleness_blocks: 120,
            ..oracle::OracleParams::default()
        },
        prices: vec![oracle::GenesisPrice { source: validator.clone(), price: feed.initial() }],
    });
    genesis.app_state.bme =
        Some(bme::BmeParams { authority: validator, ..bme::BmeParams::default() });
    crate::genesis::add_balance(genesis, &bme::vault_address(), &Coins::one(VAULT_AKT, DENOM_AKT))?;
    let problems = genesis.validate();
    if !problems.is_empty() {
        bail!("devnet genesis is invalid:\n  - {}", problems.join("\n  - "));
    }
    Ok(())
}

/// AKT the devnet validator self-delegates.
const VALIDATOR_SELF_DELEGATION: u128 = 1_000_000_000;

/// Proof of stake on the devnet: the `validator` key operates the genesis validator (the
/// node's consensus key, so the solo driver's key stays the single validator) with a
/// self-delegation; unbonding takes 5 minutes instead of 14 days; mint and distribution
/// run with their defaults.
pub(crate) fn staking_genesis(
    genesis: &mut dcloud_app::Genesis,
    keyring: &Keyring,
) -> anyhow::Result<()> {
    use dcloud_app::modules::staking;
    let operator = keyring.get("validator")?.address.to_string();
    let node = genesis
        .validators
        .first()
        .ok_or_else(|| anyhow::anyhow!("the devnet genesis has no validator key"))?;
    genesis.app_state.staking = Some(staking::StakingGenesis {
        params: staking::StakingParams {
            unbonding_time_ms: 5 * 60 * 1000,
            ..staking::StakingParams::default()
        },
        validators: vec![staking::GenesisValidator {
            operator,
            pub_key: node.pub_key.clone(),
            moniker: node.name.clone(),
            commission_rate: "0.1".into(),
            commission_max_rate: "0.2".into(),
            commission_max_change_rate: "0.01".into(),
            self_delegation: VALIDATOR_SELF_DELEGATION,
        }],
        delegations: Vec::new(),
    });
    let problems = genesis.validate();
    if !problems.is_empty() {
        bail!("devnet genesis is invalid:\n  - {}", problems.join("\n  - "));
    }
    Ok(())
}
