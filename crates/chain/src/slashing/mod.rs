//! Slashing (Cosmos `x/slashing`): per-validator signing info over a sliding window of
//! `signed_blocks_window` blocks, fed by the previous commit's signers; a validator that
//! missed more than `window − ⌊window × min_signed_per_window⌋` blocks (once it has been
//! tracked for a full window) is slashed by `slash_fraction_downtime` of its power at the
//! infraction height (the current height − 2, the SDK's distribution height) and jailed
//! for `downtime_jail_duration_ms`; `MsgUnjail` brings it back after that. Double-sign
//! evidence passed by the driver (`BlockInfo::misbehavior`) younger than the evidence max
//! age is slashed by `slash_fraction_double_sign` at the evidence height − 1 (the SDK's
//! distribution height), jailed for good and tombstoned (never slashed for evidence
//! again). Token slashing itself is [`staking::slash`].
//!
//! Layout: `0x80 ‖ consensus address (hex ASCII)` → signing info.

mod module;
pub mod query;
pub use module::SlashingModule;

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
    /// Share of stake slashed for double signing.
    #[serde(with = "dec_str")]
    pub slash_fraction_double_sign: u128,
    /// Share of stake slashed for downtime.
    #[serde(with = "dec_str")]
    pub slash_fraction_downtime: u128,
    /// Evidence older than this many blocks *and* `evidence_max_age_ms` is ignored
    /// (CometBFT's `max_age_num_blocks`).
    #[serde(default = "default_max_age_blocks")]
    pub evidence_max_age_num_blocks: u64,
    /// Evidence older than this (ms) *and* `evidence_max_age_num_blocks` is ignored
    /// (CometBFT's `max_age_duration`, 48 h).
    #[serde(default = "default_max_age_ms")]
    pub evidence_max_age_ms: u64,
}

fn default_max_age_blocks() -> u64 {
    100_000
}

fn default_max_age_ms() -> u64 {
    48 * 3600 * 1000
}

impl Default for SlashingParams {
    fn default() -> Self {
        Self {
            signed_blocks_window: 30_000,
            min_signed_per_window: ATTO / 20,
            downtime_jail_duration_ms: 60_000,
            slash_fraction_double_sign: ATTO / 20,
            slash_fraction_downtime: ATTO / 10_000,
            evidence_max_age_num_blocks: default_max_age_blocks(),
            evidence_max_age_ms: default_max_age_ms(),
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
        if self.slash_fraction_downtime > ATTO {
            e.push(format!("{at}.slash_fraction_downtime must be at most 1"));
        }
        if self.evidence_max_age_num_blocks == 0 {
            e.push(format!("{at}.evidence_max_age_num_blocks must be positive"));
        }
        if self.evidence_max_age_ms == 0 {
            e.push(format!("{at}.evidence_max_age_ms must be positive"));
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

/// A signing info with the validator it belongs to (queries).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningInfoView {
    /// Consensus address (hex).
    pub address: String,
    /// Operator (`akashvaloper…`), empty when the validator is gone.
    pub validator: String,
    /// Missed blocks in the current window.
    pub missed_blocks_counter: u64,
    /// The record.
    #[serde(flatten)]
    pub info: SigningInfo,
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
    for (k, v) in super::dec::scan(state, &[SIGNING_INFO])? {
        let cons = String::from_utf8_lossy(k.get(1..).unwrap_or_default()).to_string();
        let info: SigningInfo = serde_json::from_slice(&v)
            .map_err(|e| AppError::ChainState(format!("corrupt signing info: {e}")))?;
        out.push(view(state, &cons, info)?);
    }
    Ok(out)
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
            events.push(
                Event::new("slash")
                    .attr("address", &vote.validator_address)
                    .attr("reason", "missing_signature")
                    .attr("power", vote.power)
                    .attr("burned_coins", burned)
                    .attr("jailed", &v.operator_address),
            );
        }
        put_json(state, key(&vote.validator_address), &info)?;
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
            events.push(
                Event::new("evidence_expired")
                    .attr("address", &cons)
                    .attr("infraction_height", ev.height),
            );
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
        put_json(state, key(&cons), &info)?;
        events.push(
            Event::new("slash")
                .attr("address", &cons)
                .attr("reason", "double_sign")
                .attr("power", power)
                .attr("infraction_height", ev.height)
                .attr("burned_coins", burned)
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
