//! Governance (Cosmos `x/gov` v1): proposals carrying messages that the gov module account
//! executes as authority when they pass.
//!
//! Lifecycle: `MsgSubmitProposal` (initial deposit ≥ `min_initial_deposit_ratio` ×
//! `min_deposit`) opens the deposit period; once Σ deposits ≥ `min_deposit` the voting
//! period starts. A proposal whose deposit period ends short of the minimum is deleted, its
//! deposits refunded (or burned with `burn_proposal_deposit_prevote`). At the end of the
//! voting period the tally (bonded stake, as the SDK counts it) decides:
//!
//! * turnout / bonded < `quorum` → rejected; deposits burned if `burn_vote_quorum`;
//! * no non-abstain votes → rejected, refunded;
//! * no-with-veto / turnout > `veto_threshold` → rejected (vetoed); burned if `burn_vote_veto`;
//! * yes / (turnout − abstain) > `threshold` → passed, refunded, messages run atomically
//!   (a failing message marks the proposal failed and reverts all of them);
//! * otherwise rejected, refunded.
//!
//! Voting power: each voter's delegations to bonded validators count at their token value
//! (shares × tokens / shares); a validator operator's vote also carries the delegations of
//! delegators who did not vote themselves (its shares minus the voting delegators' shares).
//! All arithmetic is 18-decimal fixed point, rounding down.
//!
//! A passed `MsgSoftwareUpgrade` schedules a plan; at its height `begin_block` refuses to
//! run the block with [`AppError::UpgradeNeeded`], which the node reports and halts on.
//!
//! Layout: `0x70 ‖ id(8 BE)` → proposal, `0x71 ‖ id ‖ len ‖ depositor` → deposit (uakt),
//! `0x72 ‖ id ‖ len ‖ voter` → vote, `0x73` → next proposal id, `0x74 ‖ id` → active
//! (deposit or voting period) index, `0x75` → the scheduled upgrade plan, `0x76` → Σ uakt
//! burned from deposits (for the supply invariant).

pub mod error;
mod module;
pub mod query;
pub use error::GovError;
pub use module::GovModule;

use base64::Engine;
use dcloud_proto::cosmos::cosmos::gov::v1::WeightedVoteOption;
use dcloud_proto::{Any, Msg};
use dcloud_store::{StateRead, StateWrite};
use dcloud_types::{AccAddress, Coin, Coins, Event, DENOM_AKT};
use serde::{Deserialize, Serialize};

use super::dec::{self, dec_str, get_json, mul_div_floor, parse_rate, put_json, scan, ATTO};
use super::{auth, bank, get_params, set_params, staking, BlockCtx};
use crate::{parse_addr, AppError};

/// The module name (also its module account, which escrows deposits).
pub const NAME: &str = "gov";
const PROPOSAL: u8 = 0x70;
const DEPOSIT: u8 = 0x71;
const VOTE: u8 = 0x72;
const NEXT_ID: &[u8] = &[0x73];
const ACTIVE: u8 = 0x74;
const UPGRADE_PLAN: &[u8] = &[0x75];
const TOTAL_BURNED: &[u8] = &[0x76];
/// Longest title (Cosmos default `MaxTitleLen`-ish).
pub const MAX_TITLE_LEN: usize = 255;
/// Longest summary.
pub const MAX_SUMMARY_LEN: usize = 10_000;
/// Longest metadata.
pub const MAX_METADATA_LEN: usize = 10_000;

