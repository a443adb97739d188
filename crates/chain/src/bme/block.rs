//! End block (the circuit breaker, then the burn and mint batches when due) and genesis.

use dcloud_store::{StateRead, StateWrite};
use dcloud_types::{Coin, Coins, Dec, Event, DENOM_ACT, DENOM_AKT};

use super::events as ev;
use super::keys::{pending_key, record_key, CANCELED, LEDGER};
use super::rules::{check_output, convert, evaluate};
use super::state::{
    add, collateral_ratio, params, pending, put_pending, put_status, put_totals, status, sub,
    to_json, totals, vault_address,
};
use super::{
    BmeError, BmeParams, BmeStatus, CancelReason, CanceledRecord, LedgerRecord, MintStatus,
    PendingRecord, Totals, NAME, VAULT,
};
use crate::{atomically, bank, oracle, set_params, AppError, BlockCtx};

/// Re-evaluates the circuit breaker; emits `EventMintStatusChange` on a change.
fn reevaluate(
    state: &dyn StateRead,
    p: &BmeParams,
    st: &mut BmeStatus,
    height: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let (new, diff, cr) = match oracle::price(state) {
        Ok(price) => {
            let cr = collateral_ratio(state, price)?;
            let (s, d) = evaluate(p, st.status, cr);
            (s, d, cr)
        }
        Err(AppError::Oracle(crate::oracle::OracleError::PriceUnavailable(_))) => {
            (MintStatus::HaltOracle, None, None)
        }
        Err(e) => return Err(e),
    };
    st.collateral_ratio_bps = cr;
    if let Some(d) = diff {
        st.epoch_height_diff = d;
    }
    if new != st.status {
        events.push(ev::mint_status_changed(st.status, new, cr, height));
        st.previous_status = st.status;
        st.status = new;
    }
    Ok(())
}

fn classify(e: &AppError, is_mint: bool) -> (CancelReason, bool) {
    match e {
        AppError::Bme(BmeError::ConversionEpsilon(_)) => (CancelReason::Epsilon, true),
        AppError::Bme(BmeError::BelowMinimumMint(_)) => (CancelReason::MinimumMint, true),
        AppError::Bme(BmeError::InvalidDenom(_)) => (CancelReason::InvalidDenom, true),
        AppError::InvalidCoins(_) => (CancelReason::InvalidAmount, true),
        AppError::Oracle(crate::oracle::OracleError::PriceUnavailable(_)) => {
            (CancelReason::ZeroPrice, false)
        }
        AppError::InsufficientFunds(_) => (CancelReason::InsufficientFunds, false),
        _ if is_mint => (CancelReason::MintFailed, false),
        _ => (CancelReason::BurnFailed, false),
    }
}

/// Executes one pending record at `price`; all-or-nothing (run inside `atomically`).
fn execute(
    state: &mut dyn StateWrite,
    rec: &PendingRecord,
    price: u128,
    p: &BmeParams,
    height: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let a = rec.coins_to_burn.amount;
    let from = rec.coins_to_burn.denom.as_str();
    let to_denom = rec.denom_to_mint.as_str();
    let (out, spread) = convert(a, from, price, p)?;
    check_output(out, to_denom, p)?;
    let paid = out - spread;
    let vault = vault_address();
    let mut t = totals(state)?;
    sub(&mut t.pending, a, from, "pending")?;
    let (credit_accrued, credit_issued, bank_minted, bank_burned) =
        settle_bank(state, &mut t, a, from, out, events)?;
    if paid > 0 {
        bank::transfer(state, &vault, &rec.to, &Coins::one(paid, to_denom), events)?;
    }
    add(&mut t.spread_collected, spread, to_denom)?;
    put_totals(state, &t)?;
    let lr = LedgerRecord {
        id: rec.id.clone(),
        owner: rec.owner.clone(),
        to: rec.to.clone(),
        burned: rec.coins_to_burn.clone(),
        minted: Coin::new(out, to_denom),
        paid: Coin::new(paid, to_denom),
        spread: Coin::new(spread, to_denom),
        price: Dec::from_atomics(price).to_string(),
        remint_credit_accrued: credit_accrued,
        remint_credit_issued: credit_issued,
        bank_minted,
        bank_burned,
        executed_height: height,
    };
    state.delete(pending_key(&rec.id));
    state.put(record_key(LEDGER, &rec.id), to_json(&lr)?);
    events.push(ev::ledger_record_executed(rec, &lr));
    Ok(())
}

