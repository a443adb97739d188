//! Every deployment / market message, and every rejection: a clear error (code, codespace,
//! log) and no state change in the deployment, market and escrow modules.

use dcloud_app::modules::deployment::{DeploymentState, GroupState};
use dcloud_app::modules::market::{BidState, LeaseState, MarketParams, OrderState};
use dcloud_app::testkit::market::*;
use dcloud_app::testkit::{TestChain, TestConfig};
use dcloud_proto::dcloud::deployment::{
    Auction, MsgCloseDeployment, MsgCloseGroup, MsgDepositDeployment, MsgPauseGroup, MsgStartGroup,
    MsgUpdateDeployment,
};
use dcloud_proto::dcloud::market::{MsgCloseBid, MsgCloseLease, MsgCreateLease, MsgWithdrawLease};
use dcloud_proto::Msg;
use dcloud_types::{AccAddress, DENOM_ACT, DENOM_AKT};

const GENESIS_ACT: u128 = 500_000_000;

struct M {
    c: TestChain,
    tenant: AccAddress,
    p1: AccAddress,
    p2: AccAddress,
    p3: AccAddress,
}

/// Tenant 0 with deployment 1 (manual, one group at 10 uact max); providers 1..=3 registered
/// (1 and 2 in region eu, 3 in us); key 4 unregistered; key 5 an auditor.
fn market() -> M {
    let mut c = TestChain::new(TestConfig { funded: 6, ..TestConfig::default() });
    c.register_provider(1, &[attr("region", "eu")]);
    c.register_provider(2, &[attr("region", "eu")]);
    c.register_provider(3, &[attr("region", "us")]);
    let tenant = c.address(0);
    let r = c.exec(
        0,
        vec![create_deployment(
            &tenant,
            1,
            vec![group("web", "10")],
            1_000_000,
            DENOM_ACT,
            Auction::Manual,
        )],
    );
    assert_eq!(r.code, 0, "{}", r.log);
    M { tenant, p1: c.address(1), p2: c.address(2), p3: c.address(3), c }
}

fn uact_balances(c: &TestChain) -> Vec<u128> {
    (0..c.accounts.len()).map(|i| c.balance(&c.address(i), DENOM_ACT)).collect()
}

/// Delivers `msg` from key `from` (a message whose signer is someone else fails in the ante:
/// the tx key is not the signer's), expects the error, and that no market state or funds moved.
fn rejected(c: &mut TestChain, from: usize, msg: Msg, code: u32, codespace: &str, log: &str) {
    let before = (c.market_snapshot(), uact_balances(c));
    let r = c.exec(from, vec![msg]);
    assert_eq!((r.code, r.codespace.as_str()), (code, codespace), "{}", r.log);
    assert!(r.log.contains(log), "log {:?} should mention {log:?}", r.log);
    assert_eq!((c.market_snapshot(), uact_balances(c)), before, "state changed on a rejected tx");
}

fn bid(tenant: &AccAddress, p: &AccAddress, price: &str) -> Msg {
    create_bid(p, tenant, 1, 1, 1, price, DENOM_ACT, 500_000)
}

// ---- successes ---------------------------------------------------------------------------

#[test]
fn create_deployment_opens_groups_orders_and_a_funded_escrow_account() {
    let m = market();
    let d = m.c.deployment(&m.tenant, 1).unwrap();
    assert_eq!(d.state, DeploymentState::Active);
    assert_eq!(d.groups[0].state, GroupState::Open);
    assert_eq!(d.groups[0].spec.max_price_atto, 10 * dcloud_app::modules::escrow::ATTO);
    assert_eq!(m.c.order(&m.tenant, 1, 1, 1).unwrap().state, OrderState::Open);
    let a = m.c.escrow_account(&m.tenant, 1).unwrap();
    assert_eq!((a.balance, a.exhausted_at), (1_000_000, None));
    assert_eq!(m.c.balance(&m.tenant, DENOM_ACT), GENESIS_ACT - 1_000_000);
}

