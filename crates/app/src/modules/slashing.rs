//! Slashing (Cosmos `x/slashing`), downtime part: per-validator signing info over a sliding
//! window of `signed_blocks_window` blocks, fed by the previous commit's signers; a validator
//! that missed more than `window − ⌊window × min_signed_per_window⌋` blocks (once it has been
//! tracked for a full window) is jailed for `downtime_jail_duration_ms`; `MsgUnjail` brings it
//! back after that. Double-sign evidence passed by the driver (`BlockInfo::misbehavior`)
//! jails and tombstones the offender for good. Token slashing (`slash_fraction_downtime`,
//! `slash_fraction_double_sign`, unbonding / redelegation entries, F1 slash events) is not
//! implemented yet: the downtime fraction must be 0 (Akash's value).
//!
//! Layout: `0x80 ‖ consensus address (hex ASCII)` → signing info.

use std::collections::BTreeSet;

use dcloud_proto::Msg;
use dcloud_store::{StateRead, StateWrite};
use dcloud_types::Event;
use serde::{Deserialize, Serialize};

use super::dec::{dec_str, get_json, mul_div_floor, put_json, ATTO};
use super::{consensus, get_params, set_params, staking, BlockCtx};
use crate::AppError;

/// The module name.
pub const NAME: &str = "slashing";
const SIGNING_INFO: u8 = 0x80;

/// Slashing parameters (Akash mainnet values as defaults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlashingParams {
    /// Blocks in the liveness window.
    pub signed_blocks_window: u64,
    /// Share of the window a validator must sign.
    #[serde(with = "dec_str")]
    pub min_signed_per_window: u128,
    /// How long (ms) a validator jailed for downtime stays jailed.
    pub downtime_jail_duration_ms: u64,
    /// Share of stake slashed for double signing (not applied yet).
    #[serde(with = "dec_str")]
    pub slash_fraction_double_sign: u128,
    /// Share of stake slashed for downtime (must be 0 for now).
    #[serde(with = "dec_str")]
    pub slash_fraction_downtime: u128,
}

impl Default for SlashingParams {
    fn default() -> Self {
        Self {
            signed_blocks_window: 30_000,
            min_signed_per_window: ATTO / 20,
            downtime_jail_duration_ms: 60_000,
            slash_fraction_double_sign: ATTO / 20,
            slash_fraction_downtime: 0,
        }
    }
}

impl SlashingParams {
    /// Every problem, prefixed with `at`.
    pub fn validate(&self, at: &str) -> Vec<String> {
        let mut e = Vec::new();
        if self.signed_blocks_window == 0 {
            e.push(format!("{at}.signed_blocks_window must be positive"));
        }
        if self.min_signed_per_window > ATTO {
            e.push(format!("{at}.min_signed_per_window must be at most 1"));
        }
        if self.slash_fraction_double_sign > ATTO {
            e.push(format!("{at}.slash_fraction_double_sign must be at most 1"));
        }
        if self.slash_fraction_downtime != 0 {
            e.push(format!(
                "{at}.slash_fraction_downtime must be 0 (token slashing is not implemented)"
            ));
        }
        e
    }
}

/// A validator's liveness record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningInfo {
    /// Height tracking started (or restarted after a jailing).
    pub start_height: u64,
    /// Blocks seen in the current window run.
    pub index_offset: u64,
    /// Window slots (index mod window) missed.
    pub missed: BTreeSet<u64>,
    /// Block time (ms) before which it cannot unjail.
    pub jailed_until_ms: u64,
    /// Double-signed (never unjails).
    pub tombstoned: bool,
}

fn key(cons: &str) -> Vec<u8> {
    let mut k = vec![SIGNING_INFO];
    k.extend_from_slice(cons.as_bytes());
    k
}

/// Params.
pub fn params(state: &dyn StateRead) -> Result<SlashingParams, AppError> {
    get_params(state, NAME)
}

/// Writes genesis params.
pub fn init_genesis(state: &mut dyn StateWrite, p: &SlashingParams) -> Result<(), AppError> {
    set_params(state, NAME, p)
}

