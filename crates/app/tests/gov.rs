//! Governance: every message and its rejections, and scenarios (a market param changed by a
//! passed proposal, a vetoed proposal burning its deposit, a proposal without quorum, a
//! delegator overriding its validator's vote, a community-pool spend, a software upgrade
//! halting the chain). The test chain checks every invariant after every block, gov's
//! included: the gov module account holds exactly Σ deposits of active proposals.

use dcloud_app::modules::distribution::{DistributionParams, COMMUNITY_POOL};
use dcloud_app::modules::gov::{self, GovGenesis, GovParams, Proposal, ProposalStatus};
use dcloud_app::modules::mint::MintGenesis;
use dcloud_app::modules::staking::StakingParams;
use dcloud_app::modules::{auth, market};
use dcloud_app::testkit::staking::{self as sk, val};
use dcloud_app::testkit::{account_address, TestChain, TestConfig, TxOpts};
use dcloud_app::{AppError, TxResult};
use dcloud_proto::cosmos::cosmos::base::v1beta1::Coin as ProtoCoin;
use dcloud_proto::cosmos::cosmos::distribution::v1beta1::MsgCommunityPoolSpend;
use dcloud_proto::cosmos::cosmos::gov::v1::{
    MsgDeposit, MsgSubmitProposal, MsgVote, MsgVoteWeighted, WeightedVoteOption,
};
use dcloud_proto::cosmos::cosmos::upgrade::v1beta1::{MsgSoftwareUpgrade, Plan};
use dcloud_proto::dcloud::gov::MsgUpdateParams;
use dcloud_proto::Msg;
use dcloud_types::{AccAddress, DENOM_AKT};

const AKT: u128 = 1_000_000;
const MIN_DEPOSIT: u128 = 10 * AKT;
/// Five blocks of the test chain (1 s each).
const PERIOD_MS: u64 = 5_000;
const YES: i32 = 1;
const ABSTAIN: i32 = 2;
const NO: i32 = 3;
const VETO: i32 = 4;

fn gov_params() -> GovParams {
    GovParams {
        min_deposit: MIN_DEPOSIT,
        max_deposit_period_ms: PERIOD_MS,
        voting_period_ms: PERIOD_MS,
        ..GovParams::default()
    }
}

/// Validators: account 0 and account 1, 100 AKT each; account 2 delegates 60 AKT to
/// validator 0 (bonded total 260 AKT).
fn chain() -> TestChain {
    let mut c = TestChain::new(TestConfig {
        funded: 8,
        uakt: 1_000_000 * AKT,
        uact: 0,
        staking: Some(sk::genesis(&[(0, 100 * AKT), (1, 100 * AKT)], StakingParams::default())),
        distribution: Some(DistributionParams::default()),
        mint: Some(MintGenesis::default()),
        gov: Some(GovGenesis { params: gov_params() }),
        ..TestConfig::default()
    });
    ok(&exec(&mut c, 2, vec![sk::delegate(&account_address(2), &val(0), 60 * AKT)]));
    c
}

fn exec(c: &mut TestChain, from: usize, msgs: Vec<Msg>) -> TxResult {
    let opts = TxOpts { gas_limit: sk::STAKING_GAS, fee: sk::STAKING_FEE, ..Default::default() };
    let tx = c.tx_with(from, msgs, &opts);
    c.deliver_block(vec![tx]).tx_results.remove(0)
}

fn ok(r: &TxResult) {
    assert_eq!(r.code, 0, "{}", r.log);
}

fn rejected(r: &TxResult, codespace: &str, code: u32, text: &str) {
    assert_eq!((r.codespace.as_str(), r.code), (codespace, code), "{}", r.log);
    assert!(r.log.contains(text), "{:?} does not mention {text:?}", r.log);
}

fn coins(amount: u128) -> Vec<ProtoCoin> {
    vec![ProtoCoin { denom: DENOM_AKT.into(), amount: amount.to_string() }]
}

fn gov_addr() -> String {
    gov::authority().to_string()
}

