//! `MsgUnjail`: a jailed validator whose jail time is over comes back.

use dcloud_proto::cosmos::cosmos::slashing::v1beta1::MsgUnjail;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use super::super::events::unjail_event;
use super::super::state::signing_info;
use super::super::SlashingError;
use crate::{staking, AppError, BlockCtx};

/// Executes `MsgUnjail` (its stateless checks ran in `validate_basic`).
pub fn handle(
    state: &mut dyn StateWrite,
    m: &MsgUnjail,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let op = staking::parse_valoper(&m.validator_addr, "validator_addr")?;
    // The validator exists.
    let v = staking::get_validator(state, &op)?
        .ok_or_else(|| AppError::ValidatorNotFound(m.validator_addr.clone()))?;
    // It is jailed.
    if !v.jailed {
        return Err(SlashingError::NotJailed(m.validator_addr.clone()).into());
    }
    let info = signing_info(state, &v.consensus_address)?.unwrap_or_default();
    // It was not tombstoned for double signing.
    if info.tombstoned {
        return Err(
            SlashingError::StillJailed(format!("{} is tombstoned", m.validator_addr)).into()
        );
    }
    // Its jail time is over.
    if ctx.time_ms < info.jailed_until_ms {
        return Err(SlashingError::StillJailed(format!(
            "{} is jailed until {} ms (now {} ms)",
            m.validator_addr, info.jailed_until_ms, ctx.time_ms
        ))
        .into());
    }
    staking::unjail(state, &op)?;
    events.push(unjail_event(&m.validator_addr));
    Ok(())
}
