//! The auth module: accounts (address, account number, public key, sequence), module
//! accounts, and tx-level params (memo size, per-byte and signature gas, minimum gas price).
//!
//! State: `0x01 ‖ len ‖ addr` → Account (JSON), `0x02 "next_acc"` → next account number.
//! Invariant: every account number is below the next account number.

mod module;
pub mod query;
pub use module::AuthModule;

use dcloud_store::{StateRead, StateWrite};
use dcloud_types::AccAddress;
use serde::{Deserialize, Serialize};

use crate::AppError;
use crate::{get_params, set_params};

/// The module name.
pub const NAME: &str = "auth";

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

/// Tx-level parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthParams {
    /// Maximum memo length in characters.
    pub max_memo_characters: u64,
    /// Gas per tx byte.
    pub tx_size_cost_per_byte: u64,
    /// Gas per secp256k1 signature verification.
    pub sig_verify_cost_secp256k1: u64,
    /// Minimum fee per unit of gas, in uakt, as a decimal string with up to 6 decimals
    /// (e.g. "0.025"). Held as an exact fixed-point value, never a float.
    pub min_gas_price: String,
}

impl Default for AuthParams {
    fn default() -> Self {
        Self {
            max_memo_characters: 256,
            tx_size_cost_per_byte: 10,
            sig_verify_cost_secp256k1: 1000,
            min_gas_price: "0.025".into(),
        }
    }
}

impl AuthParams {
    /// `min_gas_price` scaled by 10^6 (exact).
    pub fn min_gas_price_micro(&self) -> Result<u128, AppError> {
        parse_decimal_micro(&self.min_gas_price)
    }

    /// The minimum fee (uakt) for `gas_limit`, rounded up.
    pub fn min_fee(&self, gas_limit: u64) -> Result<u128, AppError> {
        let p = self.min_gas_price_micro()?;
        let fee = p.checked_mul(u128::from(gas_limit)).ok_or_else(|| {
            AppError::InsufficientFee(format!(
                "minimum fee for gas {gas_limit} at {} overflows",
                self.min_gas_price
            ))
        })?;
        Ok(fee.div_ceil(1_000_000))
    }

    /// Checks ranges.
    pub fn validate(&self) -> Vec<String> {
        let mut e = Vec::new();
        if self.max_memo_characters == 0 {
            e.push("auth.params.max_memo_characters must be positive".into());
        }
        if let Err(err) = self.min_gas_price_micro() {
            e.push(format!("auth.params.min_gas_price: {err}"));
        }
        e
    }
}

/// Parses a non-negative decimal with at most 6 fractional digits into micro units.
pub fn parse_decimal_micro(s: &str) -> Result<u128, AppError> {
    let bad = || AppError::InvalidRequest(format!("invalid decimal {s:?} (max 6 decimals)"));
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() || frac.len() > 6 || !int.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let i: u128 = int.parse().map_err(|_| bad())?;
    let f: u128 =
        if frac.is_empty() { 0 } else { format!("{frac:0<6}").parse().map_err(|_| bad())? };
    i.checked_mul(1_000_000).and_then(|v| v.checked_add(f)).ok_or_else(bad)
}

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

fn account_key(addr: &AccAddress) -> Vec<u8> {
    let b = addr.as_bytes();
    let mut k = Vec::with_capacity(2 + b.len());
    k.push(0x01);
    k.push(b.len() as u8);
    k.extend_from_slice(b);
    k
}

const NEXT_ACCOUNT_NUMBER: &[u8] = b"\x02next_acc";

/// Stored form of an account (the address is the key): version byte 1, account number
/// (u64 BE), sequence (u64 BE), pubkey (len u8 + bytes), module name (len u8 + bytes).
/// Binary rather than JSON because it is read and written by every tx.
fn encode_account(acc: &Account) -> Result<Vec<u8>, AppError> {
    let pk = match &acc.pub_key {
        Some(h) => {
            hex::decode(h).map_err(|_| AppError::InvalidPubKey("pubkey is not hex".into()))?
        }
        None => Vec::new(),
    };
    let module = acc.module.as_deref().unwrap_or("").as_bytes();
    if pk.len() > 255 || module.len() > 255 {
        return Err(AppError::InvalidRequest("account field too long".into()));
    }
    let mut v = Vec::with_capacity(19 + pk.len() + module.len());
    v.push(1);
    v.extend_from_slice(&acc.account_number.to_be_bytes());
    v.extend_from_slice(&acc.sequence.to_be_bytes());
    v.push(pk.len() as u8);
    v.extend_from_slice(&pk);
    v.push(module.len() as u8);
    v.extend_from_slice(module);
    Ok(v)
}

