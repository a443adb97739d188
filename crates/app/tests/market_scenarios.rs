//! Market scenarios end to end: deploy, bid, automatic lowest-bid lease, streaming payment,
//! close; escrow exhaustion at the predicted height; manual auctions; re-auction; timeouts.

use dcloud_app::modules::deployment::{DeploymentState, GroupState};
use dcloud_app::modules::escrow::EscrowParams;
use dcloud_app::modules::market::{BidState, LeaseState, OrderState};
use dcloud_app::testkit::market::*;
use dcloud_app::testkit::{TestChain, TestConfig};
use dcloud_proto::dcloud::deployment::{Auction, MsgCloseDeployment};
use dcloud_proto::dcloud::market::{MsgCloseLease, MsgCreateLease, MsgWithdrawLease};
use dcloud_proto::Msg;
use dcloud_types::{Event, DENOM_ACT};

const GENESIS_ACT: u128 = 500_000_000;

fn chain() -> TestChain {
    let mut c = TestChain::new(TestConfig { funded: 6, ..TestConfig::default() });
    for p in 1..=3 {
        c.register_provider(p, &[attr("region", "eu")]);
    }
    c
}

fn events<'a>(ev: &'a [Event], kind: &str) -> Vec<&'a Event> {
    ev.iter().filter(|e| e.kind == kind).collect()
}

