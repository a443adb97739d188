//! Audits: auditors sign and withdraw provider attributes; merge semantics; bad input
//! refused with a clear error and no state change.

mod registry_common;

use dcloud_app::modules::audit::{self, AuditedAttributes};
use dcloud_app::modules::provider::Attribute;
use dcloud_app::testkit::{delete_attributes_msg, sign_attributes_msg, TestChain, TestConfig};
use registry_common::{assert_fails_in_block, assert_refused, deliver_ok, event};

fn chain() -> TestChain {
    TestChain::new(TestConfig::default())
}

fn attrs(pairs: &[(&str, &str)]) -> Vec<Attribute> {
    pairs.iter().map(|(k, v)| Attribute { key: (*k).into(), value: (*v).into() }).collect()
}

#[test]
fn an_auditor_signs_attributes_and_a_second_signature_merges_overwriting_existing_keys() {
    let mut c = chain();
    let (provider, auditor) = (c.address(0), c.address(1));
    let tx =
        c.tx(1, vec![sign_attributes_msg(&auditor, &provider, &[("tier", "1"), ("region", "eu")])]);
    let r = deliver_ok(&mut c, tx);
    let e = event(&r, "EventTrustedAuditorCreated");
    assert_eq!(e.get("owner"), Some(provider.to_string().as_str()));
    assert_eq!(e.get("auditor"), Some(auditor.to_string().as_str()));
    let tx =
        c.tx(1, vec![sign_attributes_msg(&auditor, &provider, &[("tier", "2"), ("gpu", "a100")])]);
    deliver_ok(&mut c, tx);
    let got = audit::signed_attributes(&c.store().latest(), &provider, &auditor).unwrap();
    assert_eq!(got, attrs(&[("gpu", "a100"), ("region", "eu"), ("tier", "2")]));
}

#[test]
fn an_auditor_withdraws_some_keys_then_the_rest_and_the_record_disappears() {
    let mut c = chain();
    let (provider, auditor) = (c.address(0), c.address(2));
    let tx = c.tx(
        2,
        vec![sign_attributes_msg(&auditor, &provider, &[("a1", "x"), ("b2", "y"), ("c3", "z")])],
    );
    deliver_ok(&mut c, tx);
    let tx = c.tx(2, vec![delete_attributes_msg(&auditor, &provider, &["b2"])]);
    let r = deliver_ok(&mut c, tx);
    assert!(r.events.iter().any(|e| e.kind == "EventTrustedAuditorDeleted"));
    let st = c.store().latest();
    assert_eq!(
        audit::signed_attributes(&st, &provider, &auditor).unwrap(),
        attrs(&[("a1", "x"), ("c3", "z")])
    );
    let tx = c.tx(2, vec![delete_attributes_msg(&auditor, &provider, &["a1", "c3"])]);
    deliver_ok(&mut c, tx);
    assert!(c.prefix_dump(0x31).is_empty(), "an emptied record is deleted");
}

#[test]
fn deleting_with_no_keys_withdraws_the_whole_record() {
    let mut c = chain();
    let (provider, auditor) = (c.address(0), c.address(1));
    let tx = c.tx(1, vec![sign_attributes_msg(&auditor, &provider, &[("a1", "x"), ("b2", "y")])]);
    deliver_ok(&mut c, tx);
    let tx = c.tx(1, vec![delete_attributes_msg(&auditor, &provider, &[])]);
    deliver_ok(&mut c, tx);
    assert!(c.prefix_dump(0x31).is_empty());
}