fn update_market(order_max_bids: u32) -> Msg {
    let p = market::MarketParams { order_max_bids, ..market::MarketParams::default() };
    Msg::UpdateParams(
        "market",
        MsgUpdateParams { authority: gov_addr(), params_json: serde_json::to_string(&p).unwrap() },
    )
}

fn submit(from: usize, msgs: Vec<Msg>, deposit: u128) -> Msg {
    Msg::SubmitProposal(MsgSubmitProposal {
        messages: msgs.iter().map(Msg::to_any).collect(),
        initial_deposit: coins(deposit),
        proposer: account_address(from).to_string(),
        metadata: String::new(),
        title: "a proposal".into(),
        summary: "why".into(),
        expedited: false,
    })
}

fn vote(from: usize, id: u64, option: i32) -> Msg {
    Msg::Vote(MsgVote {
        proposal_id: id,
        voter: account_address(from).to_string(),
        option,
        metadata: String::new(),
    })
}

fn deposit(from: usize, id: u64, amount: u128) -> Msg {
    Msg::GovDeposit(MsgDeposit {
        proposal_id: id,
        depositor: account_address(from).to_string(),
        amount: coins(amount),
    })
}

fn proposal(c: &TestChain, id: u64) -> Option<Proposal> {
    gov::get_proposal(&c.store().latest(), id).unwrap()
}

fn gov_balance(c: &TestChain) -> u128 {
    c.balance(&gov::authority(), DENOM_AKT)
}

fn run_blocks(c: &mut TestChain, n: usize) {
    for _ in 0..n {
        c.deliver_block(Vec::new());
    }
}

/// Submits (account 3, full deposit) and returns the id; the proposal is voting.
fn open_proposal(c: &mut TestChain, msgs: Vec<Msg>) -> u64 {
    ok(&exec(c, 3, vec![submit(3, msgs, MIN_DEPOSIT)]));
    let id = gov::proposals(&c.store().latest()).unwrap().last().unwrap().id;
    assert_eq!(proposal(c, id).unwrap().status, ProposalStatus::VotingPeriod);
    id
}

fn end_voting(c: &mut TestChain) {
    run_blocks(c, PERIOD_MS as usize / 1000 + 1);
}

#[test]
fn a_proposal_that_passes_and_changes_a_market_param() {
    let mut c = chain();
    assert_eq!(market::params(&c.store().latest()).unwrap().order_max_bids, 20);
    let before = c.balance(&account_address(3), DENOM_AKT);
    let id = open_proposal(&mut c, vec![update_market(7)]);
    assert_eq!(gov_balance(&c), MIN_DEPOSIT);
    assert_eq!(c.balance(&account_address(3), DENOM_AKT), before - MIN_DEPOSIT - sk::STAKING_FEE);
    ok(&exec(&mut c, 0, vec![vote(0, id, YES)]));
    ok(&exec(&mut c, 1, vec![vote(1, id, YES)]));
    end_voting(&mut c);
    let p = proposal(&c, id).unwrap();
    assert_eq!(p.status, ProposalStatus::Passed, "{}", p.failed_reason);
    let t = p.final_tally_result.unwrap();
    assert_eq!((t.yes_count, t.no_count), (260 * AKT, 0));
    // The new param is in effect and the deposit came back.
    assert_eq!(market::params(&c.store().latest()).unwrap().order_max_bids, 7);
    let q = c.query("/market/params", b"", 0, false);
    let mp: market::MarketParams = serde_json::from_slice(&q.value).unwrap();
    assert_eq!(mp.order_max_bids, 7);
    assert_eq!(gov_balance(&c), 0);
    assert_eq!(c.balance(&account_address(3), DENOM_AKT), before - sk::STAKING_FEE);
}

