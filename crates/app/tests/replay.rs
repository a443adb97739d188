//! Replays a recorded block sequence and compares, block by block, the app hash and the
//! whole `finalize_block` response (tx codes, logs, gas, events, validator updates) with
//! what the build that recorded it answered. It guards refactors that must not change
//! behaviour: the fixture `tests/fixtures/replay.json` was recorded before the redesign of
//! issue 12 and must replay unchanged after it.
//!
//! The recorded life touches every module: proof-of-stake with two validators (mint,
//! distribution, a delegation, a redelegation, an undelegation, rewards, a downtime jail),
//! governance (a parameter change passed by vote), the oracle and BME (price feed, ACT
//! minted from AKT), providers, audits and certificates, deployments with lowest-bid and
//! manual auctions, bids, leases, deposits through an authz grant, withdrawals, an escrow
//! running dry, closes, bank sends and multi-sends, and a few rejected txs.
//!
//! Re-record (only when a behaviour change is intended, and say so in the commit):
//! `DCLOUD_RECORD_REPLAY=1 cargo test -p dcloud-app --test replay`.

mod registry_common;

use std::path::PathBuf;
use std::sync::Arc;

use dcloud_app::genesis::Genesis;
use dcloud_app::modules::bme::BmeParams;
use dcloud_app::modules::distribution::DistributionParams;
use dcloud_app::modules::gov::GovGenesis;
use dcloud_app::modules::mint::MintGenesis;
use dcloud_app::modules::oracle::{GenesisPrice, OracleGenesis, OracleParams};
use dcloud_app::modules::slashing::SlashingParams;
use dcloud_app::modules::staking::{self as staking_mod, StakingParams};
use dcloud_app::testkit::market::*;
use dcloud_app::testkit::staking as sk;
use dcloud_app::testkit::{
    account_address, create_certificate_msg, create_provider_msg, proto_coin, sign_attributes_msg,
    RecordedBlock, TestChain, TestConfig, TxOpts,
};
use dcloud_app::App;
use dcloud_proto::cosmos::cosmos::authz::v1beta1::{Grant as PbGrant, MsgGrant};
use dcloud_proto::cosmos::cosmos::base::v1beta1::Coin as ProtoCoin;
use dcloud_proto::cosmos::cosmos::gov::v1::{MsgSubmitProposal, MsgVote};
use dcloud_proto::dcloud::bme::MsgMintAct;
use dcloud_proto::dcloud::deployment::{Auction, MsgCloseDeployment, MsgDepositDeployment};
use dcloud_proto::dcloud::escrow::{
    DepositAuthorization, DepositScope as PbScope, DepositSource as PbSource,
    DEPOSIT_AUTHORIZATION_URL,
};
use dcloud_proto::dcloud::gov::MsgUpdateParams;
use dcloud_proto::dcloud::market::{MsgCloseBid, MsgCloseLease, MsgCreateLease, MsgWithdrawLease};
use dcloud_proto::dcloud::oracle::MsgSubmitPrice;
use dcloud_proto::{Any, Message as _, Msg};
use dcloud_store::{Store, StoreOptions};
use dcloud_types::{AccAddress, DENOM_ACT, DENOM_AKT};
use serde::{Deserialize, Serialize};

const AKT: u128 = 1_000_000;
/// Key 3 feeds the oracle and is the BME authority.
const FEEDER: usize = 3;
/// Key 6 runs the second validator, which goes offline and is jailed.
const LAZY: usize = 6;

/// The recorded sequence.
#[derive(Debug, Serialize, Deserialize)]
struct Fixture {
    /// What this fixture exercises and how it was made.
    about: String,
    genesis: Genesis,
    blocks: Vec<RecordedBlock>,
}

fn fixture_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/replay.json")
}

fn config() -> TestConfig {
    let feeder = account_address(FEEDER).to_string();
    let staking = StakingParams { unbonding_time_ms: 20_000, ..StakingParams::default() };
    TestConfig {
        funded: 8,
        uakt: 1_000_000 * AKT,
        uact: 0,
        staking: Some(sk::genesis(&[(0, 100 * AKT), (LAZY, 50 * AKT)], staking)),
        distribution: Some(DistributionParams::default()),
        mint: Some(MintGenesis::default()),
        gov: Some(GovGenesis {
            params: dcloud_app::modules::gov::GovParams {
                min_deposit: 10 * AKT,
                max_deposit_period_ms: 5_000,
                voting_period_ms: 5_000,
                ..Default::default()
            },
        }),
        oracle: Some(OracleGenesis {
            params: OracleParams {
                sources: vec![feeder.clone()],
                twap_window_ms: 1_000,
                ..OracleParams::default()
            },
            prices: vec![GenesisPrice { source: feeder.clone(), price: "2".into() }],
        }),
        bme: Some(BmeParams { authority: feeder, ..BmeParams::default() }),
        slashing: Some(SlashingParams {
            signed_blocks_window: 10,
            min_signed_per_window: 500_000_000_000_000_000,
            ..SlashingParams::default()
        }),
        ..TestConfig::default()
    }
}

