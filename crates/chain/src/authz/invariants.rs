//! The authz invariants.

use dcloud_store::StateRead;

use super::keys::{expiry_key, granter_key, BY_GRANTER, EXPIRY_QUEUE, GRANT};
use super::state::decode_grant;
use crate::AppError;

/// Invariant: every grant has its by-granter index entry and vice versa, with positive-or-zero
/// limits in a valid coin set (checked by decoding); the grants with an expiration are exactly
/// those in the expiry queue, at that expiration.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    let all = state.prefix_range(&[GRANT], None, usize::MAX)?;
    let index = state.prefix_range(&[BY_GRANTER], None, usize::MAX)?;
    let queue = state.prefix_range(&[EXPIRY_QUEUE], None, usize::MAX)?;
    if all.len() != index.len() {
        return Err(AppError::Invariant(format!(
            "{} authz grants but {} by-granter index entries",
            all.len(),
            index.len()
        )));
    }
    let mut expiring = 0;
    for (_, v) in &all {
        let g = decode_grant(v).map_err(|e| AppError::Invariant(e.to_string()))?;
        if state.get(&granter_key(&g.granter, &g.grantee, &g.msg_type_url))?.is_none() {
            return Err(AppError::Invariant(format!(
                "authz grant {} → {} lacks its index entry",
                g.granter, g.grantee
            )));
        }
        if let Some(e) = g.expiration_ms {
            expiring += 1;
            if state.get(&expiry_key(&g.granter, &g.grantee, &g.msg_type_url, e))?.is_none() {
                return Err(AppError::Invariant(format!(
                    "authz grant {} → {} expiring at {e} ms is not in the expiry queue",
                    g.granter, g.grantee
                )));
            }
        }
    }
    if queue.len() != expiring {
        return Err(AppError::Invariant(format!(
            "{} authz expiry queue entries but {expiring} grants with an expiration",
            queue.len()
        )));
    }
    Ok(())
}
