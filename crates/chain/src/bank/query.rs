//! Bank queries: `params`, `balances` (bech32 address), `balance` (`{"address","denom"}`),
//! `supply`.

use dcloud_types::{AccAddress, Coin};
use serde::Deserialize;

use crate::query::{addr_arg, json};
use crate::{AppError, QueryCtx};

#[derive(Deserialize)]
struct BalanceReq {
    address: String,
    denom: String,
}

/// Answers `/bank/<path>`; `None` = not a bank path.
pub fn route(path: &str, data: &[u8], q: &QueryCtx<'_>) -> Option<Result<Vec<u8>, AppError>> {
    answer(path, data, q).transpose()
}

fn answer(path: &str, data: &[u8], q: &QueryCtx<'_>) -> Result<Option<Vec<u8>>, AppError> {
    let snap = q.state;
    Ok(Some(match path {
        "params" => json(&super::params(snap)?)?,
        "balances" => json(&super::balances(snap, &addr_arg(data)?)?)?,
        "balance" => {
            let req: BalanceReq = serde_json::from_slice(data)
                .map_err(|e| AppError::InvalidRequest(e.to_string()))?;
            let a: AccAddress =
                req.address.parse().map_err(|e| AppError::InvalidAddress(format!("{e}")))?;
            json(&Coin::new(super::balance(snap, &a, &req.denom)?, req.denom))?
        }
        "supply" => json(&super::total_supply(snap)?)?,
        _ => return Ok(None),
    }))
}
