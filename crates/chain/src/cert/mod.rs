//! The cert module: certificates for mutual TLS between tenants and providers, published
//! and revoked on chain. Providers check a client's certificate against chain state.
//!
//! State: `0x32 ‖ len ‖ owner ‖ serial` → [`Certificate`] (JSON); `serial` is the decimal
//! serial number (ASCII). A serial stays taken once used, in any state.
//!
//! `MsgCreateCertificate` (signer: owner): the cert must be one PEM `CERTIFICATE` block
//! holding an X.509 certificate with an ECDSA P-256 key, self-signed with
//! ecdsa-with-SHA256 (the signature over the TBS verifies with its own key), subject CN
//! equal to the owner's bech32 address; the pubkey PEM (`EC PUBLIC KEY` or `PUBLIC KEY`)
//! must be the certificate's SubjectPublicKeyInfo. No expiry check on chain.
//! `MsgRevokeCertificate` (signer: owner): must exist and be valid; revoked is terminal.
//! Events: `EventCertificateCreated` / `EventCertificateRevoked` with `owner`, `serial`.

mod module;
pub mod query;
pub use module::CertModule;

use dcloud_proto::dcloud::cert as pb;
use dcloud_store::{StateRead, StateWrite};
use dcloud_types::{AccAddress, Event};
use p256::ecdsa::signature::Verifier;
use serde::{Deserialize, Serialize};
use x509_parser::oid_registry::{
    OID_EC_P256, OID_KEY_TYPE_EC_PUBLIC_KEY, OID_SIG_ECDSA_WITH_SHA256,
};
use x509_parser::prelude::{FromDer, SubjectPublicKeyInfo, X509Certificate};

use crate::AppError;

/// The module name.
pub const NAME: &str = "cert";
/// Largest accepted certificate or public-key PEM, in bytes.
pub const MAX_PEM_BYTES: usize = 8 * 1024;

/// State of a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CertState {
    /// Usable.
    Valid,
    /// Revoked by its owner (terminal).
    Revoked,
}

impl std::str::FromStr for CertState {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, AppError> {
        match s {
            "valid" => Ok(Self::Valid),
            "revoked" => Ok(Self::Revoked),
            other => Err(AppError::InvalidRequest(format!(
                "unknown certificate state {other:?} (valid or revoked)"
            ))),
        }
    }
}

/// A published certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    /// Owner.
    pub owner: AccAddress,
    /// Serial number, decimal.
    pub serial: String,
    /// State.
    pub state: CertState,
    /// The certificate PEM.
    pub cert: String,
    /// The public key PEM.
    pub pubkey: String,
}

/// The key of a certificate.
pub fn cert_key(owner: &AccAddress, serial: &str) -> Vec<u8> {
    let mut k = owner_prefix(owner);
    k.extend_from_slice(serial.as_bytes());
    k
}

fn owner_prefix(owner: &AccAddress) -> Vec<u8> {
    let b = owner.as_bytes();
    let mut k = Vec::with_capacity(2 + b.len() + 40);
    k.push(0x32);
    k.push(b.len() as u8);
    k.extend_from_slice(b);
    k
}

fn invalid(why: impl Into<String>) -> AppError {
    AppError::InvalidCertificate(why.into())
}

/// Reads exactly one PEM block with one of `labels`; returns its DER contents.
fn single_pem(data: &[u8], labels: &[&str], what: &str) -> Result<Vec<u8>, AppError> {
    if data.len() > MAX_PEM_BYTES {
        return Err(invalid(format!("{what} PEM is larger than {MAX_PEM_BYTES} bytes")));
    }
    let (rest, pem) = x509_parser::pem::parse_x509_pem(data)
        .map_err(|e| invalid(format!("{what} is not PEM: {e}")))?;
    if !labels.contains(&pem.label.as_str()) {
        return Err(invalid(format!(
            "{what} PEM type is {:?}, expected {}",
            pem.label,
            labels.join(" or ")
        )));
    }
    if !rest.iter().all(u8::is_ascii_whitespace) {
        return Err(invalid(format!("{what} PEM has trailing data (one block expected)")));
    }
    Ok(pem.contents)
}

/// The facts of a checked certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCert {
    /// Serial number, decimal.
    pub serial: String,
}

