//! The devnet's genesis economics: oracle and BME (the validator operator is the price source
//! and the BME authority; the vault backs the genesis ACT) and proof of stake (the operator
//! runs the genesis validator with the node's consensus key).

use dcloud_app::modules::{bme, gov, oracle, staking};
use dcloud_app::Genesis;
use dcloud_types::{AccAddress, Coins, DENOM_AKT};

use crate::genesis::{add_balance, validated, GenesisBuildError};

/// uakt seeded into the BME vault at genesis: collateral for the genesis ACT.
pub const VAULT_AKT: u128 = 8_000_000_000;

/// AKT the devnet validator self-delegates.
pub const VALIDATOR_SELF_DELEGATION: u128 = 1_000_000_000;

/// Unbonding on a devnet: 5 minutes instead of 14 days.
pub const DEVNET_UNBONDING_MS: u64 = 5 * 60 * 1000;

/// Governance periods on a devnet: 2 minutes to collect deposits and 2 minutes to vote
/// (instead of days), so a newcomer sees a proposal pass within minutes.
pub const DEVNET_GOV_PERIOD_MS: u64 = 2 * 60 * 1000;

/// Governance on a devnet: the default params with [`DEVNET_GOV_PERIOD_MS`] deposit and
/// voting periods.
pub fn governance(genesis: &mut Genesis) -> Result<(), GenesisBuildError> {
    genesis.app_state.gov = Some(gov::GovGenesis {
        params: gov::GovParams {
            max_deposit_period_ms: DEVNET_GOV_PERIOD_MS,
            voting_period_ms: DEVNET_GOV_PERIOD_MS,
            ..gov::GovParams::default()
        },
    });
    validated(genesis)
}

/// The devnet's oracle and BME: `operator` is the price source and the BME authority, the
/// genesis price is `initial_price`, prices stay fresh for 120 blocks (a 5 s feeder has
/// slack), and the vault holds AKT backing the genesis ACT.
pub fn oracle_and_bme(
    genesis: &mut Genesis,
    operator: &AccAddress,
    initial_price: &str,
) -> Result<(), GenesisBuildError> {
    let source = operator.to_string();
    genesis.app_state.oracle = Some(oracle::OracleGenesis {
        params: oracle::OracleParams {
            sources: vec![source.clone()],
            max_price_staleness_blocks: 120,
            ..oracle::OracleParams::default()
        },
        prices: vec![oracle::GenesisPrice { source: source.clone(), price: initial_price.into() }],
    });
    genesis.app_state.bme = Some(bme::BmeParams { authority: source, ..bme::BmeParams::default() });
    add_balance(genesis, &bme::vault_address(), &Coins::one(VAULT_AKT, DENOM_AKT))?;
    validated(genesis)
}

/// Proof of stake on the devnet: `operator` runs the genesis validator (the node's consensus
/// key, so a solo driver's key stays the single validator) with a self-delegation; unbonding
/// takes [`DEVNET_UNBONDING_MS`]; mint and distribution run with their defaults.
pub fn staking(genesis: &mut Genesis, operator: &AccAddress) -> Result<(), GenesisBuildError> {
    let node = genesis.validators.first().ok_or(GenesisBuildError::NoValidator)?;
    genesis.app_state.staking = Some(staking::StakingGenesis {
        params: staking::StakingParams {
            unbonding_time_ms: DEVNET_UNBONDING_MS,
            ..staking::StakingParams::default()
        },
        validators: vec![staking::GenesisValidator {
            operator: operator.to_string(),
            pub_key: node.pub_key.clone(),
            moniker: node.name.clone(),
            commission_rate: "0.1".into(),
            commission_max_rate: "0.2".into(),
            commission_max_change_rate: "0.01".into(),
            self_delegation: VALIDATOR_SELF_DELEGATION,
        }],
        delegations: Vec::new(),
    });
    validated(genesis)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dcloud_app::testkit::{account_address, genesis, TestConfig};

    #[test]
    fn a_devnet_genesis_with_staking_oracle_and_bme_validates() {
        let mut g = genesis(&TestConfig::default());
        let op = account_address(0);
        staking(&mut g, &op).unwrap();
        oracle_and_bme(&mut g, &op, "2.5").unwrap();
        governance(&mut g).unwrap();
        let gp = &g.app_state.gov.as_ref().unwrap().params;
        assert_eq!((gp.max_deposit_period_ms, gp.voting_period_ms), (120_000, 120_000));
        let st = g.app_state.staking.as_ref().unwrap();
        assert_eq!(st.validators[0].operator, op.to_string());
        assert_eq!(st.params.unbonding_time_ms, DEVNET_UNBONDING_MS);
        assert_eq!(g.app_state.oracle.as_ref().unwrap().prices[0].price, "2.5");
        assert!(g
            .app_state
            .bank
            .balances
            .iter()
            .any(|b| b.address == bme::vault_address().to_string()));
    }

    #[test]
    fn staking_needs_a_validator_key() {
        let mut g = genesis(&TestConfig::default());
        g.validators.clear();
        let e = staking(&mut g, &account_address(0)).unwrap_err();
        assert!(matches!(e, GenesisBuildError::NoValidator));
    }
}
