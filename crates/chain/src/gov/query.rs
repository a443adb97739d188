//! Gov queries: `params`, `proposals`; `proposal`, `tally` (final, or current), `votes`,
//! `deposits` (data: proposal id); `upgrade_plan` (the scheduled plan or null).

use super::GovError;
use crate::query::{json, str_arg};
use crate::{AppError, QueryCtx};

/// A proposal id argument (decimal ASCII, quotes allowed).
fn id_arg(data: &[u8]) -> Result<u64, AppError> {
    let s =
        str_arg(data).map_err(|_| AppError::InvalidRequest("proposal id is not UTF-8".into()))?;
    s.parse().map_err(|_| AppError::InvalidRequest(format!("invalid proposal id {s:?}")))
}

/// Answers `/gov/<path>`; `None` = not a gov path.
pub fn route(path: &str, data: &[u8], q: &QueryCtx<'_>) -> Option<Result<Vec<u8>, AppError>> {
    answer(path, data, q).transpose()
}

fn answer(path: &str, data: &[u8], q: &QueryCtx<'_>) -> Result<Option<Vec<u8>>, AppError> {
    let snap = q.state;
    let unknown = |id: u64| {
        AppError::from(GovError::UnknownProposal(format!("proposal {id} does not exist")))
    };
    Ok(Some(match path {
        "params" => json(&super::params(snap)?)?,
        "proposals" => json(&super::proposals(snap)?)?,
        "proposal" => {
            let id = id_arg(data)?;
            json(&super::get_proposal(snap, id)?.ok_or_else(|| unknown(id))?)?
        }
        "tally" => {
            let id = id_arg(data)?;
            let p = super::get_proposal(snap, id)?.ok_or_else(|| unknown(id))?;
            match p.final_tally_result {
                Some(t) => json(&t)?,
                None => json(&super::tally(snap, id)?.tally)?,
            }
        }
        "votes" => json(&super::votes(snap, id_arg(data)?)?)?,
        "deposits" => json(&super::deposits(snap, id_arg(data)?)?)?,
        "upgrade_plan" => json(&super::upgrade_plan(snap)?)?,
        _ => return Ok(None),
    }))
}
