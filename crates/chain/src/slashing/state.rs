//! Typed reads of the slashing state (params, signing infos and their views), then its
//! one write (a signing info).

use dcloud_store::{StateRead, StateWrite};

use super::keys::{cons_of, signing_info_key, SIGNING_INFO};
use super::{SigningInfo, SigningInfoView, SlashingParams, NAME};
use crate::dec::{get_json, put_json, scan};
use crate::{get_params, set_params, staking, AppError};

/// Params.
pub fn params(state: &dyn StateRead) -> Result<SlashingParams, AppError> {
    get_params(state, NAME)
}

/// A validator's signing info by consensus address.
pub fn signing_info(state: &dyn StateRead, cons: &str) -> Result<Option<SigningInfo>, AppError> {
    get_json(state, &signing_info_key(cons), "signing info")
}

fn view(state: &dyn StateRead, cons: &str, info: SigningInfo) -> Result<SigningInfoView, AppError> {
    let validator = staking::validator_by_consensus(state, cons)?
        .map(|v| v.operator_address)
        .unwrap_or_default();
    Ok(SigningInfoView {
        address: cons.to_string(),
        validator,
        missed_blocks_counter: info.missed.len() as u64,
        info,
    })
}

/// A validator's signing info with its operator, by consensus address.
pub fn signing_info_view(
    state: &dyn StateRead,
    cons: &str,
) -> Result<Option<SigningInfoView>, AppError> {
    signing_info(state, cons)?.map(|i| view(state, cons, i)).transpose()
}

/// Every signing info, by consensus address.
pub fn signing_infos(state: &dyn StateRead) -> Result<Vec<SigningInfoView>, AppError> {
    let mut out = Vec::new();
    for (k, v) in scan(state, &[SIGNING_INFO])? {
        let cons = cons_of(&k);
        let info: SigningInfo = serde_json::from_slice(&v)
            .map_err(|e| AppError::ChainState(format!("corrupt signing info: {e}")))?;
        out.push(view(state, &cons, info)?);
    }
    Ok(out)
}

/// Writes genesis params.
pub fn init_genesis(state: &mut dyn StateWrite, p: &SlashingParams) -> Result<(), AppError> {
    set_params(state, NAME, p)
}

/// Stores a validator's signing info.
pub(crate) fn put_signing_info(
    state: &mut dyn StateWrite,
    cons: &str,
    info: &SigningInfo,
) -> Result<(), AppError> {
    put_json(state, signing_info_key(cons), info)
}
