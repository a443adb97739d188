//! Lease reclamation: a deployment asks for a minimum reclamation window, bids offer one, and
//! a provider ends such a lease only by starting a reclaim and waiting out the window (by
//! block time); the lease keeps paying meanwhile.

use dcloud_app::modules::deployment::GroupState;
use dcloud_app::modules::market::{LeaseState, MarketParams};
use dcloud_app::testkit::market::*;
use dcloud_app::testkit::{TestChain, TestConfig, BLOCK_INTERVAL_MS, GENESIS_TIME_MS};
use dcloud_proto::dcloud::deployment::Auction;
use dcloud_proto::dcloud::market::{
    MsgCloseBid, MsgCloseLease, MsgCreateLease, MsgLeaseStartReclaim, MsgWithdrawLease,
};
use dcloud_proto::Msg;
use dcloud_types::{AccAddress, DENOM_ACT};

/// Windows of 5..=100 s (blocks are 1 s apart); tenant key 0, providers 1 and 2.
fn chain() -> (TestChain, AccAddress, AccAddress) {
    let mut c = TestChain::new(TestConfig { funded: 4, ..TestConfig::default() });
    c.set_module_params(
        "market",
        &MarketParams {
            min_reclamation_window_s: 5,
            max_reclamation_window_s: 100,
            ..Default::default()
        },
    );
    c.register_provider(1, &[attr("region", "eu")]);
    c.register_provider(2, &[attr("region", "eu")]);
    let (t, p) = (c.address(0), c.address(1));
    (c, t, p)
}

fn deploy(
    c: &mut TestChain,
    tenant: &AccAddress,
    dseq: u64,
    min_window_s: u64,
) -> dcloud_app::TxResult {
    let Msg::CreateDeployment(mut m) = create_deployment(
        tenant,
        dseq,
        vec![group("web", "10")],
        1_000_000,
        DENOM_ACT,
        Auction::Manual,
    ) else {
        unreachable!()
    };
    m.reclamation_min_window_s = min_window_s;
    c.exec(0, vec![Msg::CreateDeployment(m)])
}

fn bid(provider: &AccAddress, tenant: &AccAddress, dseq: u64, window_s: u64) -> Msg {
    let Msg::CreateBid(mut m) = create_bid(provider, tenant, dseq, 1, 1, "2", DENOM_ACT, 500_000)
    else {
        unreachable!()
    };
    m.reclamation_window_s = window_s;
    Msg::CreateBid(m)
}

fn reclaim(tenant: &AccAddress, dseq: u64, provider: &AccAddress) -> Msg {
    Msg::LeaseStartReclaim(MsgLeaseStartReclaim {
        id: bid_id(tenant, dseq, 1, 1, provider),
        reason: "decommission".into(),
    })
}

fn close_bid(tenant: &AccAddress, dseq: u64, provider: &AccAddress) -> Msg {
    Msg::CloseBid(MsgCloseBid { id: bid_id(tenant, dseq, 1, 1, provider), reason: String::new() })
}

#[test]
fn bids_must_offer_the_deployments_minimum_window_within_the_market_range() {
    let (mut c, t, p) = chain();
    let r = deploy(&mut c, &t, 1, 500);
    assert_eq!((r.code, r.codespace.as_str()), (18, "sdk"), "{}", r.log);
    assert!(r.log.contains("outside the allowed 5s..=100s"), "{}", r.log);
    let r = deploy(&mut c, &t, 1, 10);
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(c.deployment(&t, 1).unwrap().reclamation_min_window_s, Some(10));
    assert_eq!(c.order(&t, 1, 1, 1).unwrap().reclamation_min_window_s, Some(10));
    let r = c.exec(1, vec![bid(&p, &t, 1, 0)]);
    assert_eq!((r.code, r.codespace.as_str()), (16, "market"), "{}", r.log);
    assert!(r.log.contains("at least 10s"), "{}", r.log);
    let r = c.exec(1, vec![bid(&p, &t, 1, 8)]);
    assert_eq!(r.code, 16, "{}", r.log);
    let r = c.exec(1, vec![bid(&p, &t, 1, 101)]);
    assert_eq!(r.code, 18, "{}", r.log);
    let r = c.exec(1, vec![bid(&p, &t, 1, 12)]);
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(c.bid(&t, 1, 1, 1, &p).unwrap().reclamation_window_s, Some(12));
}

