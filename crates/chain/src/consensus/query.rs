//! Consensus queries: `validators` (the current validator set).

use crate::query::json;
use crate::{AppError, QueryCtx};

/// Answers `/consensus/<path>`; `None` = not a consensus path.
pub fn route(path: &str, _data: &[u8], q: &QueryCtx<'_>) -> Option<Result<Vec<u8>, AppError>> {
    match path {
        "validators" => Some(super::validators(q.state).and_then(|v| json(&v))),
        _ => None,
    }
}
