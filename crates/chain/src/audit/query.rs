//! Audit queries: `list` (`{"provider"?, "auditor"?, "limit"?}` → audit records).

use crate::query::{json, json_req, opt_addr};
use crate::{AppError, QueryCtx};

/// `/audit/list` request (a plain type in `types.rs`).
pub use super::AuditListReq;

/// Answers `/audit/<path>`; `None` = not an audit path.
pub fn route(path: &str, data: &[u8], q: &QueryCtx<'_>) -> Option<Result<Vec<u8>, AppError>> {
    match path {
        "list" => Some((|| {
            let req: AuditListReq = json_req(data)?;
            let p = opt_addr(req.provider.as_deref(), "provider")?;
            let a = opt_addr(req.auditor.as_deref(), "auditor")?;
            let limit = req.limit.unwrap_or(100).clamp(1, 1000);
            json(&super::list(q.state, p.as_ref(), a.as_ref(), limit)?)
        })()),
        _ => None,
    }
}
