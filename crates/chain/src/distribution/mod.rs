//! Distribution (Cosmos `x/distribution`, F1 fee distribution).
//!
//! Each block (begin block, after mint) the fee collector's `uakt` — fees and freshly minted
//! coins — moves to the `distribution` module account and is split among the validators
//! that signed the previous block, by power: the community tax goes to the community pool,
//! each validator's commission to its accumulated commission, the rest to its delegators.
//!
//! Delegator rewards use F1: every validator has periods; a period's reward per token is
//! `rewards / tokens` (18-decimal, rounded down) and the cumulative ratio is stored per
//! period. A delegation remembers the period it started in and its stake; its rewards are
//! `stake × (ratio(end) − ratio(start))`, rounded down. Rewards are withdrawn (paid to the
//! withdraw address, rounded down to micro-units, the sub-micro remainder to the community
//! pool) whenever a delegation changes, as the SDK does.
//!
//! Exact accounting: the module account's balance (×10^18) equals Σ outstanding rewards of
//! validators + the community pool's sub-micro remainder; allocated = released + Σ
//! outstanding; and each validator's outstanding covers its commission plus every
//! delegation's pending rewards (rewards paid never exceed rewards accrued).
//!
//! Slashes (F1 slash events): before a validator's tokens are slashed,
//! [`before_validator_slashed`] ends its period and records the effective fraction under
//! that period. A delegation's rewards are then computed per segment between its starting
//! period, each later slash event and the end, its stake reduced by each event's fraction
//! (`floor(stake × (1 − fraction))`, the fraction rounded up by staking), so a slashed
//! delegation is paid exactly for the stake it had in each segment and never more than
//! the validator accrued.
//!
//! Layout (`len` = one-byte address length):
//! * `0x60 ‖ len ‖ validator` → per-validator record (outstanding, commission, current
//!   rewards and period);
//! * `0x61 ‖ len ‖ validator ‖ period (u64 BE)` → historical rewards (cumulative ratio,
//!   reference count);
//! * `0x62 ‖ len ‖ delegator ‖ len ‖ validator` → delegation starting info;
//! * `0x63 ‖ len ‖ delegator` → withdraw address;
//! * `0x64` → fee pool (community remainder, totals);
//! * `0x65 ‖ len ‖ validator ‖ period (u64 BE)` → slash event (fraction, height) ending
//!   that period.

mod module;
pub mod query;
pub use module::DistributionModule;

use std::collections::BTreeMap;

use dcloud_proto::Msg;
use dcloud_store::{StateRead, StateWrite};
use dcloud_types::{AccAddress, Coin, Coins, Event, DENOM_AKT};
use serde::{Deserialize, Serialize};

use super::dec::{self, dec_str, get_json, lp, mul_div_floor, put_json, scan, ATTO};
use super::{auth, bank, consensus, get_params, set_params, staking, BlockCtx};
use crate::staking::StakingError;
use crate::AppError;

/// The module name.
pub const NAME: &str = "distribution";
/// The module account holding undistributed rewards.
pub const MODULE_ACCOUNT: &str = "distribution";
/// The community pool's module account.
pub const COMMUNITY_POOL: &str = "community_pool";

const VAL: u8 = 0x60;
const HIST: u8 = 0x61;
const START: u8 = 0x62;
const WITHDRAW: u8 = 0x63;
const FEE_POOL: &[u8] = &[0x64];
const SLASH_EVENT: u8 = 0x65;

/// Distribution parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistributionParams {
    /// Share of every block's rewards for the community pool (SDK default 2%).
    #[serde(with = "dec_str")]
    pub community_tax: u128,
    /// Whether delegators may set a withdraw address.
    pub withdraw_addr_enabled: bool,
}

impl Default for DistributionParams {
    fn default() -> Self {
        Self { community_tax: ATTO / 50, withdraw_addr_enabled: true }
    }
}

impl DistributionParams {
    /// Every problem, prefixed with `at`.
    pub fn validate(&self, at: &str) -> Vec<String> {
        if self.community_tax > ATTO {
            vec![format!("{at}.community_tax must be at most 1")]
        } else {
            Vec::new()
        }
    }
}

