//! `dcloud tx gov …`, `dcloud query gov …`: governance.

use anyhow::Context;
use clap::Subcommand;
use dcloud_chain::dec::fmt_dec18;
use dcloud_chain::gov::{self, Proposal, TallyResult, VoteOption};
use dcloud_client::gov as cg;
use dcloud_types::DENOM_AKT;

use crate::common::{send, TxFlags};
use crate::ctx::Ctx;
use crate::output::print_json;

/// `tx gov …`.
#[derive(Debug, Subcommand)]
pub(crate) enum GovTx {
    /// Submit a proposal from a JSON file (the Cosmos shape): `{"messages": [{"@type":
    /// "/dcloud.market.v1.MsgUpdateParams", "params": {…}}], "metadata": "", "deposit":
    /// "1000000uakt", "title": "…", "summary": "…"}`. Messages: `/dcloud.<module>.v1.MsgUpdateParams`,
    /// `/cosmos.distribution.v1beta1.MsgCommunityPoolSpend`, `/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade`;
    /// no messages = a text proposal.
    SubmitProposal {
        /// The proposal file.
        file: std::path::PathBuf,
        /// Signing key: the proposer.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        common: TxFlags,
    },
    /// Add to a proposal's deposit: `dcloud tx gov deposit 1 1000000uakt --from alice`.
    Deposit {
        /// Proposal id.
        id: u64,
        /// Amount in uakt.
        amount: String,
        /// Signing key: the depositor.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        common: TxFlags,
    },
    /// Vote: `dcloud tx gov vote 1 yes --from alice` (yes, no, abstain, no_with_veto).
    Vote {
        /// Proposal id.
        id: u64,
        /// yes | no | abstain | no_with_veto.
        option: String,
        /// Signing key: the voter.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        common: TxFlags,
    },
}

/// `query gov …`.
#[derive(Debug, Subcommand)]
pub(crate) enum GovQuery {
    /// Every proposal.
    Proposals,
    /// One proposal.
    Proposal {
        /// Proposal id.
        id: u64,
    },
    /// A proposal's tally (final once voting ended, current while voting).
    Tally {
        /// Proposal id.
        id: u64,
    },
    /// Gov params.
    Params,
}

pub(crate) async fn gov_tx(ctx: &Ctx, cmd: GovTx) -> anyhow::Result<()> {
    match cmd {
        GovTx::SubmitProposal { file, from, common } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let pf: cg::ProposalFile = serde_json::from_str(&text)
                .with_context(|| format!("parsing proposal file {}", file.display()))?;
            let opts = common.options(ctx)?;
            let key = ctx.signing_key(&from)?;
            let proposer = key.public_key().address();
            let msg = cg::submit_proposal(&proposer, &pf, &gov::authority())?;
            let summary = format!("submit proposal {:?} with deposit {}", pf.title, pf.deposit);
            send(ctx, &key, &[msg], &opts, &common, &summary).await
        }
        GovTx::Deposit { id, amount, from, common } => {
            let opts = common.options(ctx)?;
            let key = ctx.signing_key(&from)?;
            let who = key.public_key().address();
            let c = dcloud_client::staking::parse_uakt(&amount)?;
            let summary = format!("deposit {c} on proposal {id}");
            send(ctx, &key, &[cg::deposit(&who, id, &c)], &opts, &common, &summary).await
        }
        GovTx::Vote { id, option, from, common } => {
            let opt = VoteOption::parse(&option).ok_or_else(|| {
                anyhow::anyhow!(
                    "invalid vote option {option:?}: use yes, no, abstain or no_with_veto"
                )
            })?;
            let opts = common.options(ctx)?;
            let key = ctx.signing_key(&from)?;
            let who = key.public_key().address();
            let summary = format!("vote {option} on proposal {id}");
            send(ctx, &key, &[cg::vote(&who, id, opt)], &opts, &common, &summary).await
        }
    }
}

fn print_tally(t: &TallyResult) {
    println!("  yes: {}{DENOM_AKT}", t.yes_count);
    println!("  no: {}{DENOM_AKT}", t.no_count);
    println!("  abstain: {}{DENOM_AKT}", t.abstain_count);
    println!("  no_with_veto: {}{DENOM_AKT}", t.no_with_veto_count);
}

fn print_proposal(p: &Proposal) {
    println!("proposal {}: {} [{:?}]", p.id, p.title, p.status);
    println!("  proposer: {}", p.proposer);
    println!("  deposit: {}{DENOM_AKT}", p.total_deposit);
    for m in &p.messages {
        println!("  message: {}", m.type_url);
    }
    if p.voting_end_time_ms > 0 {
        println!("  voting ends (ms): {}", p.voting_end_time_ms);
    } else {
        println!("  deposit period ends (ms): {}", p.deposit_end_time_ms);
    }
    if !p.failed_reason.is_empty() {
        println!("  failed: {}", p.failed_reason);
    }
    if let Some(t) = &p.final_tally_result {
        print_tally(t);
    }
}

pub(crate) async fn gov_query(ctx: &Ctx, cmd: GovQuery) -> anyhow::Result<()> {
    let client = ctx.client()?;
    match cmd {
        GovQuery::Proposals => {
            let ps = cg::proposals(&client, 0).await?;
            if ctx.output.is_json() {
                return print_json(&ps);
            }
            if ps.is_empty() {
                println!("no proposals");
            }
            for p in &ps {
                print_proposal(p);
            }
        }
        GovQuery::Proposal { id } => {
            let p = cg::proposal(&client, id, 0).await?;
            if ctx.output.is_json() {
                return print_json(&p);
            }
            print_proposal(&p);
        }
        GovQuery::Tally { id } => {
            let t = cg::tally(&client, id, 0).await?;
            if ctx.output.is_json() {
                return print_json(&t);
            }
            println!("proposal {id}:");
            print_tally(&t);
        }
        GovQuery::Params => {
            let p = cg::params(&client, 0).await?;
            if ctx.output.is_json() {
                return print_json(&p);
            }
            println!("min_deposit: {}{DENOM_AKT}", p.min_deposit);
            println!("min_initial_deposit_ratio: {}", fmt_dec18(p.min_initial_deposit_ratio));
            println!("max_deposit_period_ms: {}", p.max_deposit_period_ms);
            println!("voting_period_ms: {}", p.voting_period_ms);
            println!("quorum: {}", fmt_dec18(p.quorum));
            println!("threshold: {}", fmt_dec18(p.threshold));
            println!("veto_threshold: {}", fmt_dec18(p.veto_threshold));
            println!("burn_vote_veto: {}", p.burn_vote_veto);
            println!("burn_vote_quorum: {}", p.burn_vote_quorum);
            println!("burn_proposal_deposit_prevote: {}", p.burn_proposal_deposit_prevote);
        }
    }
    Ok(())
}
