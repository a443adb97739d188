//! Escrow's events: `EventEscrowLowFunds` (built here); account, deposit, payment and
//! withdrawal events are built where they happen (`hooks.rs`, `settle.rs`).

use dcloud_types::Event;

use super::types::Account;

#[cfg_attr(not(feature = "state"), allow(dead_code))]
pub(crate) fn low_funds_event(a: &Account, due: u64, now: u64) -> Event {
    Event::new("EventEscrowLowFunds")
        .attr("account", &a.id)
        .attr("owner", &a.owner)
        .attr("balance", format!("{}{}", a.balance, a.denom))
        .attr("exhausted_at", due)
        .attr("blocks_remaining", due.saturating_sub(now))
}