/// The bank side of converting `a` of `from` into `out`: AKT→ACT mints the ACT and keeps
/// the AKT as remint credit; ACT→AKT burns the ACT and pays AKT from the credits first, then
/// from fresh mints. Updates `t`; returns (credit accrued, credit issued, bank minted, bank
/// burned).
fn settle_bank(
    state: &mut dyn StateWrite,
    t: &mut Totals,
    a: u128,
    from: &str,
    out: u128,
    events: &mut Vec<Event>,
) -> Result<(u128, u128, Coin, Coin), AppError> {
    if from == DENOM_AKT {
        // AKT stays in the vault as collateral and becomes remint credit; ACT is minted.
        bank::mint(state, VAULT, &Coins::one(out, DENOM_ACT), events)?;
        add(&mut t.total_minted, out, DENOM_ACT)?;
        add(&mut t.remint_credits, a, DENOM_AKT)?;
        return Ok((a, 0, Coin::new(out, DENOM_ACT), Coin::new(0, DENOM_AKT)));
    }
    let supply = bank::supply_of(state, DENOM_ACT)?;
    if a > supply {
        return Err(AppError::InsufficientFunds(format!(
            "burn of {a}uact exceeds the supply {supply}"
        )));
    }
    bank::burn(state, VAULT, &Coins::one(a, DENOM_ACT), events)?;
    add(&mut t.total_burned, a, DENOM_ACT)?;
    let remint = out.min(t.remint_credits.amount_of(DENOM_AKT));
    sub(&mut t.remint_credits, remint, DENOM_AKT, "remint credits")?;
    let fresh = out - remint;
    if fresh > 0 {
        bank::mint(state, VAULT, &Coins::one(fresh, DENOM_AKT), events)?;
        add(&mut t.total_minted, fresh, DENOM_AKT)?;
    }
    Ok((0, remint, Coin::new(fresh, DENOM_AKT), Coin::new(a, DENOM_ACT)))
}

/// Cancels a pending record: refunds its coins, stores the cancelled record.
fn cancel(
    state: &mut dyn StateWrite,
    rec: &PendingRecord,
    reason: CancelReason,
    error: &str,
    height: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let c = &rec.coins_to_burn;
    bank::transfer(state, &vault_address(), &rec.owner, &Coins::one(c.amount, &c.denom), events)?;
    let mut t = totals(state)?;
    sub(&mut t.pending, c.amount, &c.denom, "pending")?;
    put_totals(state, &t)?;
    let cr = CanceledRecord {
        id: rec.id.clone(),
        owner: rec.owner.clone(),
        to: rec.to.clone(),
        coins_to_burn: c.clone(),
        denom_to_mint: rec.denom_to_mint.clone(),
        cancel_reason: reason,
        error: error.to_string(),
        attempts: rec.attempts,
        canceled_height: height,
    };
    state.delete(pending_key(&rec.id));
    state.put(record_key(CANCELED, &rec.id), to_json(&cr)?);
    events.push(ev::ledger_record_canceled(rec, reason, error));
    Ok(())
}