fn coins(amount: u128, denom: &str) -> Vec<ProtoCoin> {
    vec![ProtoCoin { denom: denom.into(), amount: amount.to_string() }]
}

/// Builds the scenario's txs block by block on a live chain (which checks every invariant
/// after every block) while recording what it delivers.
struct Scenario {
    c: TestChain,
    feed: bool,
}

impl Scenario {
    fn addr(&self, i: usize) -> AccAddress {
        self.c.address(i)
    }

    fn tx(&mut self, from: usize, msgs: Vec<Msg>) -> Vec<u8> {
        let opts =
            TxOpts { gas_limit: sk::STAKING_GAS, fee: sk::STAKING_FEE, ..Default::default() };
        self.c.tx_with(from, msgs, &opts)
    }

    /// One block with `txs` plus the feeder's price; returns the codes of `txs`.
    fn block(&mut self, txs: Vec<Vec<u8>>) -> Vec<u32> {
        self.block_logs(txs).into_iter().map(|(c, _)| c).collect()
    }

    /// One block with `txs` plus the feeder's price; returns the code and log of `txs`.
    fn block_logs(&mut self, mut txs: Vec<Vec<u8>>) -> Vec<(u32, String)> {
        let n = txs.len();
        if self.feed {
            let m = Msg::SubmitPrice(MsgSubmitPrice {
                source: self.addr(FEEDER).to_string(),
                denom: "akt".into(),
                base_denom: "usd".into(),
                price: "2".into(),
                timestamp_ms: 0,
            });
            let t = self.tx(FEEDER, vec![m]);
            txs.push(t);
        }
        let r = self.c.deliver_block(txs);
        if let Some(p) = r.tx_results.get(n) {
            assert_eq!(p.code, 0, "price feed: {}", p.log);
        }
        r.tx_results.iter().take(n).map(|t| (t.code, t.log.clone())).collect()
    }

    fn ok(&mut self, from: usize, msgs: Vec<Msg>) {
        let t = self.tx(from, msgs);
        let r = self.block_logs(vec![t]);
        assert_eq!(r[0].0, 0, "tx from {from} at height {} failed: {}", self.c.height(), r[0].1);
    }

    fn blocks(&mut self, n: usize) {
        for _ in 0..n {
            self.block(Vec::new());
        }
    }
}