#[test]
fn gpu_and_storage_attributes_and_leased_ips_are_kept_on_chain() {
    use dcloud_proto::dcloud::deployment as dpb;
    let mut m = market();
    let t = m.tenant.clone();
    let a = |k: &str, v: &str| dpb::Attribute { key: k.into(), value: v.into() };
    let mut u = unit(1000, 512 << 20, 1 << 30, 2, "1", "uact");
    let r = u.resources.as_mut().unwrap();
    r.storage.push(dpb::Storage {
        name: "data".into(),
        bytes: 10 << 30,
        attributes: vec![a("persistent", "true"), a("class", "beta3")],
    });
    r.gpu_units = 1;
    r.gpu_attributes =
        vec![a("vendor/nvidia/model/a100/ram/80Gi", "true"), a("vendor/nvidia/model/*", "true")];
    r.endpoints.push(dpb::Endpoint { kind: 2, sequence_number: 1 });
    let g = dpb::GroupSpec { name: "gpu".into(), requirements: None, resources: vec![u] };
    let res =
        m.c.exec(0, vec![create_deployment(&t, 7, vec![g], 1_000_000, DENOM_ACT, Auction::Lowest)]);
    assert_eq!(res.code, 0, "{}", res.log);
    let unit = &m.c.deployment(&t, 7).unwrap().groups[0].spec.resources[0];
    assert_eq!(
        unit.storage,
        vec![("default".to_string(), 1 << 30), ("data".to_string(), 10 << 30)]
    );
    assert_eq!(
        unit.storage_attributes,
        vec![("data".to_string(), vec![attr("class", "beta3"), attr("persistent", "true")])]
    );
    assert!(unit.volume_attributes("default").is_empty());
    assert_eq!(unit.volume_attributes("data").len(), 2);
    assert_eq!(
        unit.gpu_attributes,
        vec![
            attr("vendor/nvidia/model/*", "true"),
            attr("vendor/nvidia/model/a100/ram/80Gi", "true")
        ]
    );
    assert_eq!((unit.endpoints, unit.ip_endpoints), (2, 1));
    // Units without any keep the old JSON encoding (no new keys).
    let plain = &m.c.deployment(&t, 1).unwrap().groups[0].spec.resources[0];
    let json = serde_json::to_string(plain).unwrap();
    assert!(!json.contains("gpu_attributes") && !json.contains("storage_attributes"), "{json}");
    assert!(!json.contains("ip_endpoints"), "{json}");
}

#[test]
fn bad_gpu_and_storage_attributes_are_rejected() {
    use dcloud_proto::dcloud::deployment as dpb;
    let mut m = market();
    let t = m.tenant.clone();
    let a = |k: &str, v: &str| dpb::Attribute { key: k.into(), value: v.into() };
    type Edit = Box<dyn Fn(&mut dpb::Resources)>;
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(move |r| r.gpu_attributes = vec![a("vendor/nvidia/model/a100", "")]),
            "must be 1..=256 bytes",
        ),
        (Box::new(move |r| r.gpu_attributes = vec![a("/bad key", "true")]), "invalid key"),
        (
            Box::new(move |r| {
                r.gpu_attributes =
                    (0..33).map(|i| a(&format!("vendor/nvidia/model/m{i}"), "true")).collect()
            }),
            "33 attributes",
        ),
        (
            Box::new(move |r| {
                r.gpu_attributes = vec![
                    a("vendor/nvidia/model/a100", "true"),
                    a("vendor/nvidia/model/a100", "true"),
                ]
            }),
            "duplicate attribute key",
        ),
        (Box::new(move |r| r.storage[0].attributes = vec![a("class*", "beta2")]), "invalid key"),
        (
            Box::new(move |r| r.storage[0].attributes = vec![a("class", &"x".repeat(257))]),
            "must be 1..=256 bytes",
        ),
        (Box::new(|r| r.storage.push(r.storage[0].clone())), "duplicate volume name"),
        (Box::new(|r| r.storage[0].name.clear()), "volume name"),
        (Box::new(|r| r.storage = vec![r.storage[0].clone(); 33]), "33 storage volumes"),
    ];
    for (i, (edit, log)) in cases.into_iter().enumerate() {
        let mut u = unit(1000, 512 << 20, 1 << 30, 1, "1", "uact");
        edit(u.resources.as_mut().unwrap());
        let g = dpb::GroupSpec { name: "g".into(), requirements: None, resources: vec![u] };
        let msg =
            create_deployment(&t, 300 + i as u64, vec![g], 1_000_000, DENOM_ACT, Auction::Lowest);
        rejected(&mut m.c, 0, msg, 5, "deployment", log);
    }
}

