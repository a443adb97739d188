//! Begin block: deletes the grants whose expiration has passed.

use dcloud_store::StateWrite;
use dcloud_types::Event;

use super::keys::{grant_key_of_expiry, EXPIRY_QUEUE};
use super::state::{decode_grant, AuthzWrite};
use super::{events as ev, MAX_PRUNED_PER_BLOCK};
use crate::{AppError, BlockCtx};

/// Begin block: deletes the grants whose expiration is at or before the block time (at most
/// [`MAX_PRUNED_PER_BLOCK`], earliest first; the rest go in the next blocks).
pub fn begin_block(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    for (_, key) in crate::due_entries(state, EXPIRY_QUEUE, ctx.time_ms, MAX_PRUNED_PER_BLOCK)? {
        // The queue entry names the grant (its key without the prefix byte).
        let gk = grant_key_of_expiry(&key);
        state.delete(key);
        let Some(v) = state.get(&gk)? else { continue };
        let g = decode_grant(&v)?;
        if !g.expired(ctx.time_ms) {
            // Replaced by a later grant since: its own queue entry is further on.
            continue;
        }
        state.remove_grant(&g);
        events.push(ev::grant_expired(&g));
    }
    Ok(())
}
