//! The escrow writes other modules ask for, by name: the market and deployment modules
//! open accounts (funded), deposit, open / withdraw / close payments and close accounts;
//! the market's end block drops due index entries.

use dcloud_store::StateWrite;
use dcloud_types::{AccAddress, Coins, Event, DENOM_AKT};

use super::keys::{height_key, payment_key, DUE};
use super::settle::{reindex, settle_inner};
use super::state::{
    accepts_denom, escrow_addr, get_account, get_payment, must_account, params, payments,
    put_account, to_json,
};
use super::types::{Account, AccountState, DepositSource, Depositor, Payment, COMMUNITY_POOL};
use super::EscrowError;
use crate::{auth, bank, AppError};

/// Opens an account funded with `amount` of `denom` from `owner`.
#[allow(clippy::too_many_arguments)]
pub fn create_account(
    state: &mut dyn StateWrite,
    id: &[u8],
    label: String,
    owner: &AccAddress,
    denom: &str,
    amount: u128,
    height: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let funds = vec![Depositor {
        owner: owner.clone(),
        height,
        source: DepositSource::Balance,
        grantee: None,
        balance: amount,
    }];
    create_account_funded(state, id, label, owner, denom, funds, height, events)
}

/// Opens an account of `owner` funded by `funds` (each depositor's `balance` moves from its
/// `owner` to the escrow module; refunds go back to each).
#[allow(clippy::too_many_arguments)]
pub fn create_account_funded(
    state: &mut dyn StateWrite,
    id: &[u8],
    label: String,
    owner: &AccAddress,
    denom: &str,
    funds: Vec<Depositor>,
    height: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    if get_account(state, id)?.is_some() {
        return Err(AppError::InvalidRequest(format!("escrow account {label} already exists")));
    }
    let funds: Vec<Depositor> = funds.into_iter().filter(|d| d.balance > 0).collect();
    let mut amount: u128 = 0;
    for d in &funds {
        bank::transfer(state, &d.owner, &escrow_addr(), &Coins::one(d.balance, denom), events)?;
        amount += d.balance;
    }
    let a = Account {
        id: label,
        owner: owner.clone(),
        denom: denom.to_string(),
        state: AccountState::Open,
        balance: amount,
        deposited: amount,
        transferred: 0,
        refunded: 0,
        settled_at: height,
        rate_atto: 0,
        exhausted_at: None,
        warn_at: None,
        deposits: funds,
        akt_balance: 0,
        akt_deposited: 0,
        akt_paid: 0,
        akt_refunded: 0,
        unsettled: 0,
    };
    put_account(state, id, &a)
}

/// Adds funds to an open account: each depositor's `balance` moves from its `owner` to the
/// escrow module and joins the account's deposits (in order); `uakt` into a `uact` account
/// is its AKT fallback instead (from the owner's own balance only; see the module docs).
pub fn deposit(
    state: &mut dyn StateWrite,
    id: &[u8],
    funds: Vec<Depositor>,
    denom: &str,
    height: u64,
    events: &mut Vec<Event>,
) -> Result<Account, AppError> {
    let mut a = must_account(state, id)?;
    if a.state != AccountState::Open {
        return Err(EscrowError::EscrowAccountClosed(a.id).into());
    }
    let fallback = accepts_denom(&a, denom)?;
    if fallback && funds.iter().any(|d| d.owner != a.owner || d.source != DepositSource::Balance) {
        return Err(EscrowError::EscrowDenom(format!(
            "an AKT fallback deposit into account {} comes from its owner's own balance",
            a.id
        ))
        .into());
    }
    settle_inner(state, id, &mut a, height, events)?;
    for d in funds.into_iter().filter(|d| d.balance > 0) {
        bank::transfer(state, &d.owner, &escrow_addr(), &Coins::one(d.balance, denom), events)?;
        if fallback {
            a.akt_balance += d.balance;
            a.akt_deposited += d.balance;
            continue;
        }
        a.balance += d.balance;
        a.deposited += d.balance;
        match a.deposits.last_mut() {
            Some(last)
                if last.owner == d.owner
                    && last.source == d.source
                    && last.grantee == d.grantee =>
            {
                last.balance += d.balance;
            }
            _ => a.deposits.push(d),
        }
    }
    reindex(state, id, &mut a, height, events)?;
    put_account(state, id, &a)?;
    Ok(a)
}

/// Opens a payment of `rate_atto` per block from account `id` to `provider` for `lease`.
pub fn create_payment(
    state: &mut dyn StateWrite,
    id: &[u8],
    lease: &[u8],
    provider: &AccAddress,
    rate_atto: u128,
    height: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let mut a = must_account(state, id)?;
    if a.state != AccountState::Open {
        return Err(EscrowError::EscrowAccountClosed(a.id).into());
    }
    if rate_atto == 0 {
        return Err(AppError::InvalidRequest("payment rate is zero".into()));
    }
    settle_inner(state, id, &mut a, height, events)?;
    if a.settled_at < height {
        // Its funds ran out before `height` and its closing was carried (end-block cap): a new
        // payment would be charged for blocks before it existed.
        return Err(EscrowError::EscrowAccountClosed(format!(
            "{} (funds ran out at height {}; it closes at the next end block)",
            a.id, a.settled_at
        ))
        .into());
    }
    let p = Payment {
        provider: provider.clone(),
        rate_atto,
        remainder_atto: 0,
        balance: 0,
        withdrawn: 0,
        akt_paid: 0,
    };
    state.put(payment_key(id, lease), to_json(&p)?);
    a.rate_atto = a.rate_atto.saturating_add(rate_atto);
    reindex(state, id, &mut a, height, events)?;
    put_account(state, id, &a)
}