#[test]
fn a_vetoed_proposal_burns_its_deposit() {
    let mut c = chain();
    let before = c.balance(&account_address(3), DENOM_AKT);
    let id = open_proposal(&mut c, vec![update_market(7)]);
    ok(&exec(&mut c, 0, vec![vote(0, id, VETO)]));
    ok(&exec(&mut c, 1, vec![vote(1, id, YES)]));
    // The burn shows in the block that ends the voting period.
    let mut burned = false;
    for _ in 0..=PERIOD_MS / 1000 {
        let r = c.deliver_block(Vec::new());
        burned |= r.events.iter().any(|e| {
            e.kind == "burn" && e.attributes.iter().any(|a| a.value == gov::authority().to_string())
        });
    }
    assert!(burned, "the deposit was burned");
    let p = proposal(&c, id).unwrap();
    assert_eq!(p.status, ProposalStatus::Rejected);
    assert_eq!(p.final_tally_result.unwrap().no_with_veto_count, 160 * AKT);
    assert_eq!(market::params(&c.store().latest()).unwrap().order_max_bids, 20);
    assert_eq!(gov_balance(&c), 0);
    assert_eq!(c.balance(&account_address(3), DENOM_AKT), before - MIN_DEPOSIT - sk::STAKING_FEE);
}

#[test]
fn a_proposal_without_quorum_is_rejected_and_refunded() {
    let mut c = chain();
    let before = c.balance(&account_address(3), DENOM_AKT);
    let id = open_proposal(&mut c, vec![update_market(7)]);
    // 60 of 260 bonded AKT is 23% ≥ 20%: so only a smaller voter. Account 4 delegates 10.
    ok(&exec(&mut c, 4, vec![sk::delegate(&account_address(4), &val(1), 10 * AKT)]));
    ok(&exec(&mut c, 4, vec![vote(4, id, YES)]));
    end_voting(&mut c);
    let p = proposal(&c, id).unwrap();
    assert_eq!(p.status, ProposalStatus::Rejected);
    assert_eq!(p.final_tally_result.unwrap().yes_count, 10 * AKT);
    assert_eq!(market::params(&c.store().latest()).unwrap().order_max_bids, 20);
    // burn_vote_quorum is off: refunded.
    assert_eq!(c.balance(&account_address(3), DENOM_AKT), before - sk::STAKING_FEE);
}

#[test]
fn a_delegator_overrides_its_validators_vote() {
    let mut c = chain();
    let id = open_proposal(&mut c, vec![update_market(7)]);
    ok(&exec(&mut c, 0, vec![vote(0, id, YES)]));
    ok(&exec(&mut c, 1, vec![vote(1, id, NO)]));
    // Before the delegator votes, validator 0 carries its 60 AKT: 160 yes vs 100 no.
    let t = gov::tally(&c.store().latest(), id).unwrap();
    assert_eq!((t.tally.yes_count, t.tally.no_count), (160 * AKT, 100 * AKT));
    assert!(t.passes);
    ok(&exec(&mut c, 2, vec![vote(2, id, NO)]));
    end_voting(&mut c);
    let p = proposal(&c, id).unwrap();
    assert_eq!(p.status, ProposalStatus::Rejected);
    let t = p.final_tally_result.unwrap();
    assert_eq!((t.yes_count, t.no_count), (100 * AKT, 160 * AKT));
    assert_eq!(market::params(&c.store().latest()).unwrap().order_max_bids, 20);
}

#[test]
fn weighted_votes_split_voting_power() {
    let mut c = chain();
    let id = open_proposal(&mut c, vec![update_market(7)]);
    let w = |option, weight: &str| WeightedVoteOption { option, weight: weight.into() };
    ok(&exec(
        &mut c,
        0,
        vec![Msg::VoteWeighted(MsgVoteWeighted {
            proposal_id: id,
            voter: account_address(0).to_string(),
            options: vec![w(YES, "0.25"), w(ABSTAIN, "0.75")],
            metadata: String::new(),
        })],
    ));
    let t = gov::tally(&c.store().latest(), id).unwrap().tally;
    assert_eq!((t.yes_count, t.abstain_count), (40 * AKT, 120 * AKT));
    // Weights must sum to 1, options may not repeat.
    for opts in [vec![w(YES, "0.5"), w(NO, "0.4")], vec![w(YES, "0.5"), w(YES, "0.5")]] {
        let r = exec(
            &mut c,
            0,
            vec![Msg::VoteWeighted(MsgVoteWeighted {
                proposal_id: id,
                voter: account_address(0).to_string(),
                options: opts,
                metadata: String::new(),
            })],
        );
        rejected(&r, "gov", 7, "");
    }
    end_voting(&mut c);
    // 40 yes of 40 non-abstain, quorum 160/260: passes.
    assert_eq!(proposal(&c, id).unwrap().status, ProposalStatus::Passed);
}

