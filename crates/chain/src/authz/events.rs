//! The events the authz module emits.

use dcloud_types::{AccAddress, Event};

use super::{Grant, NAME};

/// `cosmos.authz.v1beta1.EventGrant`: a grant was created or replaced.
pub fn grant(g: &Grant) -> Event {
    Event::new("cosmos.authz.v1beta1.EventGrant")
        .attr("granter", &g.granter)
        .attr("grantee", &g.grantee)
        .attr("msg_type_url", &g.msg_type_url)
        .attr("spend_limits", g.authorization.spend_limits.to_string())
}

/// `cosmos.authz.v1beta1.EventRevoke`: a grant was revoked.
pub fn revoke(granter: &AccAddress, grantee: &AccAddress, msg_type_url: &str) -> Event {
    Event::new("cosmos.authz.v1beta1.EventRevoke")
        .attr("granter", granter)
        .attr("grantee", grantee)
        .attr("msg_type_url", msg_type_url)
}

/// `EventGrantExpired`: begin block deleted an expired grant.
pub fn grant_expired(g: &Grant) -> Event {
    Event::new("EventGrantExpired")
        .attr("module", NAME)
        .attr("granter", &g.granter)
        .attr("grantee", &g.grantee)
        .attr("msg_type_url", &g.msg_type_url)
        .attr("expiration_ms", g.expiration_ms.unwrap_or_default())
}
