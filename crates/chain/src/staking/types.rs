//! The staking module's records (validators, delegations, unbonding and redelegation
//! entries), its names and constants, and the operator / consensus address forms.

use base64::Engine;
use dcloud_proto::VALOPER_PREFIX;
use dcloud_types::AccAddress;
use serde::{Deserialize, Serialize};

use super::StakingError;
use crate::dec::{dec_str, mul_div_floor, ATTO};
use crate::AppError;

/// The module name.
pub const NAME: &str = "staking";
/// Module account of bonded validators' tokens.
pub const BONDED_POOL: &str = "bonded_tokens_pool";
/// Module account of unbonding / unbonded tokens.
pub const NOT_BONDED_POOL: &str = "not_bonded_tokens_pool";
/// Tokens per unit of consensus power (1 AKT).
pub const POWER_REDUCTION: u128 = 1_000_000;
/// Minimum time between two commission changes (24 h of block time).
pub const COMMISSION_CHANGE_INTERVAL_MS: u64 = 24 * 3600 * 1000;

/// Where a validator's tokens are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BondStatus {
    /// In the active set; tokens in the bonded pool.
    Bonded,
    /// Left the active set less than `unbonding_time` ago; tokens in the not-bonded pool.
    Unbonding,
    /// Not in the active set; tokens in the not-bonded pool.
    Unbonded,
}

/// A validator's commission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commission {
    /// Current rate.
    #[serde(with = "dec_str")]
    pub rate: u128,
    /// Ceiling, fixed at creation.
    #[serde(with = "dec_str")]
    pub max_rate: u128,
    /// Largest change per 24 h, fixed at creation.
    #[serde(with = "dec_str")]
    pub max_change_rate: u128,
    /// Block time of the last change (ms).
    pub update_time_ms: u64,
}

/// A validator's description.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Description {
    /// Name.
    pub moniker: String,
    /// Identity (e.g. keybase).
    #[serde(default)]
    pub identity: String,
    /// Website.
    #[serde(default)]
    pub website: String,
    /// Security contact.
    #[serde(default)]
    pub security_contact: String,
    /// Details.
    #[serde(default)]
    pub details: String,
}

/// A validator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validator {
    /// Operator address (`akashvaloper…`).
    pub operator_address: String,
    /// The operator's account.
    pub account: AccAddress,
    /// ed25519 consensus key, base64.
    pub consensus_pubkey: String,
    /// Consensus address: hex of the first 20 bytes of SHA-256(pubkey).
    pub consensus_address: String,
    /// Jailed validators cannot be in the active set (set by slashing).
    pub jailed: bool,
    /// Bond status.
    pub status: BondStatus,
    /// Tokens delegated to it.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub tokens: u128,
    /// Total shares issued.
    #[serde(with = "dec_str")]
    pub delegator_shares: u128,
    /// Description.
    pub description: Description,
    /// Commission.
    pub commission: Commission,
    /// The operator's self-delegation may not fall below this (else the validator is jailed).
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub min_self_delegation: u128,
    /// Height it started unbonding.
    pub unbonding_height: u64,
    /// Block time (ms) its unbonding completes.
    pub unbonding_time_ms: u64,
}

impl Validator {
    /// Consensus power (tokens / 10^6).
    pub fn power(&self) -> u64 {
        u64::try_from(self.tokens / POWER_REDUCTION).unwrap_or(u64::MAX)
    }

    /// Tokens that `shares` are worth, rounded down.
    pub fn tokens_from_shares(&self, shares: u128) -> Result<u128, AppError> {
        if self.delegator_shares == 0 {
            return Ok(0);
        }
        mul_div_floor(shares, self.tokens, self.delegator_shares)
    }

