//! `MsgGrant`: creates or replaces the deposit grant from granter to grantee.

use dcloud_proto::cosmos::cosmos::authz::v1beta1::MsgGrant;
use dcloud_proto::dcloud::escrow::DEPOSIT_AUTHORIZATION_URL;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use crate::authz::msg::{parse_grant, GrantParts};
use crate::authz::state::{AuthzRead, AuthzWrite};
use crate::authz::{events as ev, AuthzError, Grant, DEPOSIT_MSG_URL};
use crate::{AppError, BlockCtx};

/// Delivers a `MsgGrant`.
pub fn deliver(
    state: &mut dyn StateWrite,
    m: &MsgGrant,
    bctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let GrantParts { granter, grantee, authorization, expiration_ms } = parse_grant(m)?;
    // The expiration, when given, is after the block time.
    if let Some(e) = expiration_ms {
        if e <= bctx.time_ms {
            return Err(AuthzError::InvalidExpiration(format!(
                "expiration {e} ms must be after the block time {} ms",
                bctx.time_ms
            ))
            .into());
        }
    }
    let g = Grant {
        granter,
        grantee,
        msg_type_url: DEPOSIT_MSG_URL.into(),
        authorization_type: DEPOSIT_AUTHORIZATION_URL.into(),
        authorization,
        expiration_ms,
    };
    // A grant replacing another drops the old one's expiry queue entry.
    if let Some(old) = state.get_grant(&g.granter, &g.grantee, &g.msg_type_url)? {
        state.remove_grant(&old);
    }
    state.put_grant(&g)?;
    events.push(ev::grant(&g));
    Ok(())
}