/// Processes up to `max_endblocker_records` pending records of one direction. For mints,
/// stops early when the circuit breaker trips to `halt_cr` (re-evaluated after each record).
fn process(
    state: &mut dyn StateWrite,
    from: &str,
    p: &BmeParams,
    st: &mut BmeStatus,
    height: u64,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let limit = usize::try_from(p.max_endblocker_records).unwrap_or(usize::MAX);
    let is_mint = from == DENOM_AKT;
    for mut rec in pending(state, from, limit)? {
        let price = oracle::price(state);
        let r = match price {
            Ok(price) => atomically(state, events, |s, ev| execute(s, &rec, price, p, height, ev)),
            Err(e) => Err(e),
        };
        match r {
            Ok(()) => {}
            Err(e @ AppError::Store(_)) => return Err(e),
            Err(e) => {
                let (reason, fatal) = classify(&e, is_mint);
                rec.attempts += 1;
                if fatal || rec.attempts >= p.max_pending_attempts {
                    let reason = if fatal { reason } else { CancelReason::MaxAttempts };
                    let msg = e.to_string();
                    let r = atomically(state, events, |s, ev| {
                        cancel(s, &rec, reason, &msg, height, ev)
                    });
                    crate::skip_or_halt(r, "bme cancel", events)?;
                } else {
                    put_pending(state, &rec)?;
                    events.push(ev::ledger_record_retry(&rec, &e.to_string()));
                }
            }
        }
        if is_mint {
            reevaluate(state, p, st, height, events)?;
            if st.status >= MintStatus::HaltCr {
                break;
            }
        }
    }
    Ok(())
}

/// End-block: evaluates the circuit breaker, runs the burn batch when due, and the mint
/// batch when due and not halted.
pub fn end_block(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let p = params(state)?;
    let mut st = status(state)?;
    let before = st.clone();
    let was = st.status;
    reevaluate(state, &p, &mut st, ctx.height, events)?;
    let h = ctx.height;
    // A batch runs when due and there is work; an idle schedule restarts at the next
    // request (see [`request`]), so an idle chain writes nothing.
    if st.next_burn_epoch <= h && !pending(state, DENOM_ACT, 1)?.is_empty() {
        st.next_burn_epoch = h + p.min_epoch_blocks;
        process(state, DENOM_ACT, &p, &mut st, h, events)?;
    }
    if st.status <= MintStatus::Warning {
        if was >= MintStatus::HaltCr {
            // Just recovered from a halt: the next batch waits a full epoch.
            st.next_mint_epoch = h + st.epoch_height_diff;
        } else if st.next_mint_epoch <= h && !pending(state, DENOM_AKT, 1)?.is_empty() {
            st.next_mint_epoch = h + st.epoch_height_diff;
            process(state, DENOM_AKT, &p, &mut st, h, events)?;
        }
    }
    if st != before {
        put_status(state, &st)?;
    }
    Ok(())
}

/// Writes genesis: params, the totals baseline (bank supply and vault balance) and the
/// status (from `halt_cr`, evaluated once; epochs at `min_epoch_blocks`). Runs after the
/// bank's and the oracle's genesis.
pub fn init_genesis(state: &mut dyn StateWrite, p: &BmeParams) -> Result<(), AppError> {
    set_params(state, NAME, p)?;
    let mut t = Totals::default();
    for d in [DENOM_AKT, DENOM_ACT] {
        add(&mut t.genesis_supply, bank::supply_of(state, d)?, d)?;
        add(&mut t.vault_funded, bank::balance(state, &vault_address(), d)?, d)?;
    }
    put_totals(state, &t)?;
    let mut st = BmeStatus {
        status: MintStatus::Unspecified,
        previous_status: MintStatus::Unspecified,
        epoch_height_diff: p.min_epoch_blocks,
        next_mint_epoch: p.min_epoch_blocks,
        next_burn_epoch: p.min_epoch_blocks,
        collateral_ratio_bps: None,
    };
    // Evaluated once at genesis (after the oracle's genesis; the thresholds without the
    // recovery band), so an idle chain's first blocks change nothing; a genesis with a
    // price and no ACT starts healthy. The status before it counts as halt_cr.
    reevaluate(state, p, &mut st, 0, &mut Vec::new())?;
    st.previous_status =
        if st.status == MintStatus::HaltCr { MintStatus::Unspecified } else { MintStatus::HaltCr };
    put_status(state, &st)
}
