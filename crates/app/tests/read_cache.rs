//! The store's latest-version read cache changes no result of the chain: the same market
//! life (auctions, leases, deposits, withdrawals, a lease running out of funds, a close) on
//! a store with the cache and on one without gives the same app hash, tx results and events
//! at every block.

use std::sync::Arc;

use dcloud_app::testkit::market::*;
use dcloud_app::testkit::{proto_coin, TestChain, TestConfig};
use dcloud_proto::dcloud::deployment::{Auction, MsgCloseDeployment, MsgDepositDeployment};
use dcloud_proto::dcloud::market::MsgWithdrawLease;
use dcloud_proto::Msg;
use dcloud_store::{Store, StoreOptions};
use dcloud_types::DENOM_ACT;

fn chain(read_cache_bytes: usize) -> TestChain {
    let opts = StoreOptions { read_cache_bytes, ..StoreOptions::default() };
    let store = Arc::new(Store::in_memory(opts).expect("store"));
    let mut c = TestChain::with_store(TestConfig { funded: 4, ..TestConfig::default() }, store);
    for p in 1..=3 {
        c.register_provider(p, &[]);
    }
    c
}

/// One step: (signer, messages), or an empty block when there are none.
type Step = (usize, Vec<Msg>);

fn steps(c: &TestChain) -> Vec<Step> {
    let t = c.address(0);
    let (p1, p2, p3) = (c.address(1), c.address(2), c.address(3));
    let deploy = |dseq, deposit| {
        create_deployment(
            &t,
            dseq,
            vec![group("web", "20000")],
            deposit,
            DENOM_ACT,
            Auction::Lowest,
        )
    };
    let bid = |p: &dcloud_types::AccAddress, dseq, price: &str| {
        create_bid(p, &t, dseq, 1, 1, price, DENOM_ACT, 500_000)
    };
    let mut s: Vec<Step> = vec![
        // Deployment 1 runs out of funds after ~28 blocks; deployment 2 is topped up.
        (0, vec![deploy(1, 500_000), deploy(2, 2_000_000)]),
        (1, vec![bid(&p1, 1, "19000"), bid(&p1, 2, "17000")]),
        (2, vec![bid(&p2, 1, "18000"), bid(&p2, 2, "17500")]),
        (3, vec![bid(&p3, 1, "18500")]),
    ];
    s.extend((0..6).map(|_| (0, vec![])));
    s.push((
        0,
        vec![Msg::DepositDeployment(MsgDepositDeployment {
            id: dep_id(&t, 2),
            amount: Some(proto_coin("100000", DENOM_ACT)),
            ..Default::default()
        })],
    ));
    s.extend((0..20).map(|_| (0, vec![])));
    s.push((1, vec![Msg::WithdrawLease(MsgWithdrawLease { id: bid_id(&t, 2, 1, 1, &p1) })]));
    s.extend((0..40).map(|_| (0, vec![])));
    s.push((0, vec![Msg::CloseDeployment(MsgCloseDeployment { id: dep_id(&t, 2) })]));
    s.extend((0..3).map(|_| (0, vec![])));
    s
}

#[test]
fn a_chain_with_the_read_cache_and_one_without_agree_at_every_block() {
    let mut cached = chain(StoreOptions::DEFAULT_READ_CACHE_BYTES);
    let mut plain = chain(0);
    assert_eq!(cached.app_hash(), plain.app_hash());
    let mut closed = 0;
    for (i, (from, msgs)) in steps(&cached).into_iter().enumerate() {
        let (a, b) = if msgs.is_empty() {
            (cached.deliver_block(Vec::new()), plain.deliver_block(Vec::new()))
        } else {
            let (ta, tb) = (cached.market_tx(from, msgs.clone()), plain.market_tx(from, msgs));
            (cached.deliver_block(vec![ta]), plain.deliver_block(vec![tb]))
        };
        assert!(a.tx_results.iter().all(|r| r.code == 0), "step {i}: {:?}", a.tx_results);
        assert_eq!(a.app_hash, b.app_hash, "step {i}: app hash");
        assert_eq!(a.events, b.events, "step {i}: block events");
        let logs = |r: &dcloud_app::FinalizeResponse| {
            r.tx_results.iter().map(|t| (t.code, t.gas_used, t.events.clone())).collect::<Vec<_>>()
        };
        assert_eq!(logs(&a), logs(&b), "step {i}: tx results");
        closed += a.events.iter().filter(|e| e.kind == "EventLeaseClosed").count();
    }
    // The life above really closed leases: deployment 1's by running dry, 2's by the tenant.
    assert_eq!(closed, 1, "deployment 1's lease ran out of funds in an end block");
    let t = cached.address(0);
    assert!(cached.escrow_account(&t, 1).is_some_and(|a| a.balance == 0));
}