#[test]
fn a_tenant_deploys_three_providers_bid_the_lowest_wins_automatically_payment_streams_the_tenant_closes_and_everyone_gets_exactly_what_they_are_owed(
) {
    let mut c = chain();
    let tenant = c.address(0);
    let (p1, p2, p3) = (c.address(1), c.address(2), c.address(3));
    let deposit = 5_000_000u128;
    let r = c.exec(
        0,
        vec![create_deployment(
            &tenant,
            1,
            vec![group("web", "100")],
            deposit,
            DENOM_ACT,
            Auction::Lowest,
        )],
    );
    assert_eq!(r.code, 0, "{}", r.log);
    let created = c.height();
    assert_eq!(events(&r.events, "EventDeploymentCreated").len(), 1);
    let oc = events(&r.events, "EventOrderCreated");
    assert_eq!(oc[0].get("oseq"), Some("1"));
    assert_eq!(oc[0].get("window_end"), Some((created + 5).to_string().as_str()));
    assert_eq!(c.balance(&tenant, DENOM_ACT), GENESIS_ACT - deposit);

    // Three bids in one block: 3, 1.5 and 2.25 uact per block.
    let txs = vec![
        c.market_tx(1, vec![create_bid(&p1, &tenant, 1, 1, 1, "3", DENOM_ACT, 500_000)]),
        c.market_tx(2, vec![create_bid(&p2, &tenant, 1, 1, 1, "1.5", DENOM_ACT, 500_000)]),
        c.market_tx(3, vec![create_bid(&p3, &tenant, 1, 1, 1, "2.25", DENOM_ACT, 500_000)]),
    ];
    let res = c.deliver_block(txs);
    for r in &res.tx_results {
        assert_eq!(r.code, 0, "{}", r.log);
        assert_eq!(events(&r.events, "EventBidCreated").len(), 1);
    }
    assert_eq!(c.balance(&p2, DENOM_ACT), GENESIS_ACT - 500_000, "deposit locked");
    assert!(c.lease(&tenant, 1, 1, 1, &p2).is_none(), "no lease before the window closes");

    // The window closes at created + 5: the chain leases the lowest bid.
    let ev = c.advance_to(created + 5);
    let lc = events(&ev, "EventLeaseCreated");
    assert_eq!(lc.len(), 1, "{ev:?}");
    assert_eq!(lc[0].get("provider"), Some(p2.to_string().as_str()));
    assert_eq!(lc[0].get("price"), Some("1.500000000000000000uact"));
    assert_eq!(events(&ev, "EventBidLost").len(), 2);
    let leased_at = created + 5;
    let lease = c.lease(&tenant, 1, 1, 1, &p2).unwrap();
    assert_eq!((lease.state, lease.created_at), (LeaseState::Active, leased_at));
    assert_eq!(c.bid(&tenant, 1, 1, 1, &p1).unwrap().state, BidState::Lost);
    assert_eq!(c.bid(&tenant, 1, 1, 1, &p2).unwrap().state, BidState::Active);
    assert_eq!(c.order(&tenant, 1, 1, 1).unwrap().state, OrderState::Active);
    assert_eq!(c.balance(&p1, DENOM_ACT), GENESIS_ACT, "losing deposit refunded");
    assert_eq!(c.balance(&p3, DENOM_ACT), GENESIS_ACT, "losing deposit refunded");

    // Payment streams: the provider withdraws after some blocks.
    c.advance_to(leased_at + 100);
    let r =
        c.exec(2, vec![Msg::WithdrawLease(MsgWithdrawLease { id: bid_id(&tenant, 1, 1, 1, &p2) })]);
    assert_eq!(r.code, 0, "{}", r.log);
    let w = c.height();
    let earned = 3 * u128::from(w - leased_at) / 2;
    assert_eq!(c.balance(&p2, DENOM_ACT), GENESIS_ACT - 500_000 + earned);

    // blocks-remaining answers at any time.
    let q = c.query(
        "/escrow/blocks-remaining",
        format!(r#"{{"owner":"{tenant}","dseq":1}}"#).as_bytes(),
        0,
        false,
    );
    let j: serde_json::Value = serde_json::from_slice(&q.value).unwrap();
    let remaining = j["blocks_remaining"].as_u64().unwrap();
    // 5_000_000 covers floor(1.5 n) <= 5_000_000 → n = 3_333_333 blocks from the lease.
    assert_eq!(j["exhausted_at"].as_u64().unwrap(), leased_at + 3_333_333);
    assert_eq!(remaining, leased_at + 3_333_333 - c.height());
    // Balances in queries are settled as of the query height, though the chain settles lazily.
    c.advance_to(w + 10);
    let q = c.query(
        "/escrow/blocks-remaining",
        format!(r#"{{"owner":"{tenant}","dseq":1}}"#).as_bytes(),
        0,
        false,
    );
    let j: serde_json::Value = serde_json::from_slice(&q.value).unwrap();
    let owed = 3 * u128::from(c.height() - leased_at) / 2;
    assert_eq!(j["balance"].as_str().unwrap(), (5_000_000 - owed).to_string());

    // The tenant closes 37 blocks later (odd: a half unit of dust stays with the tenant).
    c.advance_to(w + 36);
    let r = c.exec(0, vec![Msg::CloseDeployment(MsgCloseDeployment { id: dep_id(&tenant, 1) })]);
    assert_eq!(r.code, 0, "{}", r.log);
    let closed = c.height();
    let paid = 3 * u128::from(closed - leased_at) / 2;
    assert_eq!(events(&r.events, "EventLeaseClosed")[0].get("reason"), Some("owner"));
    assert_eq!(c.balance(&p2, DENOM_ACT), GENESIS_ACT + paid, "provider: earnings + deposit back");
    assert_eq!(c.balance(&tenant, DENOM_ACT), GENESIS_ACT - paid, "tenant: refund of the rest");
    assert_eq!(c.balance(&p1, DENOM_ACT), GENESIS_ACT);
    assert_eq!(c.balance(&p3, DENOM_ACT), GENESIS_ACT);
    let d = c.deployment(&tenant, 1).unwrap();
    assert_eq!(d.state, DeploymentState::Closed);
    assert_eq!(d.groups[0].state, GroupState::Closed);
    let l = c.lease(&tenant, 1, 1, 1, &p2).unwrap();
    assert_eq!((l.state, l.closed_on, l.paid), (LeaseState::Closed, closed, paid));
    assert!(c.escrow_account(&tenant, 1).unwrap().balance == 0);
    let (_, escrow_bal, _) = c.market_snapshot();
    assert!(escrow_bal.is_empty(), "escrow module empty: {escrow_bal}");
}

#[test]
fn an_escrow_runs_dry_and_the_lease_closes_at_exactly_the_predicted_height() {
    let mut c = chain();
    let tenant = c.address(0);
    let p1 = c.address(1);
    c.set_module_params(
        "escrow",
        &EscrowParams { take_rate_bps: 0, low_funds_warning_blocks: 100 },
    );
    let r = c.exec(
        0,
        vec![create_deployment(
            &tenant,
            7,
            vec![group("web", "1000")],
            500_000,
            DENOM_ACT,
            Auction::Manual,
        )],
    );
    assert_eq!(r.code, 0, "{}", r.log);
    let r = c.exec(
        1,
        vec![create_bid(&p1, &tenant, 7, 1, 1, "333.333333333333333333", DENOM_ACT, 500_000)],
    );
    assert_eq!(r.code, 0, "{}", r.log);
    let r =
        c.exec(0, vec![Msg::CreateLease(MsgCreateLease { bid_id: bid_id(&tenant, 7, 1, 1, &p1) })]);
    assert_eq!(r.code, 0, "{}", r.log);
    let leased = c.height();
    // floor(333.333…333 × n) <= 500_000 holds up to n = 1500 (499_999), not 1501.
    let predicted = leased + 1500;
    assert_eq!(c.escrow_account(&tenant, 7).unwrap().exhausted_at, Some(predicted));

    let ev = c.advance_to(predicted - 100);
    let warn = events(&ev, "EventEscrowLowFunds");
    assert_eq!(warn.len(), 1, "one warning");
    assert_eq!(warn[0].get("exhausted_at"), Some(predicted.to_string().as_str()));
    assert_eq!(warn[0].get("owner"), Some(tenant.to_string().as_str()));

    c.advance_to(predicted - 1);
    assert_eq!(c.lease(&tenant, 7, 1, 1, &p1).unwrap().state, LeaseState::Active);
    let ev = c.advance_to(predicted);
    let closed = events(&ev, "EventLeaseClosed");
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0].get("reason"), Some("insufficient_funds"));
    let l = c.lease(&tenant, 7, 1, 1, &p1).unwrap();
    assert_eq!((l.state, l.closed_on, l.paid), (LeaseState::InsufficientFunds, predicted, 499_999));
    let d = c.deployment(&tenant, 7).unwrap();
    assert_eq!(d.state, DeploymentState::Closed);
    assert_eq!(d.groups[0].state, GroupState::InsufficientFunds);
    assert_eq!(c.balance(&p1, DENOM_ACT), GENESIS_ACT + 499_999);
    assert_eq!(
        c.balance(&tenant, DENOM_ACT),
        GENESIS_ACT - 499_999,
        "the last micro-unit refunded"
    );
}

