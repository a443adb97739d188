//! Slashing queries: `params`; `signing_info` (consensus address, hex, or operator →
//! signing info with `address`, `validator`, or null); `signing_infos` (every one).

use crate::query::{json, str_arg};
use crate::{staking, AppError, QueryCtx};

/// Answers `/slashing/<path>`; `None` = not a slashing path.
pub fn route(path: &str, data: &[u8], q: &QueryCtx<'_>) -> Option<Result<Vec<u8>, AppError>> {
    answer(path, data, q).transpose()
}

fn answer(path: &str, data: &[u8], q: &QueryCtx<'_>) -> Result<Option<Vec<u8>>, AppError> {
    let snap = q.state;
    Ok(Some(match path {
        "params" => json(&super::params(snap)?)?,
        "signing_info" => {
            let arg = str_arg(data)
                .map_err(|_| AppError::InvalidRequest("consensus address is not UTF-8".into()))?;
            let cons = if arg.starts_with(dcloud_proto::VALOPER_PREFIX) {
                let op = staking::parse_valoper(arg, "validator")?;
                staking::get_validator(snap, &op)?
                    .ok_or_else(|| AppError::ValidatorNotFound(arg.to_string()))?
                    .consensus_address
            } else {
                arg.to_ascii_uppercase()
            };
            json(&super::signing_info_view(snap, &cons)?)?
        }
        "signing_infos" => json(&super::signing_infos(snap)?)?,
        _ => return Ok(None),
    }))
}
