//! Stateless checks of the gov messages (`validate_basic`), of the messages a proposal may
//! carry, and of a module's params JSON (through the owning module's `check_params`).

use dcloud_proto::cosmos::cosmos::gov::v1::WeightedVoteOption;
use dcloud_proto::Msg;
use dcloud_types::{Coin, Coins, ATTO, DENOM_AKT};

use super::{GovError, VoteOption, WeightDec, MAX_METADATA_LEN, MAX_SUMMARY_LEN, MAX_TITLE_LEN};
use crate::dec::{fmt_dec18, parse_rate};
use crate::{parse_addr, AppError};

/// Parses a deposit: uakt only, positive.
pub(crate) fn parse_deposit(
    coins: &[dcloud_proto::cosmos::cosmos::base::v1beta1::Coin],
    allow_zero: bool,
) -> Result<u128, AppError> {
    let c = crate::parse_coins(coins)?;
    if c.is_empty() {
        return if allow_zero {
            Ok(0)
        } else {
            Err(AppError::InvalidCoins("deposit is empty".into()))
        };
    }
    let mut amt = 0;
    for coin in c.iter() {
        if coin.denom != DENOM_AKT {
            return Err(AppError::InvalidCoins(format!(
                "deposits are in {DENOM_AKT} only, got {}",
                coin.denom
            )));
        }
        amt = coin.amount;
    }
    Ok(amt)
}

#[cfg_attr(not(feature = "state"), allow(dead_code))]
pub(crate) fn uakt(amount: u128) -> Result<Coins, AppError> {
    Ok(Coins::from_coins(vec![Coin::new(amount, DENOM_AKT)])?)
}

/// Stateless checks of a weighted vote's options.
pub(crate) fn parse_weighted(
    opts: &[WeightedVoteOption],
) -> Result<Vec<(VoteOption, WeightDec)>, AppError> {
    if opts.is_empty() {
        return Err(AppError::from(GovError::InvalidVote("no vote options".into())));
    }
    let mut out: Vec<(VoteOption, WeightDec)> = Vec::new();
    let mut sum = 0u128;
    for o in opts {
        let opt = VoteOption::from_i32(o.option)?;
        let w = parse_rate(&o.weight).map_err(|e| AppError::from(GovError::InvalidVote(e)))?;
        if w == 0 || w > ATTO {
            return Err(AppError::from(GovError::InvalidVote(format!(
                "weight {} must be in (0, 1]",
                o.weight
            ))));
        }
        if out.iter().any(|(x, _)| *x == opt) {
            return Err(AppError::from(GovError::InvalidVote(format!("duplicate option {opt:?}"))));
        }
        sum = sum.saturating_add(w);
        out.push((opt, WeightDec(w)));
    }
    if sum != ATTO {
        return Err(AppError::from(GovError::InvalidVote(format!(
            "weights sum to {}, not 1",
            fmt_dec18(sum)
        ))));
    }
    Ok(out)
}

/// Messages a proposal may carry, checked without state: governance-only messages whose
/// authority is the gov module account.
pub(crate) fn validate_proposal_msg(m: &Msg) -> Result<(), AppError> {
    let gov = super::types::authority().to_string();
    match m {
        Msg::UpdateParams(..) | Msg::CommunityPoolSpend(_) | Msg::SoftwareUpgrade(_) => {}
        other => {
            return Err(AppError::from(GovError::InvalidProposal(format!(
                "{} cannot be executed by a proposal",
                other.type_url()
            ))))
        }
    }
    if m.signers() != vec![gov.clone()] {
        return Err(AppError::from(GovError::InvalidSigner(format!(
            "{}: the authority must be the gov module account {gov}",
            m.type_url()
        ))));
    }
    validate_authority_msg(m)
}

