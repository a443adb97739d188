//! Deposits and authz: deposit grants (`MsgGrant` / `MsgRevoke` with a deposit
//! authorization), deposits drawn from a granter's balance, FIFO spending of deposits and
//! refunds to whoever funded them; top-ups by anyone.

use dcloud_app::modules::authz::{DepositScope, Grant};
use dcloud_app::modules::escrow::DepositSource;
use dcloud_app::testkit::market::*;
use dcloud_app::testkit::{proto_coin, TestChain, TestConfig, BLOCK_INTERVAL_MS, GENESIS_TIME_MS};
use dcloud_proto::cosmos::cosmos::authz::v1beta1::{Grant as PbGrant, MsgGrant, MsgRevoke};
use dcloud_proto::dcloud::deployment::{Auction, MsgCloseDeployment, MsgDepositDeployment};
use dcloud_proto::dcloud::escrow::{
    DepositAuthorization, DepositScope as PbScope, DepositSource as PbSource,
    DEPOSIT_AUTHORIZATION_URL,
};
use dcloud_proto::dcloud::market::MsgCreateLease;
use dcloud_proto::{Any, Message as _, Msg};
use dcloud_types::{AccAddress, DENOM_ACT};

const GENESIS_ACT: u128 = 500_000_000;
const DEPOSIT_URL: &str = "/dcloud.deployment.v1.MsgDepositDeployment";

/// Tenant key 0 with deployment 1 (manual auction, one group up to 100000 uact per block,
/// 500000 uact deposited from its own balance); provider key 1; funder key 3.
fn chain() -> (TestChain, AccAddress, AccAddress) {
    let mut c = TestChain::new(TestConfig { funded: 5, ..TestConfig::default() });
    c.register_provider(1, &[attr("region", "eu")]);
    let tenant = c.address(0);
    let r = c.exec(
        0,
        vec![create_deployment(
            &tenant,
            1,
            vec![group("web", "100000")],
            500_000,
            DENOM_ACT,
            Auction::Manual,
        )],
    );
    assert_eq!(r.code, 0, "{}", r.log);
    let funder = c.address(3);
    (c, tenant, funder)
}

fn grant_msg(
    granter: &AccAddress,
    grantee: &AccAddress,
    limit: u128,
    expires_s: Option<u64>,
) -> Msg {
    let auth = DepositAuthorization {
        spend_limits: vec![proto_coin(&limit.to_string(), DENOM_ACT)],
        scopes: vec![PbScope::Deployment as i32],
    };
    Msg::Grant(MsgGrant {
        granter: granter.to_string(),
        grantee: grantee.to_string(),
        grant: Some(PbGrant {
            authorization: Some(Any {
                type_url: DEPOSIT_AUTHORIZATION_URL.into(),
                value: auth.encode_to_vec(),
            }),
            expiration: expires_s
                .map(|s| dcloud_proto::cosmos::Timestamp { seconds: s as i64, nanos: 0 }),
        }),
    })
}

fn revoke_msg(granter: &AccAddress, grantee: &AccAddress) -> Msg {
    Msg::Revoke(MsgRevoke {
        granter: granter.to_string(),
        grantee: grantee.to_string(),
        msg_type_url: DEPOSIT_URL.into(),
    })
}

fn deposit_msg(
    owner: &AccAddress,
    depositor: &AccAddress,
    amount: u128,
    sources: &[PbSource],
) -> Msg {
    Msg::DepositDeployment(MsgDepositDeployment {
        id: dep_id(owner, 1),
        amount: Some(proto_coin(&amount.to_string(), DENOM_ACT)),
        depositor: depositor.to_string(),
        sources: sources.iter().map(|s| *s as i32).collect(),
    })
}

