//! Audit queries: `list` (`{"provider"?, "auditor"?, "limit"?}` → audit records).

use serde::{Deserialize, Serialize};

use crate::query::{json, json_req, opt_addr};
use crate::{AppError, QueryCtx};

/// `/audit/list` request.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct AuditListReq {
    /// Only records on this provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Only records by this auditor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auditor: Option<String>,
    /// At most this many (default 100, max 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

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