/// Pays a payment's earned balance to its provider, less the take (to the community pool).
fn payout(
    state: &mut dyn StateWrite,
    denom: &str,
    p: &mut Payment,
    take_bps: u64,
    events: &mut Vec<Event>,
) -> Result<(u128, u128), AppError> {
    let amount = p.balance;
    if amount == 0 {
        return Ok((0, 0));
    }
    let take = amount * u128::from(take_bps.min(10_000)) / 10_000;
    let to_provider = amount - take;
    if to_provider > 0 {
        bank::transfer(
            state,
            &escrow_addr(),
            &p.provider,
            &Coins::one(to_provider, denom),
            events,
        )?;
    }
    if take > 0 {
        let pool = auth::module_address(COMMUNITY_POOL);
        bank::transfer(state, &escrow_addr(), &pool, &Coins::one(take, denom), events)?;
    }
    p.balance = 0;
    p.withdrawn += amount;
    Ok((to_provider, take))
}

/// Settles and pays out a payment's earnings. Returns (to provider, take).
pub fn withdraw_payment(
    state: &mut dyn StateWrite,
    id: &[u8],
    lease: &[u8],
    height: u64,
    events: &mut Vec<Event>,
) -> Result<(u128, u128), AppError> {
    let mut a = must_account(state, id)?;
    settle_inner(state, id, &mut a, height, events)?;
    put_account(state, id, &a)?;
    let mut p = get_payment(state, id, lease)?
        .ok_or_else(|| AppError::InvalidRequest("no open payment for this lease".into()))?;
    let take_bps = params(state)?.take_rate_bps;
    let r = payout(state, &a.denom, &mut p, take_bps, events)?;
    state.put(payment_key(id, lease), to_json(&p)?);
    Ok(r)
}

/// Settles, pays out and removes a payment. Returns its total withdrawn (before take).
pub fn close_payment(
    state: &mut dyn StateWrite,
    id: &[u8],
    lease: &[u8],
    height: u64,
    events: &mut Vec<Event>,
) -> Result<u128, AppError> {
    let mut a = must_account(state, id)?;
    settle_inner(state, id, &mut a, height, events)?;
    let Some(mut p) = get_payment(state, id, lease)? else {
        put_account(state, id, &a)?;
        return Ok(0);
    };
    let take_bps = params(state)?.take_rate_bps;
    payout(state, &a.denom, &mut p, take_bps, events)?;
    state.delete(payment_key(id, lease));
    a.rate_atto = a.rate_atto.saturating_sub(p.rate_atto);
    reindex(state, id, &mut a, height, events)?;
    put_account(state, id, &a)?;
    Ok(p.withdrawn)
}

/// Settles and closes an account: every payment paid out and removed, the rest (and what
/// is left of the AKT fallback) refunded to the owner. Returns the refund in the account's
/// denom. Closing a closed account is a no-op.
pub fn close_account(
    state: &mut dyn StateWrite,
    id: &[u8],
    height: u64,
    events: &mut Vec<Event>,
) -> Result<u128, AppError> {
    let mut a = must_account(state, id)?;
    if a.state != AccountState::Open {
        return Ok(0);
    }
    settle_inner(state, id, &mut a, height, events)?;
    let take_bps = params(state)?.take_rate_bps;
    for (lease, mut p) in payments(state, id)? {
        payout(state, &a.denom, &mut p, take_bps, events)?;
        state.delete(payment_key(id, &lease));
    }
    let refund = a.balance;
    let mut left = refund;
    for d in std::mem::take(&mut a.deposits) {
        let amount = d.balance.min(left);
        if amount == 0 {
            continue;
        }
        left -= amount;
        bank::transfer(state, &escrow_addr(), &d.owner, &Coins::one(amount, &a.denom), events)?;
        if let (DepositSource::Grant, Some(grantee)) = (d.source, &d.grantee) {
            crate::authz::restore_deposit_limit(state, &d.owner, grantee, &a.denom, amount)?;
        }
    }
    // Accounts written before deposits were tracked: the rest goes to the owner.
    if left > 0 {
        bank::transfer(state, &escrow_addr(), &a.owner, &Coins::one(left, &a.denom), events)?;
    }
    a.balance = 0;
    a.refunded += refund;
    let akt = a.akt_balance;
    if akt > 0 {
        bank::transfer(state, &escrow_addr(), &a.owner, &Coins::one(akt, DENOM_AKT), events)?;
        events.push(
            Event::new("EventEscrowAktRefunded")
                .attr("account", &a.id)
                .attr("owner", &a.owner)
                .attr("amount", format!("{akt}{DENOM_AKT}")),
        );
    }
    a.akt_balance = 0;
    a.akt_refunded += akt;
    a.rate_atto = 0;
    a.state = AccountState::Closed;
    reindex(state, id, &mut a, height, events)?;
    put_account(state, id, &a)?;
    Ok(refund)
}

/// Removes the exhaustion-index entry of account `id` at `height` (end block takes it out
/// before closing the account, so an item that fails is not retried at every height).
pub fn unindex_due(state: &mut dyn StateWrite, height: u64, id: &[u8]) {
    state.delete(height_key(DUE, height, id));
}