/// A validator's signing info by consensus address.
pub fn signing_info(state: &dyn StateRead, cons: &str) -> Result<Option<SigningInfo>, AppError> {
    get_json(state, &key(cons), "signing info")
}

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
            events.push(
                Event::new("liveness")
                    .attr("address", &vote.validator_address)
                    .attr("missed_blocks", info.missed.len()),
            );
        }
        let min_height = info.start_height.saturating_add(window);
        if ctx.height > min_height && info.missed.len() as u128 > max_missed && !v.jailed {
            staking::jail(state, &v.account)?;
            info.jailed_until_ms = ctx.time_ms.saturating_add(p.downtime_jail_duration_ms);
            info.missed.clear();
            info.index_offset = 0;
            info.start_height = ctx.height;
            events.push(
                Event::new("slash")
                    .attr("address", &vote.validator_address)
                    .attr("reason", "missing_signature")
                    .attr("jailed", &v.operator_address),
            );
        }
        put_json(state, key(&vote.validator_address), &info)?;
    }
    Ok(())
}

/// Double-sign evidence the driver passes with the block: the offender is jailed for good
/// and tombstoned (it can never unjail). Evidence about unknown or already tombstoned
/// validators is ignored. (Token slashing by `slash_fraction_double_sign` is not applied yet.)
pub fn handle_evidence(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    evidence: &[crate::Misbehavior],
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    if !staking::enabled(state)? {
        return Ok(());
    }
    for ev in evidence {
        let cons = ev.validator_address.to_ascii_uppercase();
        let Some(v) = staking::validator_by_consensus(state, &cons)? else { continue };
        let mut info = signing_info(state, &cons)?
            .unwrap_or(SigningInfo { start_height: ctx.height, ..Default::default() });
        if info.tombstoned {
            continue;
        }
        if !v.jailed {
            staking::jail(state, &v.account)?;
        }
        info.tombstoned = true;
        info.jailed_until_ms = u64::MAX;
        put_json(state, key(&cons), &info)?;
        events.push(
            Event::new("slash")
                .attr("address", &cons)
                .attr("reason", "double_sign")
                .attr("infraction_height", ev.height)
                .attr("jailed", &v.operator_address),
        );
    }
    Ok(())
}

/// Stateless checks of `MsgUnjail`.
pub fn validate_basic(msg: &Msg) -> Result<(), AppError> {
    match msg {
        Msg::Unjail(m) => staking::parse_valoper(&m.validator_addr, "validator_addr").map(|_| ()),
        other => {
            Err(AppError::UnknownRequest(format!("not a slashing message: {}", other.type_url())))
        }
    }
}

/// Delivers `MsgUnjail`.
pub fn deliver(
    state: &mut dyn StateWrite,
    msg: &Msg,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let Msg::Unjail(m) = msg else {
        return Err(AppError::UnknownRequest(format!(
            "not a slashing message: {}",
            msg.type_url()
        )));
    };
    let op = staking::parse_valoper(&m.validator_addr, "validator_addr")?;
    let v = staking::get_validator(state, &op)?
        .ok_or_else(|| AppError::ValidatorNotFound(m.validator_addr.clone()))?;
    if !v.jailed {
        return Err(AppError::SlashingNotJailed(m.validator_addr.clone()));
    }
    let info = signing_info(state, &v.consensus_address)?.unwrap_or_default();
    if info.tombstoned {
        return Err(AppError::SlashingStillJailed(format!("{} is tombstoned", m.validator_addr)));
    }
    if ctx.time_ms < info.jailed_until_ms {
        return Err(AppError::SlashingStillJailed(format!(
            "{} is jailed until {} ms (now {} ms)",
            m.validator_addr, info.jailed_until_ms, ctx.time_ms
        )));
    }
    staking::unjail(state, &op)?;
    events.push(Event::new("unjail").attr("validator", &m.validator_addr));
    Ok(())
}

/// Invariants: every signing info belongs to a validator; missed slots fit the window.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    if !staking::enabled(state)? {
        return Ok(());
    }
    let window = params(state)?.signed_blocks_window;
    for (k, v) in super::dec::scan(state, &[SIGNING_INFO])? {
        let cons = String::from_utf8_lossy(k.get(1..).unwrap_or_default()).to_string();
        let info: SigningInfo = serde_json::from_slice(&v)
            .map_err(|e| AppError::Invariant(format!("slashing: corrupt signing info: {e}")))?;
        if staking::validator_by_consensus(state, &cons)?.is_none() {
            return Err(AppError::Invariant(format!("slashing: signing info of unknown {cons}")));
        }
        if info.missed.iter().any(|s| *s >= window) {
            return Err(AppError::Invariant(format!(
                "slashing: {cons} missed slot outside window"
            )));
        }
    }
    Ok(())
}