#[test]
fn a_community_pool_spend_pays_the_recipient() {
    let mut c = chain();
    run_blocks(&mut c, 3);
    let pool = c.balance(&auth::module_address(COMMUNITY_POOL), DENOM_AKT);
    assert!(pool > 0, "the community tax fills the pool");
    let recipient = account_address(20);
    let spend = Msg::CommunityPoolSpend(MsgCommunityPoolSpend {
        authority: gov_addr(),
        recipient: recipient.to_string(),
        amount: coins(pool),
    });
    let id = open_proposal(&mut c, vec![spend]);
    ok(&exec(&mut c, 0, vec![vote(0, id, YES)]));
    end_voting(&mut c);
    assert_eq!(proposal(&c, id).unwrap().status, ProposalStatus::Passed);
    assert_eq!(c.balance(&recipient, DENOM_AKT), pool);
}

#[test]
fn a_passed_proposal_whose_message_fails_is_marked_failed_and_reverted() {
    let mut c = chain();
    let too_much = Msg::CommunityPoolSpend(MsgCommunityPoolSpend {
        authority: gov_addr(),
        recipient: account_address(20).to_string(),
        amount: coins(1_000_000 * AKT),
    });
    let id = open_proposal(&mut c, vec![update_market(7), too_much]);
    ok(&exec(&mut c, 0, vec![vote(0, id, YES)]));
    end_voting(&mut c);
    let p = proposal(&c, id).unwrap();
    assert_eq!(p.status, ProposalStatus::Failed);
    assert!(p.failed_reason.contains("insufficient"), "{}", p.failed_reason);
    assert_eq!(market::params(&c.store().latest()).unwrap().order_max_bids, 20, "reverted");
    assert_eq!(c.balance(&account_address(20), DENOM_AKT), 0);
}

#[test]
fn a_software_upgrade_halts_the_chain_at_its_height_with_a_clear_message() {
    let mut c = chain();
    let halt_at = c.height() + 20;
    let upgrade = Msg::SoftwareUpgrade(MsgSoftwareUpgrade {
        authority: gov_addr(),
        plan: Some(Plan {
            name: "v2".into(),
            height: halt_at as i64,
            info: "https://example.org/v2".into(),
            ..Default::default()
        }),
    });
    let id = open_proposal(&mut c, vec![upgrade]);
    ok(&exec(&mut c, 0, vec![vote(0, id, YES)]));
    ok(&exec(&mut c, 1, vec![vote(1, id, YES)]));
    end_voting(&mut c);
    assert_eq!(proposal(&c, id).unwrap().status, ProposalStatus::Passed);
    let plan = gov::upgrade_plan(&c.store().latest()).unwrap().unwrap();
    assert_eq!((plan.name.as_str(), plan.height), ("v2", halt_at));
    while c.height() + 1 < halt_at {
        c.deliver_block(Vec::new());
    }
    let info = c.next_block_info();
    assert_eq!(info.height, halt_at);
    let err = c.app().finalize_block(&info, &[]).unwrap_err();
    assert!(matches!(err, AppError::UpgradeNeeded(_)), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("UPGRADE \"v2\" NEEDED at height"), "{msg}");
    assert!(msg.contains(&halt_at.to_string()) && msg.contains("install"), "{msg}");
    // Nothing was executed: still at the height before.
    assert_eq!(c.height(), halt_at - 1);
    assert!(c.app().finalize_block(&info, &[]).is_err(), "it stays halted");
}

