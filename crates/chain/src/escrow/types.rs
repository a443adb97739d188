//! Escrow's records (accounts with their ordered deposits, payments), their state enums,
//! the pure helpers over them, and the decimal text helpers other crates import from here
//! (thin wrappers over [`dcloud_types::Dec`]). Plain data: no store access.

use dcloud_types::{AccAddress, Dec};
use serde::{Deserialize, Serialize};

/// 10^18: one micro-unit in atto-units (the shared [`dcloud_types::ATTO`]).
pub use dcloud_types::ATTO;

/// The module name.
pub const NAME: &str = "escrow";

/// The escrow module account.
pub const MODULE_ACCOUNT: &str = "escrow";

/// The community pool module account (receives the take).
pub const COMMUNITY_POOL: &str = "community_pool";

/// Account state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountState {
    /// Holding funds.
    Open,
    /// Closed; everything paid out or refunded.
    Closed,
}

/// Where a deposit's funds came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DepositSource {
    /// The depositor's own balance.
    Balance,
    /// A deposit authorization (authz grant) the granter gave the signer.
    Grant,
}

/// One deposit's unspent part, refunded to `owner` when the account closes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Depositor {
    /// Whose funds they are: the signer for a balance deposit, the granter for a grant.
    pub owner: AccAddress,
    /// Height of the deposit.
    pub height: u64,
    /// Where the funds came from.
    pub source: DepositSource,
    /// For a grant: the grantee whose grant paid (the refund restores that grant's limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grantee: Option<AccAddress>,
    /// Unspent (micro-units).
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub balance: u128,
}

/// An escrow account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Human-readable id (`deployment/<owner>/<dseq>`, `bid/<owner>/<dseq>/<gseq>/<oseq>/<provider>`).
    pub id: String,
    /// Who deposited (refunds go there).
    pub owner: AccAddress,
    /// The single denom it holds.
    pub denom: String,
    /// State.
    pub state: AccountState,
    /// Unsettled funds (micro-units).
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub balance: u128,
    /// Total deposited.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub deposited: u128,
    /// Total moved to payments.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub transferred: u128,
    /// Total refunded to the owner.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub refunded: u128,
    /// Height of the last settlement.
    pub settled_at: u64,
    /// Sum of the open payments' rates (atto-units per block).
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub rate_atto: u128,
    /// Last height the funds cover (None when nothing is paid from it).
    pub exhausted_at: Option<u64>,
    /// Height at which the low-funds warning fires (if still ahead).
    pub warn_at: Option<u64>,
    /// Unspent deposits, oldest first (Σ balances = `balance` while open; empty once closed).
    #[serde(default)]
    pub deposits: Vec<Depositor>,
    /// AKT fallback funds (uakt) of a uact account: used only while the BME is halted.
    #[serde(default, skip_serializing_if = "is_zero", with = "dcloud_types::coin::amount_str")]
    pub akt_balance: u128,
    /// Total uakt deposited as fallback.
    #[serde(default, skip_serializing_if = "is_zero", with = "dcloud_types::coin::amount_str")]
    pub akt_deposited: u128,
    /// Total uakt paid out of the fallback (to providers and the take).
    #[serde(default, skip_serializing_if = "is_zero", with = "dcloud_types::coin::amount_str")]
    pub akt_paid: u128,
    /// Total uakt refunded to the owner.
    #[serde(default, skip_serializing_if = "is_zero", with = "dcloud_types::coin::amount_str")]
    pub akt_refunded: u128,
    /// Owed to payments but unpaid (micro-units of `denom`): the account is overdrawn and
    /// closes at the end of the block.
    #[serde(default, skip_serializing_if = "is_zero", with = "dcloud_types::coin::amount_str")]
    pub unsettled: u128,
}

/// Spends `amount` from the deposits, oldest first.
#[cfg_attr(not(feature = "state"), allow(dead_code))]
pub(crate) fn consume(deposits: &mut Vec<Depositor>, mut amount: u128) {
    let mut spent = 0;
    for d in deposits.iter_mut() {
        if amount == 0 {
            break;
        }
        let take = d.balance.min(amount);
        d.balance -= take;
        amount -= take;
        if d.balance == 0 {
            spent += 1;
        }
    }
    deposits.drain(..spent);
}

pub(crate) fn is_zero(v: &u128) -> bool {
    *v == 0
}

/// A payment from an account to a provider for one lease.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// The payee.
    pub provider: AccAddress,
    /// Rate in atto-units per block.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub rate_atto: u128,
    /// Sub-micro remainder carried between settlements (< 10^18).
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub remainder_atto: u128,
    /// Earned, not yet withdrawn (micro-units, held by the escrow module).
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub balance: u128,
    /// Total withdrawn (before take).
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub withdrawn: u128,
    /// uakt paid to the provider from the account's AKT fallback (before take).
    #[serde(default, skip_serializing_if = "is_zero", with = "dcloud_types::coin::amount_str")]
    pub akt_paid: u128,
}

/// What `n` blocks of the given payments cost in total (micro-units), exactly.
#[cfg_attr(not(feature = "state"), allow(dead_code))]
pub(crate) fn cost(pays: &[(Vec<u8>, Payment)], n: u64) -> u128 {
    let mut total: u128 = 0;
    for (_, p) in pays {
        let x = p.rate_atto.saturating_mul(u128::from(n)).saturating_add(p.remainder_atto);
        total = total.saturating_add(x / ATTO);
    }
    total
}

/// Blocks an account can still pay for after `now` (None: never runs out / nothing to pay).
pub fn blocks_remaining(a: &Account, now: u64) -> Option<u64> {
    a.exhausted_at.map(|h| h.saturating_sub(now))
}

/// Parses a decimal string with up to 18 decimals into atto-units (`"0.5"` → 5·10^17): the
/// [`Dec`] parser, its error as text.
pub fn parse_dec18(s: &str) -> Result<u128, String> {
    s.parse::<Dec>().map(Dec::atomics).map_err(|e| e.to_string())
}

/// Formats atto-units as a decimal string with 18 decimals (the [`Dec`] text).
pub fn fmt_dec18(v: u128) -> String {
    Dec::from_atomics(v).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_parse_exactly() {
        assert_eq!(parse_dec18("1").unwrap(), ATTO);
        assert_eq!(parse_dec18("0.5").unwrap(), ATTO / 2);
        assert_eq!(parse_dec18("0.000000000000000001").unwrap(), 1);
        assert!(parse_dec18("0.0000000000000000001").is_err());
        assert!(parse_dec18("-1").is_err());
        assert!(parse_dec18("1e3").is_err());
        assert!(parse_dec18("").is_err());
        assert!(parse_dec18("1.").is_err());
        assert_eq!(fmt_dec18(ATTO + 5), "1.000000000000000005");
        assert_eq!(
            parse_dec18("1.").unwrap_err(),
            "malformed decimal \"1.\" (digits with at most 18 decimals)"
        );
        assert_eq!(parse_dec18("").unwrap_err(), "malformed decimal \"\"");
        assert_eq!(
            parse_dec18("9".repeat(40).as_str()).unwrap_err(),
            format!("decimal \"{}\" too large", "9".repeat(40))
        );
    }
}
