//! The provider module's events.

use dcloud_types::{AccAddress, Event};

use super::NAME;

/// `EventProviderCreated` with `owner`.
pub fn provider_created(owner: &AccAddress) -> Event {
    Event::new("EventProviderCreated").attr("module", NAME).attr("owner", owner)
}

/// `EventProviderUpdated` with `owner`.
pub fn provider_updated(owner: &AccAddress) -> Event {
    Event::new("EventProviderUpdated").attr("module", NAME).attr("owner", owner)
}
