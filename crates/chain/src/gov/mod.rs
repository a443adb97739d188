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
//! run the block with [`crate::AppError::UpgradeNeeded`], which the node reports and halts on.
//!
//! Layout: `0x70 ‖ id(8 BE)` → proposal, `0x71 ‖ id ‖ len ‖ depositor` → deposit (uakt),
//! `0x72 ‖ id ‖ len ‖ voter` → vote, `0x73` → next proposal id, `0x74 ‖ id` → active
//! (deposit or voting period) index, `0x75` → the scheduled upgrade plan, `0x76` → Σ uakt
//! burned from deposits (for the supply invariant). Keys are built in `keys.rs` only.
//!
//! Messages (`handler/`; stateless checks in `msg.rs`): `MsgSubmitProposal`
//! (`submit_proposal.rs`), `MsgDeposit` (`deposit.rs`), `MsgVote` / `MsgVoteWeighted`
//! (`vote.rs`), and the governance-only `MsgUpdateParams`, `MsgCommunityPoolSpend`,
//! `MsgSoftwareUpgrade` (`authority.rs`, signed by the gov module account). Events:
//! `submit_proposal`, `proposal_deposit`, `active_proposal`, `proposal_vote`,
//! `inactive_proposal`, `update_params`, `community_pool_spend`, `software_upgrade`.
//! Errors: [`GovError`] (codespace `gov`); the upgrade halt stays
//! `AppError::UpgradeNeeded` (codespace `upgrade`).
//!
//! Invariants (`invariants.rs`): the gov module account holds exactly Σ deposits of the
//! active proposals; each active proposal is in its deposit or voting period and its total
//! matches its deposits.
//!
//! Other modules: gov reads staking (validators, delegations, bonded tokens) for the tally
//! and bank balances for its invariant; it moves coins through `bank::transfer` /
//! `bank::burn`, and its authority messages write other modules' params
//! (`crate::set_params`, after the owner's `check_params`) and spend the community pool.
//! BME's supply invariant reads [`total_burned`]; queries read [`upgrade_plan`].

pub mod error;
pub mod events;
pub mod genesis;
pub mod msg;
pub mod params;
pub mod types;

#[cfg(feature = "state")]
mod block;
#[cfg(feature = "state")]
pub mod handler;
#[cfg(feature = "state")]
mod invariants;
#[cfg(feature = "state")]
mod keys;
#[cfg(feature = "state")]
mod module;
#[cfg(feature = "state")]
pub mod query;
#[cfg(feature = "state")]
pub mod state;
#[cfg(feature = "state")]
mod tally;

pub use error::GovError;
pub use genesis::GovGenesis;
pub use msg::validate_basic;
#[cfg(feature = "state")]
pub use msg::validate_module_params;
pub use params::GovParams;
pub use types::{
    authority, Proposal, ProposalStatus, StoredMsg, TallyResult, UpgradePlan, Vote, VoteOption,
    WeightDec,
};

#[cfg(feature = "state")]
pub use block::{begin_block, end_block};
#[cfg(feature = "state")]
pub use handler::deliver;
#[cfg(feature = "state")]
pub use invariants::check_invariants;
#[cfg(feature = "state")]
pub use module::GovModule;
#[cfg(feature = "state")]
pub use state::{
    deposits, get_proposal, init_genesis, params, proposals, total_burned, upgrade_plan, votes,
};
#[cfg(feature = "state")]
pub use tally::{tally, TallyOutcome};

/// The module name (also its module account, which escrows deposits).
pub const NAME: &str = "gov";
/// Longest title (Cosmos default `MaxTitleLen`-ish).
pub const MAX_TITLE_LEN: usize = 255;
/// Longest summary.
pub const MAX_SUMMARY_LEN: usize = 10_000;
/// Longest metadata.
pub const MAX_METADATA_LEN: usize = 10_000;
