//! Escrow queries: `params`; `account` (`{"owner","dseq"}`, + `"gseq","oseq","provider"` for
//! a bid deposit → the account, settled as of the query height); `blocks-remaining`
//! (`{"owner","dseq"}` → `{height, exhausted_at, blocks_remaining, balance, rate_per_block}`).

use dcloud_types::AccAddress;

use crate::query::{json, parse_q, MarketQuery};
use crate::{deployment, market, AppError, QueryCtx};

/// A deployment's (or bid deposit's) escrow account as of the query height, with the
/// deployment and the blocks its balance still pays for.
pub struct SettledAccount {
    /// The deployment.
    pub deployment: deployment::Deployment,
    /// The account, settled as of the query height.
    pub account: super::Account,
    /// Blocks until its funds run out (none = not draining).
    pub blocks_remaining: Option<u64>,
}

/// Reads the escrow account a `{"owner","dseq"}` request names (a bid deposit's when
/// `bid_deposit` and the request has `gseq`, `oseq` and `provider`).
pub fn settled_account(
    q: &QueryCtx<'_>,
    data: &[u8],
    bid_deposit: bool,
) -> Result<SettledAccount, AppError> {
    let snap = q.state;
    let r: MarketQuery = parse_q(data)?;
    let owner =
        r.owner_addr()?.ok_or_else(|| AppError::InvalidRequest("owner is required".into()))?;
    let dseq = r.dseq.ok_or_else(|| AppError::InvalidRequest("dseq is required".into()))?;
    let d = deployment::must_get(snap, &owner, dseq)?;
    let acct_id = match (bid_deposit, &r.provider, r.gseq, r.oseq) {
        (true, Some(p), Some(g), Some(o)) => {
            let p: AccAddress =
                p.parse().map_err(|e| AppError::InvalidAddress(format!("provider: {e}")))?;
            market::bid_escrow_id(&market::bid_id(&market::order_id(&owner, dseq, g, o), &p))
        }
        _ => deployment::escrow_id(&owner, dseq),
    };
    let stored = super::get_account(snap, &acct_id)?
        .ok_or_else(|| super::EscrowError::EscrowAccountNotFound(format!("{owner}/{dseq}")))?;
    // Settle in a throw-away overlay so balance and transferred are as of the query height
    // (settlement is lazy on chain); nothing is written.
    let a = {
        let mut scratch = dcloud_store::Overlay::new(snap);
        super::settle(&mut scratch, &acct_id, q.height, &mut Vec::new()).unwrap_or(stored)
    };
    let blocks_remaining = super::blocks_remaining(&a, q.height);
    Ok(SettledAccount { deployment: d, account: a, blocks_remaining })
}

/// Answers `/escrow/<path>`; `None` = not an escrow path.
pub fn route(path: &str, data: &[u8], q: &QueryCtx<'_>) -> Option<Result<Vec<u8>, AppError>> {
    Some(match path {
        "params" => super::params(q.state).and_then(|p| json(&p)),
        "account" => settled_account(q, data, true).and_then(|s| json(&s.account)),
        "blocks-remaining" => settled_account(q, data, false).and_then(|s| {
            let a = s.account;
            json(&serde_json::json!({
                "height": q.height,
                "exhausted_at": a.exhausted_at,
                "blocks_remaining": s.blocks_remaining,
                "balance": a.balance.to_string(),
                "denom": a.denom,
                "rate_per_block": super::fmt_dec18(a.rate_atto),
            }))
        }),
        _ => return None,
    })
}
