//! Property tests of the market: escrow conservation to the micro-unit, and the automatic
//! auction always leasing the lowest valid bid.

use dcloud_app::modules::escrow::{EscrowParams, ATTO};
use dcloud_app::modules::market::LeaseState;
use dcloud_app::testkit::market::*;
use dcloud_app::testkit::{TestChain, TestConfig};
use dcloud_proto::dcloud::deployment::{Auction, MsgCloseDeployment, MsgDepositDeployment};
use dcloud_proto::dcloud::market::{MsgCloseLease, MsgWithdrawLease};
use dcloud_proto::Msg;
use dcloud_types::{AccAddress, DENOM_ACT};
use proptest::prelude::*;

const GENESIS_ACT: u128 = 500_000_000;

fn chain(providers: usize) -> TestChain {
    let mut c = TestChain::new(TestConfig { funded: providers + 1, ..TestConfig::default() });
    for p in 1..=providers {
        c.register_provider(p, &[]);
    }
    c
}

/// A price in micro-units with up to 6 decimals, as a decimal string and in atto-units.
fn price(micro_millionths: u64) -> (String, u128) {
    let s = format!("{}.{:06}", micro_millionths / 1_000_000, micro_millionths % 1_000_000);
    (s, u128::from(micro_millionths) * (ATTO / 1_000_000))
}

#[derive(Debug, Clone)]
enum Op {
    Wait(u64),
    Withdraw(usize),
    Deposit(u128),
    CloseLease(usize),
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(
        prop_oneof![
            (1u64..40).prop_map(Op::Wait),
            (0usize..2).prop_map(Op::Withdraw),
            (1u128..300_000).prop_map(Op::Deposit),
            (0usize..2).prop_map(Op::CloseLease),
        ],
        1..8,
    )
}

fn run_conservation(
    deposit: u128,
    prices: [u64; 2],
    take_bps: u64,
    ops: Vec<Op>,
    close_at_end: bool,
) -> Result<(), TestCaseError> {
    let mut c = chain(2);
    c.set_module_params(
        "escrow",
        &EscrowParams { take_rate_bps: take_bps, low_funds_warning_blocks: 5 },
    );
    let t = c.address(0);
    let groups = vec![group("a", "100000"), group("b", "100000")];
    let r = c.exec(0, vec![create_deployment(&t, 1, groups, deposit, DENOM_ACT, Auction::Lowest)]);
    prop_assert_eq!(r.code, 0, "{}", r.log);
    let provs: Vec<AccAddress> = vec![c.address(1), c.address(2)];
    for (g, p) in provs.iter().enumerate() {
        let (s, _) = price(prices[g]);
        let r = c.exec(g + 1, vec![create_bid(p, &t, 1, g as u32 + 1, 1, &s, DENOM_ACT, 500_000)]);
        prop_assert_eq!(r.code, 0, "{}", r.log);
    }
    c.advance_to(c.height() + 5);
    let mut deposited = deposit;
    for op in ops {
        match op {
            Op::Wait(n) => {
                c.advance_to(c.height() + n);
            }
            Op::Withdraw(g) => {
                let id = bid_id(&t, 1, g as u32 + 1, 1, &provs[g]);
                c.exec(g + 1, vec![Msg::WithdrawLease(MsgWithdrawLease { id })]);
            }
            Op::Deposit(a) => {
                let r = c.exec(
                    0,
                    vec![Msg::DepositDeployment(MsgDepositDeployment {
                        id: dep_id(&t, 1),
                        amount: Some(dcloud_app::testkit::proto_coin(&a.to_string(), DENOM_ACT)),
                        ..Default::default()
                    })],
                );
                if r.code == 0 {
                    deposited += a;
                }
            }
            Op::CloseLease(g) => {
                let id = bid_id(&t, 1, g as u32 + 1, 1, &provs[g]);
                c.exec(0, vec![Msg::CloseLease(MsgCloseLease { id })]);
            }
        }
    }
    if close_at_end {
        c.exec(0, vec![Msg::CloseDeployment(MsgCloseDeployment { id: dep_id(&t, 1) })]);
    }
    let acct = c.escrow_account(&t, 1).unwrap();
    let (_, escrow_bal, pool) = c.market_snapshot();
    let tenant_paid = GENESIS_ACT - c.balance(&t, DENOM_ACT);
    let provider_gain: u128 = provs
        .iter()
        .map(|p| {
            // Bid deposits are back once the lease ended; while active, 500_000 is locked.
            let locked = (1..=2u32)
                .filter_map(|g| c.bid(&t, 1, g, 1, p))
                .filter(|b| b.state == dcloud_app::modules::market::BidState::Active)
                .count() as u128
                * 500_000;
            c.balance(p, DENOM_ACT) + locked - GENESIS_ACT
        })
        .sum();
    // Deposited = paid to providers + take + refunded (+ what the account / payments still hold).
    let still_held = escrow_bal.amount_of(DENOM_ACT)
        - (1..=2u32)
            .filter_map(|g| c.bid(&t, 1, g, 1, &provs[g as usize - 1]))
            .filter(|b| b.state == dcloud_app::modules::market::BidState::Active)
            .count() as u128
            * 500_000;
    prop_assert_eq!(deposited, acct.transferred + acct.balance + acct.refunded);
    prop_assert_eq!(tenant_paid, provider_gain + pool.amount_of(DENOM_ACT) + still_held);
    prop_assert_eq!(deposited - acct.refunded, tenant_paid);
    // Every lease that closed was paid floor(rate × blocks) exactly (unless the escrow ran dry).
    for (g, p) in provs.iter().enumerate() {
        let l = c.lease(&t, 1, g as u32 + 1, 1, p).unwrap();
        if l.state == LeaseState::Closed {
            let blocks = u128::from(l.closed_on - l.created_at);
            prop_assert_eq!(l.paid, l.price_atto * blocks / ATTO);
        }
    }
    if close_at_end {
        prop_assert!(escrow_bal.is_empty(), "escrow must be empty after close: {}", escrow_bal);
    }
    Ok(())
}

