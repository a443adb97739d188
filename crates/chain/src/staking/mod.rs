//! Staking (Cosmos `x/staking`): validators with commission and an ed25519 consensus key,
//! shares-based delegations, unbonding and redelegation queues ordered by block time, the
//! active set (top `max_validators` by bonded tokens, not jailed) and the validator-set
//! updates handed to consensus.
//!
//! Staking is enabled by `app_state.staking` in genesis (a proof-of-stake chain). Without
//! it the chain runs with the fixed genesis validator set (proof of authority): staking
//! messages are refused, and mint and distribution stay idle.
//!
//! Tokens: a bonded validator's tokens sit in the `bonded_tokens_pool` module account;
//! unbonding and unbonded validators' tokens and every unbonding entry's balance in
//! `not_bonded_tokens_pool`. Status changes move the tokens between the pools, so the
//! supply is exact.
//!
//! Shares are 18-decimal fixed point: a delegation of `a` tokens to a validator with
//! tokens `T` and shares `S` gets `floor(a × S / T)` shares (1:1 for an empty validator);
//! unbonding `s` shares returns `floor(s × T / S)` tokens (all tokens with the last share).
//! Rounding always favours the validator's remaining delegators.
//!
//! Slashing calls [`jail`] / [`unjail`] and [`slash`] (token slashing, burning from the
//! pools; unbonding and redelegation entries created at or after the infraction height
//! are slashed first, as the SDK does); distribution is called
//! before and after every delegation change, as the SDK's hooks do.
//!
//! Layout (`len` = one byte address length; times are big-endian ms):
//! * `0x50 ‖ len ‖ operator` → validator;
//! * `0x51 ‖ consensus address (hex)` → operator;
//! * `0x52 ‖ len ‖ delegator ‖ len ‖ validator` → delegation;
//! * `0x53 ‖ len ‖ delegator ‖ len ‖ validator` → unbonding delegation (entries);
//! * `0x54 ‖ time ‖ len ‖ delegator ‖ len ‖ validator` → unbonding queue;
//! * `0x55 ‖ len ‖ delegator ‖ len ‖ src ‖ len ‖ dst` → redelegation (entries);
//! * `0x56 ‖ time ‖ len ‖ delegator ‖ len ‖ src ‖ len ‖ dst` → redelegation queue;
//! * `0x57 ‖ time ‖ len ‖ operator` → validator unbonding queue;
//! * `0x58` → the last active set (operator, power);
//! * `0x59` → Σ tokens burned by slashing.

mod module;
pub mod query;
pub use module::StakingModule;

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine;
use dcloud_proto::cosmos::cosmos::base::v1beta1::Coin as ProtoCoin;
use dcloud_proto::{Msg, VALOPER_PREFIX};
use dcloud_store::{StateRead, StateWrite};
use dcloud_types::{AccAddress, Coin, Coins, Event, DENOM_AKT};
use serde::{Deserialize, Serialize};

use super::dec::{
    self, dec_str, get_json, lp, mul_div_ceil, mul_div_floor, parse_rate, put_json, scan, ATTO,
};
use super::{auth, bank, consensus, distribution, get_params, set_params, BlockCtx};
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

const VALIDATOR: u8 = 0x50;
const BY_CONS: u8 = 0x51;
const DELEGATION: u8 = 0x52;
const UNBONDING: u8 = 0x53;
const UNBONDING_QUEUE: u8 = 0x54;
const REDELEGATION: u8 = 0x55;
const REDELEGATION_QUEUE: u8 = 0x56;
const VALIDATOR_QUEUE: u8 = 0x57;
const LAST_POWERS: &[u8] = &[0x58];
const SLASHED_TOTAL: &[u8] = &[0x59];

/// Staking parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StakingParams {
    /// How long unbonding takes, in ms of block time (default 14 days, Akash).
    pub unbonding_time_ms: u64,
    /// Size of the active set.
    pub max_validators: u32,
    /// Maximum unbonding entries per (delegator, validator), and redelegation entries per
    /// (delegator, src, dst).
    pub max_entries: u32,
    /// The staking denom.
    pub bond_denom: String,
    /// Minimum commission rate of every validator (Akash: 5%).
    #[serde(with = "dec_str")]
    pub min_commission_rate: u128,
}

impl Default for StakingParams {
    fn default() -> Self {
        Self {
            unbonding_time_ms: 14 * 24 * 3600 * 1000,
            max_validators: 100,
            max_entries: 7,
            bond_denom: DENOM_AKT.into(),
            min_commission_rate: ATTO / 20,
        }
    }
}

