//! The records gov stores: proposals with their status and tally, votes and their options,
//! the scheduled upgrade plan.

use base64::Engine;
use dcloud_proto::{Any, Msg};
use dcloud_types::dec::dec_str;
use dcloud_types::AccAddress;
use serde::{Deserialize, Serialize};

use super::GovError;
use crate::AppError;

/// Proposal status (Cosmos `ProposalStatus` names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProposalStatus {
    /// Collecting deposits.
    #[serde(rename = "PROPOSAL_STATUS_DEPOSIT_PERIOD")]
    DepositPeriod,
    /// Voting.
    #[serde(rename = "PROPOSAL_STATUS_VOTING_PERIOD")]
    VotingPeriod,
    /// Passed; its messages ran.
    #[serde(rename = "PROPOSAL_STATUS_PASSED")]
    Passed,
    /// Rejected (including vetoed and missed quorum).
    #[serde(rename = "PROPOSAL_STATUS_REJECTED")]
    Rejected,
    /// Passed, but a message failed (all of them reverted).
    #[serde(rename = "PROPOSAL_STATUS_FAILED")]
    Failed,
}

/// A vote option (Cosmos numbering).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum VoteOption {
    /// 1.
    #[serde(rename = "VOTE_OPTION_YES")]
    Yes,
    /// 2.
    #[serde(rename = "VOTE_OPTION_ABSTAIN")]
    Abstain,
    /// 3.
    #[serde(rename = "VOTE_OPTION_NO")]
    No,
    /// 4.
    #[serde(rename = "VOTE_OPTION_NO_WITH_VETO")]
    NoWithVeto,
}

impl VoteOption {
    /// From the proto enum value.
    pub fn from_i32(v: i32) -> Result<Self, AppError> {
        match v {
            1 => Ok(Self::Yes),
            2 => Ok(Self::Abstain),
            3 => Ok(Self::No),
            4 => Ok(Self::NoWithVeto),
            other => {
                Err(AppError::from(GovError::InvalidVote(format!("invalid vote option {other}"))))
            }
        }
    }

    /// From a CLI word (`yes`, `no`, `abstain`, `no_with_veto`).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().replace('-', "_").as_str() {
            "yes" | "vote_option_yes" => Some(Self::Yes),
            "abstain" | "vote_option_abstain" => Some(Self::Abstain),
            "no" | "vote_option_no" => Some(Self::No),
            "no_with_veto" | "nowithveto" | "veto" | "vote_option_no_with_veto" => {
                Some(Self::NoWithVeto)
            }
            _ => None,
        }
    }

    /// The proto enum value.
    pub fn as_i32(self) -> i32 {
        match self {
            Self::Yes => 1,
            Self::Abstain => 2,
            Self::No => 3,
            Self::NoWithVeto => 4,
        }
    }
}

/// A message of a proposal, as submitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredMsg {
    /// Type URL.
    pub type_url: String,
    /// Proto bytes, base64.
    pub value: String,
}

impl StoredMsg {
    #[cfg_attr(not(feature = "state"), allow(dead_code))]
    pub(crate) fn decode(&self) -> Result<Msg, AppError> {
        let value = base64::engine::general_purpose::STANDARD
            .decode(&self.value)
            .map_err(|e| AppError::ChainState(format!("proposal message: {e}")))?;
        Msg::decode_any(&Any { type_url: self.type_url.clone(), value })
            .map_err(|e| AppError::from(GovError::InvalidProposal(e.to_string())))
    }
}

/// Vote totals in uakt of voting power.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TallyResult {
    /// Yes.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub yes_count: u128,
    /// Abstain.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub abstain_count: u128,
    /// No.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub no_count: u128,
    /// No with veto.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub no_with_veto_count: u128,
}

/// A proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// Id (from 1).
    pub id: u64,
    /// The messages it runs when it passes.
    pub messages: Vec<StoredMsg>,
    /// Status.
    pub status: ProposalStatus,
    /// The tally, once voting ended.
    pub final_tally_result: Option<TallyResult>,
    /// Block time (ms) of submission.
    pub submit_time_ms: u64,
    /// Block time (ms) the deposit period ends.
    pub deposit_end_time_ms: u64,
    /// Σ deposits (uakt).
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub total_deposit: u128,
    /// Block time (ms) voting started (0 before).
    pub voting_start_time_ms: u64,
    /// Block time (ms) voting ends (0 before).
    pub voting_end_time_ms: u64,
    /// Metadata.
    pub metadata: String,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Proposer.
    pub proposer: AccAddress,
    /// Why a passed proposal's execution failed.
    #[serde(default)]
    pub failed_reason: String,
}

/// One voter's vote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    /// Proposal.
    pub proposal_id: u64,
    /// Voter.
    pub voter: AccAddress,
    /// Options with weights (18-decimal, Σ = 1).
    pub options: Vec<(VoteOption, WeightDec)>,
}

/// An 18-decimal weight serialized as a decimal string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeightDec(#[serde(with = "dec_str")] pub u128);

/// A scheduled software upgrade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpgradePlan {
    /// Upgrade name (the new binary's handler name).
    pub name: String,
    /// Height at which the chain halts for it.
    pub height: u64,
    /// Free-form info.
    pub info: String,
}

/// The gov module account (the authority of governance-only messages).
pub fn authority() -> dcloud_types::AccAddress {
    crate::auth::module_address(super::NAME)
}