/// Bids: (provider index 1..=6, price, block 0 or 1 within the window).
fn run_lowest(max: u64, bids: Vec<(usize, u64, u8)>) -> Result<(), TestCaseError> {
    let mut c = chain(6);
    let t = c.address(0);
    let (max_s, max_atto) = price(max);
    let r = c.exec(
        0,
        vec![create_deployment(
            &t,
            1,
            vec![group("a", &max_s)],
            5_000_000,
            DENOM_ACT,
            Auction::Lowest,
        )],
    );
    prop_assert_eq!(r.code, 0, "{}", r.log);
    let created = c.height();
    // (price, block, position, provider) of each accepted bid.
    let mut accepted: Vec<(u128, u8, usize, AccAddress)> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for block in 0..2u8 {
        let mine: Vec<_> = bids.iter().filter(|b| b.2 == block).cloned().collect();
        let mut txs = Vec::new();
        for (i, (p, pr, _)) in mine.iter().enumerate() {
            let addr = c.address(*p);
            let (s, atto) = price(*pr);
            txs.push(c.market_tx(*p, vec![create_bid(&addr, &t, 1, 1, 1, &s, DENOM_ACT, 500_000)]));
            if atto <= max_atto && seen.insert(*p) {
                accepted.push((atto, block, i, addr));
            }
        }
        if !txs.is_empty() {
            let res = c.deliver_block(txs);
            let ok = res.tx_results.iter().filter(|r| r.code == 0).count();
            prop_assert_eq!(ok, accepted.iter().filter(|a| a.1 == block).count());
        } else {
            c.deliver_block(Vec::new());
        }
    }
    c.advance_to(created + 5);
    let winner = accepted.iter().min_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
    match winner {
        Some((atto, _, _, addr)) => {
            let l = c.lease(&t, 1, 1, 1, addr).expect("the lowest bid has the lease");
            prop_assert_eq!(l.price_atto, *atto);
            prop_assert_eq!(l.state, LeaseState::Active);
            for (_, _, _, other) in accepted.iter().filter(|a| a.3 != *addr) {
                prop_assert!(c.lease(&t, 1, 1, 1, other).is_none());
                prop_assert_eq!(c.balance(other, DENOM_ACT), GENESIS_ACT, "loser refunded");
            }
        }
        None => {
            prop_assert_eq!(
                c.order(&t, 1, 1, 1).unwrap().state,
                dcloud_app::modules::market::OrderState::Open
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn escrow_conserves_every_micro_unit_deposited_equals_paid_plus_take_plus_refunded(
        deposit in 500_000u128..3_000_000,
        prices in [1u64..90_000_000_000, 1u64..90_000_000_000],
        take_bps in prop_oneof![Just(0u64), 1u64..3_000],
        ops in ops(),
        close_at_end in any::<bool>(),
    ) {
        run_conservation(deposit, prices, take_bps, ops, close_at_end)?;
    }

    #[test]
    fn the_lease_always_goes_to_the_lowest_valid_bid(
        max in 1_000_000u64..10_000_000,
        bids in prop::collection::vec((1usize..=6, prop_oneof![500_000u64..12_000_000, Just(2_000_000u64)], 0u8..2), 0..8),
    ) {
        run_lowest(max, bids)?;
    }
}
