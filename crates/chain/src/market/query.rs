//! Market queries: `params`; `orders`, `bids`, `leases` (`{"owner"?, "provider"?, "state"?,
//! "dseq"?, "start_after"? (hex cursor), "limit"?}` → `{"items", "next"}`). Active leases
//! show what they have earned so far (settled as of the query height).

use dcloud_store::StateRead;
use dcloud_types::AccAddress;

use crate::query::{json, parse_q, MarketQuery};
use crate::{AppError, QueryCtx};

/// The record kinds a listing returns, with their key prefixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Order,
    Bid,
    Lease,
}

impl Kind {
    fn prefix(self) -> u8 {
        match self {
            Kind::Order => super::keys::ORDER,
            Kind::Bid => super::keys::BID,
            Kind::Lease => super::keys::LEASE,
        }
    }
}

/// Answers `/market/<path>`; `None` = not a market path.
pub fn route(path: &str, data: &[u8], q: &QueryCtx<'_>) -> Option<Result<Vec<u8>, AppError>> {
    let kind = match path {
        "params" => return Some(super::params(q.state).and_then(|p| json(&p))),
        "orders" => Kind::Order,
        "bids" => Kind::Bid,
        "leases" => Kind::Lease,
        _ => return None,
    };
    Some(list(q, kind, data))
}

type Page = (Vec<serde_json::Value>, Option<Vec<u8>>);

fn list(q: &QueryCtx<'_>, kind: Kind, data: &[u8]) -> Result<Vec<u8>, AppError> {
    let snap = q.state;
    let r: MarketQuery = parse_q(data)?;
    let owner = r.owner_addr()?;
    let limit = r.limit.unwrap_or(100).clamp(1, 1000);
    let after = match &r.start_after {
        Some(serde_json::Value::String(h)) => {
            Some(hex::decode(h).map_err(|_| AppError::InvalidRequest("bad cursor".into()))?)
        }
        _ => None,
    };
    let keep = |j: &serde_json::Value| {
        r.state.as_deref().is_none_or(|s| j.get("state").and_then(|v| v.as_str()) == Some(s))
            && r.dseq.is_none_or(|d| j.get("dseq").and_then(|v| v.as_u64()) == Some(d))
            && r.provider
                .as_deref()
                .is_none_or(|p| j.get("provider").and_then(|v| v.as_str()) == Some(p))
    };
    let (items, next) = match (&r.provider, kind) {
        (Some(p), Kind::Bid | Kind::Lease) => {
            let p: AccAddress =
                p.parse().map_err(|e| AppError::InvalidAddress(format!("provider: {e}")))?;
            by_provider(snap, kind, &p, owner.as_ref(), after, limit, &keep)?
        }
        _ => super::list_raw(snap, kind.prefix(), owner.as_ref(), after.as_deref(), limit, &keep)?,
    };
    let items = if kind == Kind::Lease {
        // Active leases show what they have earned so far (settled as of the query height).
        items
            .into_iter()
            .map(|j| {
                let mut l: super::Lease = serde_json::from_value(j)
                    .map_err(|e| AppError::ChainState(format!("corrupt lease record: {e}")))?;
                l.paid = super::paid_so_far(snap, &l, q.height)?;
                serde_json::to_value(&l).map_err(|e| AppError::InvalidRequest(e.to_string()))
            })
            .collect::<Result<Vec<_>, AppError>>()?
    } else {
        items
    };
    json(&serde_json::json!({ "items": items, "next": next.map(hex::encode) }))
}

/// A provider's bids or leases, through the provider index.
fn by_provider(
    snap: &dyn StateRead,
    kind: Kind,
    provider: &AccAddress,
    owner: Option<&AccAddress>,
    after: Option<Vec<u8>>,
    limit: usize,
    keep: &dyn Fn(&serde_json::Value) -> bool,
) -> Result<Page, AppError> {
    let mut items = Vec::new();
    let mut cursor = after;
    loop {
        let ids = super::provider_ids(snap, provider, cursor.as_deref(), 500)?;
        for id in &ids {
            cursor = Some(id.clone());
            if let Some(j) = super::get_raw(snap, kind.prefix(), id)? {
                let owner_ok = owner.is_none_or(|o| {
                    j.get("owner").and_then(|v| v.as_str()) == Some(&o.to_string())
                });
                if keep(&j) && owner_ok {
                    items.push(j);
                    if items.len() >= limit {
                        return Ok((items, Some(id.clone())));
                    }
                }
            }
        }
        if ids.len() < 500 {
            return Ok((items, None));
        }
    }
}