#[test]
fn deposits_move_a_proposal_to_voting_and_expired_ones_are_refunded() {
    let mut c = chain();
    let b3 = c.balance(&account_address(3), DENOM_AKT);
    let b4 = c.balance(&account_address(4), DENOM_AKT);
    // 40% of the min deposit is enough to submit.
    ok(&exec(&mut c, 3, vec![submit(3, vec![update_market(7)], 4 * AKT)]));
    assert_eq!(proposal(&c, 1).unwrap().status, ProposalStatus::DepositPeriod);
    // Voting before the voting period is refused.
    rejected(&exec(&mut c, 0, vec![vote(0, 1, YES)]), "gov", 3, "voting period");
    ok(&exec(&mut c, 4, vec![deposit(4, 1, 6 * AKT)]));
    let p = proposal(&c, 1).unwrap();
    assert_eq!((p.status, p.total_deposit), (ProposalStatus::VotingPeriod, MIN_DEPOSIT));
    // No further deposits while voting.
    rejected(&exec(&mut c, 4, vec![deposit(4, 1, AKT)]), "gov", 3, "deposit period");
    end_voting(&mut c);
    // Nobody voted: no quorum, refunded.
    assert_eq!(proposal(&c, 1).unwrap().status, ProposalStatus::Rejected);
    assert_eq!(c.balance(&account_address(3), DENOM_AKT), b3 - sk::STAKING_FEE);
    assert_eq!(c.balance(&account_address(4), DENOM_AKT), b4 - 2 * sk::STAKING_FEE);

    // A proposal that never reaches the min deposit is dropped, its deposit refunded.
    ok(&exec(&mut c, 3, vec![submit(3, vec![], 5 * AKT)]));
    assert_eq!(gov_balance(&c), 5 * AKT);
    run_blocks(&mut c, PERIOD_MS as usize / 1000 + 1);
    assert!(proposal(&c, 2).is_none());
    assert_eq!(gov_balance(&c), 0);
    assert_eq!(c.balance(&account_address(3), DENOM_AKT), b3 - 2 * sk::STAKING_FEE);
}

#[test]
fn rejections() {
    let mut c = chain();
    // Initial deposit below 40% of the min deposit.
    rejected(
        &exec(&mut c, 3, vec![submit(3, vec![update_market(7)], 3 * AKT)]),
        "gov",
        14,
        "below the minimum",
    );
    // Only governance-only messages may be proposed.
    let send = Msg::Send(dcloud_proto::cosmos::cosmos::bank::v1beta1::MsgSend {
        from_address: gov_addr(),
        to_address: account_address(3).to_string(),
        amount: coins(1),
    });
    rejected(
        &exec(&mut c, 3, vec![submit(3, vec![send], MIN_DEPOSIT)]),
        "gov",
        5,
        "cannot be executed",
    );
    // Whose authority is the gov module account.
    let wrong = Msg::UpdateParams(
        "market",
        MsgUpdateParams {
            authority: account_address(3).to_string(),
            params_json: serde_json::to_string(&market::MarketParams::default()).unwrap(),
        },
    );
    rejected(
        &exec(&mut c, 3, vec![submit(3, vec![wrong.clone()], MIN_DEPOSIT)]),
        "gov",
        12,
        "gov module account",
    );
    // Sent directly, an update is refused too.
    rejected(&exec(&mut c, 3, vec![wrong]), "gov", 12, "only signer");
    // Params are validated by the module's own checks.
    rejected(
        &exec(&mut c, 3, vec![submit(3, vec![update_market(0)], MIN_DEPOSIT)]),
        "sdk",
        AppError::InvalidRequest(String::new()).code(),
        "order_max_bids",
    );
    let bad_gov = Msg::UpdateParams(
        "gov",
        MsgUpdateParams { authority: gov_addr(), params_json: "{\"min_deposit\":\"1\"}".into() },
    );
    rejected(
        &exec(&mut c, 3, vec![submit(3, vec![bad_gov], MIN_DEPOSIT)]),
        "sdk",
        AppError::InvalidRequest(String::new()).code(),
        "gov params",
    );
    // Unknown proposals, invalid options, non-uakt deposits, empty titles.
    rejected(&exec(&mut c, 4, vec![deposit(4, 99, AKT)]), "gov", 2, "99");
    rejected(&exec(&mut c, 0, vec![vote(0, 99, YES)]), "gov", 2, "99");
    rejected(&exec(&mut c, 0, vec![vote(0, 1, 0)]), "gov", 7, "invalid vote option 0");
    let mut m = submit(3, vec![], MIN_DEPOSIT);
    if let Msg::SubmitProposal(s) = &mut m {
        s.initial_deposit = vec![ProtoCoin { denom: "uact".into(), amount: "1".into() }];
    }
    assert_ne!(exec(&mut c, 3, vec![m]).code, 0);
    let mut m = submit(3, vec![], MIN_DEPOSIT);
    if let Msg::SubmitProposal(s) = &mut m {
        s.title = String::new();
    }
    rejected(&exec(&mut c, 3, vec![m]), "gov", 5, "title");
    // A text proposal (no messages) passes without doing anything.
    let id = open_proposal(&mut c, Vec::new());
    ok(&exec(&mut c, 0, vec![vote(0, id, YES)]));
    end_voting(&mut c);
    assert_eq!(proposal(&c, id).unwrap().status, ProposalStatus::Passed);
    assert_eq!(gov_balance(&c), 0);
}

