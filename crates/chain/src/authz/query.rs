//! Authz queries: `grants` (`{"granter"?, "grantee"?}`): deposit grants, expired ones
//! included (with their expiration).

use super::state::AuthzRead;
pub use super::types::GrantsReq;
use crate::query::{json, json_req, opt_addr};
use crate::{AppError, QueryCtx};

/// Answers `/authz/<path>`; `None` = not an authz path.
pub fn route(path: &str, data: &[u8], q: &QueryCtx<'_>) -> Option<Result<Vec<u8>, AppError>> {
    match path {
        "grants" => Some((|| {
            let r: GrantsReq = json_req(data)?;
            let granter = opt_addr(r.granter.as_deref(), "granter")?;
            let grantee = opt_addr(r.grantee.as_deref(), "grantee")?;
            json(&q.state.grants(granter.as_ref(), grantee.as_ref())?)
        })()),
        _ => None,
    }
}
