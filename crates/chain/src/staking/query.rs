//! Staking queries: `params`; `validators` (power-descending); `validator` (operator,
//! `akashvaloper…` or `akash…`); `delegations` (delegator address → [`DelegationsView`]);
//! `pool` ([`PoolView`]).

use dcloud_types::{AccAddress, Coin};

pub use super::types::{DelegationView, DelegationsView, PoolView};
use crate::query::{addr_arg, json, str_arg};
use crate::{auth, bank, AppError, QueryCtx};

/// An operator argument (`akashvaloper…` or `akash…`, quotes allowed).
pub fn operator_arg(data: &[u8]) -> Result<AccAddress, AppError> {
    let s = str_arg(data).map_err(|_| AppError::InvalidAddress("address is not UTF-8".into()))?;
    super::parse_operator_any(s)
}

/// Answers `/staking/<path>`; `None` = not a staking path.
pub fn route(path: &str, data: &[u8], q: &QueryCtx<'_>) -> Option<Result<Vec<u8>, AppError>> {
    answer(path, data, q).transpose()
}

fn answer(path: &str, data: &[u8], q: &QueryCtx<'_>) -> Result<Option<Vec<u8>>, AppError> {
    let snap = q.state;
    Ok(Some(match path {
        "params" => json(&super::params(snap)?)?,
        "validators" => {
            let mut v = super::validators(snap)?;
            v.sort_by(|a, b| {
                b.tokens.cmp(&a.tokens).then(a.operator_address.cmp(&b.operator_address))
            });
            json(&v)?
        }
        "validator" => {
            let op = operator_arg(data)?;
            let v = super::get_validator(snap, &op)?
                .ok_or_else(|| AppError::ValidatorNotFound(super::valoper(&op)))?;
            json(&v)?
        }
        "delegations" => json(&delegations(snap, &addr_arg(data)?)?)?,
        "pool" => {
            let nb = bank::balance(
                snap,
                &auth::module_address(super::NOT_BONDED_POOL),
                dcloud_types::DENOM_AKT,
            )?;
            json(&PoolView { bonded_tokens: super::bonded_tokens(snap)?, not_bonded_tokens: nb })?
        }
        _ => return Ok(None),
    }))
}

fn delegations(
    snap: &dyn dcloud_store::StateRead,
    d: &AccAddress,
) -> Result<DelegationsView, AppError> {
    let mut delegations = Vec::new();
    for del in super::delegations_of(snap, d)? {
        let op = super::parse_valoper(&del.validator, "validator")?;
        let bal = super::delegation_tokens(snap, d, &op)?;
        delegations.push(DelegationView {
            delegation: del,
            balance: Coin::new(bal, dcloud_types::DENOM_AKT),
        });
    }
    Ok(DelegationsView {
        delegations,
        unbonding: super::unbondings_of(snap, d)?,
        redelegations: super::redelegations_of(snap, d)?,
    })
}