fn grants(c: &TestChain, granter: &AccAddress) -> Vec<Grant> {
    let q = format!(r#"{{"granter":"{granter}"}}"#);
    serde_json::from_slice(&c.query("/authz/grants", q.as_bytes(), 0, false).value).unwrap()
}

fn limit(c: &TestChain, granter: &AccAddress) -> u128 {
    grants(c, granter)[0].authorization.spend_limits.amount_of(DENOM_ACT)
}

fn uact(c: &TestChain, a: &AccAddress) -> u128 {
    c.balance(a, DENOM_ACT)
}

#[test]
fn a_grantee_deposits_into_its_own_deployment_from_the_granters_funds() {
    let (mut c, tenant, funder) = chain();
    let r = c.exec(3, vec![grant_msg(&funder, &tenant, 2_000_000, None)]);
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(r.events.iter().filter(|e| e.kind == "cosmos.authz.v1beta1.EventGrant").count(), 1);
    let g = &grants(&c, &funder)[0];
    assert_eq!(
        (&g.grantee, g.authorization.scopes.as_slice()),
        (&tenant, &[DepositScope::Deployment][..])
    );
    // The same grant, found by grantee.
    let by_grantee: Vec<Grant> = serde_json::from_slice(
        &c.query("/authz/grants", format!(r#"{{"grantee":"{tenant}"}}"#).as_bytes(), 0, false)
            .value,
    )
    .unwrap();
    assert_eq!(&by_grantee[0], g);

    let r = c.exec(0, vec![deposit_msg(&tenant, &tenant, 1_500_000, &[PbSource::Grant])]);
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(uact(&c, &funder), GENESIS_ACT - 1_500_000);
    assert_eq!(uact(&c, &tenant), GENESIS_ACT - 500_000, "the tenant's own funds are untouched");
    assert_eq!(limit(&c, &funder), 500_000);
    let a = c.escrow_account(&tenant, 1).unwrap();
    assert_eq!(a.balance, 2_000_000);
    let deposits: Vec<_> = a.deposits.iter().map(|d| (&d.owner, d.source, d.balance)).collect();
    assert_eq!(
        deposits,
        vec![
            (&tenant, DepositSource::Balance, 500_000),
            (&funder, DepositSource::Grant, 1_500_000)
        ]
    );
}

#[test]
fn a_deposit_over_the_spend_limit_fails_and_changes_nothing_while_balance_then_grant_covers_it() {
    let (mut c, tenant, funder) = chain();
    c.exec(3, vec![grant_msg(&funder, &tenant, 1_000_000, None)]);
    let before = (c.market_snapshot(), uact(&c, &tenant), uact(&c, &funder), grants(&c, &funder));
    let r = c.exec(0, vec![deposit_msg(&tenant, &tenant, 1_500_000, &[PbSource::Grant])]);
    assert_eq!((r.code, r.codespace.as_str()), (5, "sdk"), "{}", r.log);
    assert!(r.log.contains("sources [grant] cover only 1000000uact"), "{}", r.log);
    let after = (c.market_snapshot(), uact(&c, &tenant), uact(&c, &funder), grants(&c, &funder));
    assert_eq!(after, before, "a failed deposit changes nothing");

    // Grant first, the rest from the tenant's balance.
    let r = c.exec(
        0,
        vec![deposit_msg(&tenant, &tenant, 1_500_000, &[PbSource::Grant, PbSource::Balance])],
    );
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(uact(&c, &funder), GENESIS_ACT - 1_000_000);
    assert_eq!(uact(&c, &tenant), GENESIS_ACT - 500_000 - 500_000);
    assert_eq!(limit(&c, &funder), 0, "a spent grant stays (refunds restore it)");
}

#[test]
fn a_revoked_or_expired_grant_cannot_fund_a_deposit() {
    let (mut c, tenant, funder) = chain();
    c.exec(3, vec![grant_msg(&funder, &tenant, 1_000_000, None)]);
    let r = c.exec(3, vec![revoke_msg(&funder, &tenant)]);
    assert_eq!(r.code, 0, "{}", r.log);
    assert!(grants(&c, &funder).is_empty());
    let r = c.exec(0, vec![deposit_msg(&tenant, &tenant, 600_000, &[PbSource::Grant])]);
    assert_eq!(r.code, 5, "{}", r.log);
    let r = c.exec(3, vec![revoke_msg(&funder, &tenant)]);
    assert_eq!((r.code, r.codespace.as_str()), (2, "authz"), "{}", r.log);

    // Expiring three blocks from now: usable before, not after.
    let expires_ms = GENESIS_TIME_MS + (c.height() + 3) * BLOCK_INTERVAL_MS;
    let r = c.exec(3, vec![grant_msg(&funder, &tenant, 1_000_000, Some(expires_ms / 1000))]);
    assert_eq!(r.code, 0, "{}", r.log);
    let r = c.exec(0, vec![deposit_msg(&tenant, &tenant, 100_000, &[PbSource::Grant])]);
    assert_eq!(r.code, 0, "{}", r.log);
    c.advance_to(c.height() + 2);
    let r = c.exec(0, vec![deposit_msg(&tenant, &tenant, 100_000, &[PbSource::Grant])]);
    assert_eq!(r.code, 5, "expired: {}", r.log);
    assert_eq!(uact(&c, &funder), GENESIS_ACT - 100_000);
    // An expiration that has already passed is refused.
    let past = (GENESIS_TIME_MS + c.height() * BLOCK_INTERVAL_MS) / 1000;
    let r = c.exec(3, vec![grant_msg(&funder, &tenant, 1_000_000, Some(past))]);
    assert_eq!((r.code, r.codespace.as_str()), (3, "authz"), "{}", r.log);
}

#[test]
fn grants_to_oneself_or_of_unknown_authorizations_are_refused() {
    let (mut c, tenant, funder) = chain();
    let r = c.exec(3, vec![grant_msg(&funder, &funder, 1, None)]);
    assert_eq!((r.code, r.codespace.as_str()), (7, "authz"), "{}", r.log);
    let Msg::Grant(mut g) = grant_msg(&funder, &tenant, 1, None) else { unreachable!() };
    if let Some(a) = g.grant.as_mut().and_then(|g| g.authorization.as_mut()) {
        a.type_url = "/cosmos.bank.v1beta1.SendAuthorization".into();
    }
    let r = c.exec(3, vec![Msg::Grant(g)]);
    assert_eq!((r.code, r.codespace.as_str()), (4, "authz"), "{}", r.log);
    assert!(grants(&c, &funder).is_empty());
}

#[test]
fn deposits_are_spent_first_in_first_out_and_closing_refunds_the_granted_part_to_the_granter() {
    let (mut c, tenant, funder) = chain();
    let provider = c.address(1);
    c.exec(3, vec![grant_msg(&funder, &tenant, 3_000_000, None)]);
    let r = c.exec(0, vec![deposit_msg(&tenant, &tenant, 1_000_000, &[PbSource::Grant])]);
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(limit(&c, &funder), 2_000_000);
    // A lease at 100000 uact per block: the tenant's 500000 go first, then the funder's.
    c.exec(1, vec![create_bid(&provider, &tenant, 1, 1, 1, "100000", DENOM_ACT, 500_000)]);
    let r = c.exec(
        0,
        vec![Msg::CreateLease(MsgCreateLease { bid_id: bid_id(&tenant, 1, 1, 1, &provider) })],
    );
    assert_eq!(r.code, 0, "{}", r.log);
    let leased_at = c.height();
    c.advance_to(leased_at + 6);
    let r = c.exec(0, vec![Msg::CloseDeployment(MsgCloseDeployment { id: dep_id(&tenant, 1) })]);
    assert_eq!(r.code, 0, "{}", r.log);
    let spent = 100_000 * u128::from(c.height() - leased_at);
    assert!(spent > 500_000 && spent < 1_500_000, "spent {spent}");
    assert_eq!(uact(&c, &tenant), GENESIS_ACT - 500_000, "the tenant's deposit was spent first");
    assert_eq!(uact(&c, &funder), GENESIS_ACT - (spent - 500_000), "the unused grant funds return");
    assert_eq!(limit(&c, &funder), 2_000_000 + 1_500_000 - spent, "and restore the grant's limit");
    let a = c.escrow_account(&tenant, 1).unwrap();
    assert!(a.deposits.is_empty());
    assert_eq!(a.refunded, 1_500_000 - spent);
}

#[test]
fn anyone_may_top_up_someone_elses_deployment_from_their_own_balance_and_gets_the_unused_part_back()
{
    let (mut c, tenant, funder) = chain();
    let r = c.exec(3, vec![deposit_msg(&tenant, &funder, 700_000, &[])]);
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(uact(&c, &funder), GENESIS_ACT - 700_000);
    assert_eq!(c.escrow_account(&tenant, 1).unwrap().balance, 1_200_000);
    // Without a grant, a third party cannot draw on the tenant's funds (or anyone's).
    let r = c.exec(3, vec![deposit_msg(&tenant, &funder, 100_000, &[PbSource::Grant])]);
    assert_eq!(r.code, 5, "{}", r.log);
    let r = c.exec(0, vec![Msg::CloseDeployment(MsgCloseDeployment { id: dep_id(&tenant, 1) })]);
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(uact(&c, &funder), GENESIS_ACT, "the top-up returns to whoever paid it");
    assert_eq!(uact(&c, &tenant), GENESIS_ACT);
}

#[test]
fn a_deployment_can_be_created_with_its_deposit_drawn_from_a_grant_and_refunded_to_the_granter() {
    let (mut c, tenant, funder) = chain();
    c.exec(3, vec![grant_msg(&funder, &tenant, 800_000, None)]);
    let Msg::CreateDeployment(mut m) = create_deployment(
        &tenant,
        2,
        vec![group("web", "10")],
        1_000_000,
        DENOM_ACT,
        Auction::Manual,
    ) else {
        unreachable!()
    };
    m.deposit_sources = vec![PbSource::Grant as i32];
    // The grant alone does not cover 1000000: refused, nothing moves.
    let r = c.exec(0, vec![Msg::CreateDeployment(m.clone())]);
    assert_eq!(r.code, 5, "{}", r.log);
    assert!(c.deployment(&tenant, 2).is_none());
    assert_eq!(limit(&c, &funder), 800_000);
    // Grant first, the rest from the tenant.
    m.deposit_sources = vec![PbSource::Grant as i32, PbSource::Balance as i32];
    let r = c.exec(0, vec![Msg::CreateDeployment(m)]);
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(uact(&c, &funder), GENESIS_ACT - 800_000);
    assert_eq!(uact(&c, &tenant), GENESIS_ACT - 500_000 - 200_000);
    let r = c.exec(0, vec![Msg::CloseDeployment(MsgCloseDeployment { id: dep_id(&tenant, 2) })]);
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(uact(&c, &funder), GENESIS_ACT);
    assert_eq!(uact(&c, &tenant), GENESIS_ACT - 500_000);
    assert_eq!(limit(&c, &funder), 800_000, "the refund restores the grant");
}

#[test]
fn a_provider_bids_with_a_deposit_from_a_bid_scoped_grant_and_the_granter_gets_it_back_when_the_bid_closes(
) {
    let (mut c, tenant, funder) = chain();
    let provider = c.address(1);
    let deposit = 500_000;
    let bid_with = |sources: Vec<PbSource>| match create_bid(
        &provider, &tenant, 1, 1, 1, "50000", DENOM_ACT, deposit,
    ) {
        Msg::CreateBid(mut m) => {
            m.deposit_sources = sources.into_iter().map(|s| s as i32).collect();
            Msg::CreateBid(m)
        }
        other => other,
    };
    // A grant scoped to deployments only cannot fund a bid deposit: refused, nothing moves.
    let r = c.exec(3, vec![grant_msg(&funder, &provider, 2_000_000, None)]);
    assert_eq!(r.code, 0, "{}", r.log);
    let (funder_before, provider_before) = (uact(&c, &funder), uact(&c, &provider));
    let r = c.exec(1, vec![bid_with(vec![PbSource::Grant])]);
    assert_ne!(r.code, 0, "a deployment-scoped grant paid a bid deposit");
    assert!(r.log.contains("insufficient funds"), "{}", r.log);
    assert_eq!((uact(&c, &funder), uact(&c, &provider)), (funder_before, provider_before));

    // Re-granted with the bid scope: the deposit comes out of the funder's balance.
    let auth = DepositAuthorization {
        spend_limits: vec![proto_coin("2000000", DENOM_ACT)],
        scopes: vec![PbScope::Bid as i32],
    };
    let regrant = Msg::Grant(MsgGrant {
        granter: funder.to_string(),
        grantee: provider.to_string(),
        grant: Some(PbGrant {
            authorization: Some(Any {
                type_url: DEPOSIT_AUTHORIZATION_URL.into(),
                value: auth.encode_to_vec(),
            }),
            expiration: None,
        }),
    });
    let r = c.exec(3, vec![regrant]);
    assert_eq!(r.code, 0, "{}", r.log);
    let funder_before = uact(&c, &funder);
    let r = c.exec(1, vec![bid_with(vec![PbSource::Grant])]);
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(uact(&c, &funder), funder_before - deposit);
    assert_eq!(uact(&c, &provider), provider_before, "the provider paid nothing");
    assert_eq!(limit(&c, &funder), 2_000_000 - deposit);

    // The provider closes its open bid: the deposit returns to the funder, restoring the grant.
    let close = Msg::CloseBid(dcloud_proto::dcloud::market::MsgCloseBid {
        id: bid_id(&tenant, 1, 1, 1, &provider),
        reason: String::new(),
    });
    let r = c.exec(1, vec![close]);
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(uact(&c, &funder), funder_before);
    assert_eq!(uact(&c, &provider), provider_before);
    assert_eq!(limit(&c, &funder), 2_000_000);
}

/// The `EventGrantExpired` events of a block, as (granter, grantee).
fn expired_events(events: &[dcloud_types::Event]) -> Vec<(String, String)> {
    events
        .iter()
        .filter(|e| e.kind == "EventGrantExpired")
        .map(|e| (e.get("granter").unwrap().to_string(), e.get("grantee").unwrap().to_string()))
        .collect()
}

/// Block time of height `h` in the test chain, in whole seconds.
fn time_s(h: u64) -> u64 {
    (GENESIS_TIME_MS + h * BLOCK_INTERVAL_MS) / 1000
}

#[test]
fn an_expired_grant_is_deleted_at_the_first_block_at_its_expiration_and_others_stay() {
    let (mut c, tenant, funder) = chain();
    let (other, late) = (c.address(4), c.address(2));
    let h = c.height();
    // Blocks h + 1 … h + 4: a grant expiring at the time of block h + 6; one without
    // expiration; one expiring at h + 6 too but replaced by a grant expiring at h + 9.
    for (from, msg) in [
        (3, grant_msg(&funder, &tenant, 1_000, Some(time_s(h + 6)))),
        (4, grant_msg(&other, &tenant, 1_000, None)),
        (2, grant_msg(&late, &tenant, 1_000, Some(time_s(h + 6)))),
        (2, grant_msg(&late, &tenant, 2_000, Some(time_s(h + 9)))),
    ] {
        let r = c.exec(from, vec![msg]);
        assert_eq!(r.code, 0, "{}", r.log);
    }
    let mut seen = Vec::new();
    while c.height() < h + 9 {
        let r = c.deliver_block(Vec::new());
        seen.extend(expired_events(&r.events).into_iter().map(|e| (c.height(), e)));
        if c.height() == h + 6 {
            assert!(grants(&c, &funder).is_empty(), "the expired grant is gone from state");
            assert_eq!(grants(&c, &other).len(), 1, "a grant without expiration stays");
            assert_eq!(limit(&c, &late), 2_000, "the replacing grant stays until its expiration");
        }
    }
    // Each goes in the begin block of the first block whose time reaches its expiration.
    assert_eq!(
        seen,
        vec![
            (h + 6, (funder.to_string(), tenant.to_string())),
            (h + 9, (late.to_string(), tenant.to_string()))
        ]
    );
    assert!(grants(&c, &late).is_empty());
    assert_eq!(grants(&c, &other).len(), 1);
    // A revoked grant leaves nothing in the expiry queue (the invariants after every block
    // check the queue against the grants).
    let r = c.exec(4, vec![grant_msg(&other, &tenant, 1_000, Some(time_s(h + 30)))]);
    assert_eq!(r.code, 0, "{}", r.log);
    let r = c.exec(4, vec![revoke_msg(&other, &tenant)]);
    assert_eq!(r.code, 0, "{}", r.log);
    assert!(grants(&c, &other).is_empty());
}

#[test]
fn more_expired_grants_than_a_block_prunes_carry_over_to_the_next_block() {
    let (mut c, _, funder) = chain();
    let n = dcloud_app::modules::authz::MAX_PRUNED_PER_BLOCK + 50;
    let expires = time_s(c.height() + 20);
    let grantees: Vec<AccAddress> = (0..n)
        .map(|i| {
            let mut b = [7u8; 20];
            b[..2].copy_from_slice(&(i as u16 + 1).to_be_bytes());
            AccAddress::from_bytes(&b).unwrap()
        })
        .collect();
    for chunk in grantees.chunks(25) {
        let msgs = chunk.iter().map(|g| grant_msg(&funder, g, 1_000, Some(expires))).collect();
        let r = c.exec(3, msgs);
        assert_eq!(r.code, 0, "{}", r.log);
    }
    assert_eq!(grants(&c, &funder).len(), n);
    let mut per_block = Vec::new();
    while !grants(&c, &funder).is_empty() {
        let r = c.deliver_block(Vec::new());
        let k = expired_events(&r.events).len();
        if k > 0 {
            per_block.push((time_s(c.height()) >= expires, k));
        }
        assert!(c.height() < 40, "grants never pruned");
    }
    assert_eq!(
        per_block,
        vec![(true, dcloud_app::modules::authz::MAX_PRUNED_PER_BLOCK), (true, 50)]
    );
}
