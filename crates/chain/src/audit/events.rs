//! The audit module's events.

use dcloud_types::{AccAddress, Event};

use super::NAME;

/// `EventTrustedAuditorCreated` with `owner`, `auditor`.
pub fn trusted_auditor_created(owner: &AccAddress, auditor: &AccAddress) -> Event {
    Event::new("EventTrustedAuditorCreated")
        .attr("module", NAME)
        .attr("owner", owner)
        .attr("auditor", auditor)
}

/// `EventTrustedAuditorDeleted` with `owner`, `auditor`.
pub fn trusted_auditor_deleted(owner: &AccAddress, auditor: &AccAddress) -> Event {
    Event::new("EventTrustedAuditorDeleted")
        .attr("module", NAME)
        .attr("owner", owner)
        .attr("auditor", auditor)
}