#[test]
fn update_deployment_replaces_the_hash() {
    let mut m = market();
    let r = m.c.exec(
        0,
        vec![Msg::UpdateDeployment(MsgUpdateDeployment {
            id: dep_id(&m.tenant, 1),
            hash: vec![9; 32],
        })],
    );
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(m.c.deployment(&m.tenant, 1).unwrap().hash, hex::encode([9u8; 32]));
    assert!(r.events.iter().any(|e| e.kind == "EventDeploymentUpdated"));
}

#[test]
fn a_deposit_tops_up_the_escrow_and_moves_the_exhaustion_height() {
    let mut m = market();
    let (t, p1) = (m.tenant.clone(), m.p1.clone());
    m.c.exec(1, vec![bid(&m.tenant, &p1, "10")]);
    m.c.exec(0, vec![Msg::CreateLease(MsgCreateLease { bid_id: bid_id(&t, 1, 1, 1, &p1) })]);
    let leased = m.c.height();
    assert_eq!(m.c.escrow_account(&t, 1).unwrap().exhausted_at, Some(leased + 100_000));
    let r = m.c.exec(
        0,
        vec![Msg::DepositDeployment(MsgDepositDeployment {
            id: dep_id(&t, 1),
            amount: Some(dcloud_app::testkit::proto_coin("1000", DENOM_ACT)),
            ..Default::default()
        })],
    );
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(m.c.escrow_account(&t, 1).unwrap().exhausted_at, Some(leased + 100_100));
}

#[test]
fn pausing_a_group_closes_its_lease_and_starting_it_opens_a_new_order() {
    let mut m = market();
    let (t, p1) = (m.tenant.clone(), m.p1.clone());
    m.c.exec(1, vec![bid(&m.tenant, &p1, "4")]);
    m.c.exec(0, vec![Msg::CreateLease(MsgCreateLease { bid_id: bid_id(&t, 1, 1, 1, &p1) })]);
    let leased = m.c.height();
    m.c.advance_to(leased + 9);
    let r = m.c.exec(0, vec![Msg::PauseGroup(MsgPauseGroup { id: group_id(&t, 1, 1) })]);
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(m.c.balance(&p1, DENOM_ACT), GENESIS_ACT + 40);
    assert_eq!(m.c.deployment(&t, 1).unwrap().groups[0].state, GroupState::Paused);
    assert_eq!(m.c.lease(&t, 1, 1, 1, &p1).unwrap().state, LeaseState::Closed);
    let r = m.c.exec(0, vec![Msg::StartGroup(MsgStartGroup { id: group_id(&t, 1, 1) })]);
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(m.c.order(&t, 1, 1, 2).unwrap().state, OrderState::Open);
    let r = m.c.exec(0, vec![Msg::CloseGroup(MsgCloseGroup { id: group_id(&t, 1, 1) })]);
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(m.c.order(&t, 1, 1, 2).unwrap().state, OrderState::Closed);
    assert_eq!(m.c.deployment(&t, 1).unwrap().groups[0].state, GroupState::Closed);
}

#[test]
fn a_provider_closes_an_open_bid_and_gets_its_deposit_back() {
    let mut m = market();
    let (t, p1) = (m.tenant.clone(), m.p1.clone());
    m.c.exec(1, vec![bid(&m.tenant, &p1, "4")]);
    assert_eq!(m.c.balance(&p1, DENOM_ACT), GENESIS_ACT - 500_000);
    let r = m.c.exec(
        1,
        vec![Msg::CloseBid(MsgCloseBid { id: bid_id(&t, 1, 1, 1, &p1), reason: String::new() })],
    );
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(m.c.bid(&t, 1, 1, 1, &p1).unwrap().state, BidState::Closed);
    assert_eq!(m.c.balance(&p1, DENOM_ACT), GENESIS_ACT);
}

