//! `MsgRevoke`: deletes a grant.

use dcloud_proto::cosmos::cosmos::authz::v1beta1::MsgRevoke;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use crate::authz::msg::revoke_parts;
use crate::authz::state::{AuthzRead, AuthzWrite};
use crate::authz::{events as ev, AuthzError};
use crate::AppError;

/// Delivers a `MsgRevoke`.
pub fn deliver(
    state: &mut dyn StateWrite,
    m: &MsgRevoke,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let (granter, grantee) = revoke_parts(m)?;
    // The grant exists.
    let Some(g) = state.get_grant(&granter, &grantee, &m.msg_type_url)? else {
        return Err(AuthzError::NotFound(format!(
            "no grant from {granter} to {grantee} for {}",
            m.msg_type_url
        ))
        .into());
    };
    state.remove_grant(&g);
    events.push(ev::revoke(&granter, &grantee, &m.msg_type_url));
    Ok(())
}