fn decode_account(address: &AccAddress, b: &[u8]) -> Result<Account, AppError> {
    let bad = || AppError::ChainState(format!("corrupt account record for {address}"));
    if b.len() < 19 || b[0] != 1 {
        return Err(bad());
    }
    let num = u64::from_be_bytes(b[1..9].try_into().map_err(|_| bad())?);
    let seq = u64::from_be_bytes(b[9..17].try_into().map_err(|_| bad())?);
    let pk_len = b[17] as usize;
    let pk = b.get(18..18 + pk_len).ok_or_else(bad)?;
    let m_len = *b.get(18 + pk_len).ok_or_else(bad)? as usize;
    let m = b.get(19 + pk_len..19 + pk_len + m_len).ok_or_else(bad)?;
    Ok(Account {
        address: address.clone(),
        account_number: num,
        sequence: seq,
        pub_key: (!pk.is_empty()).then(|| hex::encode(pk)),
        module: if m.is_empty() {
            None
        } else {
            Some(String::from_utf8(m.to_vec()).map_err(|_| bad())?)
        },
    })
}

fn address_from_key(k: &[u8]) -> Result<AccAddress, AppError> {
    AccAddress::from_bytes(k.get(2..).unwrap_or_default())
        .map_err(|e| AppError::ChainState(format!("corrupt account key: {e}")))
}

/// Reads an account.
pub fn get_account(state: &dyn StateRead, addr: &AccAddress) -> Result<Option<Account>, AppError> {
    match state.get(&account_key(addr))? {
        Some(b) => decode_account(addr, &b).map(Some),
        None => Ok(None),
    }
}

/// Writes an account.
pub fn set_account(state: &mut dyn StateWrite, acc: &Account) -> Result<(), AppError> {
    state.put(account_key(&acc.address), encode_account(acc)?);
    Ok(())
}

/// Creates the account if it does not exist yet; returns it.
pub fn ensure_account(state: &mut dyn StateWrite, addr: &AccAddress) -> Result<Account, AppError> {
    if let Some(a) = get_account(state, addr)? {
        return Ok(a);
    }
    let n = next_account_number(state)?;
    let acc = Account {
        address: addr.clone(),
        account_number: n,
        sequence: 0,
        pub_key: None,
        module: None,
    };
    state.put(NEXT_ACCOUNT_NUMBER.to_vec(), (n + 1).to_be_bytes().to_vec());
    set_account(state, &acc)?;
    Ok(acc)
}

fn next_account_number(state: &dyn StateRead) -> Result<u64, AppError> {
    Ok(match state.get(NEXT_ACCOUNT_NUMBER)? {
        Some(b) => u64::from_be_bytes(
            b.try_into().map_err(|_| AppError::ChainState("corrupt next account number".into()))?,
        ),
        None => 0,
    })
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

/// Params.
pub fn params(state: &dyn StateRead) -> Result<AuthParams, AppError> {
    get_params(state, NAME)
}

/// Writes genesis state.
pub fn init_genesis(state: &mut dyn StateWrite, g: &AuthGenesis) -> Result<(), AppError> {
    set_params(state, NAME, &g.params)?;
    for (name, _) in MODULE_ACCOUNTS {
        let mut acc = ensure_account(state, &module_address(name))?;
        acc.module = Some((*name).to_string());
        set_account(state, &acc)?;
    }
    for a in &g.accounts {
        let addr: AccAddress =
            a.address.parse().map_err(|e| AppError::InvalidAddress(format!("{e}")))?;
        ensure_account(state, &addr)?;
    }
    Ok(())
}

/// Lists accounts, ordered by key, paginated.
pub fn list_accounts(
    state: &dyn StateRead,
    start_after: Option<&AccAddress>,
    limit: usize,
) -> Result<Vec<Account>, AppError> {
    let after = start_after.map(account_key);
    state
        .prefix_range(&[0x01], after.as_deref(), limit)?
        .into_iter()
        .map(|(k, v)| decode_account(&address_from_key(&k)?, &v))
        .collect()
}

/// Invariant: account numbers are unique and below the next account number.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    let next = next_account_number(state)?;
    let mut seen = std::collections::BTreeSet::new();
    let mut after: Option<Vec<u8>> = None;
    loop {
        let page = state.prefix_range(&[0x01], after.as_deref(), 1000)?;
        for (k, v) in &page {
            let acc = decode_account(&address_from_key(k)?, v)
                .map_err(|e| AppError::Invariant(format!("undecodable account: {e}")))?;
            if acc.account_number >= next || !seen.insert(acc.account_number) {
                return Err(AppError::Invariant(format!(
                    "account {} has number {} (next {next}, duplicate: {})",
                    acc.address,
                    acc.account_number,
                    acc.account_number < next
                )));
            }
            after = Some(k.clone());
        }
        if page.len() < 1000 {
            return Ok(());
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals() {
        assert_eq!(parse_decimal_micro("0.025").unwrap(), 25_000);
        assert_eq!(parse_decimal_micro("1").unwrap(), 1_000_000);
        assert!(parse_decimal_micro("0.0000001").is_err());
        assert!(parse_decimal_micro("-1").is_err());
        assert!(parse_decimal_micro("1e3").is_err());
        let p = AuthParams::default();
        assert_eq!(p.min_fee(200_000).unwrap(), 5000);
        assert_eq!(p.min_fee(1).unwrap(), 1);
    }
}
