//! The core staking operations shared by the message handlers, genesis, end-block and the
//! slashing hooks: creating validators, delegating, unbonding shares, removing a validator.
//! Distribution's hooks run before and after every delegation change, as the SDK's do.

use base64::Engine;
use dcloud_store::StateWrite;
use dcloud_types::{AccAddress, Event, DENOM_AKT};

use super::block::apply_validator_set;
use super::keys::*;
use super::msg::{check_commission, parse_acc};
use super::state::*;
use super::StakingError;
use super::{
    consensus_address, decode_pubkey, parse_operator_any, valoper, BondStatus, Commission,
    Delegation, Description, StakingGenesis, Validator, NAME, NOT_BONDED_POOL,
};
use crate::dec::{self, mul_div_ceil, mul_div_floor, parse_rate, put_json};
use crate::{auth, bank, distribution, set_params, AppError, BlockCtx};

/// What a new validator needs.
pub(crate) struct NewValidator {
    /// The operator account.
    pub(crate) operator: AccAddress,
    /// The ed25519 consensus key.
    pub(crate) pubkey: Vec<u8>,
    /// Its description.
    pub(crate) description: Description,
    /// Commission rate.
    pub(crate) rate: u128,
    /// Commission max rate.
    pub(crate) max_rate: u128,
    /// Commission max change rate (per change).
    pub(crate) max_change_rate: u128,
    /// Minimum self delegation.
    pub(crate) min_self_delegation: u128,
    /// The initial self delegation.
    pub(crate) self_delegation: u128,
}

pub(crate) fn create_validator(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    n: NewValidator,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let p = params(state)?;
    check_commission(n.rate, n.max_rate, n.max_change_rate, p.min_commission_rate)?;
    if get_validator(state, &n.operator)?.is_some() {
        return Err(StakingError::ValidatorExists(format!(
            "{} already operates a validator",
            valoper(&n.operator)
        ))
        .into());
    }
    let cons = consensus_address(&n.pubkey);
    if state.get(&cons_key(&cons))?.is_some() {
        return Err(StakingError::ValidatorExists(format!(
            "consensus key {cons} is already in use"
        ))
        .into());
    }
    if n.min_self_delegation == 0 {
        return Err(
            StakingError::InvalidStaking("min self delegation must be positive".into()).into()
        );
    }
    if n.self_delegation < n.min_self_delegation {
        return Err(StakingError::InvalidStaking(format!(
            "self delegation {} is below the minimum self delegation {}",
            n.self_delegation, n.min_self_delegation
        ))
        .into());
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
pub(crate) enum Source {
    /// The delegator's balance.
    Account,
    /// A pool (redelegation): the tokens are already in this pool.
    Pool(&'static str),
}

pub(crate) fn delegate(
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
pub(crate) fn shares_for_amount(
    v: &Validator,
    d: &Delegation,
    amount: u128,
) -> Result<u128, AppError> {
    if v.tokens == 0 {
        return Err(StakingError::InvalidStaking(format!(
            "validator {} has no tokens",
            v.operator_address
        ))
        .into());
    }
    let floor = mul_div_floor(amount, v.delegator_shares, v.tokens)?;
    if floor > d.shares || amount > v.tokens_from_shares(d.shares)? {
        return Err(StakingError::InsufficientShares(format!(
            "{} delegates {}{DENOM_AKT} to {}, cannot take {amount}{DENOM_AKT}",
            d.delegator,
            v.tokens_from_shares(d.shares)?,
            v.operator_address
        ))
        .into());
    }
    Ok(mul_div_ceil(amount, v.delegator_shares, v.tokens)?.min(d.shares))
}

/// Removes `shares` of a delegation; returns the tokens they were worth (the tokens stay in
/// the validator's pool; callers move them).
pub(crate) fn unbond(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    del: &AccAddress,
    val: &AccAddress,
    shares: u128,
    events: &mut Vec<Event>,
) -> Result<u128, AppError> {
    let d = get_delegation(state, del, val)?.ok_or_else(|| {
        StakingError::DelegationNotFound(format!("{del} has no delegation to {}", valoper(val)))
    })?;
    if shares == 0 || shares > d.shares {
        return Err(StakingError::InsufficientShares(format!(
            "cannot unbond {} of {} shares",
            dec::fmt_dec18(shares),
            dec::fmt_dec18(d.shares)
        ))
        .into());
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

pub(crate) fn remove_validator(
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
        let r =
            |s: &str| parse_rate(s).map_err(|e| bad(i, StakingError::InvalidCommission(e).into()));
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
