//! BME queries: `params`; `vault-state` (vault balances, outstanding ACT, totals, credits,
//! pending); `status` (status, collateral ratio, mints/refunds allowed, epochs); `ledger`
//! (`{"owner"?, "limit"?}` → `{"pending", "executed", "canceled"}`, oldest first).

use dcloud_store::StateRead;
use dcloud_types::AccAddress;
use serde::{Deserialize, Serialize};

use crate::query::{json, json_req, opt_addr};
use crate::{AppError, QueryCtx};

/// `/bme/ledger` request.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct LedgerQuery {
    /// Only this owner's records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// At most this many of each kind (the latest; default 100, max 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

/// Answers `/bme/<path>`; `None` = not a BME path.
pub fn route(path: &str, data: &[u8], q: &QueryCtx<'_>) -> Option<Result<Vec<u8>, AppError>> {
    let snap = q.state;
    Some(match path {
        "params" => super::params(snap).and_then(|p| json(&p)),
        "vault-state" => super::vault_state(snap).and_then(|v| json(&v)),
        "status" => super::status_view(snap).and_then(|v| json(&v)),
        "ledger" => ledger(snap, data),
        _ => return None,
    })
}

fn ledger(snap: &dyn StateRead, data: &[u8]) -> Result<Vec<u8>, AppError> {
    let q: LedgerQuery = json_req(data)?;
    let owner = opt_addr(q.owner.as_deref(), "owner")?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let mine = |a: &AccAddress| owner.as_ref().is_none_or(|o| o == a);
    let mut pending = super::pending(snap, dcloud_types::DENOM_AKT, usize::MAX)?;
    pending.extend(super::pending(snap, dcloud_types::DENOM_ACT, usize::MAX)?);
    pending.retain(|r| mine(&r.owner));
    pending.sort_by_key(|r| (r.id.height, r.id.sequence));
    pending.truncate(limit);
    let mut executed = super::ledger(snap, usize::MAX)?;
    executed.retain(|r| mine(&r.owner));
    let skip = executed.len().saturating_sub(limit);
    let executed: Vec<_> = executed.into_iter().skip(skip).collect();
    let mut canceled = super::canceled(snap, usize::MAX)?;
    canceled.retain(|r| mine(&r.owner));
    let skip = canceled.len().saturating_sub(limit);
    let canceled: Vec<_> = canceled.into_iter().skip(skip).collect();
    json(&serde_json::json!({
        "pending": pending,
        "executed": executed,
        "canceled": canceled,
    }))
}