#[test]
fn a_manual_tenant_may_pick_any_bid_not_only_the_cheapest() {
    let mut c = chain();
    let (tenant, p1, p2) = (c.address(0), c.address(1), c.address(2));
    c.exec(
        0,
        vec![create_deployment(
            &tenant,
            3,
            vec![group("web", "10")],
            1_000_000,
            DENOM_ACT,
            Auction::Manual,
        )],
    );
    assert_eq!(c.exec(1, vec![create_bid(&p1, &tenant, 3, 1, 1, "1", DENOM_ACT, 500_000)]).code, 0);
    assert_eq!(c.exec(2, vec![create_bid(&p2, &tenant, 3, 1, 1, "2", DENOM_ACT, 500_000)]).code, 0);
    c.advance_to(c.height() + 10);
    assert!(c.lease(&tenant, 3, 1, 1, &p1).is_none(), "manual: no automatic lease");
    let r =
        c.exec(0, vec![Msg::CreateLease(MsgCreateLease { bid_id: bid_id(&tenant, 3, 1, 1, &p2) })]);
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(c.lease(&tenant, 3, 1, 1, &p2).unwrap().state, LeaseState::Active);
    assert_eq!(c.bid(&tenant, 3, 1, 1, &p1).unwrap().state, BidState::Lost);
}