#[test]
fn a_provider_closing_its_active_bid_ends_the_lease_and_pauses_the_group() {
    let mut m = market();
    let (t, p1) = (m.tenant.clone(), m.p1.clone());
    m.c.exec(1, vec![bid(&m.tenant, &p1, "4")]);
    m.c.exec(0, vec![Msg::CreateLease(MsgCreateLease { bid_id: bid_id(&t, 1, 1, 1, &p1) })]);
    let r = m.c.exec(
        1,
        vec![Msg::CloseBid(MsgCloseBid { id: bid_id(&t, 1, 1, 1, &p1), reason: String::new() })],
    );
    assert_eq!(r.code, 0, "{}", r.log);
    let l = m.c.lease(&t, 1, 1, 1, &p1).unwrap();
    assert_eq!((l.state, l.reason.as_str()), (LeaseState::Closed, "provider"));
    assert_eq!(m.c.deployment(&t, 1).unwrap().groups[0].state, GroupState::Paused);
    assert_eq!(m.c.balance(&p1, DENOM_ACT), GENESIS_ACT + 4);
}

#[test]
fn a_provider_withdraws_what_its_lease_earned() {
    let mut m = market();
    let (t, p1) = (m.tenant.clone(), m.p1.clone());
    m.c.exec(1, vec![bid(&m.tenant, &p1, "0.25")]);
    m.c.exec(0, vec![Msg::CreateLease(MsgCreateLease { bid_id: bid_id(&t, 1, 1, 1, &p1) })]);
    let leased = m.c.height();
    m.c.advance_to(leased + 10);
    let r =
        m.c.exec(1, vec![Msg::WithdrawLease(MsgWithdrawLease { id: bid_id(&t, 1, 1, 1, &p1) })]);
    assert_eq!(r.code, 0, "{}", r.log);
    // 11 blocks × 0.25 = 2.75 → 2 now, the 0.75 stays as remainder.
    assert_eq!(m.c.balance(&p1, DENOM_ACT), GENESIS_ACT - 500_000 + 2);
    m.c.advance_to(leased + 20);
    let r = m.c.exec(0, vec![Msg::CloseLease(MsgCloseLease { id: bid_id(&t, 1, 1, 1, &p1) })]);
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(m.c.balance(&p1, DENOM_ACT), GENESIS_ACT + 21 / 4, "floor(21 × 0.25) in all");
}

// ---- rejections --------------------------------------------------------------------------

#[test]
fn a_non_owner_cannot_close_update_or_deposit_into_a_deployment() {
    let mut m = market();
    let t = m.tenant.clone();
    rejected(
        &mut m.c,
        1,
        Msg::CloseDeployment(MsgCloseDeployment { id: dep_id(&t, 1) }),
        8,
        "sdk",
        "does not match the key registered",
    );
    rejected(
        &mut m.c,
        1,
        Msg::UpdateDeployment(MsgUpdateDeployment { id: dep_id(&t, 1), hash: vec![1; 32] }),
        8,
        "sdk",
        "does not match the key registered",
    );
    let dep = Msg::DepositDeployment(MsgDepositDeployment {
        id: dep_id(&t, 1),
        amount: Some(dcloud_app::testkit::proto_coin("1000", DENOM_ACT)),
        ..Default::default()
    });
    rejected(&mut m.c, 1, dep, 8, "sdk", "does not match the key registered");
    rejected(
        &mut m.c,
        1,
        Msg::CloseGroup(MsgCloseGroup { id: group_id(&t, 1, 1) }),
        8,
        "sdk",
        "does not match the key registered",
    );
    rejected(
        &mut m.c,
        1,
        Msg::PauseGroup(MsgPauseGroup { id: group_id(&t, 1, 1) }),
        8,
        "sdk",
        "does not match the key registered",
    );
}

