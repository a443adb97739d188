//! BME queries: `params`; `vault-state` (vault balances, outstanding ACT, totals, credits,
//! pending); `status` (status, collateral ratio, mints/refunds allowed, epochs); `ledger`
//! (`{"owner"?, "limit"?}` → `{"pending", "executed", "canceled"}`, oldest first).

use dcloud_store::StateRead;
use dcloud_types::{AccAddress, DENOM_ACT};

use super::rules::fmt_cr;
use super::state::{status, totals, vault_address};
pub use super::types::{LedgerQuery, StatusView, VaultState};
use super::MintStatus;
use crate::query::{json, json_req, opt_addr};
use crate::{bank, AppError, QueryCtx};

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

/// Builds the vault state.
pub fn vault_state(state: &dyn StateRead) -> Result<VaultState, AppError> {
    let t = totals(state)?;
    let vault = bank::balances(state, &vault_address())?;
    let outstanding = bank::supply_of(state, DENOM_ACT)?.saturating_sub(vault.amount_of(DENOM_ACT));
    Ok(VaultState {
        vault,
        outstanding_act: outstanding,
        total_minted: t.total_minted,
        total_burned: t.total_burned,
        remint_credits: t.remint_credits,
        pending: t.pending,
        spread_collected: t.spread_collected,
        vault_funded: t.vault_funded,
    })
}

/// Builds the status view.
pub fn status_view(state: &dyn StateRead) -> Result<StatusView, AppError> {
    let s = status(state)?;
    let cr = if s.status == MintStatus::HaltOracle {
        "unknown".into()
    } else {
        fmt_cr(s.collateral_ratio_bps)
    };
    Ok(StatusView {
        status: s.status,
        previous_status: s.previous_status,
        collateral_ratio: cr,
        mints_allowed: s.status < MintStatus::HaltCr,
        refunds_allowed: s.status < MintStatus::HaltOracle,
        epoch_height_diff: s.epoch_height_diff,
        next_mint_epoch: s.next_mint_epoch,
        next_burn_epoch: s.next_burn_epoch,
    })
}