    #[cfg_attr(not(feature = "state"), allow(dead_code))]
    pub(crate) fn shares_for_new_tokens(&self, amount: u128) -> Result<u128, AppError> {
        if self.delegator_shares == 0 {
            if self.tokens != 0 {
                return Err(StakingError::InvalidStaking(format!(
                    "validator {} has tokens but no shares",
                    self.operator_address
                ))
                .into());
            }
            return amount.checked_mul(ATTO).ok_or_else(|| {
                StakingError::InvalidStaking(format!("delegation of {amount} is too large")).into()
            });
        }
        if self.tokens == 0 {
            return Err(StakingError::InvalidStaking(format!(
                "validator {} has shares but no tokens",
                self.operator_address
            ))
            .into());
        }
        mul_div_floor(amount, self.delegator_shares, self.tokens)
    }
}

/// A delegation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delegation {
    /// Delegator.
    pub delegator: AccAddress,
    /// Validator operator (`akashvaloper…`).
    pub validator: String,
    /// Shares.
    #[serde(with = "dec_str")]
    pub shares: u128,
}

/// One unbonding entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnbondingEntry {
    /// Height it was created.
    pub creation_height: u64,
    /// Block time (ms) it completes.
    pub completion_time_ms: u64,
    /// Tokens at creation.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub initial_balance: u128,
    /// Tokens to pay out (slashing may reduce it).
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub balance: u128,
}

/// The unbonding entries of one (delegator, validator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnbondingDelegation {
    /// Delegator.
    pub delegator: AccAddress,
    /// Validator operator.
    pub validator: String,
    /// Entries, oldest first.
    pub entries: Vec<UnbondingEntry>,
}

/// One redelegation entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedelegationEntry {
    /// Height it was created.
    pub creation_height: u64,
    /// Block time (ms) it matures.
    pub completion_time_ms: u64,
    /// Tokens moved.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub initial_balance: u128,
    /// Shares created at the destination.
    #[serde(with = "dec_str")]
    pub shares_dst: u128,
}

/// The maturing redelegations of one (delegator, src, dst).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redelegation {
    /// Delegator.
    pub delegator: AccAddress,
    /// Source operator.
    pub validator_src: String,
    /// Destination operator.
    pub validator_dst: String,
    /// Entries, oldest first.
    pub entries: Vec<RedelegationEntry>,
}

/// The `akashvaloper…` form of an operator account.
pub fn valoper(a: &AccAddress) -> String {
    a.to_bech32_with_prefix(VALOPER_PREFIX)
}

/// Parses an operator address (`akashvaloper…`), as messages carry it.
pub fn parse_valoper(s: &str, field: &str) -> Result<AccAddress, AppError> {
    AccAddress::from_bech32_with_prefix(s, VALOPER_PREFIX)
        .map_err(|e| AppError::InvalidAddress(format!("{field}: {e}")))
}

/// Parses an operator given either as `akashvaloper…` or as its `akash…` account.
pub fn parse_operator_any(s: &str) -> Result<AccAddress, AppError> {
    if s.starts_with(VALOPER_PREFIX) {
        parse_valoper(s, "validator")
    } else {
        s.parse().map_err(|e| AppError::InvalidAddress(format!("validator: {e}")))
    }
}

pub(crate) fn decode_pubkey(b64: &str) -> Result<Vec<u8>, String> {
    match base64::engine::general_purpose::STANDARD.decode(b64) {
        Ok(pk) if pk.len() == 32 => Ok(pk),
        _ => Err("must be a base64 ed25519 key (32 bytes)".into()),
    }
}

/// The consensus address (hex upper) of an ed25519 key.
pub fn consensus_address(pk: &[u8]) -> String {
    hex::encode_upper(&dcloud_types::sha256(pk)[..20])
}

/// One delegation with its current worth.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DelegationView {
    /// The delegation.
    pub delegation: super::Delegation,
    /// Its tokens now (rounded down).
    pub balance: dcloud_types::Coin,
}

/// The `/staking/delegations` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DelegationsView {
    /// Delegations.
    pub delegations: Vec<DelegationView>,
    /// Unbonding delegations.
    pub unbonding: Vec<super::UnbondingDelegation>,
    /// Maturing redelegations.
    pub redelegations: Vec<super::Redelegation>,
}

/// The `/staking/pool` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PoolView {
    /// Tokens of bonded validators.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub bonded_tokens: u128,
    /// Tokens of the other validators and of unbonding entries.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub not_bonded_tokens: u128,
}