#[test]
fn owner_messages_on_missing_or_closed_deployments_and_groups_are_rejected() {
    let mut m = market();
    let t = m.tenant.clone();
    rejected(
        &mut m.c,
        0,
        Msg::CloseDeployment(MsgCloseDeployment { id: dep_id(&t, 2) }),
        3,
        "deployment",
        "not found",
    );
    rejected(
        &mut m.c,
        0,
        Msg::CloseGroup(MsgCloseGroup { id: group_id(&t, 1, 5) }),
        7,
        "deployment",
        "group not found",
    );
    rejected(
        &mut m.c,
        0,
        Msg::StartGroup(MsgStartGroup { id: group_id(&t, 1, 1) }),
        8,
        "deployment",
        "only a paused",
    );
    rejected(
        &mut m.c,
        0,
        Msg::UpdateDeployment(MsgUpdateDeployment { id: dep_id(&t, 1), hash: vec![7; 32] }),
        9,
        "deployment",
        "equals",
    );
    let dup =
        create_deployment(&t, 1, vec![group("web", "10")], 1_000_000, DENOM_ACT, Auction::Manual);
    rejected(&mut m.c, 0, dup, 2, "deployment", "already exists");
    // (uakt on a uact account is its AKT fallback; any other denom is refused.)
    let wrong_denom = Msg::DepositDeployment(MsgDepositDeployment {
        id: dep_id(&t, 1),
        amount: Some(dcloud_app::testkit::proto_coin("1000", "uusdc")),
        ..Default::default()
    });
    rejected(&mut m.c, 0, wrong_denom, 4, "escrow", "holds uact");
    assert_eq!(
        m.c.exec(0, vec![Msg::CloseDeployment(MsgCloseDeployment { id: dep_id(&t, 1) })]).code,
        0
    );
    rejected(
        &mut m.c,
        0,
        Msg::CloseDeployment(MsgCloseDeployment { id: dep_id(&t, 1) }),
        4,
        "deployment",
        "closed",
    );
    rejected(
        &mut m.c,
        0,
        Msg::PauseGroup(MsgPauseGroup { id: group_id(&t, 1, 1) }),
        4,
        "deployment",
        "closed",
    );
}

#[test]
fn zero_or_over_limit_resources_and_too_many_groups_are_rejected() {
    let mut m = market();
    let t = m.tenant.clone();
    let with_unit = |u| dcloud_proto::dcloud::deployment::GroupSpec {
        name: "g".into(),
        requirements: None,
        resources: vec![u],
    };
    let cases: Vec<(dcloud_proto::dcloud::deployment::ResourceUnit, &str)> = vec![
        (unit(0, 512 << 20, 1 << 30, 1, "1", "uact"), "cpu millicores 0"),
        (unit(384_001, 512 << 20, 1 << 30, 1, "1", "uact"), "cpu millicores 384001"),
        (unit(1000, 0, 1 << 30, 1, "1", "uact"), "memory bytes 0"),
        (unit(1000, 3 << 40, 1 << 30, 1, "1", "uact"), "memory bytes"),
        (unit(1000, 512 << 20, 1 << 20, 1, "1", "uact"), "storage bytes"),
        (unit(1000, 512 << 20, 33 << 40, 1, "1", "uact"), "storage bytes"),
        (unit(1000, 512 << 20, 1 << 30, 0, "1", "uact"), "count 0"),
        (unit(1000, 512 << 20, 1 << 30, 51, "1", "uact"), "count 51"),
        (unit(1000, 512 << 20, 1 << 30, 1, "0", "uact"), "price 0"),
        (unit(1000, 512 << 20, 1 << 30, 1, "10000001", "uact"), "price 10000001"),
    ];
    for (i, (u, log)) in cases.into_iter().enumerate() {
        let msg = create_deployment(
            &t,
            100 + i as u64,
            vec![with_unit(u)],
            1_000_000,
            DENOM_ACT,
            Auction::Lowest,
        );
        rejected(&mut m.c, 0, msg, 5, "deployment", log);
    }
    let groups: Vec<_> = (0..21).map(|i| group(&format!("g{i}"), "1")).collect();
    rejected(
        &mut m.c,
        0,
        create_deployment(&t, 200, groups, 1_000_000, DENOM_ACT, Auction::Lowest),
        5,
        "deployment",
        "21 groups",
    );
    let units = dcloud_proto::dcloud::deployment::GroupSpec {
        name: "g".into(),
        requirements: None,
        resources: (0..21).map(|_| unit(1000, 512 << 20, 1 << 30, 1, "1", "uact")).collect(),
    };
    rejected(
        &mut m.c,
        0,
        create_deployment(&t, 201, vec![units], 1_000_000, DENOM_ACT, Auction::Lowest),
        5,
        "deployment",
        "21 resource units",
    );
    rejected(
        &mut m.c,
        0,
        create_deployment(&t, 202, vec![], 1_000_000, DENOM_ACT, Auction::Lowest),
        5,
        "deployment",
        "at least one group",
    );
    rejected(
        &mut m.c,
        0,
        create_deployment(
            &t,
            203,
            vec![group("a", "1"), group("a", "1")],
            1_000_000,
            DENOM_ACT,
            Auction::Lowest,
        ),
        5,
        "deployment",
        "duplicate",
    );
}

