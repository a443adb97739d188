//! Shared helpers of the registry tests (provider, audit, cert): outcome assertions that
//! also prove the registry state did not change, and test certificates made with rcgen.
#![allow(dead_code, clippy::unwrap_used)]

use base64::Engine;
use dcloud_app::testkit::TestChain;
use dcloud_app::TxResult;
use dcloud_types::AccAddress;
use p256::ecdsa::signature::Signer;

/// Everything the registry modules keep: providers, audit records, certificates.
pub fn registry(c: &TestChain) -> Vec<(Vec<u8>, Vec<u8>)> {
    [0x30, 0x31, 0x32].iter().flat_map(|p| c.prefix_dump(*p)).collect()
}

/// Delivers `tx` alone in a block; it must succeed. Returns its result.
pub fn deliver_ok(c: &mut TestChain, tx: Vec<u8>) -> TxResult {
    let chk = c.check_tx(&tx);
    assert_eq!(chk.code, 0, "check_tx: {}", chk.log);
    let r = c.deliver_block(vec![tx]).tx_results.remove(0);
    assert_eq!(r.code, 0, "{}", r.log);
    r
}

/// A tx whose message fails its stateless checks: `check_tx` refuses it, and in a block
/// it fails with the same code and log before the ante, leaving the app hash unchanged.
pub fn assert_refused(c: &mut TestChain, tx: Vec<u8>, codespace: &str, code: u32, log: &str) {
    let before = c.app_hash();
    let chk = c.check_tx(&tx);
    assert_eq!((chk.codespace.as_str(), chk.code), (codespace, code), "check_tx: {}", chk.log);
    assert!(chk.log.contains(log), "check_tx log {:?} lacks {log:?}", chk.log);
    let r = c.deliver_block(vec![tx]).tx_results.remove(0);
    assert_eq!((r.codespace.as_str(), r.code), (codespace, code), "{}", r.log);
    assert!(r.log.contains(log), "log {:?} lacks {log:?}", r.log);
    assert!(r.events.is_empty(), "a refused tx emits nothing: {:?}", r.events);
    assert_eq!(c.app_hash(), before, "state changed");
}

/// A tx that passes `check_tx` but whose message fails against state: it fails with
/// `code` and `log` in its block (the fee is charged), no registry key changes, no
/// message or module events are kept.
pub fn assert_fails_in_block(
    c: &mut TestChain,
    tx: Vec<u8>,
    codespace: &str,
    code: u32,
    log: &str,
) {
    let before = registry(c);
    let chk = c.check_tx(&tx);
    assert_eq!(chk.code, 0, "ante passes in check_tx: {}", chk.log);
    let r = c.deliver_block(vec![tx]).tx_results.remove(0);
    assert_eq!((r.codespace.as_str(), r.code), (codespace, code), "{}", r.log);
    assert!(r.log.contains(log), "log {:?} lacks {log:?}", r.log);
    assert!(
        r.events.iter().all(|e| e.kind != "message" && !e.kind.starts_with("Event")),
        "only the ante's fee events are kept: {:?}",
        r.events
    );
    assert_eq!(registry(c), before, "registry state changed");
}

/// The event of `kind` in a result, which must be there.
pub fn event<'a>(r: &'a TxResult, kind: &str) -> &'a dcloud_types::Event {
    r.events
        .iter()
        .find(|e| e.kind == kind)
        .unwrap_or_else(|| panic!("no {kind} in {:?}", r.events))
}

struct P256Remote {
    key: p256::ecdsa::SigningKey,
    public: Vec<u8>,
}

impl rcgen::RemoteKeyPair for P256Remote {
    fn public_key(&self) -> &[u8] {
        &self.public
    }
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        let sig: p256::ecdsa::Signature = self.key.sign(msg);
        Ok(sig.to_der().as_bytes().to_vec())
    }
    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_ECDSA_P256_SHA256
    }
}

/// A deterministic P-256 key from a seed byte.
pub fn p256_key(seed: u8) -> p256::ecdsa::SigningKey {
    p256::ecdsa::SigningKey::from_bytes(&[seed.max(1); 32].into()).unwrap()
}

/// A self-signed ECDSA P-256 certificate with subject CN `cn` and `serial` (< 2^63),
/// signed by the key of `seed`. Returns (certificate PEM, public key PEM).
pub fn make_cert(cn: &str, serial: u64, seed: u8) -> (String, String) {
    let key = p256_key(seed);
    let public = key.verifying_key().to_encoded_point(false).as_bytes().to_vec();
    let kp = rcgen::KeyPair::from_remote(Box::new(P256Remote { key, public })).unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(rcgen::DnType::CommonName, cn);
    let bytes = serial.to_be_bytes();
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(7);
    params.serial_number = Some(rcgen::SerialNumber::from_slice(&bytes[first..]));
    let cert = params.self_signed(&kp).unwrap();
    (cert.pem(), kp.public_key_pem())
}

/// A certificate for `owner`.
pub fn cert_for(owner: &AccAddress, serial: u64, seed: u8) -> (String, String) {
    make_cert(&owner.to_string(), serial, seed)
}

/// The DER of a one-block PEM, and back.
pub fn pem_der(pem: &str) -> Vec<u8> {
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(b64).unwrap()
}

/// PEM text of `der` with `label`.
pub fn to_pem(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut s = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        s.push_str(std::str::from_utf8(chunk).unwrap());
        s.push('\n');
    }
    s.push_str(&format!("-----END {label}-----\n"));
    s
}