/// Parses and checks a certificate for `owner` (see the module docs). Pure.
pub fn verify_certificate(
    owner: &AccAddress,
    cert_pem: &[u8],
    pubkey_pem: &[u8],
) -> Result<VerifiedCert, AppError> {
    let der = single_pem(cert_pem, &["CERTIFICATE"], "cert")?;
    let (rest, cert) = X509Certificate::from_der(&der)
        .map_err(|e| invalid(format!("cert is not a valid X.509 certificate: {e}")))?;
    if !rest.is_empty() {
        return Err(invalid("cert has trailing bytes after the X.509 structure"));
    }
    let spki = cert.public_key();
    if spki.algorithm.algorithm != OID_KEY_TYPE_EC_PUBLIC_KEY {
        return Err(invalid(format!(
            "public key algorithm {} is not ECDSA (id-ecPublicKey)",
            spki.algorithm.algorithm
        )));
    }
    let curve = spki.algorithm.parameters.as_ref().and_then(|p| p.as_oid().ok());
    if curve.as_ref() != Some(&OID_EC_P256) {
        return Err(invalid("public key curve is not P-256 (prime256v1)"));
    }
    let pk_der = single_pem(pubkey_pem, &["EC PUBLIC KEY", "PUBLIC KEY"], "pubkey")?;
    let (prest, pk) = SubjectPublicKeyInfo::from_der(&pk_der)
        .map_err(|e| invalid(format!("pubkey is not a SubjectPublicKeyInfo: {e}")))?;
    if !prest.is_empty() || pk.raw != spki.raw {
        return Err(invalid("pubkey does not match the certificate's public key"));
    }
    if cert.signature_algorithm.algorithm != OID_SIG_ECDSA_WITH_SHA256
        || cert.tbs_certificate.signature.algorithm != OID_SIG_ECDSA_WITH_SHA256
    {
        return Err(invalid(format!(
            "signature algorithm {} is not ecdsa-with-SHA256",
            cert.signature_algorithm.algorithm
        )));
    }
    let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(&spki.subject_public_key.data)
        .map_err(|_| invalid("public key is not a valid P-256 point"))?;
    let sig = p256::ecdsa::Signature::from_der(&cert.signature_value.data)
        .map_err(|_| invalid("signature is not a DER ECDSA signature"))?;
    vk.verify(cert.tbs_certificate.as_ref(), &sig)
        .map_err(|_| invalid("self-signature does not verify with the certificate's key"))?;
    let mut cns = cert.subject().iter_common_name();
    let cn = cns.next().and_then(|a| a.as_str().ok()).ok_or_else(|| {
        AppError::CertificateCnMismatch(format!("no subject CN; expected {owner}"))
    })?;
    if cns.next().is_some() {
        return Err(AppError::CertificateCnMismatch("more than one subject CN".into()));
    }
    if cn != owner.to_string() {
        return Err(AppError::CertificateCnMismatch(format!(
            "subject CN is {cn:?}, expected the owner {owner}"
        )));
    }
    Ok(VerifiedCert { serial: cert.tbs_certificate.serial.to_string() })
}

/// Stateless checks of `MsgCreateCertificate`.
pub fn validate_create(
    m: &pb::MsgCreateCertificate,
) -> Result<(AccAddress, VerifiedCert), AppError> {
    let owner: AccAddress = crate::parse_addr(&m.owner, "owner")?;
    let v = verify_certificate(&owner, &m.cert, &m.pubkey)?;
    Ok((owner, v))
}

/// Checks a decimal serial (digits, no leading zero, at most 80 digits).
pub fn validate_serial(s: &str) -> Result<(), AppError> {
    let ok = !s.is_empty()
        && s.len() <= 80
        && s.bytes().all(|c| c.is_ascii_digit())
        && (s == "0" || !s.starts_with('0'));
    if ok {
        Ok(())
    } else {
        Err(AppError::InvalidRequest(format!("serial {s:?} is not a decimal number")))
    }
}

/// Stateless checks of `MsgRevokeCertificate`.
pub fn validate_revoke(m: &pb::MsgRevokeCertificate) -> Result<(AccAddress, String), AppError> {
    let id =
        m.id.as_ref().ok_or_else(|| AppError::InvalidRequest("missing certificate id".into()))?;
    let owner: AccAddress = crate::parse_addr(&id.owner, "id.owner")?;
    validate_serial(&id.serial)?;
    Ok((owner, id.serial.clone()))
}