#[test]
fn bad_deposits_and_hashes_are_rejected() {
    let mut m = market();
    let t = m.tenant.clone();
    rejected(
        &mut m.c,
        0,
        create_deployment(&t, 300, vec![group("a", "1")], 499_999, DENOM_ACT, Auction::Lowest),
        6,
        "deployment",
        "below the minimum deposit",
    );
    rejected(
        &mut m.c,
        0,
        create_deployment(&t, 301, vec![group("a", "1")], 1_000_000, DENOM_AKT, Auction::Lowest),
        6,
        "deployment",
        "prices in uact",
    );
    let mut bad =
        create_deployment(&t, 302, vec![group("a", "1")], 1_000_000, DENOM_ACT, Auction::Lowest);
    if let Msg::CreateDeployment(d) = &mut bad {
        d.hash = vec![1; 31];
    }
    rejected(&mut m.c, 0, bad, 9, "deployment", "31 bytes");
}

#[test]
fn bids_above_the_max_in_another_denom_or_twice_are_rejected() {
    let mut m = market();
    let (t, p1) = (m.tenant.clone(), m.p1.clone());
    rejected(
        &mut m.c,
        1,
        bid(&m.tenant, &p1, "10.000000000000000001"),
        7,
        "market",
        "above the order's maximum",
    );
    rejected(
        &mut m.c,
        1,
        create_bid(&p1, &t, 1, 1, 1, "1", DENOM_AKT, 500_000),
        8,
        "market",
        "denom mismatch",
    );
    assert_eq!(m.c.exec(1, vec![bid(&m.tenant, &p1, "5")]).code, 0);
    rejected(&mut m.c, 1, bid(&m.tenant, &p1, "4"), 4, "market", "already exists");
    rejected(&mut m.c, 1, bid(&m.tenant, &p1, "0"), 16, "market", "price is zero");
}

#[test]
fn bids_on_missing_own_or_closed_orders_are_rejected() {
    let mut m = market();
    let (t, p1) = (m.tenant.clone(), m.p1.clone());
    rejected(
        &mut m.c,
        1,
        create_bid(&p1, &t, 1, 1, 2, "1", DENOM_ACT, 500_000),
        2,
        "market",
        "order not found",
    );
    rejected(
        &mut m.c,
        1,
        create_bid(&p1, &t, 9, 1, 1, "1", DENOM_ACT, 500_000),
        2,
        "market",
        "order not found",
    );
    rejected(
        &mut m.c,
        0,
        create_bid(&t, &t, 1, 1, 1, "1", DENOM_ACT, 500_000),
        16,
        "market",
        "its own order",
    );
    assert_eq!(
        m.c.exec(0, vec![Msg::CloseGroup(MsgCloseGroup { id: group_id(&t, 1, 1) })]).code,
        0
    );
    rejected(&mut m.c, 1, bid(&m.tenant, &p1, "1"), 3, "market", "not open");
}

#[test]
fn bids_from_unregistered_providers_or_below_the_minimum_deposit_are_rejected() {
    let mut m = market();
    let (t, p1) = (m.tenant.clone(), m.p1.clone());
    let stranger = m.c.address(4);
    rejected(&mut m.c, 4, bid(&m.tenant, &stranger, "1"), 9, "market", "not registered");
    rejected(
        &mut m.c,
        1,
        create_bid(&p1, &t, 1, 1, 1, "1", DENOM_ACT, 499_999),
        12,
        "market",
        "below the minimum",
    );
}