#[test]
fn queries_answer_params_proposals_and_tallies() {
    let mut c = chain();
    let id = open_proposal(&mut c, vec![update_market(7)]);
    ok(&exec(&mut c, 1, vec![vote(1, id, NO)]));
    let p: GovParams =
        serde_json::from_slice(&c.query("/gov/params", b"", 0, false).value).unwrap();
    assert_eq!(p, gov_params());
    let ps: Vec<Proposal> =
        serde_json::from_slice(&c.query("/gov/proposals", b"", 0, false).value).unwrap();
    assert_eq!(ps.len(), 1);
    let t: gov::TallyResult =
        serde_json::from_slice(&c.query("/gov/tally", id.to_string().as_bytes(), 0, false).value)
            .unwrap();
    assert_eq!(t.no_count, 100 * AKT);
    assert!(c.app().query("/gov/proposal", b"42", 0, false).is_err());
    let _: AccAddress = gov::authority();
}

#[test]
fn a_proposal_changes_the_slashing_fractions_and_a_fraction_above_one_is_refused() {
    use dcloud_app::modules::slashing::{self, SlashingParams};
    let mut c = chain();
    let update = |p: &SlashingParams| {
        Msg::UpdateParams(
            "slashing",
            MsgUpdateParams {
                authority: gov_addr(),
                params_json: serde_json::to_string(p).unwrap(),
            },
        )
    };
    let atto: u128 = 1_000_000_000_000_000_000;
    let new = SlashingParams {
        slash_fraction_downtime: atto / 100,
        slash_fraction_double_sign: atto / 10,
        ..SlashingParams::default()
    };
    let id = open_proposal(&mut c, vec![update(&new)]);
    ok(&exec(&mut c, 0, vec![vote(0, id, YES)]));
    end_voting(&mut c);
    assert_eq!(proposal(&c, id).unwrap().status, ProposalStatus::Passed);
    assert_eq!(slashing::params(&c.store().latest()).unwrap(), new);
    // A fraction above 1 is refused at submission.
    let json = serde_json::to_string(&new).unwrap().replace("\"0.100000000000000000\"", "\"1.5\"");
    assert!(json.contains("1.5"));
    let bad =
        Msg::UpdateParams("slashing", MsgUpdateParams { authority: gov_addr(), params_json: json });
    rejected(
        &exec(&mut c, 3, vec![submit(3, vec![bad], MIN_DEPOSIT)]),
        "sdk",
        AppError::InvalidRequest(String::new()).code(),
        "slash_fraction_double_sign",
    );
}