#[test]
fn audit_list_filters_by_provider_and_by_auditor() {
    let mut c = chain();
    let (p0, p1, a2, a3) = (c.address(0), c.address(1), c.address(2), c.address(3));
    let t1 = c.tx(
        2,
        vec![
            sign_attributes_msg(&a2, &p0, &[("k1", "v")]),
            sign_attributes_msg(&a2, &p1, &[("k2", "v")]),
        ],
    );
    let t2 = c.tx(3, vec![sign_attributes_msg(&a3, &p0, &[("k3", "v")])]);
    let r = c.deliver_block(vec![t1, t2]);
    assert!(r.tx_results.iter().all(|t| t.code == 0), "{:?}", r.tx_results);
    let q = |c: &TestChain, req: serde_json::Value| -> Vec<AuditedAttributes> {
        serde_json::from_slice(&c.query("/audit/list", req.to_string().as_bytes(), 0, false).value)
            .unwrap()
    };
    assert_eq!(q(&c, serde_json::json!({})).len(), 3);
    let by_p0 = q(&c, serde_json::json!({"provider": p0.to_string()}));
    assert_eq!(by_p0.len(), 2);
    assert!(by_p0.iter().all(|r| r.owner == p0));
    let by_a2 = q(&c, serde_json::json!({"auditor": a2.to_string()}));
    assert_eq!(by_a2.len(), 2);
    assert!(by_a2.iter().all(|r| r.auditor == a2));
    let both = q(&c, serde_json::json!({"provider": p0.to_string(), "auditor": a3.to_string()}));
    assert_eq!(both.len(), 1);
    assert_eq!(both[0].attributes, attrs(&[("k3", "v")]));
}

#[test]
fn deleting_a_key_the_auditor_never_signed_fails_and_keeps_the_record() {
    let mut c = chain();
    let (provider, auditor) = (c.address(0), c.address(1));
    let tx = c.tx(1, vec![sign_attributes_msg(&auditor, &provider, &[("region", "eu")])]);
    deliver_ok(&mut c, tx);
    let tx = c.tx(1, vec![delete_attributes_msg(&auditor, &provider, &["region", "tier"])]);
    assert_fails_in_block(&mut c, tx, "audit", 4, "has not signed \"tier\"");
    let st = c.store().latest();
    assert_eq!(
        audit::signed_attributes(&st, &provider, &auditor).unwrap(),
        attrs(&[("region", "eu")])
    );
}

#[test]
fn deleting_from_a_record_that_does_not_exist_fails_with_record_not_found() {
    let mut c = chain();
    let (provider, auditor) = (c.address(0), c.address(1));
    let tx = c.tx(1, vec![delete_attributes_msg(&auditor, &provider, &["region"])]);
    assert_fails_in_block(&mut c, tx, "audit", 3, "has signed no attributes");
}

#[test]
fn signing_as_another_auditor_is_unauthorized_because_the_signer_must_be_the_auditor() {
    let mut c = chain();
    let (provider, auditor) = (c.address(0), c.address(1));
    // Key 2 claims to be auditor 1: the ante refuses (signer ≠ sender).
    let tx = c.tx(2, vec![sign_attributes_msg(&auditor, &provider, &[("region", "eu")])]);
    assert_refused(&mut c, tx, "sdk", 4, "unauthorized");
    let tx = c.tx(2, vec![delete_attributes_msg(&auditor, &provider, &[])]);
    assert_refused(&mut c, tx, "sdk", 4, "unauthorized");
}

#[test]
fn malformed_audit_attributes_are_refused() {
    let mut c = chain();
    let (provider, auditor) = (c.address(0), c.address(1));
    for (pairs, why) in [
        (vec![], "no attributes"),
        (vec![("9lives", "x")], "must match"),
        (vec![("region", "eu"), ("region", "us")], "duplicate attribute key"),
        (vec![("region", "")], "is empty"),
    ] {
        let tx = c.tx(1, vec![sign_attributes_msg(&auditor, &provider, &pairs)]);
        assert_refused(&mut c, tx, "audit", 2, why);
    }
    let tx = c.tx(1, vec![delete_attributes_msg(&auditor, &provider, &["k1", "k1"])]);
    assert_refused(&mut c, tx, "audit", 2, "duplicate key");
}
