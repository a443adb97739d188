//! Deployment queries: `params`; `deployments` (`{"owner"?, "state"?, "start_after"?:
//! {"owner","dseq"}, "limit"?}` → a page); `deployment` (`{"owner","dseq"}` →
//! `{deployment, escrow_account, blocks_remaining}`).

use dcloud_types::AccAddress;

use crate::query::{json, parse_q, MarketQuery};
use crate::{escrow, AppError, QueryCtx};

/// Answers `/deployment/<path>`; `None` = not a deployment path.
pub fn route(path: &str, data: &[u8], q: &QueryCtx<'_>) -> Option<Result<Vec<u8>, AppError>> {
    Some(match path {
        "params" => super::params(q.state).and_then(|p| json(&p)),
        "deployments" => deployments(q, data),
        "deployment" => escrow::query::settled_account(q, data, false).and_then(|s| {
            json(&serde_json::json!({
                "deployment": s.deployment,
                "escrow_account": s.account,
                "blocks_remaining": s.blocks_remaining,
            }))
        }),
        _ => return None,
    })
}

fn deployments(q: &QueryCtx<'_>, data: &[u8]) -> Result<Vec<u8>, AppError> {
    let r: MarketQuery = parse_q(data)?;
    let owner = r.owner_addr()?;
    let st = match r.state.as_deref() {
        None => None,
        Some(s) => Some(
            serde_json::from_value(serde_json::Value::String(s.into()))
                .map_err(|_| AppError::InvalidRequest(format!("unknown state {s:?}")))?,
        ),
    };
    let after = match &r.start_after {
        Some(serde_json::Value::Object(o)) => {
            let ow: AccAddress = o
                .get("owner")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .parse()
                .map_err(|e| AppError::InvalidAddress(format!("start_after.owner: {e}")))?;
            Some((ow, o.get("dseq").and_then(|v| v.as_u64()).unwrap_or(0)))
        }
        _ => None,
    };
    let limit = r.limit.unwrap_or(100).min(1000);
    json(&super::list(q.state, owner.as_ref(), st, after.as_ref().map(|(o, d)| (o, *d)), limit)?)
}