fn record() -> Fixture {
    let mut s = Scenario { c: TestChain::new(config()), feed: true };
    s.c.start_recording();
    let (tenant, p1, p2, auditor, funder) = (s.addr(0), s.addr(1), s.addr(2), s.addr(4), s.addr(5));

    // ACT from AKT for the tenant, the providers and the funder (BME executes a block later).
    for i in [0usize, 1, 2, 5] {
        let a = s.addr(i);
        s.ok(
            i,
            vec![Msg::MintAct(MsgMintAct {
                owner: a.to_string(),
                to: a.to_string(),
                coins_to_burn: Some(proto_coin(&(2_000 * AKT).to_string(), DENOM_AKT)),
            })],
        );
    }
    s.blocks(2);

    // Registry: two providers, an audit, a certificate.
    s.ok(1, vec![create_provider_msg(&p1, "https://p1.example:8443", &[("region", "eu")])]);
    s.ok(2, vec![create_provider_msg(&p2, "https://p2.example:8443", &[("region", "us")])]);
    s.ok(4, vec![sign_attributes_msg(&auditor, &p1, &[("region", "eu")])]);
    let (cert, key) = registry_common::cert_for(&tenant, 1, 9);
    s.ok(0, vec![create_certificate_msg(&tenant, &cert, &key)]);

    // Bank: a send and a multi-send in one block, and a tx that fails (insufficient funds).
    let t1 = s.tx(
        7,
        vec![dcloud_app::testkit::raw_send(
            &s.addr(7).to_string(),
            &s.addr(4).to_string(),
            &[("1000", DENOM_AKT)],
        )],
    );
    let ms = s
        .c
        .multi_send_msg(7, &[(s.addr(4), vec![(5, DENOM_AKT)]), (s.addr(5), vec![(7, DENOM_AKT)])]);
    let t2 = s.tx(7, vec![ms]);
    let t3 = s.tx(
        4,
        vec![dcloud_app::testkit::raw_send(
            &auditor.to_string(),
            &s.addr(7).to_string(),
            &[("999999999999999", DENOM_AKT)],
        )],
    );
    let codes = s.block(vec![t1, t2, t3]);
    assert_eq!(codes[..2], [0, 0]);
    assert_ne!(codes[2], 0);

    // Staking: a delegation, rewards, a redelegation (the lazy validator then goes offline).
    s.ok(2, vec![sk::delegate(&p2, &sk::val(0), 30 * AKT)]);
    s.ok(2, vec![sk::delegate(&p2, &sk::val(LAZY), 10 * AKT)]);
    s.blocks(2);
    s.ok(2, vec![sk::withdraw_rewards(&p2, &sk::val(0))]);
    s.ok(2, vec![sk::redelegate(&p2, &sk::val(LAZY), &sk::val(0), 4 * AKT)]);
    s.ok(2, vec![sk::undelegate(&p2, &sk::val(0), 5 * AKT)]);

    // A lowest-bid auction: two bids, the lower wins when the window closes.
    s.ok(
        0,
        vec![create_deployment(
            &tenant,
            1,
            vec![group("web", "100")],
            5_000_000,
            DENOM_ACT,
            Auction::Lowest,
        )],
    );
    let b1 = s.tx(1, vec![create_bid(&p1, &tenant, 1, 1, 1, "3", DENOM_ACT, 500_000)]);
    let b2 = s.tx(2, vec![create_bid(&p2, &tenant, 1, 1, 1, "1.5", DENOM_ACT, 500_000)]);
    assert_eq!(s.block(vec![b1, b2]), vec![0, 0]);
    s.blocks(5);
    // A bid on a closed order is refused.
    let late = s.tx(1, vec![create_bid(&p1, &tenant, 1, 1, 1, "1", DENOM_ACT, 500_000)]);
    assert_ne!(s.block(vec![late]), vec![0]);

    // A manual auction with an audited group, funded through an authz deposit grant.
    let auth = DepositAuthorization {
        spend_limits: vec![proto_coin(&(3_000_000u128).to_string(), DENOM_ACT)],
        scopes: vec![PbScope::Deployment as i32],
    };
    s.ok(
        5,
        vec![Msg::Grant(MsgGrant {
            granter: funder.to_string(),
            grantee: tenant.to_string(),
            grant: Some(PbGrant {
                authorization: Some(Any {
                    type_url: DEPOSIT_AUTHORIZATION_URL.into(),
                    value: auth.encode_to_vec(),
                }),
                expiration: None,
            }),
        })],
    );
    let g = group_with("db", "50", &[attr("region", "eu")], &[auditor], &[]);
    s.ok(0, vec![create_deployment(&tenant, 2, vec![g], 1_000_000, DENOM_ACT, Auction::Manual)]);
    s.ok(1, vec![create_bid(&p1, &tenant, 2, 1, 1, "40", DENOM_ACT, 500_000)]);
    s.ok(0, vec![Msg::CreateLease(MsgCreateLease { bid_id: bid_id(&tenant, 2, 1, 1, &p1) })]);
    s.ok(
        0,
        vec![Msg::DepositDeployment(MsgDepositDeployment {
            id: dep_id(&tenant, 2),
            amount: Some(proto_coin("2000000", DENOM_ACT)),
            depositor: tenant.to_string(),
            sources: vec![PbSource::Grant as i32],
        })],
    );
    s.blocks(3);
    s.ok(1, vec![Msg::WithdrawLease(MsgWithdrawLease { id: bid_id(&tenant, 2, 1, 1, &p1) })]);

    // Governance: raise market.order_max_bids by vote; the lazy validator stops signing.
    let p = dcloud_app::modules::market::MarketParams {
        order_max_bids: 7,
        ..dcloud_app::modules::market::MarketParams::default()
    };
    let upd = Msg::UpdateParams(
        "market",
        MsgUpdateParams {
            authority: dcloud_app::modules::gov::authority().to_string(),
            params_json: serde_json::to_string(&p).expect("params JSON"),
        },
    );
    s.ok(
        3,
        vec![Msg::SubmitProposal(MsgSubmitProposal {
            messages: vec![upd.to_any()],
            initial_deposit: coins(10 * AKT, DENOM_AKT),
            proposer: s.addr(3).to_string(),
            metadata: String::new(),
            title: "more bids".into(),
            summary: "replay".into(),
            expedited: false,
        })],
    );
    let id = dcloud_app::modules::gov::proposals(&s.c.store().latest())
        .expect("proposals")
        .last()
        .expect("a proposal")
        .id;
    s.ok(
        0,
        vec![Msg::Vote(MsgVote {
            proposal_id: id,
            voter: s.addr(0).to_string(),
            option: 1,
            metadata: String::new(),
        })],
    );
    s.c.absent_signers.insert(sk::consensus_address(1));
    s.blocks(8);
    s.c.absent_signers.clear();
    let lazy = staking_mod::get_validator(&s.c.store().latest(), &s.addr(LAZY))
        .expect("read")
        .expect("validator");
    assert!(lazy.jailed, "the offline validator is jailed");

    // Close: a deployment running dry (tiny deposit, high price), a lease closed by its
    // provider, and the tenant closing the first deployment.
    s.ok(
        0,
        vec![create_deployment(
            &tenant,
            3,
            vec![group("burst", "100000")],
            600_000,
            DENOM_ACT,
            Auction::Manual,
        )],
    );
    s.ok(2, vec![create_bid(&p2, &tenant, 3, 1, 1, "100000", DENOM_ACT, 500_000)]);
    s.ok(0, vec![Msg::CreateLease(MsgCreateLease { bid_id: bid_id(&tenant, 3, 1, 1, &p2) })]);
    s.blocks(8);
    let dry = s.c.lease(&tenant, 3, 1, 1, &p2).expect("lease 3");
    assert_eq!(dry.state, dcloud_app::modules::market::LeaseState::InsufficientFunds);
    s.ok(
        1,
        vec![Msg::CloseBid(MsgCloseBid {
            id: bid_id(&tenant, 2, 1, 1, &p1),
            reason: String::new(),
        })],
    );
    s.ok(0, vec![Msg::CloseLease(MsgCloseLease { id: bid_id(&tenant, 1, 1, 1, &p2) })]);
    s.ok(0, vec![Msg::CloseDeployment(MsgCloseDeployment { id: dep_id(&tenant, 1) })]);
    s.feed = false;
    s.blocks(3);

    let genesis = s.c.genesis.clone();
    let blocks = s.c.take_recording();
    Fixture {
        about: "recorded by crates/app/tests/replay.rs at 458fb30 (before the issue-12 redesign)"
            .into(),
        genesis,
        blocks,
    }
}

