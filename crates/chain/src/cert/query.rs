//! Cert queries: `list` (`{"owner"?, "state"?, "serial"?, "limit"?}` → certificates).

use crate::query::{json, json_req};
use crate::{AppError, QueryCtx};

/// `/cert/list` request (a plain type in `types.rs`).
pub use super::CertListReq;

/// Answers `/cert/<path>`; `None` = not a cert path.
pub fn route(path: &str, data: &[u8], q: &QueryCtx<'_>) -> Option<Result<Vec<u8>, AppError>> {
    match path {
        "list" => Some((|| {
            let req: CertListReq = json_req(data)?;
            json(&super::list(q.state, &req.filter, req.limit.unwrap_or(100).clamp(1, 1000))?)
        })()),
        _ => None,
    }
}
