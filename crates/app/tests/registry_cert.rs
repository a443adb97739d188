//! Certificates: publish and revoke; every malformed or foreign certificate refused with a
//! clear error and no state change. Certificates are made with rcgen over a P-256 key.

mod registry_common;

use dcloud_app::modules::cert::{self, CertState, Certificate};
use dcloud_app::testkit::{create_certificate_msg, revoke_certificate_msg, TestChain, TestConfig};
use registry_common::{
    assert_fails_in_block, assert_refused, cert_for, deliver_ok, event, make_cert, pem_der, to_pem,
};

fn chain() -> TestChain {
    TestChain::new(TestConfig::default())
}

fn certs(c: &TestChain, req: serde_json::Value) -> Vec<Certificate> {
    serde_json::from_slice(&c.query("/cert/list", req.to_string().as_bytes(), 0, false).value)
        .unwrap()
}

#[test]
fn an_owner_publishes_a_certificate_and_it_is_listed_as_valid() {
    let mut c = chain();
    let owner = c.address(0);
    let (pem, pk) = cert_for(&owner, 42, 7);
    let tx = c.tx(0, vec![create_certificate_msg(&owner, &pem, &pk)]);
    let r = deliver_ok(&mut c, tx);
    let e = event(&r, "EventCertificateCreated");
    assert_eq!(e.get("owner"), Some(owner.to_string().as_str()));
    assert_eq!(e.get("serial"), Some("42"));
    let got = certs(&c, serde_json::json!({"owner": owner.to_string()}));
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].serial.as_str(), got[0].state), ("42", CertState::Valid));
    assert_eq!(got[0].cert, pem);
}

#[test]
fn an_owner_revokes_its_certificate_and_revoking_twice_fails() {
    let mut c = chain();
    let owner = c.address(1);
    let (pem, pk) = cert_for(&owner, 5, 3);
    let tx = c.tx(1, vec![create_certificate_msg(&owner, &pem, &pk)]);
    deliver_ok(&mut c, tx);
    let tx = c.tx(1, vec![revoke_certificate_msg(&owner, "5")]);
    let r = deliver_ok(&mut c, tx);
    assert_eq!(event(&r, "EventCertificateRevoked").get("serial"), Some("5"));
    let st = c.store().latest();
    assert_eq!(cert::get_certificate(&st, &owner, "5").unwrap().unwrap().state, CertState::Revoked);
    let tx = c.tx(1, vec![revoke_certificate_msg(&owner, "5")]);
    assert_fails_in_block(&mut c, tx, "cert", 6, "already revoked");
}