/// A validator's distribution record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidatorDist {
    /// Rewards allocated and not yet withdrawn (commission included).
    #[serde(with = "dec_str")]
    pub outstanding: u128,
    /// Accumulated commission.
    #[serde(with = "dec_str")]
    pub commission: u128,
    /// Delegator rewards of the current period.
    #[serde(with = "dec_str")]
    pub current_rewards: u128,
    /// The current period.
    pub current_period: u64,
}

/// Cumulative reward per token up to the end of a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Historical {
    /// Σ reward/token of all periods up to this one.
    #[serde(with = "dec_str")]
    pub cumulative_ratio: u128,
    /// Delegations (and the validator's current period) referring to it.
    pub reference_count: u32,
}

/// Where a delegation's rewards start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartingInfo {
    /// The period ended when it started.
    pub previous_period: u64,
    /// Its tokens then.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub stake: u128,
    /// Height.
    pub height: u64,
}

/// Module-wide totals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeePool {
    /// The community pool's sub-micro remainder (kept in the module account).
    #[serde(with = "dec_str")]
    pub community_remainder: u128,
    /// Σ allocated to validators.
    #[serde(with = "dec_str")]
    pub total_allocated: u128,
    /// Σ taken out of validators' outstanding (paid, or sent to the community pool).
    #[serde(with = "dec_str")]
    pub total_released: u128,
    /// Σ micro-units paid to delegators and validators.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub total_paid: u128,
    /// Σ micro-units sent to the community pool.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub total_to_community: u128,
}

fn val_key(v: &AccAddress) -> Vec<u8> {
    let mut k = vec![VAL];
    k.extend(lp(v.as_bytes()));
    k
}

fn hist_key(v: &AccAddress, period: u64) -> Vec<u8> {
    let mut k = vec![HIST];
    k.extend(lp(v.as_bytes()));
    k.extend_from_slice(&period.to_be_bytes());
    k
}

fn start_key(d: &AccAddress, v: &AccAddress) -> Vec<u8> {
    let mut k = vec![START];
    k.extend(lp(d.as_bytes()));
    k.extend(lp(v.as_bytes()));
    k
}

/// A validator slash event: the period it ended and the share of tokens slashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlashEvent {
    /// The validator period the slash ended.
    pub period: u64,
    /// Share of the validator's tokens slashed (18-decimal, rounded up).
    #[serde(with = "dec_str")]
    pub fraction: u128,
    /// Height of the slash.
    pub height: u64,
}

fn slash_prefix(v: &AccAddress) -> Vec<u8> {
    let mut k = vec![SLASH_EVENT];
    k.extend(lp(v.as_bytes()));
    k
}

/// A validator's slash events with a period after `after`, oldest first.
pub fn slash_events(
    state: &dyn StateRead,
    v: &AccAddress,
    after: u64,
) -> Result<Vec<SlashEvent>, AppError> {
    let mut out = Vec::new();
    for (_, b) in scan(state, &slash_prefix(v))? {
        let e: SlashEvent = serde_json::from_slice(&b)
            .map_err(|e| AppError::ChainState(format!("corrupt slash event: {e}")))?;
        if e.period > after {
            out.push(e);
        }
    }
    Ok(out)
}

fn withdraw_key(d: &AccAddress) -> Vec<u8> {
    let mut k = vec![WITHDRAW];
    k.extend(lp(d.as_bytes()));
    k
}

/// Params.
pub fn params(state: &dyn StateRead) -> Result<DistributionParams, AppError> {
    get_params(state, NAME)
}

/// Writes params (genesis).
pub fn init_genesis(state: &mut dyn StateWrite, p: &DistributionParams) -> Result<(), AppError> {
    set_params(state, NAME, p)
}

/// The fee pool.
pub fn fee_pool(state: &dyn StateRead) -> Result<FeePool, AppError> {
    Ok(get_json(state, FEE_POOL, "fee pool")?.unwrap_or_default())
}

fn set_fee_pool(state: &mut dyn StateWrite, f: &FeePool) -> Result<(), AppError> {
    put_json(state, FEE_POOL.to_vec(), f)
}

/// A validator's record.
pub fn validator_dist(state: &dyn StateRead, v: &AccAddress) -> Result<ValidatorDist, AppError> {
    Ok(get_json(state, &val_key(v), "validator distribution")?.unwrap_or_default())
}