#[test]
fn bids_from_providers_lacking_attributes_or_audits_are_rejected() {
    let mut m = market();
    let t = m.tenant.clone();
    let (p1, p2, p3) = (m.p1.clone(), m.p2.clone(), m.p3.clone());
    let auditor = m.c.address(5);
    let eu = [attr("region", "eu")];
    let g = group_with("web", "10", &eu, &[], &[]);
    assert_eq!(
        m.c.exec(0, vec![create_deployment(&t, 2, vec![g], 1_000_000, DENOM_ACT, Auction::Manual)])
            .code,
        0
    );
    rejected(
        &mut m.c,
        3,
        create_bid(&p3, &t, 2, 1, 1, "1", DENOM_ACT, 500_000),
        10,
        "market",
        "lacks region=eu",
    );
    assert_eq!(m.c.exec(1, vec![create_bid(&p1, &t, 2, 1, 1, "1", DENOM_ACT, 500_000)]).code, 0);

    // all_of: the auditor must have signed region=eu for the provider.
    let g = group_with("web", "10", &eu, std::slice::from_ref(&auditor), &[]);
    assert_eq!(
        m.c.exec(0, vec![create_deployment(&t, 3, vec![g], 1_000_000, DENOM_ACT, Auction::Manual)])
            .code,
        0
    );
    rejected(
        &mut m.c,
        1,
        create_bid(&p1, &t, 3, 1, 1, "1", DENOM_ACT, 500_000),
        11,
        "market",
        "all_of",
    );
    m.c.sign_attributes(1, 5, &eu);
    assert_eq!(m.c.exec(1, vec![create_bid(&p1, &t, 3, 1, 1, "1", DENOM_ACT, 500_000)]).code, 0);

    // any_of: one of the listed auditors suffices; none → rejected.
    let other = m.c.address(4);
    let g = group_with("web", "10", &eu, &[], &[other, auditor]);
    assert_eq!(
        m.c.exec(0, vec![create_deployment(&t, 4, vec![g], 1_000_000, DENOM_ACT, Auction::Manual)])
            .code,
        0
    );
    rejected(
        &mut m.c,
        2,
        create_bid(&p2, &t, 4, 1, 1, "1", DENOM_ACT, 500_000),
        11,
        "market",
        "any_of",
    );
    assert_eq!(m.c.exec(1, vec![create_bid(&p1, &t, 4, 1, 1, "1", DENOM_ACT, 500_000)]).code, 0);
}

#[test]
fn more_bids_than_the_order_allows_are_rejected() {
    let mut m = market();
    m.c.set_module_params("market", &MarketParams { order_max_bids: 2, ..MarketParams::default() });
    let (p1, p2, p3) = (m.p1.clone(), m.p2.clone(), m.p3.clone());
    let t = m.tenant.clone();
    // p3 is in region us but the group has no requirements.
    assert_eq!(m.c.exec(1, vec![bid(&m.tenant, &p1, "1")]).code, 0);
    assert_eq!(m.c.exec(2, vec![bid(&m.tenant, &p2, "1")]).code, 0);
    rejected(
        &mut m.c,
        3,
        create_bid(&p3, &t, 1, 1, 1, "1", DENOM_ACT, 500_000),
        13,
        "market",
        "already has 2 bids",
    );
}

#[test]
fn leases_on_lost_or_closed_bids_or_by_someone_else_are_rejected() {
    let mut m = market();
    let (t, p1, p2, p3) = (m.tenant.clone(), m.p1.clone(), m.p2.clone(), m.p3.clone());
    assert_eq!(m.c.exec(1, vec![bid(&m.tenant, &p1, "1")]).code, 0);
    assert_eq!(m.c.exec(2, vec![bid(&m.tenant, &p2, "2")]).code, 0);
    assert_eq!(m.c.exec(3, vec![bid(&m.tenant, &p3, "3")]).code, 0);
    assert_eq!(
        m.c.exec(
            3,
            vec![Msg::CloseBid(MsgCloseBid {
                id: bid_id(&t, 1, 1, 1, &p3),
                reason: String::new()
            })]
        )
        .code,
        0
    );
    rejected(
        &mut m.c,
        1,
        Msg::CreateLease(MsgCreateLease { bid_id: bid_id(&t, 1, 1, 1, &p1) }),
        8,
        "sdk",
        "does not match the key registered",
    );
    rejected(
        &mut m.c,
        0,
        Msg::CreateLease(MsgCreateLease { bid_id: bid_id(&t, 1, 1, 1, &p3) }),
        6,
        "market",
        "Closed",
    );
    assert_eq!(
        m.c.exec(0, vec![Msg::CreateLease(MsgCreateLease { bid_id: bid_id(&t, 1, 1, 1, &p1) })])
            .code,
        0
    );
    rejected(
        &mut m.c,
        0,
        Msg::CreateLease(MsgCreateLease { bid_id: bid_id(&t, 1, 1, 1, &p2) }),
        6,
        "market",
        "Lost",
    );
    rejected(
        &mut m.c,
        0,
        Msg::CreateLease(MsgCreateLease { bid_id: bid_id(&t, 1, 1, 1, &p1) }),
        6,
        "market",
        "Active",
    );
    rejected(
        &mut m.c,
        2,
        Msg::CloseBid(MsgCloseBid { id: bid_id(&t, 1, 1, 1, &p2), reason: String::new() }),
        6,
        "market",
        "Lost",
    );
}