#[test]
fn closing_a_lease_reauctions_the_group_with_a_new_order() {
    let mut c = chain();
    let (tenant, p1) = (c.address(0), c.address(1));
    c.exec(
        0,
        vec![create_deployment(
            &tenant,
            4,
            vec![group("web", "10")],
            1_000_000,
            DENOM_ACT,
            Auction::Manual,
        )],
    );
    c.exec(1, vec![create_bid(&p1, &tenant, 4, 1, 1, "1", DENOM_ACT, 500_000)]);
    c.exec(0, vec![Msg::CreateLease(MsgCreateLease { bid_id: bid_id(&tenant, 4, 1, 1, &p1) })]);
    let r = c.exec(0, vec![Msg::CloseLease(MsgCloseLease { id: bid_id(&tenant, 4, 1, 1, &p1) })]);
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(c.order(&tenant, 4, 1, 1).unwrap().state, OrderState::Closed);
    assert_eq!(c.order(&tenant, 4, 1, 2).unwrap().state, OrderState::Open);
    assert_eq!(events(&r.events, "EventOrderCreated")[0].get("oseq"), Some("2"));
    assert_eq!(c.balance(&p1, DENOM_ACT), GENESIS_ACT + 1, "one block paid, deposit back");
}

#[test]
fn an_order_without_bids_times_out_and_the_group_can_restart_or_be_reclaimed() {
    let mut c = chain();
    let tenant = c.address(0);
    let r = c.exec(
        0,
        vec![create_deployment(
            &tenant,
            5,
            vec![group("web", "10")],
            1_000_000,
            DENOM_ACT,
            Auction::Lowest,
        )],
    );
    assert_eq!(r.code, 0);
    let created = c.height();
    let ev = c.advance_to(created + 100);
    assert_eq!(events(&ev, "EventOrderClosed")[0].get("reason"), Some("no_bids"));
    assert_eq!(events(&ev, "EventGroupInsufficientBids").len(), 1);
    assert_eq!(c.deployment(&tenant, 5).unwrap().groups[0].state, GroupState::InsufficientBids);
    let r = c.exec(
        0,
        vec![Msg::StartGroup(dcloud_proto::dcloud::deployment::MsgStartGroup {
            id: group_id(&tenant, 5, 1),
        })],
    );
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(c.order(&tenant, 5, 1, 2).unwrap().state, OrderState::Open);
    let r = c.exec(0, vec![Msg::CloseDeployment(MsgCloseDeployment { id: dep_id(&tenant, 5) })]);
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(c.balance(&tenant, DENOM_ACT), GENESIS_ACT, "whole deposit reclaimed");
}

#[test]
fn a_bid_after_an_empty_window_wins_at_the_end_of_its_block() {
    let mut c = chain();
    let (tenant, p1) = (c.address(0), c.address(1));
    c.exec(
        0,
        vec![create_deployment(
            &tenant,
            6,
            vec![group("web", "10")],
            1_000_000,
            DENOM_ACT,
            Auction::Lowest,
        )],
    );
    c.advance_to(c.height() + 20);
    let tx = c.market_tx(1, vec![create_bid(&p1, &tenant, 6, 1, 1, "2", DENOM_ACT, 500_000)]);
    let res = c.deliver_block(vec![tx]);
    assert_eq!(res.tx_results[0].code, 0, "{}", res.tx_results[0].log);
    assert_eq!(events(&res.events, "EventLeaseCreated").len(), 1);
    assert_eq!(c.lease(&tenant, 6, 1, 1, &p1).unwrap().created_at, c.height());
}

#[test]
fn the_take_rate_sends_its_share_of_every_payout_to_the_community_pool() {
    let mut c = chain();
    let (tenant, p1) = (c.address(0), c.address(1));
    c.set_module_params(
        "escrow",
        &EscrowParams { take_rate_bps: 250, low_funds_warning_blocks: 10 },
    );
    c.exec(
        0,
        vec![create_deployment(
            &tenant,
            8,
            vec![group("web", "1000")],
            1_000_000,
            DENOM_ACT,
            Auction::Manual,
        )],
    );
    c.exec(1, vec![create_bid(&p1, &tenant, 8, 1, 1, "400", DENOM_ACT, 500_000)]);
    c.exec(0, vec![Msg::CreateLease(MsgCreateLease { bid_id: bid_id(&tenant, 8, 1, 1, &p1) })]);
    let leased = c.height();
    c.advance_to(leased + 9);
    let r = c.exec(
        2 - 1,
        vec![Msg::WithdrawLease(MsgWithdrawLease { id: bid_id(&tenant, 8, 1, 1, &p1) })],
    );
    assert_eq!(r.code, 0, "{}", r.log);
    let earned = 400 * u128::from(c.height() - leased); // 4000
    let take = earned * 250 / 10_000;
    let (_, _, pool) = c.market_snapshot();
    assert_eq!(pool.amount_of(DENOM_ACT), take);
    assert_eq!(c.balance(&p1, DENOM_ACT), GENESIS_ACT - 500_000 + earned - take);
}