/// Replays `f` on a fresh app: every block's app hash and response digest must match.
fn replay(f: &Fixture) {
    let store = Arc::new(Store::in_memory(StoreOptions::default()).expect("store"));
    let app = App::new(store).expect("app");
    app.set_check_invariants(true);
    app.init_chain(&f.genesis).expect("init_chain");
    for b in &f.blocks {
        let txs: Vec<Vec<u8>> = b.txs.iter().map(|t| hex::decode(t).expect("tx hex")).collect();
        let resp = app.finalize_block(&b.info, &txs).expect("finalize_block");
        assert_eq!(
            RecordedBlock::digest(&resp),
            b.response_sha256,
            "height {}: the block's response differs from the recording: {resp:#?}",
            b.info.height
        );
        assert_eq!(hex::encode(resp.app_hash), b.app_hash, "height {}: app hash", b.info.height);
        assert_eq!(app.commit(Vec::new()).expect("commit"), b.info.height);
    }
}

#[test]
fn the_recorded_block_sequence_replays_to_the_same_app_hashes_and_responses() {
    if std::env::var_os("DCLOUD_RECORD_REPLAY").is_some() {
        let f = record();
        let json = serde_json::to_string_pretty(&f).expect("fixture JSON");
        std::fs::create_dir_all(fixture_path().parent().expect("dir")).expect("mkdir");
        std::fs::write(fixture_path(), json + "\n").expect("write fixture");
    }
    let f: Fixture = serde_json::from_str(
        &std::fs::read_to_string(fixture_path()).expect("tests/fixtures/replay.json"),
    )
    .expect("fixture JSON");
    assert!(f.blocks.len() > 40, "the fixture covers a long life");
    let txs = f.blocks.iter().map(|b| b.txs.len()).sum::<usize>();
    assert!(txs > 30, "the fixture holds txs");
    replay(&f);
}

#[test]
fn a_changed_tx_changes_the_replay_outcome() {
    // The comparison can fail: drop one tx of a block and the digest no longer matches.
    let mut f: Fixture = serde_json::from_str(
        &std::fs::read_to_string(fixture_path()).expect("tests/fixtures/replay.json"),
    )
    .expect("fixture JSON");
    let i = f.blocks.iter().position(|b| !b.txs.is_empty()).expect("a block with txs");
    f.blocks[i].txs.pop();
    let r = std::panic::catch_unwind(|| replay(&f));
    assert!(r.is_err(), "a replay with a missing tx must not match the recording");
}

#[test]
fn the_scenario_still_produces_the_recording() {
    // The live scenario (on today's testkit) reproduces the fixture exactly, so the
    // recording is the life described above and not a stale artifact.
    let f: Fixture = serde_json::from_str(
        &std::fs::read_to_string(fixture_path()).expect("tests/fixtures/replay.json"),
    )
    .expect("fixture JSON");
    let live = record();
    assert_eq!(live.genesis, f.genesis);
    assert_eq!(live.blocks.len(), f.blocks.len());
    for (a, b) in live.blocks.iter().zip(&f.blocks) {
        assert_eq!(a, b, "height {}", a.info.height);
    }
}
