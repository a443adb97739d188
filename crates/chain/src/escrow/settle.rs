//! Lazy settlement: an account pays its payments up to a height, in full or (BME halt) from
//! its AKT fallback; then its exhaustion and warning heights are re-indexed.

use dcloud_store::{StateRead, StateWrite};
use dcloud_types::{Coins, Dec, Event, DENOM_ACT, DENOM_AKT};

use super::events::low_funds_event;
use super::keys::{height_key, payment_key, DUE, WARN};
use super::state::{
    escrow_addr, get_account, must_account, params, payments, put_account, to_json,
};
use super::types::{consume, cost, Account, AccountState, Payment, ATTO, COMMUNITY_POOL};
use crate::{auth, bank, bme, oracle, AppError};

/// Blocks searched ahead for an exhaustion height (beyond it an account counts as
/// never running out).
pub(crate) const MAX_HORIZON: u64 = 1 << 40;

/// The AKT price (atto-USD per AKT) at which `a`'s AKT fallback may pay now: the account
/// holds uact and AKT, the BME status is `halt_cr` or worse and the oracle price is
/// healthy. None otherwise.
pub fn fallback_price(state: &dyn StateRead, a: &Account) -> Result<Option<u128>, AppError> {
    if a.akt_balance == 0 || a.denom != DENOM_ACT {
        return Ok(None);
    }
    if bme::status(state)?.status < bme::MintStatus::HaltCr {
        return Ok(None);
    }
    match oracle::price(state) {
        Ok(p) => Ok(Some(p)),
        Err(AppError::Oracle(crate::oracle::OracleError::PriceUnavailable(_))) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Pays `short` uact owed to payment `p` from the account's AKT at `price`, straight to the
/// provider (less the take). Returns the uact covered (all of `short` when the AKT
/// suffices).
#[allow(clippy::too_many_arguments)]
fn pay_from_akt(
    state: &mut dyn StateWrite,
    a: &mut Account,
    p: &mut Payment,
    short: u128,
    price: u128,
    take_bps: u64,
    height: u64,
    events: &mut Vec<Event>,
) -> Result<u128, AppError> {
    let overflow = || AppError::ChainState("escrow AKT fallback overflows".into());
    let needed = bme::mul_div(short, ATTO, price)
        .map(|(q, rem)| q + u128::from(rem))
        .ok_or_else(overflow)?;
    let (uakt, covered) = if needed <= a.akt_balance {
        (needed, short)
    } else {
        let c = bme::mul_div(a.akt_balance, price, ATTO).ok_or_else(overflow)?.0;
        (a.akt_balance, c.min(short))
    };
    if uakt == 0 {
        return Ok(0);
    }
    let take = uakt * u128::from(take_bps.min(10_000)) / 10_000;
    let to_provider = uakt - take;
    if to_provider > 0 {
        bank::transfer(
            state,
            &escrow_addr(),
            &p.provider,
            &Coins::one(to_provider, DENOM_AKT),
            events,
        )?;
    }
    if take > 0 {
        let pool = auth::module_address(COMMUNITY_POOL);
        bank::transfer(state, &escrow_addr(), &pool, &Coins::one(take, DENOM_AKT), events)?;
    }
    a.akt_balance -= uakt;
    a.akt_paid += uakt;
    p.akt_paid += uakt;
    events.push(
        Event::new("EventEscrowAktFallback")
            .attr("account", &a.id)
            .attr("provider", &p.provider)
            .attr("owed", format!("{short}{}", a.denom))
            .attr("covered", format!("{covered}{}", a.denom))
            .attr("paid", format!("{to_provider}{DENOM_AKT}"))
            .attr("take", format!("{take}{DENOM_AKT}"))
            .attr("price", Dec::from_atomics(price))
            .attr("akt_left", format!("{}{DENOM_AKT}", a.akt_balance))
            .attr("height", height),
    );
    Ok(covered)
}

/// Settles an open account up to `height`: every payment earns its share, exactly. What
/// the funds do not cover is paid from the AKT fallback when it may run
/// ([`fallback_price`]); anything still unpaid is added to `unsettled`.
pub(crate) fn settle_inner(
    state: &mut dyn StateWrite,
    id: &[u8],
    a: &mut Account,
    height: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    // Funds cover blocks through the exhaustion height only: an account whose closing was
    // carried past that height (end-block cap) is charged for no later block.
    let height = match a.exhausted_at {
        Some(e) if e < height => e,
        _ => height,
    };
    if height <= a.settled_at {
        return Ok(());
    }
    let n = height - a.settled_at;
    a.settled_at = height;
    if a.rate_atto == 0 {
        return Ok(());
    }
    let before = a.balance;
    // Looked up once, at the first shortfall.
    let mut fallback: Option<Option<(u128, u64)>> = None;
    for (lease, mut p) in payments(state, id)? {
        let x = p
            .rate_atto
            .checked_mul(u128::from(n))
            .and_then(|v| v.checked_add(p.remainder_atto))
            .ok_or_else(|| AppError::ChainState("escrow settlement overflow".into()))?;
        let owed = x / ATTO;
        // By the exhaustion index the account covers this, except while it runs on its AKT
        // fallback.
        let paid = owed.min(a.balance);
        a.balance -= paid;
        a.transferred += paid;
        p.balance += paid;
        let mut short = owed - paid;
        if short > 0 {
            let fb = match fallback {
                Some(f) => f,
                None => {
                    let f = match fallback_price(state, a)? {
                        Some(price) => Some((price, params(state)?.take_rate_bps)),
                        None => None,
                    };
                    fallback = Some(f);
                    f
                }
            };
            if let Some((price, take_bps)) = fb {
                if a.akt_balance > 0 {
                    short -=
                        pay_from_akt(state, a, &mut p, short, price, take_bps, height, events)?;
                }
            }
        }
        p.remainder_atto = if short == 0 { x % ATTO } else { 0 };
        a.unsettled += short;
        state.put(payment_key(id, &lease), to_json(&p)?);
    }
    consume(&mut a.deposits, before - a.balance);
    Ok(())
}

/// Recomputes the exhaustion and warning heights of an account settled at
/// `a.settled_at` (`now`, or its exhaustion height if that passed), and moves its index
/// entries.
pub(crate) fn reindex(
    state: &mut dyn StateWrite,
    id: &[u8],
    a: &mut Account,
    now: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    if let Some(h) = a.exhausted_at.take() {
        state.delete(height_key(DUE, h, id));
    }
    if let Some(h) = a.warn_at.take() {
        state.delete(height_key(WARN, h, id));
    }
    if a.state != AccountState::Open {
        return Ok(());
    }
    if a.unsettled > 0 {
        // Overdrawn: closes at the end of this block.
        a.exhausted_at = Some(now);
        state.put(height_key(DUE, now, id), Vec::new());
        return Ok(());
    }
    if a.rate_atto == 0 {
        return Ok(());
    }
    let pays = payments(state, id)?;
    // Largest n with cost(n) <= balance (cost is monotone; cost(0) = 0).
    if cost(&pays, MAX_HORIZON) <= a.balance {
        return Ok(());
    }
    let (mut lo, mut hi) = (0u64, MAX_HORIZON);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if cost(&pays, mid) <= a.balance {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let due = a.settled_at + lo;
    a.exhausted_at = Some(due);
    state.put(height_key(DUE, due, id), Vec::new());
    let warn_blocks = params(state)?.low_funds_warning_blocks;
    let warn = due.saturating_sub(warn_blocks);
    if warn > now {
        a.warn_at = Some(warn);
        state.put(height_key(WARN, warn, id), Vec::new());
    } else if warn_blocks > 0 {
        events.push(low_funds_event(a, due, now));
    }
    Ok(())
}

/// Settles an account up to `height` (no-op for closed accounts).
pub fn settle(
    state: &mut dyn StateWrite,
    id: &[u8],
    height: u64,
    events: &mut Vec<Event>,
) -> Result<Account, AppError> {
    let mut a = must_account(state, id)?;
    if a.state == AccountState::Open {
        settle_inner(state, id, &mut a, height, events)?;
        put_account(state, id, &a)?;
    }
    Ok(a)
}

/// End-block work for an account due at `height` (its funds cover `height` and no more, or
/// it is overdrawn): settles it, and returns true when it stays open because its AKT
/// fallback may pay the next block ([`fallback_price`]) — it is then due again at
/// `height + 1`. False: the caller closes it (overdrawn when `unsettled > 0`).
pub fn settle_due(
    state: &mut dyn StateWrite,
    id: &[u8],
    height: u64,
    events: &mut Vec<Event>,
) -> Result<bool, AppError> {
    let mut a = must_account(state, id)?;
    if a.state != AccountState::Open {
        return Ok(false);
    }
    settle_inner(state, id, &mut a, height, events)?;
    let keep = a.unsettled == 0 && a.rate_atto > 0 && fallback_price(state, &a)?.is_some();
    if keep {
        if let Some(h) = a.exhausted_at.take() {
            state.delete(height_key(DUE, h, id));
        }
        if let Some(h) = a.warn_at.take() {
            state.delete(height_key(WARN, h, id));
        }
        a.exhausted_at = Some(height + 1);
        state.put(height_key(DUE, height + 1, id), Vec::new());
        events.push(
            Event::new("EventEscrowOnAktFallback")
                .attr("account", &a.id)
                .attr("owner", &a.owner)
                .attr("balance", format!("{}{}", a.balance, a.denom))
                .attr("akt_balance", format!("{}{DENOM_AKT}", a.akt_balance))
                .attr("height", height),
        );
    }
    put_account(state, id, &a)?;
    Ok(keep)
}

/// Emits up to `limit` low-funds warnings due at or before `height` (key order) and removes
/// their index entries; the rest stay for the next height.
pub fn warn_due(
    state: &mut dyn StateWrite,
    height: u64,
    limit: usize,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    for (due_h, k) in crate::due_entries(state, WARN, height, limit)? {
        let id = &k[9..];
        state.delete(k.clone());
        if let Some(mut a) = get_account(state, id)? {
            if a.state == AccountState::Open && a.warn_at == Some(due_h) {
                a.warn_at = None;
                if let Some(due) = a.exhausted_at {
                    events.push(low_funds_event(&a, due, height));
                }
                put_account(state, id, &a)?;
            }
        }
    }
    Ok(())
}