/// Gov parameters (Akash mainnet values as defaults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GovParams {
    /// Deposit (uakt) needed to enter the voting period.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub min_deposit: u128,
    /// Share of `min_deposit` the proposer must deposit on submission.
    #[serde(with = "dec_str")]
    pub min_initial_deposit_ratio: u128,
    /// How long (ms) a proposal may collect deposits.
    pub max_deposit_period_ms: u64,
    /// How long (ms) voting lasts (block time).
    pub voting_period_ms: u64,
    /// Minimum turnout (share of bonded stake).
    #[serde(with = "dec_str")]
    pub quorum: u128,
    /// Minimum yes share of the non-abstain votes to pass.
    #[serde(with = "dec_str")]
    pub threshold: u128,
    /// No-with-veto share of the turnout above which the proposal is vetoed.
    #[serde(with = "dec_str")]
    pub veto_threshold: u128,
    /// Burn the deposits of a vetoed proposal.
    pub burn_vote_veto: bool,
    /// Burn the deposits of a proposal that misses quorum.
    pub burn_vote_quorum: bool,
    /// Burn the deposits of a proposal that never reaches the voting period.
    pub burn_proposal_deposit_prevote: bool,
}

impl Default for GovParams {
    fn default() -> Self {
        Self {
            min_deposit: 2_500_000_000,
            min_initial_deposit_ratio: ATTO * 40 / 100,
            max_deposit_period_ms: 14 * 24 * 3600 * 1000,
            voting_period_ms: 3 * 24 * 3600 * 1000,
            quorum: ATTO * 20 / 100,
            threshold: ATTO / 2,
            veto_threshold: ATTO * 334 / 1000,
            burn_vote_veto: true,
            burn_vote_quorum: false,
            burn_proposal_deposit_prevote: false,
        }
    }
}

impl GovParams {
    /// Every problem, prefixed with `at`.
    pub fn validate(&self, at: &str) -> Vec<String> {
        let mut e = Vec::new();
        if self.min_deposit == 0 {
            e.push(format!("{at}.min_deposit must be positive"));
        }
        if self.min_initial_deposit_ratio > ATTO {
            e.push(format!("{at}.min_initial_deposit_ratio must be at most 1"));
        }
        if self.max_deposit_period_ms == 0 {
            e.push(format!("{at}.max_deposit_period_ms must be positive"));
        }
        if self.voting_period_ms == 0 {
            e.push(format!("{at}.voting_period_ms must be positive"));
        }
        for (n, v) in [
            ("quorum", self.quorum),
            ("threshold", self.threshold),
            ("veto_threshold", self.veto_threshold),
        ] {
            if v == 0 || v > ATTO {
                e.push(format!("{at}.{n} must be in (0, 1]"));
            }
        }
        e
    }
}

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
    fn decode(&self) -> Result<Msg, AppError> {
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

/// `app_state.gov`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GovGenesis {
    /// Params.
    #[serde(default)]
    pub params: GovParams,
}

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

fn proposal_key(id: u64) -> Vec<u8> {
    let mut k = vec![PROPOSAL];
    k.extend_from_slice(&id.to_be_bytes());
    k
}

fn active_key(id: u64) -> Vec<u8> {
    let mut k = vec![ACTIVE];
    k.extend_from_slice(&id.to_be_bytes());
    k
}

fn sub_prefix(prefix: u8, id: u64) -> Vec<u8> {
    let mut k = vec![prefix];
    k.extend_from_slice(&id.to_be_bytes());
    k
}

fn sub_key(prefix: u8, id: u64, a: &AccAddress) -> Vec<u8> {
    let mut k = sub_prefix(prefix, id);
    k.extend(dec::lp(a.as_bytes()));
    k
}

/// Params.
pub fn params(state: &dyn StateRead) -> Result<GovParams, AppError> {
    get_params(state, NAME)
}

/// Writes genesis.
pub fn init_genesis(state: &mut dyn StateWrite, g: &GovGenesis) -> Result<(), AppError> {
    set_params(state, NAME, &g.params)
}

/// The gov module account (the authority of governance-only messages).
pub fn authority() -> AccAddress {
    auth::module_address(NAME)
}

/// A proposal.
pub fn get_proposal(state: &dyn StateRead, id: u64) -> Result<Option<Proposal>, AppError> {
    get_json(state, &proposal_key(id), "proposal")
}

