//! The events the oracle emits.

use dcloud_types::{AccAddress, Dec, Event};

use super::{Aggregate, Health, BASE_DENOM, DENOM, NAME};

/// `EventPriceSubmitted`: a source recorded an observation.
pub fn price_submitted(source: &AccAddress, price_atto: u128, ts: u64, height: u64) -> Event {
    Event::new("EventPriceSubmitted")
        .attr("module", NAME)
        .attr("source", source)
        .attr("denom", DENOM)
        .attr("base_denom", BASE_DENOM)
        .attr("price", Dec::from_atomics(price_atto).to_string())
        .attr("timestamp_ms", ts)
        .attr("height", height)
}

/// `EventPriceHealthChanged`: the aggregate's health went `from` → `to`; `last` is the
/// latest aggregate, if any.
pub fn health_changed(
    from: Health,
    to: Health,
    fresh: u32,
    height: u64,
    last: Option<&Aggregate>,
) -> Event {
    let mut ev = Event::new("EventPriceHealthChanged")
        .attr("module", NAME)
        .attr("denom", DENOM)
        .attr("base_denom", BASE_DENOM)
        .attr("from", from)
        .attr("to", to)
        .attr("fresh_sources", fresh)
        .attr("height", height);
    if let Some(a) = last {
        ev = ev
            .attr("deviation_bps", a.deviation_bps)
            .attr("price", Dec::from_atomics(a.twap_atto).to_string());
    }
    ev
}
