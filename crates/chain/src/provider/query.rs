//! Provider queries: `list` (`{"start_after"?, "limit"?}` → [`ProviderPage`]), `get`
//! (bech32 address).

use serde::Deserialize;

use super::ProviderError;
use crate::query::{addr_arg, json, opt_addr};
use crate::{AppError, QueryCtx};

#[derive(Deserialize)]
struct PageReq {
    start_after: Option<String>,
    limit: Option<usize>,
}

/// `/provider/list` answer (a plain type in `types.rs`).
pub use super::ProviderPage;

/// Answers `/provider/<path>`; `None` = not a provider path.
pub fn route(path: &str, data: &[u8], q: &QueryCtx<'_>) -> Option<Result<Vec<u8>, AppError>> {
    answer(path, data, q).transpose()
}

fn answer(path: &str, data: &[u8], q: &QueryCtx<'_>) -> Result<Option<Vec<u8>>, AppError> {
    let snap = q.state;
    Ok(Some(match path {
        "list" => {
            let req: Option<PageReq> = if data.iter().all(u8::is_ascii_whitespace) {
                None
            } else {
                Some(
                    serde_json::from_slice(data)
                        .map_err(|e| AppError::InvalidRequest(e.to_string()))?,
                )
            };
            let (after, limit) = match req {
                Some(r) => (r.start_after, r.limit),
                None => (None, None),
            };
            let after = opt_addr(after.as_deref(), "start_after")?;
            let limit = limit.unwrap_or(100).clamp(1, 1000);
            let providers = super::list_providers(snap, after.as_ref(), limit)?;
            let next = (providers.len() == limit)
                .then(|| providers.last().map(|p| p.owner.to_string()))
                .flatten();
            json(&ProviderPage { providers, next })?
        }
        "get" => {
            let a = addr_arg(data)?;
            let p = super::get_provider(snap, &a)?
                .ok_or_else(|| ProviderError::NotFound(format!("{a} is not a provider")))?;
            json(&p)?
        }
        _ => return Ok(None),
    }))
}
