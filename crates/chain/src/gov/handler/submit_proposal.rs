//! `MsgSubmitProposal`: opens a proposal in its deposit period (its initial deposit may
//! start the voting period at once).

use base64::Engine;
use dcloud_proto::Msg;
use dcloud_store::StateWrite;
use dcloud_types::{Event, ATTO, DENOM_AKT};

use super::deposit::add_deposit;
use crate::dec::{fmt_dec18, get_json, mul_div_floor, put_json};
use crate::gov::events as ev;
use crate::gov::keys::{active_key, NEXT_ID};
use crate::gov::msg::{parse_deposit, validate_proposal_msg};
use crate::gov::state::set_proposal;
use crate::gov::{params, GovError, Proposal, ProposalStatus, StoredMsg};
use crate::{parse_addr, AppError, BlockCtx};

/// Delivers a `MsgSubmitProposal`.
pub fn deliver(
    state: &mut dyn StateWrite,
    m: &dcloud_proto::cosmos::cosmos::gov::v1::MsgSubmitProposal,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let proposer = parse_addr(&m.proposer, "proposer")?;
    let initial = parse_deposit(&m.initial_deposit, true)?;
    let p = params(state)?;
    let min_initial = mul_div_floor(p.min_deposit, p.min_initial_deposit_ratio, ATTO)?;
    if initial < min_initial {
        return Err(AppError::from(GovError::MinDepositTooSmall(format!(
            "initial deposit {initial}{DENOM_AKT} is below the minimum {min_initial}{DENOM_AKT} \
             ({} of the {}{DENOM_AKT} min deposit)",
            fmt_dec18(p.min_initial_deposit_ratio),
            p.min_deposit
        ))));
    }
    let mut messages = Vec::with_capacity(m.messages.len());
    for any in &m.messages {
        let inner = Msg::decode_any(any)
            .map_err(|e| AppError::from(GovError::InvalidProposal(e.to_string())))?;
        validate_proposal_msg(&inner)?;
        messages.push(StoredMsg {
            type_url: any.type_url.clone(),
            value: base64::engine::general_purpose::STANDARD.encode(&any.value),
        });
    }
    let id: u64 = get_json(state, NEXT_ID, "next proposal id")?.unwrap_or(1);
    put_json(state, NEXT_ID.to_vec(), &(id + 1))?;
    let prop = Proposal {
        id,
        messages,
        status: ProposalStatus::DepositPeriod,
        final_tally_result: None,
        submit_time_ms: ctx.time_ms,
        deposit_end_time_ms: ctx.time_ms.saturating_add(p.max_deposit_period_ms),
        total_deposit: 0,
        voting_start_time_ms: 0,
        voting_end_time_ms: 0,
        metadata: m.metadata.clone(),
        title: m.title.clone(),
        summary: m.summary.clone(),
        proposer: proposer.clone(),
        failed_reason: String::new(),
    };
    state.put(active_key(id), Vec::new());
    let urls: Vec<&str> = m.messages.iter().map(|a| a.type_url.as_str()).collect();
    events.push(ev::submit_proposal(id, &proposer, &urls));
    if initial > 0 {
        add_deposit(state, prop, &proposer, initial, ctx, events)
    } else {
        set_proposal(state, &prop)
    }
}