#[test]
fn a_provider_ends_a_reclaimable_lease_only_after_its_window_and_it_pays_until_then() {
    let (mut c, t, p) = chain();
    assert_eq!(deploy(&mut c, &t, 1, 10).code, 0);
    assert_eq!(c.exec(1, vec![bid(&p, &t, 1, 10)]).code, 0);
    let r = c.exec(0, vec![Msg::CreateLease(MsgCreateLease { bid_id: bid_id(&t, 1, 1, 1, &p) })]);
    assert_eq!(r.code, 0, "{}", r.log);
    let leased_at = c.height();
    let l = c.lease(&t, 1, 1, 1, &p).unwrap();
    assert_eq!(
        (l.state, l.reclamation.as_ref().map(|r| r.window_s)),
        (LeaseState::Active, Some(10))
    );

    // Closing the bid outright is refused: a reclaim must come first.
    let r = c.exec(1, vec![close_bid(&t, 1, &p)]);
    assert_eq!((r.code, r.codespace.as_str()), (15, "market"), "{}", r.log);
    assert!(r.log.contains("reclamation not started"), "{}", r.log);
    // Only the provider starts it (the tenant's key is not the signer).
    assert_ne!(c.exec(0, vec![reclaim(&t, 1, &p)]).code, 0);
    let r = c.exec(1, vec![reclaim(&t, 1, &p)]);
    assert_eq!(r.code, 0, "{}", r.log);
    let started = c.height();
    let deadline = GENESIS_TIME_MS + started * BLOCK_INTERVAL_MS + 10_000;
    let ev: Vec<_> = r.events.iter().filter(|e| e.kind == "EventLeaseReclaimStarted").collect();
    assert_eq!(ev[0].get("deadline_ms"), Some(deadline.to_string().as_str()));
    let l = c.lease(&t, 1, 1, 1, &p).unwrap();
    assert_eq!(l.state, LeaseState::Reclaiming);
    assert_eq!(l.reclamation.as_ref().and_then(|r| r.started_at), Some(started));
    // Not twice.
    let r = c.exec(1, vec![reclaim(&t, 1, &p)]);
    assert_eq!(r.code, 15, "{}", r.log);

    // Within the window: refused; the lease still pays (the provider withdraws).
    c.advance_to(started + 5);
    let r = c.exec(1, vec![close_bid(&t, 1, &p)]);
    assert_eq!(r.code, 15, "{}", r.log);
    assert!(r.log.contains("window not elapsed"), "{}", r.log);
    let r = c.exec(1, vec![Msg::WithdrawLease(MsgWithdrawLease { id: bid_id(&t, 1, 1, 1, &p) })]);
    assert_eq!(r.code, 0, "{}", r.log);
    let q = c.query("/market/leases", format!(r#"{{"owner":"{t}"}}"#).as_bytes(), 0, false);
    let j: serde_json::Value = serde_json::from_slice(&q.value).unwrap();
    assert_eq!(j["items"][0]["state"], "reclaiming");
    assert_eq!(j["items"][0]["paid"], (2 * (c.height() - leased_at)).to_string());

    // From the deadline on, the provider's close ends the lease; the group pauses.
    c.advance_to(started + 9);
    let r = c.exec(1, vec![close_bid(&t, 1, &p)]);
    assert_eq!(r.code, 0, "{}", r.log);
    assert!(GENESIS_TIME_MS + c.height() * BLOCK_INTERVAL_MS >= deadline);
    let l = c.lease(&t, 1, 1, 1, &p).unwrap();
    assert_eq!(l.state, LeaseState::Closed);
    assert_eq!(l.paid, 2 * u128::from(c.height() - leased_at));
    assert_eq!(c.deployment(&t, 1).unwrap().groups[0].state, GroupState::Paused);
}

#[test]
fn the_tenant_may_close_a_reclaiming_lease_and_a_lease_without_a_window_cannot_be_reclaimed() {
    let (mut c, t, p) = chain();
    let p2 = c.address(2);
    assert_eq!(deploy(&mut c, &t, 1, 0).code, 0);
    // No window asked: a bid may still offer one (within the range), or none.
    assert_eq!(c.exec(1, vec![bid(&p, &t, 1, 20)]).code, 0);
    assert_eq!(c.exec(2, vec![bid(&p2, &t, 1, 0)]).code, 0);
    c.exec(0, vec![Msg::CreateLease(MsgCreateLease { bid_id: bid_id(&t, 1, 1, 1, &p) })]);
    assert_eq!(c.exec(1, vec![reclaim(&t, 1, &p)]).code, 0);
    let r = c.exec(0, vec![Msg::CloseLease(MsgCloseLease { id: bid_id(&t, 1, 1, 1, &p) })]);
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(c.lease(&t, 1, 1, 1, &p).unwrap().state, LeaseState::Closed);

    // Re-auctioned: the window-less bid wins; its lease cannot be reclaimed, but its provider
    // may close it at once as before.
    assert_eq!(deploy(&mut c, &t, 2, 0).code, 0);
    assert_eq!(c.exec(2, vec![bid(&p2, &t, 2, 0)]).code, 0);
    c.exec(0, vec![Msg::CreateLease(MsgCreateLease { bid_id: bid_id(&t, 2, 1, 1, &p2) })]);
    let r = c.exec(2, vec![reclaim(&t, 2, &p2)]);
    assert_eq!(r.code, 15, "{}", r.log);
    assert!(r.log.contains("no reclamation window"), "{}", r.log);
    let r = c.exec(2, vec![close_bid(&t, 2, &p2)]);
    assert_eq!(r.code, 0, "{}", r.log);
}