#[test]
fn a_provider_cannot_withdraw_or_close_another_providers_lease() {
    let mut m = market();
    let (t, p1, p2) = (m.tenant.clone(), m.p1.clone(), m.p2.clone());
    assert_eq!(m.c.exec(1, vec![bid(&m.tenant, &p1, "1")]).code, 0);
    assert_eq!(
        m.c.exec(0, vec![Msg::CreateLease(MsgCreateLease { bid_id: bid_id(&t, 1, 1, 1, &p1) })])
            .code,
        0
    );
    rejected(
        &mut m.c,
        2,
        Msg::WithdrawLease(MsgWithdrawLease { id: bid_id(&t, 1, 1, 1, &p1) }),
        8,
        "sdk",
        "does not match the key registered",
    );
    rejected(
        &mut m.c,
        2,
        Msg::WithdrawLease(MsgWithdrawLease { id: bid_id(&t, 1, 1, 1, &p2) }),
        14,
        "market",
        "lease not found",
    );
    rejected(
        &mut m.c,
        2,
        Msg::CloseBid(MsgCloseBid { id: bid_id(&t, 1, 1, 1, &p1), reason: String::new() }),
        8,
        "sdk",
        "does not match the key registered",
    );
    rejected(
        &mut m.c,
        2,
        Msg::CloseLease(MsgCloseLease { id: bid_id(&t, 1, 1, 1, &p1) }),
        8,
        "sdk",
        "does not match the key registered",
    );
    assert_eq!(
        m.c.exec(0, vec![Msg::CloseLease(MsgCloseLease { id: bid_id(&t, 1, 1, 1, &p1) })]).code,
        0
    );
    rejected(
        &mut m.c,
        0,
        Msg::CloseLease(MsgCloseLease { id: bid_id(&t, 1, 1, 1, &p1) }),
        15,
        "market",
        "Closed",
    );
    rejected(
        &mut m.c,
        1,
        Msg::WithdrawLease(MsgWithdrawLease { id: bid_id(&t, 1, 1, 1, &p1) }),
        15,
        "market",
        "Closed",
    );
}

#[test]
fn market_params_come_from_genesis_and_bad_ones_are_refused() {
    use dcloud_app::modules::escrow::EscrowParams;
    use dcloud_store::{Store, StoreOptions};
    use std::sync::Arc;
    let app = |g: &dcloud_app::Genesis| {
        let a = dcloud_app::App::new(Arc::new(Store::in_memory(StoreOptions::default()).unwrap()))
            .unwrap();
        a.init_chain(g).map(|_| a)
    };
    let mut g = dcloud_app::testkit::genesis(&TestConfig::default());
    g.app_state.escrow = Some(EscrowParams { take_rate_bps: 300, low_funds_warning_blocks: 7 });
    g.app_state.market = Some(MarketParams { order_timeout: 9, ..MarketParams::default() });
    let a = app(&g).unwrap();
    let v: serde_json::Value =
        serde_json::from_slice(&a.query("/escrow/params", b"", 0, false).unwrap().value).unwrap();
    assert_eq!(v["take_rate_bps"], 300);
    let v: serde_json::Value =
        serde_json::from_slice(&a.query("/market/params", b"", 0, false).unwrap().value).unwrap();
    assert_eq!(v["order_timeout"], 9);
    g.app_state.escrow = Some(EscrowParams { take_rate_bps: 10_001, low_funds_warning_blocks: 7 });
    let e = app(&g).unwrap_err().to_string();
    assert!(e.contains("take_rate_bps"), "{e}");
}