#[test]
fn queries_list_deployments_orders_bids_and_leases_by_owner_provider_and_state() {
    let mut c = chain();
    let (tenant, p1, p2) = (c.address(0), c.address(1), c.address(2));
    c.exec(
        0,
        vec![create_deployment(
            &tenant,
            9,
            vec![group("a", "10"), group("b", "10")],
            1_000_000,
            DENOM_ACT,
            Auction::Manual,
        )],
    );
    c.exec(1, vec![create_bid(&p1, &tenant, 9, 1, 1, "1", DENOM_ACT, 500_000)]);
    c.exec(2, vec![create_bid(&p2, &tenant, 9, 2, 1, "1", DENOM_ACT, 500_000)]);
    c.exec(0, vec![Msg::CreateLease(MsgCreateLease { bid_id: bid_id(&tenant, 9, 1, 1, &p1) })]);
    let q = |c: &TestChain, path: &str, data: String| -> serde_json::Value {
        serde_json::from_slice(&c.query(path, data.as_bytes(), 0, false).value).unwrap()
    };
    let deps =
        q(&c, "/deployment/deployments", format!(r#"{{"owner":"{tenant}","state":"active"}}"#));
    assert_eq!(deps.as_array().unwrap().len(), 1);
    let one = q(&c, "/deployment/deployment", format!(r#"{{"owner":"{tenant}","dseq":9}}"#));
    assert_eq!(one["deployment"]["groups"].as_array().unwrap().len(), 2);
    assert_eq!(one["escrow_account"]["state"], "open");
    let orders = q(&c, "/market/orders", format!(r#"{{"owner":"{tenant}","state":"open"}}"#));
    assert_eq!(orders["items"].as_array().unwrap().len(), 1);
    let bids = q(&c, "/market/bids", format!(r#"{{"provider":"{p2}"}}"#));
    assert_eq!(bids["items"].as_array().unwrap().len(), 1);
    assert_eq!(bids["items"][0]["gseq"], 2);
    let leases = q(&c, "/market/leases", format!(r#"{{"provider":"{p1}","state":"active"}}"#));
    assert_eq!(leases["items"].as_array().unwrap().len(), 1);
    let none = q(&c, "/market/leases", format!(r#"{{"provider":"{p2}"}}"#));
    assert!(none["items"].as_array().unwrap().is_empty());
    // Pagination: one at a time with the cursor.
    let page1 = q(&c, "/market/orders", format!(r#"{{"owner":"{tenant}","limit":1}}"#));
    assert_eq!(page1["items"].as_array().unwrap().len(), 1);
    let cursor = page1["next"].as_str().unwrap().to_string();
    let page2 = q(
        &c,
        "/market/orders",
        format!(r#"{{"owner":"{tenant}","limit":1,"start_after":"{cursor}"}}"#),
    );
    assert_eq!(page2["items"][0]["gseq"], 2);
    let acct = q(
        &c,
        "/escrow/account",
        format!(r#"{{"owner":"{tenant}","dseq":9,"gseq":2,"oseq":1,"provider":"{p2}"}}"#),
    );
    assert_eq!(acct["balance"], "500000");
}

#[test]
fn list_queries_at_a_past_height_show_the_set_of_that_height_after_later_changes() {
    let mut c = chain();
    let (tenant, p1, p2) = (c.address(0), c.address(1), c.address(2));
    for dseq in [11, 12] {
        c.exec(
            0,
            vec![create_deployment(
                &tenant,
                dseq,
                vec![group("web", "10")],
                1_000_000,
                DENOM_ACT,
                Auction::Manual,
            )],
        );
    }
    c.exec(1, vec![create_bid(&p1, &tenant, 11, 1, 1, "1", DENOM_ACT, 500_000)]);
    c.exec(2, vec![create_bid(&p2, &tenant, 12, 1, 1, "2", DENOM_ACT, 500_000)]);
    c.exec(0, vec![Msg::CreateLease(MsgCreateLease { bid_id: bid_id(&tenant, 11, 1, 1, &p1) })]);
    let h1 = c.height();
    // Later: the first lease closes, the second deployment gets its lease, a third deployment.
    c.exec(0, vec![Msg::CloseLease(MsgCloseLease { id: bid_id(&tenant, 11, 1, 1, &p1) })]);
    c.exec(0, vec![Msg::CreateLease(MsgCreateLease { bid_id: bid_id(&tenant, 12, 1, 1, &p2) })]);
    c.exec(
        0,
        vec![create_deployment(
            &tenant,
            13,
            vec![group("web", "10")],
            1_000_000,
            DENOM_ACT,
            Auction::Manual,
        )],
    );
    let q = |c: &TestChain, path: &str, data: String, h: u64| -> serde_json::Value {
        let r = c.app().query(path, data.as_bytes(), h, false).unwrap();
        assert_eq!(r.height, if h == 0 { c.height() } else { h });
        serde_json::from_slice(&r.value).unwrap()
    };
    let lease_set = |j: &serde_json::Value| -> Vec<(u64, String)> {
        j["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| (l["dseq"].as_u64().unwrap(), l["state"].as_str().unwrap().to_string()))
            .collect()
    };
    let owner = format!(r#"{{"owner":"{tenant}"}}"#);
    assert_eq!(lease_set(&q(&c, "/market/leases", owner.clone(), h1)), vec![(11, "active".into())]);
    assert_eq!(
        lease_set(&q(&c, "/market/leases", owner.clone(), 0)),
        vec![(11, "closed".into()), (12, "active".into())]
    );
    // By provider (through the provider index) and by state, at h1.
    let by_p2 = q(&c, "/market/leases", format!(r#"{{"provider":"{p2}"}}"#), h1);
    assert!(lease_set(&by_p2).is_empty());
    let open_bids = q(&c, "/market/bids", format!(r#"{{"owner":"{tenant}","state":"open"}}"#), h1);
    assert_eq!(open_bids["items"].as_array().unwrap().len(), 1);
    assert_eq!(open_bids["items"][0]["dseq"], 12);
    // Deployments and providers at h1: two deployments then, three now.
    let deps = q(&c, "/deployment/deployments", owner.clone(), h1);
    assert_eq!(deps.as_array().unwrap().len(), 2, "{deps}");
    assert_eq!(q(&c, "/deployment/deployments", owner, 0).as_array().unwrap().len(), 3);
    let providers = q(&c, "/provider/list", String::new(), h1);
    assert_eq!(providers["providers"].as_array().unwrap().len(), 3);
    // Bank balances at h1 list every denom the account held then.
    let bal = q(&c, "/bank/balances", tenant.to_string(), h1);
    assert_eq!(bal.as_array().unwrap().len(), 2, "{bal}");
}

#[test]
fn a_lease_query_shows_what_the_lease_has_earned_so_far_and_the_final_amount_once_closed() {
    let mut c = chain();
    let (tenant, p1) = (c.address(0), c.address(1));
    c.exec(
        0,
        vec![create_deployment(
            &tenant,
            21,
            vec![group("web", "10")],
            1_000_000,
            DENOM_ACT,
            Auction::Manual,
        )],
    );
    // 2.5 uact per block: the sub-micro remainder is kept, so n blocks earn floor(2.5 n).
    c.exec(1, vec![create_bid(&p1, &tenant, 21, 1, 1, "2.5", DENOM_ACT, 500_000)]);
    c.exec(0, vec![Msg::CreateLease(MsgCreateLease { bid_id: bid_id(&tenant, 21, 1, 1, &p1) })]);
    let leased_at = c.height();
    let paid_at = |c: &TestChain, h: u64| -> u128 {
        let r = c.app().query(
            "/market/leases",
            format!(r#"{{"owner":"{tenant}"}}"#).as_bytes(),
            h,
            false,
        );
        let j: serde_json::Value = serde_json::from_slice(&r.unwrap().value).unwrap();
        j["items"][0]["paid"].as_str().unwrap().parse().unwrap()
    };
    assert_eq!(paid_at(&c, 0), 0);
    c.advance_to(leased_at + 7);
    assert_eq!(paid_at(&c, 0), 17, "floor(2.5 × 7)");
    // The provider withdraws: withdrawn + unwithdrawn earnings still add up.
    let r = c
        .exec(1, vec![Msg::WithdrawLease(MsgWithdrawLease { id: bid_id(&tenant, 21, 1, 1, &p1) })]);
    assert_eq!(r.code, 0, "{}", r.log);
    let w = c.height();
    c.advance_to(w + 3);
    assert_eq!(paid_at(&c, 0), 5 * u128::from(w + 3 - leased_at) / 2);
    // At a past height, the amount as of that height; the stored lease is untouched by queries.
    assert_eq!(paid_at(&c, leased_at + 7), 17);
    assert_eq!(c.lease(&tenant, 21, 1, 1, &p1).unwrap().paid, 0);
    let r = c.exec(0, vec![Msg::CloseLease(MsgCloseLease { id: bid_id(&tenant, 21, 1, 1, &p1) })]);
    assert_eq!(r.code, 0, "{}", r.log);
    let closed = c.height();
    let total = 5 * u128::from(closed - leased_at) / 2;
    assert_eq!(c.lease(&tenant, 21, 1, 1, &p1).unwrap().paid, total);
    c.advance_to(closed + 5);
    assert_eq!(paid_at(&c, 0), total, "a closed lease keeps its final amount");
}

#[test]
fn every_market_message_fits_in_the_harness_gas_budget() {
    let mut c = chain();
    let (t, p1) = (c.address(0), c.address(1));
    let mut used = Vec::new();
    let mut run = |c: &mut TestChain, from: usize, name: &str, m: Msg| {
        let r = c.exec(from, vec![m]);
        assert_eq!(r.code, 0, "{name}: {}", r.log);
        used.push((name.to_string(), r.gas_used));
    };
    let groups = vec![group("a", "10"), group("b", "10")];
    run(
        &mut c,
        0,
        "create deployment (2 groups)",
        create_deployment(&t, 1, groups, 1_000_000, DENOM_ACT, Auction::Manual),
    );
    run(&mut c, 1, "create bid", create_bid(&p1, &t, 1, 1, 1, "1", DENOM_ACT, 500_000));
    run(
        &mut c,
        0,
        "create lease",
        Msg::CreateLease(MsgCreateLease { bid_id: bid_id(&t, 1, 1, 1, &p1) }),
    );
    run(
        &mut c,
        1,
        "withdraw lease",
        Msg::WithdrawLease(MsgWithdrawLease { id: bid_id(&t, 1, 1, 1, &p1) }),
    );
    run(
        &mut c,
        0,
        "close deployment",
        Msg::CloseDeployment(MsgCloseDeployment { id: dep_id(&t, 1) }),
    );
    for (n, g) in &used {
        println!("gas {n}: {g}");
        assert!(*g < 1_000_000, "{n} used {g} gas");
    }
}

#[test]
fn three_times_the_end_block_cap_of_accounts_running_dry_at_one_height_close_over_three_blocks_each_paid_exactly_its_funds(
) {
    use dcloud_app::modules::market::MarketParams;
    let mut c = chain();
    let (tenant, p1) = (c.address(0), c.address(1));
    let cap = 2u32;
    c.set_module_params("market", &MarketParams { max_end_block_items: cap, ..Default::default() });
    let n = 3 * u64::from(cap);
    let deps = (1..=n)
        .map(|dseq| {
            c.market_tx(
                0,
                vec![create_deployment(
                    &tenant,
                    dseq,
                    vec![group("web", "1000")],
                    500_000,
                    DENOM_ACT,
                    Auction::Manual,
                )],
            )
        })
        .collect();
    assert!(c.deliver_block(deps).tx_results.iter().all(|r| r.code == 0));
    let bids = (1..=n)
        .map(|dseq| {
            c.market_tx(
                1,
                vec![create_bid(
                    &p1,
                    &tenant,
                    dseq,
                    1,
                    1,
                    "333.333333333333333333",
                    DENOM_ACT,
                    500_000,
                )],
            )
        })
        .collect();
    assert!(c.deliver_block(bids).tx_results.iter().all(|r| r.code == 0));
    let leases = (1..=n)
        .map(|dseq| {
            c.market_tx(
                0,
                vec![Msg::CreateLease(MsgCreateLease { bid_id: bid_id(&tenant, dseq, 1, 1, &p1) })],
            )
        })
        .collect();
    assert!(c.deliver_block(leases).tx_results.iter().all(|r| r.code == 0));
    // Every account covers 1500 blocks (499_999 of its 500_000), all from the same height.
    let predicted = c.height() + 1500;
    for dseq in 1..=n {
        assert_eq!(c.escrow_account(&tenant, dseq).unwrap().exhausted_at, Some(predicted));
    }
    let p1_before = c.balance(&p1, DENOM_ACT);
    let tenant_before = c.balance(&tenant, DENOM_ACT);

    // The low-funds warnings are capped the same way: two per block, in key order.
    let ev = c.advance_to(predicted - 100);
    assert_eq!(events(&ev, "EventEscrowLowFunds").len(), cap as usize);
    let ev = c.advance_to(predicted - 98);
    assert_eq!(events(&ev, "EventEscrowLowFunds").len(), 2 * cap as usize);

    c.advance_to(predicted - 1);
    for k in 0..3u64 {
        let ev = c.advance_to(predicted + k);
        let closed = events(&ev, "EventLeaseClosed");
        assert_eq!(closed.len(), cap as usize, "block {k} closes exactly the cap");
        for dseq in 1..=n {
            let l = c.lease(&tenant, dseq, 1, 1, &p1).unwrap();
            let due_by_now = (dseq - 1) / u64::from(cap) <= k;
            assert_eq!(l.state != LeaseState::Active, due_by_now, "dseq {dseq} after block {k}");
            if due_by_now {
                assert_eq!(l.state, LeaseState::InsufficientFunds);
                assert_eq!(l.closed_on, predicted + (dseq - 1) / u64::from(cap));
                assert_eq!(l.paid, 499_999, "dseq {dseq} paid for the blocks its funds covered");
                let a = c.escrow_account(&tenant, dseq).unwrap();
                // Charged through its exhaustion height only, however late it closed.
                assert_eq!((a.transferred, a.refunded), (499_999, 1), "dseq {dseq}");
            }
        }
    }
    assert_eq!(c.balance(&p1, DENOM_ACT), p1_before + n as u128 * 499_999 + n as u128 * 500_000);
    assert_eq!(
        c.balance(&tenant, DENOM_ACT),
        tenant_before + n as u128,
        "one micro-unit back each"
    );
    let ev = c.advance_to(predicted + 5);
    assert!(events(&ev, "EventLeaseClosed").is_empty());
}

#[test]
fn the_end_block_cap_must_be_positive_in_genesis_and_in_governance() {
    use dcloud_app::modules::{gov, market::MarketParams};
    let bad = serde_json::to_string(&MarketParams { max_end_block_items: 0, ..Default::default() })
        .unwrap();
    let e = gov::validate_module_params("market", &bad).unwrap_err().to_string();
    assert!(e.contains("max_end_block_items"), "{e}");
    let ok = serde_json::to_string(&MarketParams { max_end_block_items: 7, ..Default::default() })
        .unwrap();
    gov::validate_module_params("market", &ok).unwrap();
    // Params stored before the field existed read as the default.
    let mut v = serde_json::to_value(MarketParams { max_end_block_items: 7, ..Default::default() })
        .unwrap();
    v.as_object_mut().unwrap().remove("max_end_block_items").unwrap();
    let old: MarketParams = serde_json::from_value(v).unwrap();
    assert_eq!(old.max_end_block_items, 1000);
}