/// Reads a certificate.
pub fn get_certificate(
    state: &dyn StateRead,
    owner: &AccAddress,
    serial: &str,
) -> Result<Option<Certificate>, AppError> {
    match state.get(&cert_key(owner, serial))? {
        Some(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| AppError::ChainState(format!("corrupt certificate: {e}"))),
        None => Ok(None),
    }
}

fn set_certificate(state: &mut dyn StateWrite, c: &Certificate) -> Result<(), AppError> {
    let b = serde_json::to_vec(c).map_err(|e| AppError::InvalidRequest(e.to_string()))?;
    state.put(cert_key(&c.owner, &c.serial), b);
    Ok(())
}

/// Executes `MsgCreateCertificate`.
pub fn deliver_create(
    state: &mut dyn StateWrite,
    m: &pb::MsgCreateCertificate,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let (owner, v) = validate_create(m)?;
    if let Some(c) = get_certificate(state, &owner, &v.serial)? {
        return Err(AppError::CertificateExists(format!(
            "{owner} already published serial {} ({:?}); generate a new certificate",
            v.serial, c.state
        )));
    }
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    set_certificate(
        state,
        &Certificate {
            owner: owner.clone(),
            serial: v.serial.clone(),
            state: CertState::Valid,
            cert: text(&m.cert),
            pubkey: text(&m.pubkey),
        },
    )?;
    events.push(
        Event::new("EventCertificateCreated")
            .attr("module", NAME)
            .attr("owner", &owner)
            .attr("serial", &v.serial),
    );
    Ok(())
}

/// Executes `MsgRevokeCertificate`.
pub fn deliver_revoke(
    state: &mut dyn StateWrite,
    m: &pb::MsgRevokeCertificate,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let (owner, serial) = validate_revoke(m)?;
    let mut c = get_certificate(state, &owner, &serial)?.ok_or_else(|| {
        AppError::CertificateNotFound(format!("{owner} has no certificate with serial {serial}"))
    })?;
    if c.state == CertState::Revoked {
        return Err(AppError::CertificateRevoked(format!("serial {serial} of {owner}")));
    }
    c.state = CertState::Revoked;
    set_certificate(state, &c)?;
    events.push(
        Event::new("EventCertificateRevoked")
            .attr("module", NAME)
            .attr("owner", &owner)
            .attr("serial", &serial),
    );
    Ok(())
}

/// A filter for [`list`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertFilter {
    /// Only this owner's.
    #[serde(default)]
    pub owner: Option<String>,
    /// Only in this state (`valid` / `revoked`).
    #[serde(default)]
    pub state: Option<String>,
    /// Only this serial (decimal).
    #[serde(default)]
    pub serial: Option<String>,
}

/// Certificates matching `filter`, in key order (owner, serial), at most `limit`.
pub fn list(
    state: &dyn StateRead,
    filter: &CertFilter,
    limit: usize,
) -> Result<Vec<Certificate>, AppError> {
    let owner = filter.owner.as_deref().map(|o| crate::parse_addr(o, "owner")).transpose()?;
    let want_state = filter.state.as_deref().map(str::parse::<CertState>).transpose()?;
    if let (Some(o), Some(s)) = (&owner, &filter.serial) {
        return Ok(get_certificate(state, o, s)?
            .into_iter()
            .filter(|c| want_state.is_none_or(|w| w == c.state))
            .collect());
    }
    let prefix = owner.as_ref().map_or_else(|| vec![0x32], owner_prefix);
    let mut out = Vec::new();
    for (_, v) in state.prefix_range(&prefix, None, usize::MAX)? {
        let c: Certificate = serde_json::from_slice(&v)
            .map_err(|e| AppError::ChainState(format!("corrupt certificate: {e}")))?;
        if want_state.is_some_and(|w| w != c.state)
            || filter.serial.as_ref().is_some_and(|s| s != &c.serial)
        {
            continue;
        }
        out.push(c);
        if out.len() >= limit {
            break;
        }
    }
    Ok(out)
}

/// Invariants: every certificate sits under its (owner, serial) key.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    for (k, v) in state.prefix_range(&[0x32], None, usize::MAX)? {
        let c: Certificate = serde_json::from_slice(&v)
            .map_err(|e| AppError::Invariant(format!("corrupt certificate: {e}")))?;
        if k != cert_key(&c.owner, &c.serial) {
            return Err(AppError::Invariant(format!(
                "certificate {}/{} under a foreign key",
                c.owner, c.serial
            )));
        }
    }
    Ok(())
}
