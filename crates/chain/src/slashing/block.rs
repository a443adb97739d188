//! Begin block: liveness (the previous commit's signatures; validators down too long are
//! slashed and jailed) and double-sign evidence (slashed, jailed for good, tombstoned).

use dcloud_store::StateWrite;
use dcloud_types::Event;

use super::events::{
    double_sign_slash_event, downtime_slash_event, evidence_expired_event, liveness_event,
};
use super::state::{params, put_signing_info, signing_info};
use super::SigningInfo;
use crate::dec::{mul_div_floor, ATTO};
use crate::{consensus, staking, AppError, BlockCtx};

/// Begin block: records the previous commit's signatures; jails validators that were down.
pub fn begin_block(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    if !staking::enabled(state)? {
        return Ok(());
    }
    let p = params(state)?;
    let window = p.signed_blocks_window.max(1);
    let min_signed = mul_div_floor(u128::from(window), p.min_signed_per_window, ATTO)?;
    let max_missed = u128::from(window).saturating_sub(min_signed);
    for vote in consensus::last_commit(state)? {
        let Some(v) = staking::validator_by_consensus(state, &vote.validator_address)? else {
            continue;
        };
        let mut info = signing_info(state, &vote.validator_address)?
            .unwrap_or(SigningInfo { start_height: ctx.height, ..Default::default() });
        let slot = info.index_offset % window;
        info.index_offset += 1;
        if vote.signed {
            info.missed.remove(&slot);
        } else {
            info.missed.insert(slot);
            events.push(liveness_event(&vote.validator_address, info.missed.len()));
        }
        // Down too long: more than `max_missed` of a full window (after the first window).
        let min_height = info.start_height.saturating_add(window);
        if ctx.height > min_height && info.missed.len() as u128 > max_missed && !v.jailed {
            let infraction = ctx.height.saturating_sub(2);
            let burned = staking::slash(
                state,
                ctx,
                &v.account,
                infraction,
                vote.power,
                p.slash_fraction_downtime,
                events,
            )?;
            staking::jail(state, &v.account)?;
            info.jailed_until_ms = ctx.time_ms.saturating_add(p.downtime_jail_duration_ms);
            info.missed.clear();
            info.index_offset = 0;
            info.start_height = ctx.height;
            events.push(downtime_slash_event(
                &vote.validator_address,
                vote.power,
                burned,
                &v.operator_address,
            ));
        }
        put_signing_info(state, &vote.validator_address, &info)?;
    }
    Ok(())
}

/// Double-sign evidence the driver passes with the block: the offender is slashed by
/// `slash_fraction_double_sign` of its power at the evidence (its last power when the
/// evidence carries none) at the SDK's distribution height (evidence height − 1), jailed
/// for good and tombstoned (it can never unjail). Evidence about unknown, unbonded or
/// already tombstoned validators, and evidence older than both max ages, is ignored.
pub fn handle_evidence(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    evidence: &[crate::Misbehavior],
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    if !staking::enabled(state)? {
        return Ok(());
    }
    let p = params(state)?;
    for ev in evidence {
        let cons = ev.validator_address.to_ascii_uppercase();
        let Some(v) = staking::validator_by_consensus(state, &cons)? else { continue };
        if v.status == staking::BondStatus::Unbonded || ev.height > ctx.height {
            continue;
        }
        let age_blocks = ctx.height - ev.height;
        let age_ms =
            if ev.time_ms == 0 { u64::MAX } else { ctx.time_ms.saturating_sub(ev.time_ms) };
        if age_blocks > p.evidence_max_age_num_blocks && age_ms > p.evidence_max_age_ms {
            events.push(evidence_expired_event(&cons, ev.height));
            continue;
        }
        let mut info = signing_info(state, &cons)?
            .unwrap_or(SigningInfo { start_height: ctx.height, ..Default::default() });
        if info.tombstoned {
            continue;
        }
        let power = if ev.power > 0 {
            ev.power
        } else {
            staking::last_powers(state)?.get(&v.account).copied().unwrap_or_else(|| v.power())
        };
        let infraction = ev.height.saturating_sub(1);
        let burned = staking::slash(
            state,
            ctx,
            &v.account,
            infraction,
            power,
            p.slash_fraction_double_sign,
            events,
        )?;
        if !v.jailed {
            staking::jail(state, &v.account)?;
        }
        info.tombstoned = true;
        info.jailed_until_ms = u64::MAX;
        put_signing_info(state, &cons, &info)?;
        events.push(double_sign_slash_event(&cons, power, ev.height, burned, &v.operator_address));
    }
    Ok(())
}
