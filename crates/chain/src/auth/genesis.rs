//! The auth module's genesis section and its stateless checks.

use dcloud_types::AccAddress;
use serde::{Deserialize, Serialize};

use super::AuthParams;

/// Genesis state of auth.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthGenesis {
    /// Params.
    #[serde(default)]
    pub params: AuthParams,
    /// Accounts that exist at genesis (accounts with balances are created implicitly).
    #[serde(default)]
    pub accounts: Vec<GenesisAccount>,
}

/// An account listed in genesis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenesisAccount {
    /// Address (bech32).
    pub address: String,
}

/// Problems of the genesis accounts: malformed or duplicate addresses.
pub fn validate_genesis_accounts(g: &AuthGenesis) -> Vec<String> {
    let mut e = Vec::new();
    let mut accs = std::collections::BTreeSet::new();
    for (i, a) in g.accounts.iter().enumerate() {
        if let Err(err) = a.address.parse::<AccAddress>() {
            e.push(format!("auth.accounts[{i}]: {err}"));
        }
        if !accs.insert(a.address.clone()) {
            e.push(format!("auth.accounts[{i}]: duplicate account {}", a.address));
        }
    }
    e
}
