//! Auth queries: `account` (bech32 address), `accounts` (`{"start_after"?, "limit"?}`), `params`.

use dcloud_types::AccAddress;
use serde::Deserialize;

use crate::query::{addr_arg, json};
use crate::{AppError, QueryCtx};

#[derive(Deserialize)]
struct PageReq {
    start_after: Option<String>,
    limit: Option<usize>,
}

/// Answers `/auth/<path>`; `None` = not an auth path.
pub fn route(path: &str, data: &[u8], q: &QueryCtx<'_>) -> Option<Result<Vec<u8>, AppError>> {
    answer(path, data, q).transpose()
}

fn answer(path: &str, data: &[u8], q: &QueryCtx<'_>) -> Result<Option<Vec<u8>>, AppError> {
    let snap = q.state;
    Ok(Some(match path {
        "account" => {
            let a = addr_arg(data)?;
            let acc = super::get_account(snap, &a)?
                .ok_or_else(|| AppError::UnknownAddress(format!("account {a} not found")))?;
            json(&acc)?
        }
        "accounts" => {
            let req: PageReq = if data.is_empty() {
                PageReq { start_after: None, limit: None }
            } else {
                serde_json::from_slice(data).map_err(|e| AppError::InvalidRequest(e.to_string()))?
            };
            let after = req
                .start_after
                .map(|s| s.parse::<AccAddress>())
                .transpose()
                .map_err(|e| AppError::InvalidAddress(e.to_string()))?;
            json(&super::list_accounts(snap, after.as_ref(), req.limit.unwrap_or(100).min(1000))?)?
        }
        "params" => json(&super::params(snap)?)?,
        _ => return Ok(None),
    }))
}
