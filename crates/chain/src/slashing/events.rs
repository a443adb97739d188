//! The events the slashing module emits.

use dcloud_types::Event;

/// A missed block: the validator's missed count in the window.
pub fn liveness_event(cons: &str, missed_blocks: usize) -> Event {
    Event::new("liveness").attr("address", cons).attr("missed_blocks", missed_blocks)
}

/// A downtime slash (the validator is jailed).
pub fn downtime_slash_event(cons: &str, power: u64, burned: u128, operator: &str) -> Event {
    Event::new("slash")
        .attr("address", cons)
        .attr("reason", "missing_signature")
        .attr("power", power)
        .attr("burned_coins", burned)
        .attr("jailed", operator)
}

/// A double-sign slash (the validator is jailed for good and tombstoned).
pub fn double_sign_slash_event(
    cons: &str,
    power: u64,
    infraction_height: u64,
    burned: u128,
    operator: &str,
) -> Event {
    Event::new("slash")
        .attr("address", cons)
        .attr("reason", "double_sign")
        .attr("power", power)
        .attr("infraction_height", infraction_height)
        .attr("burned_coins", burned)
        .attr("jailed", operator)
}

/// Evidence older than both max ages, ignored.
pub fn evidence_expired_event(cons: &str, infraction_height: u64) -> Event {
    Event::new("evidence_expired")
        .attr("address", cons)
        .attr("infraction_height", infraction_height)
}

/// `MsgUnjail` succeeded.
pub fn unjail_event(validator: &str) -> Event {
    Event::new("unjail").attr("validator", validator)
}
