//! The events the mint module emits.

use dcloud_types::Event;

use crate::dec;

/// The `mint` event of one block: bonded ratio, inflation, annual provisions (18-decimal)
/// and the uakt minted.
pub fn mint_event(ratio: u128, inflation: u128, annual_provisions: u128, amount: u128) -> Event {
    Event::new("mint")
        .attr("bonded_ratio", dec::fmt_dec18(ratio))
        .attr("inflation", dec::fmt_dec18(inflation))
        .attr("annual_provisions", dec::fmt_dec18(annual_provisions))
        .attr("amount", amount)
}
