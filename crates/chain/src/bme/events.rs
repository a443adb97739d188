//! The events BME emits.

use dcloud_types::{AccAddress, Coin, Dec, Event};

use super::rules::fmt_cr;
use super::{CancelReason, LedgerRecord, MintStatus, PendingRecord, RecordId, NAME};

/// `EventBurnMintRequested`: a conversion was queued; `out` is its estimate at `price`.
pub fn burn_mint_requested(
    owner: &AccAddress,
    to: &AccAddress,
    coin: &Coin,
    id: &RecordId,
    out: u128,
    price: u128,
) -> Event {
    let to_denom = &id.to_denom;
    Event::new("EventBurnMintRequested")
        .attr("module", NAME)
        .attr("owner", owner)
        .attr("to", to)
        .attr("coins_to_burn", coin)
        .attr("denom_to_mint", to_denom)
        .attr("height", id.height)
        .attr("sequence", id.sequence)
        .attr("estimated_out", format!("{out}{to_denom}"))
        .attr("price", Dec::from_atomics(price).to_string())
}

/// `EventVaultFunded`: the authority added collateral.
pub fn vault_funded(authority: &AccAddress, source: &AccAddress, amount: &Coin) -> Event {
    Event::new("EventVaultFunded")
        .attr("module", NAME)
        .attr("authority", authority)
        .attr("source", source)
        .attr("amount", amount)
}

/// `EventMintStatusChange`: the circuit breaker moved from `previous` to `new` at CR `cr`.
pub fn mint_status_changed(
    previous: MintStatus,
    new: MintStatus,
    cr: Option<u128>,
    height: u64,
) -> Event {
    Event::new("EventMintStatusChange")
        .attr("module", NAME)
        .attr("previous", previous)
        .attr("new", new)
        .attr(
            "collateral_ratio",
            // No price: the CR is unknown, not infinite.
            if new == MintStatus::HaltOracle { "unknown".into() } else { fmt_cr(cr) },
        )
        .attr("height", height)
}

/// `EventLedgerRecordExecuted`: a queued request was converted.
pub fn ledger_record_executed(rec: &PendingRecord, lr: &LedgerRecord) -> Event {
    Event::new("EventLedgerRecordExecuted")
        .attr("module", NAME)
        .attr("owner", &rec.owner)
        .attr("to", &rec.to)
        .attr("burned", &rec.coins_to_burn)
        .attr("minted", &lr.minted)
        .attr("paid", &lr.paid)
        .attr("spread", &lr.spread)
        .attr("price", &lr.price)
        .attr("remint_credit_accrued", lr.remint_credit_accrued)
        .attr("remint_credit_issued", lr.remint_credit_issued)
        .attr("request_height", rec.id.height)
        .attr("sequence", rec.id.sequence)
}

/// `EventLedgerRecordCanceled`: a queued request was refunded.
pub fn ledger_record_canceled(rec: &PendingRecord, reason: CancelReason, error: &str) -> Event {
    Event::new("EventLedgerRecordCanceled")
        .attr("module", NAME)
        .attr("owner", &rec.owner)
        .attr("coins_to_burn", &rec.coins_to_burn)
        .attr("denom_to_mint", &rec.denom_to_mint)
        .attr(
            "reason",
            serde_json::to_value(reason)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
        )
        .attr("error", error)
        .attr("request_height", rec.id.height)
        .attr("sequence", rec.id.sequence)
}

/// `EventLedgerRecordRetry`: a request failed retriably and stays queued.
pub fn ledger_record_retry(rec: &PendingRecord, error: &str) -> Event {
    Event::new("EventLedgerRecordRetry")
        .attr("module", NAME)
        .attr("owner", &rec.owner)
        .attr("attempts", rec.attempts)
        .attr("error", error)
        .attr("request_height", rec.id.height)
        .attr("sequence", rec.id.sequence)
}