/// Every stored proposal, by id.
pub fn proposals(state: &dyn StateRead) -> Result<Vec<Proposal>, AppError> {
    scan(state, &[PROPOSAL])?
        .into_iter()
        .map(|(_, v)| {
            serde_json::from_slice(&v)
                .map_err(|e| AppError::ChainState(format!("corrupt proposal: {e}")))
        })
        .collect()
}

/// The deposits of a proposal: (depositor, uakt).
pub fn deposits(state: &dyn StateRead, id: u64) -> Result<Vec<(AccAddress, u128)>, AppError> {
    let mut out = Vec::new();
    for (k, v) in scan(state, &sub_prefix(DEPOSIT, id))? {
        let a = AccAddress::from_bytes(k.get(10..).unwrap_or_default())
            .map_err(|e| AppError::ChainState(format!("deposit key: {e}")))?;
        let amt: AmountRec = serde_json::from_slice(&v)
            .map_err(|e| AppError::ChainState(format!("corrupt deposit: {e}")))?;
        out.push((a, amt.0));
    }
    Ok(out)
}

#[derive(Serialize, Deserialize)]
struct AmountRec(#[serde(with = "dcloud_types::coin::amount_str")] u128);

/// The votes cast on a proposal (kept until its tally).
pub fn votes(state: &dyn StateRead, id: u64) -> Result<Vec<Vote>, AppError> {
    scan(state, &sub_prefix(VOTE, id))?
        .into_iter()
        .map(|(_, v)| {
            serde_json::from_slice(&v)
                .map_err(|e| AppError::ChainState(format!("corrupt vote: {e}")))
        })
        .collect()
}

/// Σ uakt burned from deposits (vetoed, quorum-failed or expired proposals).
pub fn total_burned(state: &dyn StateRead) -> Result<u128, AppError> {
    Ok(get_json::<AmountRec>(state, TOTAL_BURNED, "gov burned")?.map_or(0, |a| a.0))
}

/// The scheduled upgrade plan, if any.
pub fn upgrade_plan(state: &dyn StateRead) -> Result<Option<UpgradePlan>, AppError> {
    get_json(state, UPGRADE_PLAN, "upgrade plan")
}

fn set_proposal(state: &mut dyn StateWrite, p: &Proposal) -> Result<(), AppError> {
    put_json(state, proposal_key(p.id), p)
}

fn must_proposal(state: &dyn StateRead, id: u64) -> Result<Proposal, AppError> {
    get_proposal(state, id)?
        .ok_or_else(|| AppError::from(GovError::UnknownProposal(id.to_string())))
}

/// Parses a deposit: uakt only, positive.
fn parse_deposit(
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

fn uakt(amount: u128) -> Result<Coins, AppError> {
    Ok(Coins::from_coins(vec![Coin::new(amount, DENOM_AKT)])?)
}

/// Stateless checks of a weighted vote's options.
fn parse_weighted(opts: &[WeightedVoteOption]) -> Result<Vec<(VoteOption, WeightDec)>, AppError> {
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
            dec::fmt_dec18(sum)
        ))));
    }
    Ok(out)
}