fn set_validator_dist(
    state: &mut dyn StateWrite,
    v: &AccAddress,
    d: &ValidatorDist,
) -> Result<(), AppError> {
    put_json(state, val_key(v), d)
}

fn historical(state: &dyn StateRead, v: &AccAddress, period: u64) -> Result<Historical, AppError> {
    get_json(state, &hist_key(v, period), "historical rewards")?.ok_or_else(|| {
        AppError::ChainState(format!(
            "no historical rewards of {} period {period}",
            staking::valoper(v)
        ))
    })
}

fn change_ref(
    state: &mut dyn StateWrite,
    v: &AccAddress,
    period: u64,
    up: bool,
) -> Result<(), AppError> {
    let mut h = historical(state, v, period)?;
    if up {
        h.reference_count += 1;
    } else {
        h.reference_count = h.reference_count.saturating_sub(1);
    }
    if h.reference_count == 0 {
        state.delete(hist_key(v, period));
        Ok(())
    } else {
        put_json(state, hist_key(v, period), &h)
    }
}

/// The address a delegator's rewards go to.
pub fn withdraw_address(state: &dyn StateRead, d: &AccAddress) -> Result<AccAddress, AppError> {
    match state.get(&withdraw_key(d))? {
        Some(b) => AccAddress::from_bytes(&b)
            .map_err(|e| AppError::ChainState(format!("withdraw address: {e}"))),
        None => Ok(d.clone()),
    }
}

fn pay(
    state: &mut dyn StateWrite,
    to: &AccAddress,
    amount: u128,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    if amount == 0 {
        return Ok(());
    }
    let coins = Coins::from_coins(vec![Coin::new(amount, DENOM_AKT)])?;
    bank::transfer(state, &auth::module_address(MODULE_ACCOUNT), to, &coins, events)
}

