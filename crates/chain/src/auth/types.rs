//! The auth module's records: an account, and the module accounts with their
//! permissions.

use dcloud_types::AccAddress;
use serde::{Deserialize, Serialize};

/// Module accounts and their permissions (`minter`, `burner`).
pub const MODULE_ACCOUNTS: &[(&str, &[&str])] = &[
    ("fee_collector", &[]),
    ("escrow", &[]),
    ("community_pool", &[]),
    ("bme", &["minter", "burner"]),
    ("mint", &["minter"]),
    ("distribution", &[]),
    ("bonded_tokens_pool", &["burner"]),
    ("not_bonded_tokens_pool", &["burner"]),
    ("gov", &["burner"]),
];

/// The fee collector's module account name.
pub const FEE_COLLECTOR: &str = "fee_collector";

/// An account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The address.
    pub address: AccAddress,
    /// Unique, assigned at creation, part of every SignDoc.
    pub account_number: u64,
    /// Next expected tx sequence.
    pub sequence: u64,
    /// Compressed secp256k1 public key (hex), set by the first tx.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pub_key: Option<String>,
    /// For module accounts: the module name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
}

/// The address of a module account.
pub fn module_address(name: &str) -> AccAddress {
    AccAddress::module(name)
}

/// True if `addr` is a module account (they cannot receive plain sends).
pub fn is_module_address(addr: &AccAddress) -> bool {
    static ADDRS: std::sync::OnceLock<Vec<AccAddress>> = std::sync::OnceLock::new();
    ADDRS
        .get_or_init(|| MODULE_ACCOUNTS.iter().map(|(n, _)| module_address(n)).collect())
        .contains(addr)
}

/// True if module `name` may use `permission`.
pub fn has_permission(name: &str, permission: &str) -> bool {
    MODULE_ACCOUNTS.iter().any(|(n, perms)| *n == name && perms.contains(&permission))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_accounts_and_permissions() {
        assert!(is_module_address(&module_address(FEE_COLLECTOR)));
        assert!(!is_module_address(&AccAddress::from_bytes(&[9u8; 20]).expect("20 bytes")));
        assert!(has_permission("bme", "minter") && has_permission("bme", "burner"));
        assert!(!has_permission("fee_collector", "burner"));
    }
}