/// Stateless checks of the governance-only messages (bar their authority).
pub(crate) fn validate_authority_msg(m: &Msg) -> Result<(), AppError> {
    match m {
        Msg::UpdateParams(module, u) => {
            // The params' own checks belong to the owning module and are found through the
            // registry, which exists only with the state machine (`state`).
            #[cfg(feature = "state")]
            validate_module_params(module, &u.params_json)?;
            #[cfg(not(feature = "state"))]
            let _ = (module, u);
        }
        Msg::CommunityPoolSpend(s) => {
            parse_addr(&s.recipient, "recipient")?;
            if crate::parse_coins(&s.amount)?.is_empty() {
                return Err(AppError::InvalidCoins("community pool spend is empty".into()));
            }
        }
        Msg::SoftwareUpgrade(u) => {
            let plan = u.plan.as_ref().ok_or_else(|| {
                AppError::from(GovError::InvalidProposal("software upgrade without a plan".into()))
            })?;
            if plan.name.trim().is_empty() {
                return Err(AppError::from(GovError::InvalidProposal(
                    "upgrade plan name is empty".into(),
                )));
            }
            if plan.height <= 0 {
                return Err(AppError::from(GovError::InvalidProposal(
                    "upgrade plan height must be positive".into(),
                )));
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg_attr(not(feature = "state"), allow(dead_code))]
pub(crate) fn bad_params(module: &str, e: impl std::fmt::Display) -> AppError {
    AppError::InvalidRequest(format!("{module} params: {e}"))
}

#[cfg_attr(not(feature = "state"), allow(dead_code))]
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    module: &str,
    json: &str,
) -> Result<T, AppError> {
    serde_json::from_str(json).map_err(|e| bad_params(module, e))
}

#[cfg_attr(not(feature = "state"), allow(dead_code))]
pub(crate) fn problems(module: &str, e: Vec<String>) -> Result<(), AppError> {
    if e.is_empty() {
        Ok(())
    } else {
        Err(bad_params(module, e.join("; ")))
    }
}

/// Validates a module's params JSON with the module's own checks (as genesis does).
#[cfg(feature = "state")]
pub fn validate_module_params(module: &str, json: &str) -> Result<(), AppError> {
    match crate::module(module).and_then(|m| m.check_params(json)) {
        Some(Ok(e)) => problems(module, e),
        Some(Err(e)) => Err(bad_params(module, e)),
        None => Err(AppError::from(GovError::InvalidProposal(format!(
            "module {module} has no params to update"
        )))),
    }
}

/// Stateless checks of gov messages.
pub fn validate_basic(msg: &Msg) -> Result<(), AppError> {
    match msg {
        Msg::SubmitProposal(m) => {
            parse_addr(&m.proposer, "proposer")?;
            parse_deposit(&m.initial_deposit, true)?;
            if m.expedited {
                return Err(AppError::from(GovError::InvalidProposal(
                    "expedited proposals are not supported".into(),
                )));
            }
            if m.title.trim().is_empty() {
                return Err(AppError::from(GovError::InvalidProposal("title is empty".into())));
            }
            if m.title.len() > MAX_TITLE_LEN {
                return Err(AppError::from(GovError::InvalidProposal(format!(
                    "title longer than {MAX_TITLE_LEN} bytes"
                ))));
            }
            if m.summary.len() > MAX_SUMMARY_LEN {
                return Err(AppError::from(GovError::InvalidProposal(format!(
                    "summary longer than {MAX_SUMMARY_LEN} bytes"
                ))));
            }
            if m.metadata.len() > MAX_METADATA_LEN {
                return Err(AppError::from(GovError::InvalidProposal(format!(
                    "metadata longer than {MAX_METADATA_LEN} bytes"
                ))));
            }
            for any in &m.messages {
                let inner = Msg::decode_any(any)
                    .map_err(|e| AppError::from(GovError::InvalidProposal(e.to_string())))?;
                validate_proposal_msg(&inner)?;
            }
        }
        Msg::GovDeposit(m) => {
            parse_addr(&m.depositor, "depositor")?;
            parse_deposit(&m.amount, false)?;
        }
        Msg::Vote(m) => {
            parse_addr(&m.voter, "voter")?;
            VoteOption::from_i32(m.option)?;
        }
        Msg::VoteWeighted(m) => {
            parse_addr(&m.voter, "voter")?;
            parse_weighted(&m.options)?;
        }
        Msg::UpdateParams(..) | Msg::CommunityPoolSpend(_) | Msg::SoftwareUpgrade(_) => {
            validate_authority_msg(msg)?;
        }
        other => {
            return Err(AppError::UnknownRequest(format!(
                "not a gov message: {}",
                other.type_url()
            )))
        }
    }
    Ok(())
}