/// Moves whole micro-units of the community remainder into the community pool account.
fn flush_community(
    state: &mut dyn StateWrite,
    fp: &mut FeePool,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let whole = fp.community_remainder / ATTO;
    if whole > 0 {
        pay(state, &auth::module_address(COMMUNITY_POOL), whole, events)?;
        fp.community_remainder -= whole * ATTO;
        fp.total_to_community = dec::add(fp.total_to_community, whole)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Hooks called by staking.

/// A new validator: period 0 (ratio 0) and current period 1.
pub fn after_validator_created(state: &mut dyn StateWrite, v: &AccAddress) -> Result<(), AppError> {
    put_json(state, hist_key(v, 0), &Historical { cumulative_ratio: 0, reference_count: 1 })?;
    set_validator_dist(state, v, &ValidatorDist { current_period: 1, ..Default::default() })
}

/// Before a delegation is created: end the validator's period.
pub fn before_delegation_created(
    state: &mut dyn StateWrite,
    v: &AccAddress,
) -> Result<(), AppError> {
    increment_period(state, v).map(|_| ())
}

/// Before a delegation's shares change: withdraw its rewards.
pub fn before_delegation_shares_modified(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    d: &AccAddress,
    v: &AccAddress,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let _ = ctx;
    withdraw_rewards(state, d, v, events).map(|_| ())
}

/// After a delegation changed (and still exists): start it at the current period.
pub fn after_delegation_modified(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    d: &AccAddress,
    v: &AccAddress,
) -> Result<(), AppError> {
    let vd = validator_dist(state, v)?;
    let previous = vd.current_period.saturating_sub(1);
    change_ref(state, v, previous, true)?;
    let stake = staking::delegation_tokens(state, d, v)?;
    put_json(
        state,
        start_key(d, v),
        &StartingInfo { previous_period: previous, stake, height: ctx.height },
    )
}

/// A validator was removed: its commission goes to the operator, any other outstanding
/// remainder to the community pool; its records are deleted.
pub fn after_validator_removed(
    state: &mut dyn StateWrite,
    v: &AccAddress,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let vd = validator_dist(state, v)?;
    let mut fp = fee_pool(state)?;
    let commission = vd.commission / ATTO;
    let to = withdraw_address(state, v)?;
    pay(state, &to, commission, events)?;
    fp.total_paid = dec::add(fp.total_paid, commission)?;
    let rest = dec::sub(vd.outstanding, commission * ATTO, "outstanding")?;
    fp.community_remainder = dec::add(fp.community_remainder, rest)?;
    fp.total_released = dec::add(fp.total_released, vd.outstanding)?;
    flush_community(state, &mut fp, events)?;
    set_fee_pool(state, &fp)?;
    state.delete(val_key(v));
    let mut p = vec![HIST];
    p.extend(lp(v.as_bytes()));
    for (k, _) in scan(state, &p)? {
        state.delete(k);
    }
    for (k, _) in scan(state, &slash_prefix(v))? {
        state.delete(k);
    }
    Ok(())
}

/// Before a validator's tokens are slashed by `fraction` (of its current tokens): ends
/// its period and records the slash event (which keeps that period's ratio alive).
pub fn before_validator_slashed(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    v: &AccAddress,
    fraction: u128,
) -> Result<(), AppError> {
    let period = increment_period(state, v)?;
    change_ref(state, v, period, true)?;
    let mut k = slash_prefix(v);
    k.extend_from_slice(&period.to_be_bytes());
    put_json(state, k, &SlashEvent { period, fraction, height: ctx.height })
}

/// Ends the validator's current period; returns it.
fn increment_period(state: &mut dyn StateWrite, v: &AccAddress) -> Result<u64, AppError> {
    let mut vd = validator_dist(state, v)?;
    let tokens = staking::get_validator(state, v)?.map_or(0, |x| x.tokens);
    let ratio = if let Some(r) = vd.current_rewards.checked_div(tokens) {
        r
    } else {
        // Nobody to pay: the period's rewards go to the community pool.
        if vd.current_rewards > 0 {
            let mut fp = fee_pool(state)?;
            fp.community_remainder = dec::add(fp.community_remainder, vd.current_rewards)?;
            fp.total_released = dec::add(fp.total_released, vd.current_rewards)?;
            vd.outstanding = dec::sub(vd.outstanding, vd.current_rewards, "outstanding")?;
            set_fee_pool(state, &fp)?;
        }
        0
    };
    let period = vd.current_period;
    let prev = historical(state, v, period - 1)?;
    put_json(
        state,
        hist_key(v, period),
        &Historical {
            cumulative_ratio: dec::add(prev.cumulative_ratio, ratio)?,
            reference_count: 1,
        },
    )?;
    change_ref(state, v, period - 1, false)?;
    vd.current_rewards = 0;
    vd.current_period = period + 1;
    set_validator_dist(state, v, &vd)?;
    Ok(period)
}

fn rewards_between(
    state: &dyn StateRead,
    d: &AccAddress,
    v: &AccAddress,
    start: &StartingInfo,
    end_ratio: u128,
) -> Result<u128, AppError> {
    let overflow = || AppError::Invariant("rewards overflow".into());
    let mut stake = start.stake;
    let mut from = historical(state, v, start.previous_period)?.cumulative_ratio;
    let mut rewards = 0u128;
    // One segment per slash since the delegation started, its stake reduced after each.
    for e in slash_events(state, v, start.previous_period)? {
        let to = historical(state, v, e.period)?.cumulative_ratio;
        let diff = dec::sub(to, from, "cumulative ratio")?;
        rewards = dec::add(rewards, stake.checked_mul(diff).ok_or_else(overflow)?)?;
        stake = mul_div_floor(stake, ATTO - e.fraction.min(ATTO), ATTO)?;
        from = to;
    }
    let diff = dec::sub(end_ratio, from, "cumulative ratio")?;
    // Never more than the delegation is worth now (rounding can only raise its worth).
    let stake = stake.min(staking::delegation_tokens(state, d, v)?);
    dec::add(rewards, stake.checked_mul(diff).ok_or_else(overflow)?)
}

/// Withdraws a delegation's rewards to its withdraw address; returns the micro-units paid.
fn withdraw_rewards(
    state: &mut dyn StateWrite,
    d: &AccAddress,
    v: &AccAddress,
    events: &mut Vec<Event>,
) -> Result<u128, AppError> {
    let start: StartingInfo =
        get_json(state, &start_key(d, v), "starting info")?.ok_or_else(|| {
            AppError::NoDistributionInfo(format!(
                "{d} has no delegation to {}",
                staking::valoper(v)
            ))
        })?;
    let ending = increment_period(state, v)?;
    let end_ratio = historical(state, v, ending)?.cumulative_ratio;
    let rewards = rewards_between(state, d, v, &start, end_ratio)?;
    let mut vd = validator_dist(state, v)?;
    vd.outstanding = dec::sub(vd.outstanding, rewards, "validator outstanding rewards")?;
    set_validator_dist(state, v, &vd)?;
    let paid = rewards / ATTO;
    let to = withdraw_address(state, d)?;
    pay(state, &to, paid, events)?;
    let mut fp = fee_pool(state)?;
    fp.community_remainder = dec::add(fp.community_remainder, rewards % ATTO)?;
    fp.total_released = dec::add(fp.total_released, rewards)?;
    fp.total_paid = dec::add(fp.total_paid, paid)?;
    flush_community(state, &mut fp, events)?;
    set_fee_pool(state, &fp)?;
    change_ref(state, v, start.previous_period, false)?;
    state.delete(start_key(d, v));
    events.push(
        Event::new("withdraw_rewards")
            .attr("amount", format!("{paid}{DENOM_AKT}"))
            .attr("validator", staking::valoper(v))
            .attr("delegator", d),
    );
    Ok(paid)
}

/// A delegation's rewards if withdrawn now (18-decimal; the payout is this rounded down).
pub fn pending_rewards(
    state: &dyn StateRead,
    d: &AccAddress,
    v: &AccAddress,
) -> Result<u128, AppError> {
    let Some(start) = get_json::<StartingInfo>(state, &start_key(d, v), "starting info")? else {
        return Ok(0);
    };
    let vd = validator_dist(state, v)?;
    let tokens = staking::get_validator(state, v)?.map_or(0, |x| x.tokens);
    let ratio = vd.current_rewards.checked_div(tokens).unwrap_or(0);
    let end = dec::add(historical(state, v, vd.current_period - 1)?.cumulative_ratio, ratio)?;
    rewards_between(state, d, v, &start, end)
}

// ---------------------------------------------------------------------------------------
// Allocation.

fn allocate_to_validator(
    state: &mut dyn StateWrite,
    v: &staking::Validator,
    tokens: u128,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let commission = mul_div_floor(tokens, v.commission.rate, ATTO)?;
    let mut vd = validator_dist(state, &v.account)?;
    vd.commission = dec::add(vd.commission, commission)?;
    vd.current_rewards = dec::add(vd.current_rewards, tokens - commission)?;
    vd.outstanding = dec::add(vd.outstanding, tokens)?;
    set_validator_dist(state, &v.account, &vd)?;
    events.push(
        Event::new("rewards")
            .attr("validator", &v.operator_address)
            .attr("amount", dec::fmt_dec18(tokens))
            .attr("commission", dec::fmt_dec18(commission)),
    );
    Ok(())
}

/// Begin block: distributes the fee collector's `uakt` among the previous block's signers
/// by power (see the module docs).
pub fn begin_block(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let _ = ctx;
    if !staking::enabled(state)? {
        return Ok(());
    }
    let collector = auth::module_address(auth::FEE_COLLECTOR);
    let fees = bank::balance(state, &collector, DENOM_AKT)?;
    if fees == 0 {
        return Ok(());
    }
    let coins = Coins::from_coins(vec![Coin::new(fees, DENOM_AKT)])?;
    bank::transfer(state, &collector, &auth::module_address(MODULE_ACCOUNT), &coins, events)?;
    let p = params(state)?;
    let total =
        fees.checked_mul(ATTO).ok_or_else(|| AppError::Invariant("fees overflow".into()))?;
    let mut signers = Vec::new();
    for vote in consensus::last_commit(state)?.into_iter().filter(|v| v.signed && v.power > 0) {
        if let Some(v) = staking::validator_by_consensus(state, &vote.validator_address)? {
            signers.push((v, vote.power));
        }
    }
    let total_power: u128 = signers.iter().map(|(_, p)| u128::from(*p)).sum();
    let mut remaining = total;
    if total_power > 0 {
        let for_validators = mul_div_floor(total, ATTO - p.community_tax, ATTO)?;
        for (v, power) in &signers {
            let reward = mul_div_floor(for_validators, u128::from(*power), total_power)?;
            allocate_to_validator(state, v, reward, events)?;
            remaining -= reward;
        }
    }
    let mut fp = fee_pool(state)?;
    fp.total_allocated = dec::add(fp.total_allocated, total - remaining)?;
    fp.community_remainder = dec::add(fp.community_remainder, remaining)?;
    flush_community(state, &mut fp, events)?;
    set_fee_pool(state, &fp)
}

// ---------------------------------------------------------------------------------------
// Messages.

/// Stateless checks.
pub fn validate_basic(msg: &Msg) -> Result<(), AppError> {
    let acc = |s: &str, f: &str| -> Result<AccAddress, AppError> {
        s.parse().map_err(|e| AppError::InvalidAddress(format!("{f}: {e}")))
    };
    match msg {
        Msg::WithdrawDelegatorReward(m) => {
            acc(&m.delegator_address, "delegator_address")?;
            staking::parse_valoper(&m.validator_address, "validator_address")?;
        }
        Msg::WithdrawValidatorCommission(m) => {
            staking::parse_valoper(&m.validator_address, "validator_address")?;
        }
        Msg::SetWithdrawAddress(m) => {
            acc(&m.delegator_address, "delegator_address")?;
            acc(&m.withdraw_address, "withdraw_address")?;
        }
        Msg::FundCommunityPool(m) => {
            acc(&m.depositor, "depositor")?;
            if crate::parse_coins(&m.amount)?.is_empty() {
                return Err(AppError::InvalidCoins("amount is empty".into()));
            }
        }
        _ => {
            return Err(AppError::UnknownRequest(format!(
                "{} is not a distribution message",
                msg.type_url()
            )))
        }
    }
    Ok(())
}

/// Delivers a distribution message.
pub fn deliver(
    state: &mut dyn StateWrite,
    msg: &Msg,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    if !staking::enabled(state)? {
        return Err(AppError::StakingDisabled("distribution needs staking".into()));
    }
    match msg {
        Msg::WithdrawDelegatorReward(m) => {
            let d: AccAddress = m
                .delegator_address
                .parse()
                .map_err(|e| AppError::InvalidAddress(format!("delegator_address: {e}")))?;
            let v = staking::parse_valoper(&m.validator_address, "validator_address")?;
            if staking::get_validator(state, &v)?.is_none() {
                return Err(AppError::ValidatorNotFound(m.validator_address.clone()));
            }
            if staking::get_delegation(state, &d, &v)?.is_none() {
                return Err(StakingError::DelegationNotFound(format!(
                    "{d} has no delegation to {}",
                    m.validator_address
                ))
                .into());
            }
            withdraw_rewards(state, &d, &v, events)?;
            after_delegation_modified(state, ctx, &d, &v)
        }
        Msg::WithdrawValidatorCommission(m) => {
            let v = staking::parse_valoper(&m.validator_address, "validator_address")?;
            if staking::get_validator(state, &v)?.is_none() {
                return Err(AppError::ValidatorNotFound(m.validator_address.clone()));
            }
            let mut vd = validator_dist(state, &v)?;
            let whole = vd.commission / ATTO;
            if whole == 0 {
                return Err(AppError::NoDistributionInfo(
                    "no validator commission to withdraw".into(),
                ));
            }
            vd.commission -= whole * ATTO;
            vd.outstanding = dec::sub(vd.outstanding, whole * ATTO, "outstanding")?;
            set_validator_dist(state, &v, &vd)?;
            let to = withdraw_address(state, &v)?;
            pay(state, &to, whole, events)?;
            let mut fp = fee_pool(state)?;
            fp.total_released = dec::add(fp.total_released, whole * ATTO)?;
            fp.total_paid = dec::add(fp.total_paid, whole)?;
            set_fee_pool(state, &fp)?;
            events.push(
                Event::new("withdraw_commission")
                    .attr("amount", format!("{whole}{DENOM_AKT}"))
                    .attr("validator", &m.validator_address),
            );
            Ok(())
        }
        Msg::SetWithdrawAddress(m) => {
            if !params(state)?.withdraw_addr_enabled {
                return Err(AppError::WithdrawAddressDisabled(
                    "withdraw_addr_enabled is false".into(),
                ));
            }
            let d: AccAddress = m
                .delegator_address
                .parse()
                .map_err(|e| AppError::InvalidAddress(format!("delegator_address: {e}")))?;
            let w: AccAddress = m
                .withdraw_address
                .parse()
                .map_err(|e| AppError::InvalidAddress(format!("withdraw_address: {e}")))?;
            if auth::is_module_address(&w) {
                return Err(AppError::Unauthorized(format!(
                    "{w} is a module account and cannot receive rewards"
                )));
            }
            if w == d {
                state.delete(withdraw_key(&d));
            } else {
                state.put(withdraw_key(&d), w.as_bytes().to_vec());
            }
            events.push(Event::new("set_withdraw_address").attr("withdraw_address", &w));
            Ok(())
        }
        Msg::FundCommunityPool(m) => {
            let from: AccAddress = m
                .depositor
                .parse()
                .map_err(|e| AppError::InvalidAddress(format!("depositor: {e}")))?;
            let coins = crate::parse_coins(&m.amount)?;
            if coins.is_empty() {
                return Err(AppError::InvalidCoins("amount is empty".into()));
            }
            for c in coins.iter() {
                if bank::NON_TRANSFERABLE.contains(&c.denom.as_str()) {
                    return Err(AppError::SendDisabled(format!(
                        "{} is non-transferable and cannot fund the community pool",
                        c.denom
                    )));
                }
            }
            for c in coins.iter() {
                let have = bank::balance(state, &from, &c.denom)?;
                if have < c.amount {
                    return Err(AppError::InsufficientFunds(format!(
                        "{from} has {have}{} but funds the community pool with {c}",
                        c.denom
                    )));
                }
            }
            bank::transfer(state, &from, &auth::module_address(COMMUNITY_POOL), &coins, events)?;
            events.push(
                Event::new("fund_community_pool").attr("depositor", &from).attr("amount", &coins),
            );
            Ok(())
        }
        _ => Err(AppError::UnknownRequest(format!(
            "{} is not a distribution message",
            msg.type_url()
        ))),
    }
}

// ---------------------------------------------------------------------------------------
// Invariants.

/// Invariants: the module account × 10^18 = Σ outstanding + community remainder;
/// allocated = released + Σ outstanding; each validator's outstanding covers its
/// commission and its delegations' pending rewards; every delegation has starting info.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    if !staking::enabled(state)? {
        return Ok(());
    }
    let inv = |m: String| Err(AppError::Invariant(format!("distribution: {m}")));
    let fp = fee_pool(state)?;
    let mut outstanding = 0u128;
    let mut owed: BTreeMap<AccAddress, u128> = BTreeMap::new();
    for d in staking::all_delegations(state)? {
        let v = staking::parse_valoper(&d.validator, "validator")?;
        if state.get(&start_key(&d.delegator, &v))?.is_none() {
            return inv(format!(
                "delegation {} → {} has no starting info",
                d.delegator, d.validator
            ));
        }
        let r = pending_rewards(state, &d.delegator, &v)?;
        let e = owed.entry(v).or_default();
        *e = dec::add(*e, r)?;
    }
    for v in staking::validators(state)? {
        let vd = validator_dist(state, &v.account)?;
        outstanding = dec::add(outstanding, vd.outstanding)?;
        let need = dec::add(vd.commission, owed.get(&v.account).copied().unwrap_or(0))?;
        if need > vd.outstanding {
            return inv(format!(
                "validator {} owes {} but has {} outstanding",
                v.operator_address,
                dec::fmt_dec18(need),
                dec::fmt_dec18(vd.outstanding)
            ));
        }
    }
    let bal = bank::balance(state, &auth::module_address(MODULE_ACCOUNT), DENOM_AKT)?;
    let want = dec::add(outstanding, fp.community_remainder)?;
    if bal.checked_mul(ATTO) != Some(want) {
        return inv(format!(
            "module holds {bal}{DENOM_AKT} but outstanding + community remainder = {}",
            dec::fmt_dec18(want)
        ));
    }
    if fp.total_allocated != dec::add(fp.total_released, outstanding)? {
        return inv("allocated ≠ released + outstanding".into());
    }
    if fp.total_paid.checked_mul(ATTO).is_none_or(|p| p > fp.total_allocated) {
        return inv("paid more than allocated".into());
    }
    Ok(())
}