/// Messages a proposal may carry, checked without state: governance-only messages whose
/// authority is the gov module account.
fn validate_proposal_msg(m: &Msg) -> Result<(), AppError> {
    let gov = authority().to_string();
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
fn validate_authority_msg(m: &Msg) -> Result<(), AppError> {
    match m {
        Msg::UpdateParams(module, u) => {
            validate_module_params(module, &u.params_json)?;
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

fn bad_params(module: &str, e: impl std::fmt::Display) -> AppError {
    AppError::InvalidRequest(format!("{module} params: {e}"))
}

fn parse_json<T: serde::de::DeserializeOwned>(module: &str, json: &str) -> Result<T, AppError> {
    serde_json::from_str(json).map_err(|e| bad_params(module, e))
}

fn problems(module: &str, e: Vec<String>) -> Result<(), AppError> {
    if e.is_empty() {
        Ok(())
    } else {
        Err(bad_params(module, e.join("; ")))
    }
}

/// Validates a module's params JSON with the module's own checks (as genesis does).
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

/// Delivers a gov message (from a tx, or from a passed proposal for the authority ones).
pub fn deliver(
    state: &mut dyn StateWrite,
    msg: &Msg,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    match msg {
        Msg::SubmitProposal(m) => submit(state, m, ctx, events),
        Msg::GovDeposit(m) => {
            let who = parse_addr(&m.depositor, "depositor")?;
            let amt = parse_deposit(&m.amount, false)?;
            let p = must_proposal(state, m.proposal_id)?;
            if p.status != ProposalStatus::DepositPeriod {
                return Err(AppError::from(GovError::InactiveProposal(format!(
                    "proposal {} is not in its deposit period",
                    p.id
                ))));
            }
            add_deposit(state, p, &who, amt, ctx, events)
        }
        Msg::Vote(m) => {
            let voter = parse_addr(&m.voter, "voter")?;
            let opt = VoteOption::from_i32(m.option)?;
            cast_vote(state, m.proposal_id, voter, vec![(opt, WeightDec(ATTO))], events)
        }
        Msg::VoteWeighted(m) => {
            let voter = parse_addr(&m.voter, "voter")?;
            let opts = parse_weighted(&m.options)?;
            cast_vote(state, m.proposal_id, voter, opts, events)
        }
        Msg::UpdateParams(..) | Msg::CommunityPoolSpend(_) | Msg::SoftwareUpgrade(_) => {
            execute_authority(state, msg, ctx, events)
        }
        other => Err(AppError::UnknownRequest(format!("not a gov message: {}", other.type_url()))),
    }
}

fn require_authority(m: &Msg) -> Result<(), AppError> {
    let gov = authority().to_string();
    if m.signers() != vec![gov.clone()] {
        return Err(AppError::from(GovError::InvalidSigner(format!(
            "expected the gov module account {gov} as the only signer, got {}",
            m.signers().join(", ")
        ))));
    }
    Ok(())
}

fn execute_authority(
    state: &mut dyn StateWrite,
    msg: &Msg,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    require_authority(msg)?;
    validate_authority_msg(msg)?;
    match msg {
        Msg::UpdateParams(module, u) => {
            let v: serde_json::Value = parse_json(module, &u.params_json)?;
            if matches!(*module, "staking" | "slashing" | "mint" | "distribution")
                && !staking::enabled(state)?
            {
                return Err(AppError::StakingDisabled("no staking params to update".into()));
            }
            set_params(state, module, &v)?;
            events.push(Event::new("update_params").attr("module", *module));
            Ok(())
        }
        Msg::CommunityPoolSpend(s) => {
            let to = parse_addr(&s.recipient, "recipient")?;
            if auth::is_module_address(&to) {
                return Err(AppError::Unauthorized(format!(
                    "{to} is a module account and cannot receive a community pool spend"
                )));
            }
            let coins = crate::parse_coins(&s.amount)?;
            bank::transfer(
                state,
                &auth::module_address(super::distribution::COMMUNITY_POOL),
                &to,
                &coins,
                events,
            )?;
            events.push(
                Event::new("community_pool_spend").attr("recipient", to).attr("amount", coins),
            );
            Ok(())
        }
        Msg::SoftwareUpgrade(u) => {
            let plan = u.plan.as_ref().ok_or_else(|| {
                AppError::from(GovError::InvalidProposal("software upgrade without a plan".into()))
            })?;
            let height = u64::try_from(plan.height).map_err(|_| {
                AppError::from(GovError::InvalidProposal("negative upgrade height".into()))
            })?;
            if height <= ctx.height {
                return Err(AppError::from(GovError::InvalidProposal(format!(
                    "upgrade height {height} must be after the current height {}",
                    ctx.height
                ))));
            }
            let p = UpgradePlan { name: plan.name.clone(), height, info: plan.info.clone() };
            put_json(state, UPGRADE_PLAN.to_vec(), &p)?;
            events.push(
                Event::new("software_upgrade").attr("name", &p.name).attr("height", p.height),
            );
            Ok(())
        }
        _ => Err(AppError::UnknownRequest("not an authority message".into())),
    }
}

fn submit(
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
            dec::fmt_dec18(p.min_initial_deposit_ratio),
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
    events.push(
        Event::new("submit_proposal").attr("proposal_id", id).attr("proposer", &proposer).attr(
            "proposal_messages",
            m.messages.iter().map(|a| a.type_url.as_str()).collect::<Vec<_>>().join(","),
        ),
    );
    if initial > 0 {
        add_deposit(state, prop, &proposer, initial, ctx, events)
    } else {
        set_proposal(state, &prop)
    }
}

fn add_deposit(
    state: &mut dyn StateWrite,
    mut p: Proposal,
    who: &AccAddress,
    amount: u128,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    bank::transfer(state, who, &authority(), &uakt(amount)?, events)?;
    let key = sub_key(DEPOSIT, p.id, who);
    let prev: u128 = get_json::<AmountRec>(state, &key, "deposit")?.map_or(0, |a| a.0);
    put_json(state, key, &AmountRec(dec::add(prev, amount)?))?;
    p.total_deposit = dec::add(p.total_deposit, amount)?;
    events.push(
        Event::new("proposal_deposit")
            .attr("proposal_id", p.id)
            .attr("depositor", who)
            .attr("amount", format!("{amount}{DENOM_AKT}")),
    );
    let params = params(state)?;
    if p.total_deposit >= params.min_deposit {
        p.status = ProposalStatus::VotingPeriod;
        p.voting_start_time_ms = ctx.time_ms;
        p.voting_end_time_ms = ctx.time_ms.saturating_add(params.voting_period_ms);
        events.push(
            Event::new("active_proposal")
                .attr("proposal_id", p.id)
                .attr("voting_period_start", p.id),
        );
    }
    set_proposal(state, &p)
}

fn cast_vote(
    state: &mut dyn StateWrite,
    id: u64,
    voter: AccAddress,
    options: Vec<(VoteOption, WeightDec)>,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let p = must_proposal(state, id)?;
    if p.status != ProposalStatus::VotingPeriod {
        return Err(AppError::from(GovError::InactiveProposal(format!(
            "proposal {id} is not in its voting period"
        ))));
    }
    let opts_text = options
        .iter()
        .map(|(o, w)| format!("{o:?}:{}", dec::fmt_dec18(w.0)))
        .collect::<Vec<_>>()
        .join(",");
    put_json(
        state,
        sub_key(VOTE, id, &voter),
        &Vote { proposal_id: id, voter: voter.clone(), options },
    )?;
    events.push(
        Event::new("proposal_vote")
            .attr("proposal_id", id)
            .attr("voter", voter)
            .attr("option", opts_text),
    );
    Ok(())
}

/// The outcome of a tally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TallyOutcome {
    /// Whether the proposal passes.
    pub passes: bool,
    /// Whether its deposits are burned.
    pub burn_deposits: bool,
    /// Whether it was vetoed.
    pub vetoed: bool,
    /// Whether quorum was missed.
    pub no_quorum: bool,
    /// The totals.
    pub tally: TallyResult,
}

/// Tallies the current votes of a proposal against the bonded stake (read-only).
pub fn tally(state: &dyn StateRead, id: u64) -> Result<TallyOutcome, AppError> {
    let p = params(state)?;
    // Bonded validators: operator → (validator, deducted shares, its own vote).
    struct Val {
        v: staking::Validator,
        deducted: u128,
        vote: Option<Vec<(VoteOption, WeightDec)>>,
    }
    let mut vals: std::collections::BTreeMap<AccAddress, Val> = std::collections::BTreeMap::new();
    if staking::enabled(state)? {
        for v in staking::validators(state)? {
            if v.status == staking::BondStatus::Bonded && !v.jailed {
                vals.insert(v.account.clone(), Val { v, deducted: 0, vote: None });
            }
        }
    }
    // 18-decimal totals per option.
    let mut res = [0u128; 4];
    let idx = |o: VoteOption| (o.as_i32() - 1) as usize;
    let mut total = 0u128;
    for vote in votes(state, id)? {
        if let Some(val) = vals.get_mut(&vote.voter) {
            val.vote = Some(vote.options.clone());
        }
        if !staking::enabled(state)? {
            continue;
        }
        for d in staking::delegations_of(state, &vote.voter)? {
            let op = staking::parse_valoper(&d.validator, "validator")?;
            let Some(val) = vals.get_mut(&op) else { continue };
            val.deducted = dec::add(val.deducted, d.shares)?;
            let power = mul_div_floor(
                d.shares,
                val.v.tokens.saturating_mul(ATTO),
                val.v.delegator_shares.max(1),
            )?;
            for (o, w) in &vote.options {
                res[idx(*o)] = dec::add(res[idx(*o)], mul_div_floor(power, w.0, ATTO)?)?;
            }
            total = dec::add(total, power)?;
        }
    }
    for val in vals.values() {
        let Some(opts) = &val.vote else { continue };
        let shares = val.v.delegator_shares.saturating_sub(val.deducted);
        let power = mul_div_floor(
            shares,
            val.v.tokens.saturating_mul(ATTO),
            val.v.delegator_shares.max(1),
        )?;
        for (o, w) in opts {
            res[idx(*o)] = dec::add(res[idx(*o)], mul_div_floor(power, w.0, ATTO)?)?;
        }
        total = dec::add(total, power)?;
    }
    let tally = TallyResult {
        yes_count: res[0] / ATTO,
        abstain_count: res[1] / ATTO,
        no_count: res[2] / ATTO,
        no_with_veto_count: res[3] / ATTO,
    };
    let bonded = if staking::enabled(state)? { staking::bonded_tokens(state)? } else { 0 };
    let out = |passes, burn, vetoed, no_quorum| TallyOutcome {
        passes,
        burn_deposits: burn,
        vetoed,
        no_quorum,
        tally: tally.clone(),
    };
    if bonded == 0 {
        return Ok(out(false, false, false, true));
    }
    // turnout / bonded < quorum  ⇔  turnout < quorum × bonded (all 18-decimal).
    if total < mul_div_floor(p.quorum, bonded, 1)? {
        return Ok(out(false, p.burn_vote_quorum, false, true));
    }
    let non_abstain = total - res[1];
    if non_abstain == 0 {
        return Ok(out(false, false, false, false));
    }
    // veto / total > veto_threshold
    if mul_div_floor(res[3], ATTO, total)? > p.veto_threshold {
        return Ok(out(false, p.burn_vote_veto, true, false));
    }
    if mul_div_floor(res[0], ATTO, non_abstain)? > p.threshold {
        return Ok(out(true, false, false, false));
    }
    Ok(out(false, false, false, false))
}

fn settle_deposits(
    state: &mut dyn StateWrite,
    id: u64,
    burn: bool,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let mut burned = 0u128;
    for (who, amt) in deposits(state, id)? {
        state.delete(sub_key(DEPOSIT, id, &who));
        if burn {
            burned = dec::add(burned, amt)?;
        } else {
            bank::transfer(state, &authority(), &who, &uakt(amt)?, events)?;
        }
    }
    if burned > 0 {
        bank::burn(state, NAME, &uakt(burned)?, events)?;
        let total = dec::add(total_burned(state)?, burned)?;
        put_json(state, TOTAL_BURNED.to_vec(), &AmountRec(total))?;
    }
    Ok(())
}

/// Begin block: halts at the height of a scheduled upgrade.
pub fn begin_block(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    _events: &mut Vec<Event>,
) -> Result<(), AppError> {
    if let Some(plan) = upgrade_plan(state)? {
        if ctx.height >= plan.height {
            return Err(AppError::UpgradeNeeded(format!(
                "UPGRADE \"{}\" NEEDED at height {}: this binary will not run block {}; \
                 install the upgraded binary and restart the node{}",
                plan.name,
                plan.height,
                ctx.height,
                if plan.info.is_empty() {
                    String::new()
                } else {
                    format!(" (info: {})", plan.info)
                }
            )));
        }
    }
    Ok(())
}

/// End block: ends deposit periods and voting periods that are due.
pub fn end_block(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let active: Vec<u64> = scan(state, &[ACTIVE])?
        .into_iter()
        .filter_map(|(k, _)| k.get(1..9).and_then(|b| b.try_into().ok()).map(u64::from_be_bytes))
        .collect();
    if active.is_empty() {
        return Ok(());
    }
    let p = params(state)?;
    for id in active {
        let mut prop = must_proposal(state, id)?;
        match prop.status {
            ProposalStatus::DepositPeriod if ctx.time_ms >= prop.deposit_end_time_ms => {
                settle_deposits(state, id, p.burn_proposal_deposit_prevote, events)?;
                state.delete(proposal_key(id));
                state.delete(active_key(id));
                events.push(
                    Event::new("inactive_proposal")
                        .attr("proposal_id", id)
                        .attr("proposal_result", "proposal_dropped"),
                );
            }
            ProposalStatus::VotingPeriod if ctx.time_ms >= prop.voting_end_time_ms => {
                let t = tally(state, id)?;
                settle_deposits(state, id, t.burn_deposits, events)?;
                for v in votes(state, id)? {
                    state.delete(sub_key(VOTE, id, &v.voter));
                }
                let result = if t.passes {
                    let msgs = prop.messages.clone();
                    let r = super::atomically(state, events, |s, e| {
                        for m in &msgs {
                            let msg = m.decode()?;
                            deliver(s, &msg, ctx, e)?;
                        }
                        Ok(())
                    });
                    match r {
                        Ok(()) => {
                            prop.status = ProposalStatus::Passed;
                            "proposal_passed"
                        }
                        Err(e @ AppError::Store(_)) => return Err(e),
                        Err(e) => {
                            prop.status = ProposalStatus::Failed;
                            prop.failed_reason = e.to_string();
                            "proposal_failed"
                        }
                    }
                } else {
                    prop.status = ProposalStatus::Rejected;
                    if t.vetoed {
                        "proposal_vetoed"
                    } else if t.no_quorum {
                        "proposal_no_quorum"
                    } else {
                        "proposal_rejected"
                    }
                };
                prop.final_tally_result = Some(t.tally);
                set_proposal(state, &prop)?;
                state.delete(active_key(id));
                events.push(
                    Event::new("active_proposal")
                        .attr("proposal_id", id)
                        .attr("proposal_result", result),
                );
            }
            _ => {}
        }
    }
    Ok(())
}

/// Invariants: the gov module account holds exactly Σ deposits of active proposals; every
/// active proposal is in its deposit or voting period and its total matches its deposits.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    let mut sum = 0u128;
    for (k, _) in scan(state, &[ACTIVE])? {
        let id = k
            .get(1..9)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_be_bytes)
            .ok_or_else(|| AppError::Invariant("gov: bad active key".into()))?;
        let p = get_proposal(state, id)?
            .ok_or_else(|| AppError::Invariant(format!("gov: active proposal {id} missing")))?;
        if !matches!(p.status, ProposalStatus::DepositPeriod | ProposalStatus::VotingPeriod) {
            return Err(AppError::Invariant(format!(
                "gov: proposal {id} active but {:?}",
                p.status
            )));
        }
        let d: u128 = deposits(state, id)?.iter().map(|(_, a)| *a).sum();
        if d != p.total_deposit {
            return Err(AppError::Invariant(format!(
                "gov: proposal {id} total deposit {} ≠ Σ deposits {d}",
                p.total_deposit
            )));
        }
        sum = dec::add(sum, d)?;
    }
    let bal = bank::balance(state, &authority(), DENOM_AKT)?;
    if bal != sum {
        return Err(AppError::Invariant(format!(
            "gov: module account holds {bal}{DENOM_AKT} but active deposits total {sum}{DENOM_AKT}"
        )));
    }
    Ok(())
}
