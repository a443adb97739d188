//! The cert module's events.

use dcloud_types::{AccAddress, Event};

use super::NAME;

/// `EventCertificateCreated` with `owner`, `serial`.
pub fn certificate_created(owner: &AccAddress, serial: &str) -> Event {
    Event::new("EventCertificateCreated")
        .attr("module", NAME)
        .attr("owner", owner)
        .attr("serial", serial)
}

/// `EventCertificateRevoked` with `owner`, `serial`.
pub fn certificate_revoked(owner: &AccAddress, serial: &str) -> Event {
    Event::new("EventCertificateRevoked")
        .attr("module", NAME)
        .attr("owner", owner)
        .attr("serial", serial)
}
