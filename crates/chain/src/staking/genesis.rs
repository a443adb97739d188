//! `app_state.staking`: the genesis validators and delegations, and their stateless checks.

use std::collections::BTreeSet;

use dcloud_types::AccAddress;
use serde::{Deserialize, Serialize};

use super::msg::check_commission;
use super::{decode_pubkey, parse_operator_any, StakingParams, POWER_REDUCTION};
use crate::dec::parse_rate;

/// One genesis validator: created like `MsgCreateValidator` from the operator's genesis
/// balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenesisValidator {
    /// Operator account (`akash…` or `akashvaloper…`).
    pub operator: String,
    /// ed25519 consensus key, base64.
    pub pub_key: String,
    /// Name.
    #[serde(default)]
    pub moniker: String,
    /// Commission rate (decimal).
    pub commission_rate: String,
    /// Maximum commission rate.
    pub commission_max_rate: String,
    /// Maximum change per day.
    pub commission_max_change_rate: String,
    /// Self-delegation in the bond denom.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub self_delegation: u128,
}

/// One genesis delegation (from the delegator's genesis balance).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenesisDelegation {
    /// Delegator.
    pub delegator: String,
    /// Validator operator (`akash…` or `akashvaloper…`).
    pub validator: String,
    /// Tokens.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub amount: u128,
}

/// `app_state.staking`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StakingGenesis {
    /// Params.
    #[serde(default)]
    pub params: StakingParams,
    /// Validators.
    #[serde(default)]
    pub validators: Vec<GenesisValidator>,
    /// Further delegations.
    #[serde(default)]
    pub delegations: Vec<GenesisDelegation>,
}

impl StakingGenesis {
    /// Every problem found.
    pub fn validate(&self) -> Vec<String> {
        let at = "app_state.staking";
        let mut e = self.params.validate(&format!("{at}.params"));
        let mut ops = BTreeSet::new();
        let mut keys = BTreeSet::new();
        for (i, v) in self.validators.iter().enumerate() {
            match parse_operator_any(&v.operator) {
                Ok(a) => {
                    if !ops.insert(a) {
                        e.push(format!("{at}.validators[{i}]: duplicate operator"));
                    }
                }
                Err(err) => e.push(format!("{at}.validators[{i}].operator: {err}")),
            }
            if let Err(err) = decode_pubkey(&v.pub_key) {
                e.push(format!("{at}.validators[{i}].pub_key: {err}"));
            } else if !keys.insert(v.pub_key.clone()) {
                e.push(format!("{at}.validators[{i}]: duplicate pub_key"));
            }
            match (
                parse_rate(&v.commission_rate),
                parse_rate(&v.commission_max_rate),
                parse_rate(&v.commission_max_change_rate),
            ) {
                (Ok(r), Ok(m), Ok(c)) => {
                    if let Err(err) = check_commission(r, m, c, self.params.min_commission_rate) {
                        e.push(format!("{at}.validators[{i}]: {err}"));
                    }
                }
                _ => e.push(format!("{at}.validators[{i}]: malformed commission rates")),
            }
            if v.self_delegation < POWER_REDUCTION {
                e.push(format!(
                    "{at}.validators[{i}].self_delegation must be at least {POWER_REDUCTION} \
                     (one unit of power)"
                ));
            }
        }
        for (i, d) in self.delegations.iter().enumerate() {
            if d.delegator.parse::<AccAddress>().is_err() {
                e.push(format!("{at}.delegations[{i}].delegator is not an address"));
            }
            match parse_operator_any(&d.validator) {
                Ok(a) if ops.contains(&a) => {}
                _ => e.push(format!("{at}.delegations[{i}].validator is not a genesis validator")),
            }
            if d.amount == 0 {
                e.push(format!("{at}.delegations[{i}].amount must be positive"));
            }
        }
        e
    }
}