impl StakingParams {
    /// Every problem, prefixed with `at`.
    pub fn validate(&self, at: &str) -> Vec<String> {
        let mut e = Vec::new();
        if self.unbonding_time_ms == 0 {
            e.push(format!("{at}.unbonding_time_ms must be positive"));
        }
        if self.max_validators == 0 {
            e.push(format!("{at}.max_validators must be positive"));
        }
        if self.max_entries == 0 {
            e.push(format!("{at}.max_entries must be positive"));
        }
        if self.bond_denom != DENOM_AKT {
            e.push(format!("{at}.bond_denom must be {DENOM_AKT}"));
        }
        if self.min_commission_rate > ATTO {
            e.push(format!("{at}.min_commission_rate must be at most 1"));
        }
        e
    }
}

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

    fn shares_for_new_tokens(&self, amount: u128) -> Result<u128, AppError> {
        if self.delegator_shares == 0 {
            if self.tokens != 0 {
                return Err(AppError::InvalidStaking(format!(
                    "validator {} has tokens but no shares",
                    self.operator_address
                )));
            }
            return amount.checked_mul(ATTO).ok_or_else(|| {
                AppError::InvalidStaking(format!("delegation of {amount} is too large"))
            });
        }
        if self.tokens == 0 {
            return Err(AppError::InvalidStaking(format!(
                "validator {} has shares but no tokens",
                self.operator_address
            )));
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

// ---------------------------------------------------------------------------------------
// Addresses and keys.

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

fn decode_pubkey(b64: &str) -> Result<Vec<u8>, String> {
    match base64::engine::general_purpose::STANDARD.decode(b64) {
        Ok(pk) if pk.len() == 32 => Ok(pk),
        _ => Err("must be a base64 ed25519 key (32 bytes)".into()),
    }
}

/// The consensus address (hex upper) of an ed25519 key.
pub fn consensus_address(pk: &[u8]) -> String {
    hex::encode_upper(&dcloud_types::sha256(pk)[..20])
}

fn validator_key(op: &AccAddress) -> Vec<u8> {
    let mut k = vec![VALIDATOR];
    k.extend(lp(op.as_bytes()));
    k
}

fn cons_key(cons: &str) -> Vec<u8> {
    let mut k = vec![BY_CONS];
    k.extend_from_slice(cons.to_uppercase().as_bytes());
    k
}

fn pair(a: &AccAddress, b: &AccAddress) -> Vec<u8> {
    let mut k = lp(a.as_bytes());
    k.extend(lp(b.as_bytes()));
    k
}

fn delegation_key(del: &AccAddress, val: &AccAddress) -> Vec<u8> {
    let mut k = vec![DELEGATION];
    k.extend(pair(del, val));
    k
}

fn unbonding_key(del: &AccAddress, val: &AccAddress) -> Vec<u8> {
    let mut k = vec![UNBONDING];
    k.extend(pair(del, val));
    k
}

fn redelegation_key(del: &AccAddress, src: &AccAddress, dst: &AccAddress) -> Vec<u8> {
    let mut k = vec![REDELEGATION];
    k.extend(pair(del, src));
    k.extend(lp(dst.as_bytes()));
    k
}

fn queue_key(prefix: u8, time_ms: u64, rest: &[u8]) -> Vec<u8> {
    let mut k = vec![prefix];
    k.extend_from_slice(&time_ms.to_be_bytes());
    k.extend_from_slice(rest);
    k
}

fn addr_at(k: &[u8], pos: usize) -> Result<(AccAddress, usize), AppError> {
    let len = *k.get(pos).ok_or_else(|| AppError::ChainState("short staking key".into()))?;
    let end = pos + 1 + len as usize;
    let b = k.get(pos + 1..end).ok_or_else(|| AppError::ChainState("short staking key".into()))?;
    let a = AccAddress::from_bytes(b)
        .map_err(|e| AppError::ChainState(format!("bad address in staking key: {e}")))?;
    Ok((a, end))
}

// ---------------------------------------------------------------------------------------
// Reads and writes.

/// Whether staking is enabled (genesis had `app_state.staking`).
pub fn enabled(state: &dyn StateRead) -> Result<bool, AppError> {
    Ok(state.get(&super::params_key(NAME))?.is_some())
}

fn require_enabled(state: &dyn StateRead) -> Result<(), AppError> {
    if enabled(state)? {
        Ok(())
    } else {
        Err(AppError::StakingDisabled(
            "this chain runs a fixed validator set (no app_state.staking in genesis)".into(),
        ))
    }
}

/// The params.
pub fn params(state: &dyn StateRead) -> Result<StakingParams, AppError> {
    get_params(state, NAME)
}

/// A validator by operator.
pub fn get_validator(
    state: &dyn StateRead,
    op: &AccAddress,
) -> Result<Option<Validator>, AppError> {
    get_json(state, &validator_key(op), "validator")
}

fn must_validator(state: &dyn StateRead, op: &AccAddress) -> Result<Validator, AppError> {
    get_validator(state, op)?.ok_or_else(|| AppError::ValidatorNotFound(valoper(op)))
}

fn set_validator(state: &mut dyn StateWrite, v: &Validator) -> Result<(), AppError> {
    put_json(state, validator_key(&v.account), v)
}

/// A validator by consensus address (hex).
pub fn validator_by_consensus(
    state: &dyn StateRead,
    cons: &str,
) -> Result<Option<Validator>, AppError> {
    match state.get(&cons_key(cons))? {
        Some(b) => {
            let op = AccAddress::from_bytes(&b)
                .map_err(|e| AppError::ChainState(format!("consensus index: {e}")))?;
            get_validator(state, &op)
        }
        None => Ok(None),
    }
}

/// Every validator, in operator-key order.
pub fn validators(state: &dyn StateRead) -> Result<Vec<Validator>, AppError> {
    scan(state, &[VALIDATOR])?
        .into_iter()
        .map(|(_, v)| {
            serde_json::from_slice(&v)
                .map_err(|e| AppError::ChainState(format!("corrupt validator: {e}")))
        })
        .collect()
}

/// A delegation.
pub fn get_delegation(
    state: &dyn StateRead,
    del: &AccAddress,
    val: &AccAddress,
) -> Result<Option<Delegation>, AppError> {
    get_json(state, &delegation_key(del, val), "delegation")
}

/// The delegations of a delegator.
pub fn delegations_of(
    state: &dyn StateRead,
    del: &AccAddress,
) -> Result<Vec<Delegation>, AppError> {
    let mut p = vec![DELEGATION];
    p.extend(lp(del.as_bytes()));
    decode_all(scan(state, &p)?, "delegation")
}

/// Every delegation.
pub fn all_delegations(state: &dyn StateRead) -> Result<Vec<Delegation>, AppError> {
    decode_all(scan(state, &[DELEGATION])?, "delegation")
}

/// The unbonding delegations of a delegator.
pub fn unbondings_of(
    state: &dyn StateRead,
    del: &AccAddress,
) -> Result<Vec<UnbondingDelegation>, AppError> {
    let mut p = vec![UNBONDING];
    p.extend(lp(del.as_bytes()));
    decode_all(scan(state, &p)?, "unbonding delegation")
}

/// Every unbonding delegation.
pub fn all_unbondings(state: &dyn StateRead) -> Result<Vec<UnbondingDelegation>, AppError> {
    decode_all(scan(state, &[UNBONDING])?, "unbonding delegation")
}

/// The redelegations of a delegator.
pub fn redelegations_of(
    state: &dyn StateRead,
    del: &AccAddress,
) -> Result<Vec<Redelegation>, AppError> {
    let mut p = vec![REDELEGATION];
    p.extend(lp(del.as_bytes()));
    decode_all(scan(state, &p)?, "redelegation")
}

fn decode_all<T: serde::de::DeserializeOwned>(
    kvs: Vec<(Vec<u8>, Vec<u8>)>,
    what: &str,
) -> Result<Vec<T>, AppError> {
    kvs.into_iter()
        .map(|(_, v)| {
            serde_json::from_slice(&v)
                .map_err(|e| AppError::ChainState(format!("corrupt {what}: {e}")))
        })
        .collect()
}

/// The last active set: operator → power.
pub fn last_powers(state: &dyn StateRead) -> Result<BTreeMap<AccAddress, u64>, AppError> {
    let v: Option<Vec<(AccAddress, u64)>> = get_json(state, LAST_POWERS, "last powers")?;
    Ok(v.unwrap_or_default().into_iter().collect())
}

/// Tokens in the bonded pool (the mint module's bonded ratio).
pub fn bonded_tokens(state: &dyn StateRead) -> Result<u128, AppError> {
    bank::balance(state, &auth::module_address(BONDED_POOL), DENOM_AKT)
}

/// The tokens a delegation is worth now (rounded down).
pub fn delegation_tokens(
    state: &dyn StateRead,
    del: &AccAddress,
    val: &AccAddress,
) -> Result<u128, AppError> {
    match (get_delegation(state, del, val)?, get_validator(state, val)?) {
        (Some(d), Some(v)) => v.tokens_from_shares(d.shares),
        _ => Ok(0),
    }
}

fn pool_of(status: BondStatus) -> &'static str {
    match status {
        BondStatus::Bonded => BONDED_POOL,
        _ => NOT_BONDED_POOL,
    }
}

fn move_between_pools(
    state: &mut dyn StateWrite,
    from: &str,
    to: &str,
    amount: u128,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    if from == to || amount == 0 {
        return Ok(());
    }
    let coins = Coins::from_coins(vec![Coin::new(amount, DENOM_AKT)])?;
    bank::transfer(state, &auth::module_address(from), &auth::module_address(to), &coins, events)
}

fn akt(amount: u128) -> Result<Coins, AppError> {
    Ok(Coins::from_coins(vec![Coin::new(amount, DENOM_AKT)])?)
}

// ---------------------------------------------------------------------------------------
// Core operations (shared by messages and genesis).

fn check_commission(rate: u128, max: u128, change: u128, min: u128) -> Result<(), AppError> {
    if max > ATTO {
        return Err(AppError::InvalidCommission("max rate cannot exceed 1".into()));
    }
    if rate > max {
        return Err(AppError::InvalidCommission(format!(
            "commission rate {} is above the max rate {}",
            dec::fmt_dec18(rate),
            dec::fmt_dec18(max)
        )));
    }
    if change > max {
        return Err(AppError::InvalidCommission(format!(
            "max change rate {} is above the max rate {}",
            dec::fmt_dec18(change),
            dec::fmt_dec18(max)
        )));
    }
    if rate < min {
        return Err(AppError::InvalidCommission(format!(
            "commission rate {} is below the minimum commission rate {}",
            dec::fmt_dec18(rate),
            dec::fmt_dec18(min)
        )));
    }
    Ok(())
}

/// What a new validator needs.
struct NewValidator {
    operator: AccAddress,
    pubkey: Vec<u8>,
    description: Description,
    rate: u128,
    max_rate: u128,
    max_change_rate: u128,
    min_self_delegation: u128,
    self_delegation: u128,
}

fn create_validator(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    n: NewValidator,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let p = params(state)?;
    check_commission(n.rate, n.max_rate, n.max_change_rate, p.min_commission_rate)?;
    if get_validator(state, &n.operator)?.is_some() {
        return Err(AppError::ValidatorExists(format!(
            "{} already operates a validator",
            valoper(&n.operator)
        )));
    }
    let cons = consensus_address(&n.pubkey);
    if state.get(&cons_key(&cons))?.is_some() {
        return Err(AppError::ValidatorExists(format!("consensus key {cons} is already in use")));
    }
    if n.min_self_delegation == 0 {
        return Err(AppError::InvalidStaking("min self delegation must be positive".into()));
    }
    if n.self_delegation < n.min_self_delegation {
        return Err(AppError::InvalidStaking(format!(
            "self delegation {} is below the minimum self delegation {}",
            n.self_delegation, n.min_self_delegation
        )));
    }
    let v = Validator {
        operator_address: valoper(&n.operator),
        account: n.operator.clone(),
        consensus_pubkey: base64::engine::general_purpose::STANDARD.encode(&n.pubkey),
        consensus_address: cons.clone(),
        jailed: false,
        status: BondStatus::Unbonded,
        tokens: 0,
        delegator_shares: 0,
        description: n.description,
        commission: Commission {
            rate: n.rate,
            max_rate: n.max_rate,
            max_change_rate: n.max_change_rate,
            update_time_ms: ctx.time_ms,
        },
        min_self_delegation: n.min_self_delegation,
        unbonding_height: 0,
        unbonding_time_ms: 0,
    };
    set_validator(state, &v)?;
    state.put(cons_key(&cons), n.operator.as_bytes().to_vec());
    distribution::after_validator_created(state, &n.operator)?;
    events.push(
        Event::new("create_validator")
            .attr("validator", &v.operator_address)
            .attr("amount", format!("{}{DENOM_AKT}", n.self_delegation)),
    );
    delegate(state, ctx, &n.operator, &n.operator, n.self_delegation, Source::Account, events)?;
    Ok(())
}

/// Where delegated tokens come from.
#[derive(Clone, Copy)]
enum Source {
    /// The delegator's balance.
    Account,
    /// A pool (redelegation): the tokens are already in this pool.
    Pool(&'static str),
}

fn delegate(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    del: &AccAddress,
    val: &AccAddress,
    amount: u128,
    source: Source,
    events: &mut Vec<Event>,
) -> Result<u128, AppError> {
    let mut v = must_validator(state, val)?;
    let existing = get_delegation(state, del, val)?;
    if existing.is_some() {
        distribution::before_delegation_shares_modified(state, ctx, del, val, events)?;
    } else {
        distribution::before_delegation_created(state, val)?;
    }
    let to_pool = pool_of(v.status);
    match source {
        Source::Account => {
            let have = bank::balance(state, del, DENOM_AKT)?;
            if have < amount {
                return Err(AppError::InsufficientFunds(format!(
                    "{del} has {have}{DENOM_AKT} but delegates {amount}{DENOM_AKT}"
                )));
            }
            bank::transfer(state, del, &auth::module_address(to_pool), &akt(amount)?, events)?;
        }
        Source::Pool(from) => move_between_pools(state, from, to_pool, amount, events)?,
    }
    let shares = v.shares_for_new_tokens(amount)?;
    v.tokens = dec::add(v.tokens, amount)?;
    v.delegator_shares = dec::add(v.delegator_shares, shares)?;
    set_validator(state, &v)?;
    let mut d = existing.unwrap_or_else(|| Delegation {
        delegator: del.clone(),
        validator: v.operator_address.clone(),
        shares: 0,
    });
    d.shares = dec::add(d.shares, shares)?;
    put_json(state, delegation_key(del, val), &d)?;
    distribution::after_delegation_modified(state, ctx, del, val)?;
    events.push(
        Event::new("delegate")
            .attr("validator", &v.operator_address)
            .attr("delegator", del)
            .attr("amount", format!("{amount}{DENOM_AKT}"))
            .attr("new_shares", dec::fmt_dec18(shares)),
    );
    Ok(shares)
}

/// The shares to remove for `amount` tokens of a delegation: rounded up, capped at the
/// whole delegation when `amount` is what it is worth.
fn shares_for_amount(v: &Validator, d: &Delegation, amount: u128) -> Result<u128, AppError> {
    if v.tokens == 0 {
        return Err(AppError::InvalidStaking(format!(
            "validator {} has no tokens",
            v.operator_address
        )));
    }
    let floor = mul_div_floor(amount, v.delegator_shares, v.tokens)?;
    if floor > d.shares || amount > v.tokens_from_shares(d.shares)? {
        return Err(AppError::InsufficientShares(format!(
            "{} delegates {}{DENOM_AKT} to {}, cannot take {amount}{DENOM_AKT}",
            d.delegator,
            v.tokens_from_shares(d.shares)?,
            v.operator_address
        )));
    }
    Ok(mul_div_ceil(amount, v.delegator_shares, v.tokens)?.min(d.shares))
}

/// Removes `shares` of a delegation; returns the tokens they were worth (the tokens stay in
/// the validator's pool; callers move them).
fn unbond(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    del: &AccAddress,
    val: &AccAddress,
    shares: u128,
    events: &mut Vec<Event>,
) -> Result<u128, AppError> {
    let d = get_delegation(state, del, val)?.ok_or_else(|| {
        AppError::DelegationNotFound(format!("{del} has no delegation to {}", valoper(val)))
    })?;
    if shares == 0 || shares > d.shares {
        return Err(AppError::InsufficientShares(format!(
            "cannot unbond {} of {} shares",
            dec::fmt_dec18(shares),
            dec::fmt_dec18(d.shares)
        )));
    }
    distribution::before_delegation_shares_modified(state, ctx, del, val, events)?;
    let mut v = must_validator(state, val)?;
    let left = d.shares - shares;
    let tokens =
        if shares == v.delegator_shares { v.tokens } else { v.tokens_from_shares(shares)? };
    v.tokens = dec::sub(v.tokens, tokens, "validator tokens")?;
    v.delegator_shares = dec::sub(v.delegator_shares, shares, "validator shares")?;
    if left == 0 {
        state.delete(delegation_key(del, val));
    } else {
        put_json(state, delegation_key(del, val), &Delegation { shares: left, ..d })?;
    }
    // An operator whose self-delegation falls below its minimum is jailed (as the SDK).
    if del == val && !v.jailed && v.tokens_from_shares(left)? < v.min_self_delegation {
        v.jailed = true;
        events.push(
            Event::new("jail")
                .attr("validator", &v.operator_address)
                .attr("reason", "self delegation below minimum"),
        );
    }
    if v.delegator_shares == 0 && v.status == BondStatus::Unbonded {
        remove_validator(state, &v, events)?;
    } else {
        set_validator(state, &v)?;
    }
    if left > 0 {
        distribution::after_delegation_modified(state, ctx, del, val)?;
    }
    Ok(tokens)
}

fn remove_validator(
    state: &mut dyn StateWrite,
    v: &Validator,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    if v.tokens != 0 {
        // No shares left but tokens: they belong to no one; the community pool takes them.
        move_between_pools(state, pool_of(v.status), NOT_BONDED_POOL, v.tokens, events)?;
        bank::transfer(
            state,
            &auth::module_address(NOT_BONDED_POOL),
            &auth::module_address("community_pool"),
            &akt(v.tokens)?,
            events,
        )?;
    }
    state.delete(validator_key(&v.account));
    state.delete(cons_key(&v.consensus_address));
    distribution::after_validator_removed(state, &v.account, events)?;
    events.push(Event::new("remove_validator").attr("validator", &v.operator_address));
    Ok(())
}

/// Jails a validator (for slashing): it leaves the active set at the end of the block.
pub fn jail(state: &mut dyn StateWrite, op: &AccAddress) -> Result<(), AppError> {
    let mut v = must_validator(state, op)?;
    v.jailed = true;
    set_validator(state, &v)
}

/// Unjails a validator (for slashing's `MsgUnjail`).
pub fn unjail(state: &mut dyn StateWrite, op: &AccAddress) -> Result<(), AppError> {
    let mut v = must_validator(state, op)?;
    v.jailed = false;
    set_validator(state, &v)
}

/// Σ tokens burned by slashing (for the supply accounting).
pub fn total_slashed(state: &dyn StateRead) -> Result<u128, AppError> {
    Ok(get_json::<String>(state, SLASHED_TOTAL, "slashed total")?
        .map(|s| s.parse::<u128>())
        .transpose()
        .map_err(|e| AppError::ChainState(format!("slashed total: {e}")))?
        .unwrap_or(0))
}

fn burn_slashed(
    state: &mut dyn StateWrite,
    pool: &str,
    amount: u128,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    if amount == 0 {
        return Ok(());
    }
    bank::burn(state, pool, &akt(amount)?, events)?;
    let total = dec::add(total_slashed(state)?, amount)?;
    put_json(state, SLASHED_TOTAL.to_vec(), &total.to_string())
}

/// Slashes validator `op` for an infraction at `infraction_height` when it had
/// `power_at_infraction` (Cosmos `x/staking` `Slash`): the amount is
/// `floor(fraction × power × 10^6)`; unbonding delegations and redelegations away from it
/// created at or after the infraction height (and not matured) lose `fraction` of their
/// initial balance first (unbonding entries burn from the not-bonded pool, redelegations
/// unbond the matching shares at the destination and burn them), then the rest is burned
/// from the validator's own tokens (never more than it has), after distribution recorded
/// the slash event. Unbonded or unknown validators are not slashed. Returns the tokens
/// burned; the supply falls by exactly that.
pub fn slash(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    op: &AccAddress,
    infraction_height: u64,
    power_at_infraction: u64,
    fraction: u128,
    events: &mut Vec<Event>,
) -> Result<u128, AppError> {
    if fraction > ATTO {
        return Err(AppError::InvalidStaking(format!(
            "slash fraction {} is above 1",
            dec::fmt_dec18(fraction)
        )));
    }
    if infraction_height > ctx.height {
        return Err(AppError::InvalidStaking(format!(
            "cannot slash for an infraction at future height {infraction_height} (now {})",
            ctx.height
        )));
    }
    let Some(v) = get_validator(state, op)? else { return Ok(0) };
    if v.status == BondStatus::Unbonded || fraction == 0 {
        return Ok(0);
    }
    let power_tokens = u128::from(power_at_infraction)
        .checked_mul(POWER_REDUCTION)
        .ok_or_else(|| AppError::InvalidStaking("power overflow".into()))?;
    let amount = mul_div_floor(power_tokens, fraction, ATTO)?;
    let mut remaining = amount;
    let mut burned = 0u128;
    if infraction_height < ctx.height {
        // Unbonding delegations away from the validator.
        for (k, b) in scan(state, &[UNBONDING])? {
            let mut ubd: UnbondingDelegation = serde_json::from_slice(&b)
                .map_err(|e| AppError::ChainState(format!("corrupt unbonding delegation: {e}")))?;
            if ubd.validator != v.operator_address {
                continue;
            }
            let mut burn = 0u128;
            for e in ubd.entries.iter_mut() {
                if e.creation_height < infraction_height || e.completion_time_ms <= ctx.time_ms {
                    continue;
                }
                let share = mul_div_floor(e.initial_balance, fraction, ATTO)?;
                remaining = remaining.saturating_sub(share);
                let take = share.min(e.balance);
                e.balance -= take;
                burn = dec::add(burn, take)?;
            }
            if burn > 0 {
                put_json(state, k, &ubd)?;
                burn_slashed(state, NOT_BONDED_POOL, burn, events)?;
                burned = dec::add(burned, burn)?;
            }
        }
        // Redelegations away from the validator.
        for (_, b) in scan(state, &[REDELEGATION])? {
            let red: Redelegation = serde_json::from_slice(&b)
                .map_err(|e| AppError::ChainState(format!("corrupt redelegation: {e}")))?;
            if red.validator_src != v.operator_address {
                continue;
            }
            let dst = parse_valoper(&red.validator_dst, "validator_dst")?;
            for e in &red.entries {
                if e.creation_height < infraction_height || e.completion_time_ms <= ctx.time_ms {
                    continue;
                }
                remaining =
                    remaining.saturating_sub(mul_div_floor(e.initial_balance, fraction, ATTO)?);
                let shares = mul_div_floor(e.shares_dst, fraction, ATTO)?;
                if shares == 0 {
                    continue;
                }
                let Some(d) = get_delegation(state, &red.delegator, &dst)? else { continue };
                let Some(vd) = get_validator(state, &dst)? else { continue };
                let shares = shares.min(d.shares);
                let tokens = unbond(state, ctx, &red.delegator, &dst, shares, events)?;
                burn_slashed(state, pool_of(vd.status), tokens, events)?;
                burned = dec::add(burned, tokens)?;
            }
        }
    }
    let mut v = must_validator(state, op)?;
    let from_validator = remaining.min(v.tokens);
    if from_validator > 0 {
        let effective = mul_div_ceil(from_validator, ATTO, v.tokens)?.min(ATTO);
        distribution::before_validator_slashed(state, ctx, op, effective)?;
        v.tokens -= from_validator;
        set_validator(state, &v)?;
        burn_slashed(state, pool_of(v.status), from_validator, events)?;
        burned = dec::add(burned, from_validator)?;
    }
    events.push(
        Event::new("slash")
            .attr("validator", &v.operator_address)
            .attr("infraction_height", infraction_height)
            .attr("fraction", dec::fmt_dec18(fraction))
            .attr("amount", format!("{amount}{DENOM_AKT}"))
            .attr("burned", format!("{burned}{DENOM_AKT}")),
    );
    Ok(burned)
}

// ---------------------------------------------------------------------------------------
// Messages.

fn bond_amount(c: Option<&ProtoCoin>, p: &StakingParams, field: &str) -> Result<u128, AppError> {
    let c = c.ok_or_else(|| AppError::InvalidCoins(format!("{field} is missing")))?;
    if c.denom != p.bond_denom {
        return Err(AppError::InvalidCoins(format!(
            "{field}: invalid coin denomination {:?}, expected {}",
            c.denom, p.bond_denom
        )));
    }
    let a: u128 = c
        .amount
        .parse()
        .map_err(|_| AppError::InvalidCoins(format!("{field}: malformed amount {:?}", c.amount)))?;
    if a == 0 {
        return Err(AppError::InvalidCoins(format!("{field} must be positive")));
    }
    Ok(a)
}

fn parse_acc(s: &str, field: &str) -> Result<AccAddress, AppError> {
    s.parse().map_err(|e| AppError::InvalidAddress(format!("{field}: {e}")))
}

fn msg_pubkey(any: Option<&dcloud_proto::Any>) -> Result<Vec<u8>, AppError> {
    use dcloud_proto::Message;
    let any = any.ok_or_else(|| AppError::InvalidPubKey("consensus pubkey is missing".into()))?;
    if any.type_url != dcloud_proto::ED25519_PUBKEY_URL {
        return Err(AppError::InvalidPubKey(format!(
            "consensus pubkey must be {}, got {:?}",
            dcloud_proto::ED25519_PUBKEY_URL,
            any.type_url
        )));
    }
    let pk = dcloud_proto::cosmos::cosmos::crypto::ed25519::PubKey::decode(any.value.as_slice())
        .map_err(|e| AppError::InvalidPubKey(format!("consensus pubkey: {e}")))?;
    if pk.key.len() != 32 {
        return Err(AppError::InvalidPubKey("ed25519 keys are 32 bytes".into()));
    }
    Ok(pk.key)
}

/// Stateless checks of the staking messages.
pub fn validate_basic(msg: &Msg) -> Result<(), AppError> {
    match msg {
        Msg::CreateValidator(m) => {
            parse_valoper(&m.validator_address, "validator_address")?;
            msg_pubkey(m.pubkey.as_ref())?;
            let c = m
                .commission
                .as_ref()
                .ok_or_else(|| AppError::InvalidCommission("commission is missing".into()))?;
            for (s, f) in [
                (&c.rate, "rate"),
                (&c.max_rate, "max_rate"),
                (&c.max_change_rate, "max_change_rate"),
            ] {
                parse_rate(s).map_err(|e| AppError::InvalidCommission(format!("{f}: {e}")))?;
            }
            if m.description.as_ref().is_none_or(|d| d.moniker.trim().is_empty()) {
                return Err(AppError::InvalidRequest("description.moniker is required".into()));
            }
            if m.value.is_none() {
                return Err(AppError::InvalidCoins("value (self delegation) is missing".into()));
            }
        }
        Msg::EditValidator(m) => {
            parse_valoper(&m.validator_address, "validator_address")?;
            if !m.commission_rate.is_empty() {
                parse_rate(&m.commission_rate)
                    .map_err(|e| AppError::InvalidCommission(format!("commission_rate: {e}")))?;
            }
        }
        Msg::Delegate(m) => {
            parse_acc(&m.delegator_address, "delegator_address")?;
            parse_valoper(&m.validator_address, "validator_address")?;
        }
        Msg::Undelegate(m) => {
            parse_acc(&m.delegator_address, "delegator_address")?;
            parse_valoper(&m.validator_address, "validator_address")?;
        }
        Msg::BeginRedelegate(m) => {
            parse_acc(&m.delegator_address, "delegator_address")?;
            parse_valoper(&m.validator_src_address, "validator_src_address")?;
            parse_valoper(&m.validator_dst_address, "validator_dst_address")?;
            if m.validator_src_address == m.validator_dst_address {
                return Err(AppError::SelfRedelegation(m.validator_src_address.clone()));
            }
        }
        Msg::CancelUnbondingDelegation(m) => {
            parse_acc(&m.delegator_address, "delegator_address")?;
            parse_valoper(&m.validator_address, "validator_address")?;
            if m.creation_height <= 0 {
                return Err(AppError::InvalidRequest(format!(
                    "creation_height must be positive, got {}",
                    m.creation_height
                )));
            }
            let c = m
                .amount
                .as_ref()
                .ok_or_else(|| AppError::InvalidCoins("amount is missing".into()))?;
            match c.amount.parse::<u128>() {
                Ok(a) if a > 0 => {}
                _ => {
                    return Err(AppError::InvalidCoins(format!(
                        "amount must be a positive integer, got {:?}",
                        c.amount
                    )))
                }
            }
        }
        _ => {
            return Err(AppError::UnknownRequest(format!(
                "{} is not a staking message",
                msg.type_url()
            )))
        }
    }
    Ok(())
}

/// Delivers a staking message.
pub fn deliver(
    state: &mut dyn StateWrite,
    msg: &Msg,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    require_enabled(state)?;
    let p = params(state)?;
    match msg {
        Msg::CreateValidator(m) => {
            let operator = parse_valoper(&m.validator_address, "validator_address")?;
            let c = m
                .commission
                .as_ref()
                .ok_or_else(|| AppError::InvalidCommission("commission is missing".into()))?;
            let rate = |s: &str| parse_rate(s).map_err(AppError::InvalidCommission);
            let min_self = if m.min_self_delegation.is_empty() {
                1
            } else {
                m.min_self_delegation.parse().map_err(|_| {
                    AppError::InvalidStaking(format!(
                        "malformed min_self_delegation {:?}",
                        m.min_self_delegation
                    ))
                })?
            };
            let d = m.description.clone().unwrap_or_default();
            create_validator(
                state,
                ctx,
                NewValidator {
                    operator,
                    pubkey: msg_pubkey(m.pubkey.as_ref())?,
                    description: Description {
                        moniker: d.moniker,
                        identity: d.identity,
                        website: d.website,
                        security_contact: d.security_contact,
                        details: d.details,
                    },
                    rate: rate(&c.rate)?,
                    max_rate: rate(&c.max_rate)?,
                    max_change_rate: rate(&c.max_change_rate)?,
                    min_self_delegation: min_self,
                    self_delegation: bond_amount(m.value.as_ref(), &p, "value")?,
                },
                events,
            )
        }
        Msg::EditValidator(m) => {
            let op = parse_valoper(&m.validator_address, "validator_address")?;
            let mut v = must_validator(state, &op)?;
            if let Some(d) = &m.description {
                // Cosmos leaves fields "[do-not-modify]" unchanged; empty ones likewise here.
                let keep = |new: &str, old: &str| {
                    if new.is_empty() || new == "[do-not-modify]" {
                        old.to_string()
                    } else {
                        new.to_string()
                    }
                };
                v.description = Description {
                    moniker: keep(&d.moniker, &v.description.moniker),
                    identity: keep(&d.identity, &v.description.identity),
                    website: keep(&d.website, &v.description.website),
                    security_contact: keep(&d.security_contact, &v.description.security_contact),
                    details: keep(&d.details, &v.description.details),
                };
            }
            if !m.commission_rate.is_empty() {
                let new = parse_rate(&m.commission_rate).map_err(AppError::InvalidCommission)?;
                let c = &v.commission;
                if ctx.time_ms < c.update_time_ms.saturating_add(COMMISSION_CHANGE_INTERVAL_MS) {
                    return Err(AppError::CommissionUpdateTooSoon(format!(
                        "last change at {} ms, next allowed at {} ms",
                        c.update_time_ms,
                        c.update_time_ms.saturating_add(COMMISSION_CHANGE_INTERVAL_MS)
                    )));
                }
                if new > c.max_rate {
                    return Err(AppError::InvalidCommission(format!(
                        "commission rate {} is above the max rate {}",
                        dec::fmt_dec18(new),
                        dec::fmt_dec18(c.max_rate)
                    )));
                }
                if new < p.min_commission_rate {
                    return Err(AppError::InvalidCommission(format!(
                        "commission rate {} is below the minimum commission rate {}",
                        dec::fmt_dec18(new),
                        dec::fmt_dec18(p.min_commission_rate)
                    )));
                }
                if new.abs_diff(c.rate) > c.max_change_rate {
                    return Err(AppError::CommissionChangeTooLarge(format!(
                        "{} → {} exceeds {} per day",
                        dec::fmt_dec18(c.rate),
                        dec::fmt_dec18(new),
                        dec::fmt_dec18(c.max_change_rate)
                    )));
                }
                v.commission.rate = new;
                v.commission.update_time_ms = ctx.time_ms;
            }
            if !m.min_self_delegation.is_empty() {
                let n: u128 = m.min_self_delegation.parse().map_err(|_| {
                    AppError::InvalidStaking("malformed min_self_delegation".into())
                })?;
                if n <= v.min_self_delegation {
                    return Err(AppError::InvalidStaking(
                        "minimum self delegation can only be increased".into(),
                    ));
                }
                if n > v.tokens {
                    return Err(AppError::InvalidStaking(
                        "minimum self delegation cannot exceed the validator's tokens".into(),
                    ));
                }
                v.min_self_delegation = n;
            }
            set_validator(state, &v)?;
            events.push(
                Event::new("edit_validator")
                    .attr("validator", &v.operator_address)
                    .attr("commission_rate", dec::fmt_dec18(v.commission.rate)),
            );
            Ok(())
        }
        Msg::Delegate(m) => {
            let del = parse_acc(&m.delegator_address, "delegator_address")?;
            let val = parse_valoper(&m.validator_address, "validator_address")?;
            let amount = bond_amount(m.amount.as_ref(), &p, "amount")?;
            must_validator(state, &val)?;
            delegate(state, ctx, &del, &val, amount, Source::Account, events).map(|_| ())
        }
        Msg::Undelegate(m) => {
            let del = parse_acc(&m.delegator_address, "delegator_address")?;
            let val = parse_valoper(&m.validator_address, "validator_address")?;
            let amount = bond_amount(m.amount.as_ref(), &p, "amount")?;
            undelegate(state, ctx, &del, &val, amount, &p, events)
        }
        Msg::BeginRedelegate(m) => {
            let del = parse_acc(&m.delegator_address, "delegator_address")?;
            let src = parse_valoper(&m.validator_src_address, "validator_src_address")?;
            let dst = parse_valoper(&m.validator_dst_address, "validator_dst_address")?;
            let amount = bond_amount(m.amount.as_ref(), &p, "amount")?;
            redelegate(state, ctx, &del, &src, &dst, amount, &p, events)
        }
        Msg::CancelUnbondingDelegation(m) => {
            let del = parse_acc(&m.delegator_address, "delegator_address")?;
            let val = parse_valoper(&m.validator_address, "validator_address")?;
            let amount = bond_amount(m.amount.as_ref(), &p, "amount")?;
            let height = u64::try_from(m.creation_height).map_err(|_| {
                AppError::InvalidRequest(format!(
                    "creation_height must be positive, got {}",
                    m.creation_height
                ))
            })?;
            cancel_unbonding(state, ctx, &del, &val, amount, height, events)
        }
        _ => Err(AppError::UnknownRequest(format!("{} is not a staking message", msg.type_url()))),
    }
}

/// `MsgCancelUnbondingDelegation`: `amount` of the (first) unbonding entry created at
/// `height` goes back to the validator as a delegation; the entry shrinks (initial balance
/// and balance) or disappears.
fn cancel_unbonding(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    del: &AccAddress,
    val: &AccAddress,
    amount: u128,
    height: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let v = must_validator(state, val)?;
    if v.jailed {
        return Err(AppError::ValidatorJailed(v.operator_address));
    }
    let ukey = unbonding_key(del, val);
    let mut ubd: UnbondingDelegation =
        get_json(state, &ukey, "unbonding delegation")?.ok_or_else(|| {
            AppError::NoUnbondingDelegation(format!(
                "{del} is not unbonding from {}",
                v.operator_address
            ))
        })?;
    let i = ubd.entries.iter().position(|e| e.creation_height == height).ok_or_else(|| {
        AppError::NoUnbondingDelegation(format!(
            "{del} has no unbonding entry with {} created at height {height}",
            v.operator_address
        ))
    })?;
    let entry = &mut ubd.entries[i];
    if entry.completion_time_ms <= ctx.time_ms {
        return Err(AppError::InvalidStaking(format!(
            "the unbonding entry created at height {height} is already complete"
        )));
    }
    if amount > entry.balance {
        return Err(AppError::InvalidStaking(format!(
            "amount {amount}{DENOM_AKT} is greater than the unbonding entry's balance {}{DENOM_AKT}",
            entry.balance
        )));
    }
    if amount == entry.balance {
        ubd.entries.remove(i);
    } else {
        entry.balance -= amount;
        entry.initial_balance = entry.initial_balance.saturating_sub(amount);
    }
    if ubd.entries.is_empty() {
        state.delete(ukey);
    } else {
        put_json(state, ukey, &ubd)?;
    }
    delegate(state, ctx, del, val, amount, Source::Pool(NOT_BONDED_POOL), events)?;
    events.push(
        Event::new("cancel_unbonding_delegation")
            .attr("validator", &v.operator_address)
            .attr("delegator", del)
            .attr("amount", format!("{amount}{DENOM_AKT}"))
            .attr("creation_height", height),
    );
    Ok(())
}

fn undelegate(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    del: &AccAddress,
    val: &AccAddress,
    amount: u128,
    p: &StakingParams,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let v = must_validator(state, val)?;
    let d = get_delegation(state, del, val)?.ok_or_else(|| {
        AppError::DelegationNotFound(format!("{del} has no delegation to {}", v.operator_address))
    })?;
    let shares = shares_for_amount(&v, &d, amount)?;
    let ukey = unbonding_key(del, val);
    let mut ubd: UnbondingDelegation =
        get_json(state, &ukey, "unbonding delegation")?.unwrap_or(UnbondingDelegation {
            delegator: del.clone(),
            validator: v.operator_address.clone(),
            entries: Vec::new(),
        });
    if ubd.entries.len() >= p.max_entries as usize {
        return Err(AppError::MaxEntries(format!(
            "{del} already has {} unbonding entries with {}",
            ubd.entries.len(),
            v.operator_address
        )));
    }
    let status = v.status;
    let tokens = unbond(state, ctx, del, val, shares, events)?;
    if tokens == 0 {
        return Err(AppError::InvalidStaking("the amount unbonds to zero tokens".into()));
    }
    move_between_pools(state, pool_of(status), NOT_BONDED_POOL, tokens, events)?;
    let completion = ctx.time_ms.saturating_add(p.unbonding_time_ms);
    ubd.entries.push(UnbondingEntry {
        creation_height: ctx.height,
        completion_time_ms: completion,
        initial_balance: tokens,
        balance: tokens,
    });
    put_json(state, ukey, &ubd)?;
    state.put(queue_key(UNBONDING_QUEUE, completion, &pair(del, val)), Vec::new());
    events.push(
        Event::new("unbond")
            .attr("validator", valoper(val))
            .attr("delegator", del)
            .attr("amount", format!("{tokens}{DENOM_AKT}"))
            .attr("completion_time_ms", completion),
    );
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn redelegate(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    del: &AccAddress,
    src: &AccAddress,
    dst: &AccAddress,
    amount: u128,
    p: &StakingParams,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    if src == dst {
        return Err(AppError::SelfRedelegation(valoper(src)));
    }
    let vs = must_validator(state, src)?;
    must_validator(state, dst)?;
    // No transitive redelegation: stake that arrived at `src` by a maturing redelegation
    // cannot move on until it matures.
    if redelegations_of(state, del)?
        .iter()
        .any(|r| r.validator_dst == vs.operator_address && !r.entries.is_empty())
    {
        return Err(AppError::TransitiveRedelegation(format!(
            "{del} has a maturing redelegation into {}",
            vs.operator_address
        )));
    }
    let d = get_delegation(state, del, src)?.ok_or_else(|| {
        AppError::DelegationNotFound(format!("{del} has no delegation to {}", vs.operator_address))
    })?;
    let shares = shares_for_amount(&vs, &d, amount)?;
    let rkey = redelegation_key(del, src, dst);
    let mut red: Redelegation = get_json(state, &rkey, "redelegation")?.unwrap_or(Redelegation {
        delegator: del.clone(),
        validator_src: vs.operator_address.clone(),
        validator_dst: valoper(dst),
        entries: Vec::new(),
    });
    if red.entries.len() >= p.max_entries as usize {
        return Err(AppError::MaxEntries(format!(
            "{del} already has {} redelegation entries from {} to {}",
            red.entries.len(),
            red.validator_src,
            red.validator_dst
        )));
    }
    let src_status = vs.status;
    let tokens = unbond(state, ctx, del, src, shares, events)?;
    if tokens == 0 {
        return Err(AppError::InvalidStaking("tiny redelegation amount".into()));
    }
    let shares_dst =
        delegate(state, ctx, del, dst, tokens, Source::Pool(pool_of(src_status)), events)?;
    // Only stake that was bonded matures (it could still be slashed for the source's faults).
    let completion = ctx.time_ms.saturating_add(p.unbonding_time_ms);
    if src_status == BondStatus::Bonded {
        red.entries.push(RedelegationEntry {
            creation_height: ctx.height,
            completion_time_ms: completion,
            initial_balance: tokens,
            shares_dst,
        });
        put_json(state, rkey, &red)?;
        let mut rest = pair(del, src);
        rest.extend(lp(dst.as_bytes()));
        state.put(queue_key(REDELEGATION_QUEUE, completion, &rest), Vec::new());
    }
    events.push(
        Event::new("redelegate")
            .attr("source_validator", valoper(src))
            .attr("destination_validator", valoper(dst))
            .attr("delegator", del)
            .attr("amount", format!("{tokens}{DENOM_AKT}")),
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// End block: validator set, matured queues.

/// Queue entries due at or before `now`: (key, the part after the time).
fn due(state: &dyn StateRead, prefix: u8, now: u64) -> Result<Vec<dcloud_store::KvPair>, AppError> {
    let mut out = Vec::new();
    let mut after: Option<Vec<u8>> = None;
    loop {
        let page = state.prefix_range(&[prefix], after.as_deref(), 256)?;
        let n = page.len();
        for (k, _) in page {
            let t = k
                .get(1..9)
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map(u64::from_be_bytes)
                .ok_or_else(|| AppError::ChainState("short queue key".into()))?;
            if t > now {
                return Ok(out);
            }
            let rest = k[9..].to_vec();
            after = Some(k.clone());
            out.push((k, rest));
        }
        if n < 256 {
            return Ok(out);
        }
    }
}

/// End block: recompute the active set (bonding and unbonding validators, moving their
/// tokens between the pools, writing the consensus validator set), then complete matured
/// validator unbondings, unbonding delegations and redelegations.
pub fn end_block(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    if !enabled(state)? {
        return Ok(());
    }
    apply_validator_set(state, ctx, events)?;
    // Validators whose unbonding matured.
    for (k, rest) in due(state, VALIDATOR_QUEUE, ctx.time_ms)? {
        state.delete(k);
        let (op, _) = addr_at(&rest, 0)?;
        let Some(mut v) = get_validator(state, &op)? else { continue };
        if v.status == BondStatus::Unbonding && v.unbonding_time_ms <= ctx.time_ms {
            v.status = BondStatus::Unbonded;
            if v.delegator_shares == 0 {
                remove_validator(state, &v, events)?;
            } else {
                set_validator(state, &v)?;
            }
        }
    }
    // Unbonding delegations that matured: pay out from the not-bonded pool.
    for (k, rest) in due(state, UNBONDING_QUEUE, ctx.time_ms)? {
        state.delete(k);
        let (del, pos) = addr_at(&rest, 0)?;
        let (val, _) = addr_at(&rest, pos)?;
        let ukey = unbonding_key(&del, &val);
        let Some(mut ubd) = get_json::<UnbondingDelegation>(state, &ukey, "unbonding")? else {
            continue;
        };
        let (done, left): (Vec<_>, Vec<_>) =
            ubd.entries.into_iter().partition(|e| e.completion_time_ms <= ctx.time_ms);
        let total = done.iter().try_fold(0u128, |a, e| dec::add(a, e.balance))?;
        if total > 0 {
            bank::transfer(
                state,
                &auth::module_address(NOT_BONDED_POOL),
                &del,
                &akt(total)?,
                events,
            )?;
        }
        events.push(
            Event::new("complete_unbonding")
                .attr("validator", valoper(&val))
                .attr("delegator", &del)
                .attr("amount", format!("{total}{DENOM_AKT}")),
        );
        ubd.entries = left;
        if ubd.entries.is_empty() {
            state.delete(ukey);
        } else {
            put_json(state, ukey, &ubd)?;
        }
    }
    // Redelegations that matured.
    for (k, rest) in due(state, REDELEGATION_QUEUE, ctx.time_ms)? {
        state.delete(k);
        let (del, pos) = addr_at(&rest, 0)?;
        let (src, pos) = addr_at(&rest, pos)?;
        let (dst, _) = addr_at(&rest, pos)?;
        let rkey = redelegation_key(&del, &src, &dst);
        let Some(mut red) = get_json::<Redelegation>(state, &rkey, "redelegation")? else {
            continue;
        };
        red.entries.retain(|e| e.completion_time_ms > ctx.time_ms);
        events.push(
            Event::new("complete_redelegation")
                .attr("delegator", &del)
                .attr("source_validator", valoper(&src))
                .attr("destination_validator", valoper(&dst)),
        );
        if red.entries.is_empty() {
            state.delete(rkey);
        } else {
            put_json(state, rkey, &red)?;
        }
    }
    Ok(())
}

/// The active set by the current state: not jailed, at least one unit of power, the
/// top `max_validators` by power (ties: more tokens, then lower operator address).
fn active_set(state: &dyn StateRead, p: &StakingParams) -> Result<Vec<Validator>, AppError> {
    let mut c: Vec<Validator> =
        validators(state)?.into_iter().filter(|v| !v.jailed && v.power() > 0).collect();
    c.sort_by(|a, b| {
        b.power()
            .cmp(&a.power())
            .then(b.tokens.cmp(&a.tokens))
            .then(a.account.as_bytes().cmp(b.account.as_bytes()))
    });
    c.truncate(p.max_validators as usize);
    Ok(c)
}

fn apply_validator_set(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let p = params(state)?;
    let set = active_set(state, &p)?;
    let in_set: BTreeSet<AccAddress> = set.iter().map(|v| v.account.clone()).collect();
    // Leaving: bonded validators no longer in the set start unbonding.
    for mut v in validators(state)? {
        if v.status == BondStatus::Bonded && !in_set.contains(&v.account) {
            move_between_pools(state, BONDED_POOL, NOT_BONDED_POOL, v.tokens, events)?;
            v.status = BondStatus::Unbonding;
            v.unbonding_height = ctx.height;
            v.unbonding_time_ms = ctx.time_ms.saturating_add(p.unbonding_time_ms);
            state.put(
                queue_key(VALIDATOR_QUEUE, v.unbonding_time_ms, &lp(v.account.as_bytes())),
                Vec::new(),
            );
            events.push(Event::new("validator_unbonding").attr("validator", &v.operator_address));
            set_validator(state, &v)?;
        }
    }
    // Joining: move their tokens into the bonded pool.
    for v in &set {
        if v.status != BondStatus::Bonded {
            let mut v = v.clone();
            move_between_pools(state, NOT_BONDED_POOL, BONDED_POOL, v.tokens, events)?;
            if v.status == BondStatus::Unbonding {
                state.delete(queue_key(
                    VALIDATOR_QUEUE,
                    v.unbonding_time_ms,
                    &lp(v.account.as_bytes()),
                ));
            }
            v.status = BondStatus::Bonded;
            events.push(Event::new("validator_bonded").attr("validator", &v.operator_address));
            set_validator(state, &v)?;
        }
    }
    let powers: Vec<(AccAddress, u64)> =
        set.iter().map(|v| (v.account.clone(), v.power())).collect();
    if last_powers(state)? != powers.iter().cloned().collect::<BTreeMap<_, _>>() {
        put_json(state, LAST_POWERS.to_vec(), &powers)?;
        let cons: Vec<consensus::Validator> = set
            .iter()
            .map(|v| consensus::Validator {
                address: v.consensus_address.clone(),
                pub_key: v.consensus_pubkey.clone(),
                power: v.power(),
                name: v.description.moniker.clone(),
            })
            .collect();
        consensus::set_validators(state, &cons)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Genesis.

/// Writes params and creates the genesis validators and delegations from the genesis
/// balances, then the active set (which replaces the consensus validator set).
pub fn init_genesis(state: &mut dyn StateWrite, g: &StakingGenesis) -> Result<(), AppError> {
    set_params(state, NAME, &g.params)?;
    let ctx = BlockCtx { height: 0, time_ms: 0 };
    let mut events = Vec::new();
    let bad = |i: usize, e: AppError| {
        AppError::InvalidGenesis(vec![format!("app_state.staking.validators[{i}]: {e}")])
    };
    for (i, v) in g.validators.iter().enumerate() {
        let operator = parse_operator_any(&v.operator).map_err(|e| bad(i, e))?;
        let pubkey = decode_pubkey(&v.pub_key).map_err(|e| bad(i, AppError::InvalidPubKey(e)))?;
        let r = |s: &str| parse_rate(s).map_err(|e| bad(i, AppError::InvalidCommission(e)));
        create_validator(
            state,
            &ctx,
            NewValidator {
                operator,
                pubkey,
                description: Description { moniker: v.moniker.clone(), ..Default::default() },
                rate: r(&v.commission_rate)?,
                max_rate: r(&v.commission_max_rate)?,
                max_change_rate: r(&v.commission_max_change_rate)?,
                min_self_delegation: 1,
                self_delegation: v.self_delegation,
            },
            &mut events,
        )
        .map_err(|e| bad(i, e))?;
    }
    for (i, d) in g.delegations.iter().enumerate() {
        let bad = |e: AppError| {
            AppError::InvalidGenesis(vec![format!("app_state.staking.delegations[{i}]: {e}")])
        };
        let del = parse_acc(&d.delegator, "delegator").map_err(bad)?;
        let val = parse_operator_any(&d.validator).map_err(bad)?;
        delegate(state, &ctx, &del, &val, d.amount, Source::Account, &mut events).map_err(bad)?;
    }
    apply_validator_set(state, &ctx, &mut events)
}

// ---------------------------------------------------------------------------------------
// Invariants.

/// Invariants: the bonded pool holds exactly the bonded validators' tokens; the not-bonded
/// pool exactly the other validators' tokens plus every unbonding entry's balance; each
/// validator's shares are the sum of its delegations' shares (and no shares means no
/// tokens); the last active set matches the bonded validators and the consensus set.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    if !enabled(state)? {
        return Ok(());
    }
    let inv = |m: String| Err(AppError::Invariant(format!("staking: {m}")));
    let vals = validators(state)?;
    let (mut bonded, mut not_bonded) = (0u128, 0u128);
    let mut shares: BTreeMap<String, u128> = BTreeMap::new();
    for d in all_delegations(state)? {
        let e = shares.entry(d.validator.clone()).or_default();
        *e = dec::add(*e, d.shares)?;
    }
    for v in &vals {
        match v.status {
            BondStatus::Bonded => bonded = dec::add(bonded, v.tokens)?,
            _ => not_bonded = dec::add(not_bonded, v.tokens)?,
        }
        let s = shares.remove(&v.operator_address).unwrap_or(0);
        if s != v.delegator_shares {
            return inv(format!(
                "validator {} has {} shares but its delegations sum to {}",
                v.operator_address,
                dec::fmt_dec18(v.delegator_shares),
                dec::fmt_dec18(s)
            ));
        }
        if v.delegator_shares == 0 && v.tokens != 0 {
            return inv(format!("validator {} has tokens but no shares", v.operator_address));
        }
    }
    if let Some((v, _)) = shares.into_iter().next() {
        return inv(format!("delegations to unknown validator {v}"));
    }
    for u in all_unbondings(state)? {
        for e in &u.entries {
            not_bonded = dec::add(not_bonded, e.balance)?;
        }
    }
    let bp = bank::balance(state, &auth::module_address(BONDED_POOL), DENOM_AKT)?;
    if bp != bonded {
        return inv(format!("bonded pool holds {bp} but bonded validators have {bonded}"));
    }
    let np = bank::balance(state, &auth::module_address(NOT_BONDED_POOL), DENOM_AKT)?;
    if np != not_bonded {
        return inv(format!(
            "not-bonded pool holds {np} but unbonded validators and unbonding entries have {not_bonded}"
        ));
    }
    let last = last_powers(state)?;
    let bonded_set: BTreeSet<&AccAddress> =
        vals.iter().filter(|v| v.status == BondStatus::Bonded).map(|v| &v.account).collect();
    if last.keys().collect::<BTreeSet<_>>() != bonded_set {
        return inv("the last active set differs from the bonded validators".into());
    }
    let cons: BTreeMap<String, u64> =
        consensus::validators(state)?.into_iter().map(|v| (v.address, v.power)).collect();
    for v in vals.iter().filter(|v| v.status == BondStatus::Bonded) {
        if cons.get(&v.consensus_address) != last.get(&v.account) {
            return inv(format!("consensus power of {} is out of date", v.operator_address));
        }
    }
    if cons.len() != last.len() {
        return inv("the consensus set has validators outside the active set".into());
    }
    Ok(())
}