#[test]
fn cert_list_filters_by_owner_state_and_serial() {
    let mut c = chain();
    let (a, b) = (c.address(0), c.address(1));
    let (p1, k1) = cert_for(&a, 1, 1);
    let (p2, k2) = cert_for(&a, 2, 2);
    let (p3, k3) = cert_for(&b, 1, 3);
    let t1 =
        c.tx(0, vec![create_certificate_msg(&a, &p1, &k1), create_certificate_msg(&a, &p2, &k2)]);
    let t2 = c.tx(1, vec![create_certificate_msg(&b, &p3, &k3)]);
    let r = c.deliver_block(vec![t1, t2]);
    assert!(r.tx_results.iter().all(|t| t.code == 0), "{:?}", r.tx_results);
    let tx = c.tx(0, vec![revoke_certificate_msg(&a, "2")]);
    deliver_ok(&mut c, tx);
    assert_eq!(certs(&c, serde_json::json!({})).len(), 3);
    assert_eq!(certs(&c, serde_json::json!({"owner": a.to_string()})).len(), 2);
    let valid = certs(&c, serde_json::json!({"owner": a.to_string(), "state": "valid"}));
    assert_eq!(valid.len(), 1);
    assert_eq!(valid[0].serial, "1");
    assert_eq!(certs(&c, serde_json::json!({"state": "revoked"})).len(), 1);
    assert_eq!(certs(&c, serde_json::json!({"serial": "1"})).len(), 2);
    let e = c.app().query("/cert/list", br#"{"state":"expired"}"#, 0, false).unwrap_err();
    assert!(e.to_string().contains("unknown certificate state"), "{e}");
}

#[test]
fn a_certificate_whose_cn_is_not_the_sender_is_refused() {
    let mut c = chain();
    let (owner, other) = (c.address(0), c.address(1));
    let (pem, pk) = cert_for(&other, 9, 4);
    let tx = c.tx(0, vec![create_certificate_msg(&owner, &pem, &pk)]);
    assert_refused(&mut c, tx, "cert", 3, "expected the owner");
    let (pem, pk) = make_cert("alice", 9, 4);
    let tx = c.tx(0, vec![create_certificate_msg(&owner, &pem, &pk)]);
    assert_refused(&mut c, tx, "cert", 3, "subject CN is \"alice\"");
}

#[test]
fn malformed_certificates_are_refused_with_a_reason() {
    let mut c = chain();
    let owner = c.address(0);
    let (pem, pk) = cert_for(&owner, 11, 5);
    let der = pem_der(&pem);
    let mut bad_sig = der.clone();
    let last = bad_sig.len() - 1;
    bad_sig[last] ^= 0x01;
    let (_, other_pk) = cert_for(&owner, 11, 6);
    let cases: Vec<(String, String, &str)> = vec![
        ("hello".into(), pk.clone(), "is not PEM"),
        (to_pem("PRIVATE KEY", &der), pk.clone(), "expected CERTIFICATE"),
        (to_pem("CERTIFICATE", b"\x30\x03\x02\x01\x01"), pk.clone(), "not a valid X.509"),
        (format!("{pem}{pem}"), pk.clone(), "trailing data"),
        (to_pem("CERTIFICATE", &bad_sig), pk.clone(), "does not verify"),
        (pem.clone(), other_pk, "does not match the certificate"),
        (pem.clone(), "junk".into(), "pubkey is not PEM"),
    ];
    for (cert_pem, pk_pem, why) in cases {
        let tx = c.tx(0, vec![create_certificate_msg(&owner, &cert_pem, &pk_pem)]);
        assert_refused(&mut c, tx, "cert", 2, why);
    }
    assert!(c.prefix_dump(0x32).is_empty());
}

#[test]
fn a_serial_once_used_cannot_be_published_again_even_after_revocation() {
    let mut c = chain();
    let owner = c.address(0);
    let (pem, pk) = cert_for(&owner, 77, 8);
    let tx = c.tx(0, vec![create_certificate_msg(&owner, &pem, &pk)]);
    deliver_ok(&mut c, tx);
    // Another key, same serial.
    let (pem2, pk2) = cert_for(&owner, 77, 9);
    let tx = c.tx(0, vec![create_certificate_msg(&owner, &pem2, &pk2)]);
    assert_fails_in_block(&mut c, tx, "cert", 4, "already published serial 77");
    let tx = c.tx(0, vec![revoke_certificate_msg(&owner, "77")]);
    deliver_ok(&mut c, tx);
    let tx = c.tx(0, vec![create_certificate_msg(&owner, &pem2, &pk2)]);
    assert_fails_in_block(&mut c, tx, "cert", 4, "already published serial 77");
}

#[test]
fn revoking_someone_elses_certificate_is_impossible() {
    let mut c = chain();
    let (owner, thief) = (c.address(0), c.address(1));
    let (pem, pk) = cert_for(&owner, 3, 2);
    let tx = c.tx(0, vec![create_certificate_msg(&owner, &pem, &pk)]);
    deliver_ok(&mut c, tx);
    // Naming the owner: the signer must be the owner, whose account already holds its own
    // public key, so the ante refuses the thief's key.
    let tx = c.tx(1, vec![revoke_certificate_msg(&owner, "3")]);
    assert_refused(&mut c, tx, "sdk", 8, "does not match the key registered");
    // Naming itself: it has no such certificate.
    let tx = c.tx(1, vec![revoke_certificate_msg(&thief, "3")]);
    assert_fails_in_block(&mut c, tx, "cert", 5, "has no certificate with serial 3");
    let st = c.store().latest();
    assert_eq!(cert::get_certificate(&st, &owner, "3").unwrap().unwrap().state, CertState::Valid);
}

#[test]
fn a_malformed_serial_in_a_revocation_is_refused() {
    let mut c = chain();
    let owner = c.address(0);
    let tx = c.tx(0, vec![revoke_certificate_msg(&owner, "0x1f")]);
    assert_refused(&mut c, tx, "sdk", 18, "not a decimal number");
}
