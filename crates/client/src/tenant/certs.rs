//! Certificates for the gateway's mutual TLS.
//!
//! Both ends use self-signed X.509 certificates over an ECDSA P-256 key, subject CN = the
//! holder's bech32 address, published on chain with `MsgCreateCertificate` (the chain
//! checks exactly that: one PEM block, P-256, ecdsa-with-SHA256 self-signature, CN =
//! owner; see `dcloud_chain::cert`). Tenants present theirs as TLS client
//! certificates; the provider serves its own (with the host of its host URI as a SAN) and
//! tenants pin it against the provider's on-chain certificates.
//!
//! [`generate_client_cert`] makes a fresh key and certificate (the provider's
//! `generate_server_cert` builds on [`generate`]); [`self_signed_cert`] is the building block (the CLI's `cert generate` uses the same
//! shape). [`inspect_self_signed_p256`] is the structural check both TLS verifiers apply to
//! a peer's certificate before anything else.

use std::time::Duration;

use dcloud_proto::dcloud::cert::MsgCreateCertificate;
use dcloud_proto::Msg;
use dcloud_types::AccAddress;
use p256::ecdsa::signature::Verifier;
use x509_parser::oid_registry::{
    OID_EC_P256, OID_KEY_TYPE_EC_PUBLIC_KEY, OID_SIG_ECDSA_WITH_SHA256,
};
use x509_parser::prelude::{FromDer, X509Certificate};

/// Default validity of generated certificates: one year.
pub const DEFAULT_VALIDITY: Duration = Duration::from_secs(365 * 24 * 3600);

/// Errors generating, reading or checking a certificate.
#[derive(Debug, thiserror::Error)]
pub enum CertError {
    /// Building the certificate failed.
    #[error("cannot generate certificate: {0}")]
    Generate(String),
    /// The PEM text is not what was expected.
    #[error("invalid PEM: {0}")]
    Pem(String),
    /// The certificate does not have the required shape.
    #[error("invalid certificate: {0}")]
    Invalid(String),
    /// The host URI cannot be parsed.
    #[error("invalid host URI {uri:?}: {reason}")]
    HostUri {
        /// The URI.
        uri: String,
        /// Why.
        reason: String,
    },
}

/// A freshly generated key and certificate.
#[derive(Clone)]
pub struct GeneratedCert {
    /// The certificate, one PEM `CERTIFICATE` block.
    pub cert_pem: String,
    /// The private key, PKCS#8 PEM (`PRIVATE KEY`). Keep it secret.
    pub key_pem: String,
    /// The public key, PEM (`EC PUBLIC KEY`), as `MsgCreateCertificate` carries it.
    pub pubkey_pem: String,
    /// The serial number, decimal (the chain keys certificates by it).
    pub serial: String,
}

impl std::fmt::Debug for GeneratedCert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratedCert").field("serial", &self.serial).finish_non_exhaustive()
    }
}

impl GeneratedCert {
    /// The message that publishes this certificate on chain for `owner` (who signs it).
    pub fn publish_msg(&self, owner: &AccAddress) -> Msg {
        Msg::CreateCertificate(MsgCreateCertificate {
            owner: owner.to_string(),
            cert: self.cert_pem.clone().into_bytes(),
            pubkey: self.pubkey_pem.clone().into_bytes(),
        })
    }
}

/// What to put in a certificate besides CN and serial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertOptions {
    /// Subject alternative names (IP literals become IP SANs, the rest DNS names).
    pub sans: Vec<String>,
    /// Set the ClientAuth extended key usage.
    pub client_auth: bool,
    /// Set the ServerAuth extended key usage.
    pub server_auth: bool,
    /// Validity from now; `None`: rcgen's default (1975 to 4096).
    pub validity: Option<Duration>,
}

impl Default for CertOptions {
    fn default() -> Self {
        Self {
            sans: Vec::new(),
            client_auth: true,
            server_auth: true,
            validity: Some(DEFAULT_VALIDITY),
        }
    }
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
        use p256::ecdsa::signature::Signer;
        let sig: p256::ecdsa::Signature = self.key.sign(msg);
        Ok(sig.to_der().as_bytes().to_vec())
    }
    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_ECDSA_P256_SHA256
    }
}

fn gen_err(e: impl std::fmt::Display) -> CertError {
    CertError::Generate(e.to_string())
}

/// A self-signed ECDSA P-256 certificate for `cn` with `serial`, signed by `key`; PEM.
///
/// rcgen builds the certificate; the key stays a `p256` key (no ring or aws-lc in rcgen).
pub fn self_signed_cert(
    key: &p256::ecdsa::SigningKey,
    cn: &str,
    serial: u64,
    opts: &CertOptions,
) -> Result<String, CertError> {
    let public = key.verifying_key().to_encoded_point(false).as_bytes().to_vec();
    let kp = rcgen::KeyPair::from_remote(Box::new(P256Remote { key: key.clone(), public }))
        .map_err(gen_err)?;
    let mut params = rcgen::CertificateParams::new(opts.sans.clone()).map_err(gen_err)?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(rcgen::DnType::CommonName, cn);
    let bytes = serial.to_be_bytes();
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(7);
    params.serial_number = Some(rcgen::SerialNumber::from_slice(&bytes[first..]));
    if let Some(v) = opts.validity {
        let now = time::OffsetDateTime::now_utc();
        // A little slack for clocks that disagree.
        params.not_before = now - time::Duration::minutes(5);
        params.not_after = now
            + time::Duration::try_from(v)
                .map_err(|e| CertError::Generate(format!("validity: {e}")))?;
    }
    params.key_usages =
        vec![rcgen::KeyUsagePurpose::DigitalSignature, rcgen::KeyUsagePurpose::KeyAgreement];
    if opts.client_auth {
        params.extended_key_usages.push(rcgen::ExtendedKeyUsagePurpose::ClientAuth);
    }
    if opts.server_auth {
        params.extended_key_usages.push(rcgen::ExtendedKeyUsagePurpose::ServerAuth);
    }
    Ok(params.self_signed(&kp).map_err(gen_err)?.pem())
}

/// The public key PEM the chain stores with a certificate (`EC PUBLIC KEY`).
pub fn public_key_pem(key: &p256::ecdsa::SigningKey) -> Result<String, CertError> {
    use p256::pkcs8::{EncodePublicKey, LineEnding};
    let der = key.verifying_key().to_public_key_der().map_err(gen_err)?;
    let pem = der.to_pem("PUBLIC KEY", LineEnding::LF).map_err(gen_err)?;
    Ok(pem.replace("PUBLIC KEY-----", "EC PUBLIC KEY-----"))
}

/// A fresh P-256 key and a self-signed certificate for `cn` with `opts`.
pub fn generate(cn: &str, opts: &CertOptions) -> Result<GeneratedCert, CertError> {
    use p256::pkcs8::{EncodePrivateKey, LineEnding};
    let key = p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng);
    // Positive, non-zero, at most 63 bits: a valid DER INTEGER serial.
    let serial = (rand::random::<u64>() >> 1) | 1;
    let cert_pem = self_signed_cert(&key, cn, serial, opts)?;
    let key_pem = key.to_pkcs8_pem(LineEnding::LF).map_err(gen_err)?.to_string();
    Ok(GeneratedCert {
        cert_pem,
        key_pem,
        pubkey_pem: public_key_pem(&key)?,
        serial: serial.to_string(),
    })
}

/// A tenant's client certificate: fresh P-256 key, CN = `owner`, ClientAuth and
/// ServerAuth usages, valid for one year. Publish it with [`GeneratedCert::publish_msg`].
pub fn generate_client_cert(owner: &AccAddress) -> Result<GeneratedCert, CertError> {
    generate(&owner.to_string(), &CertOptions::default())
}

/// The host part of a URI (`https://[::1]:8443` → `::1`), without brackets.
pub fn host_of_uri(host_uri: &str) -> Result<String, CertError> {
    let err = |reason: &str| CertError::HostUri { uri: host_uri.into(), reason: reason.into() };
    let uri: hyper::Uri = host_uri.parse().map_err(|_| err("not a URI"))?;
    let host = uri.host().ok_or_else(|| err("no host"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return Err(err("empty host"));
    }
    Ok(host.to_string())
}

/// The DER of the single `CERTIFICATE` block in `pem`.
pub fn cert_pem_to_der(pem: &str) -> Result<Vec<u8>, CertError> {
    let mut certs = Vec::new();
    for item in rustls_pemfile::certs(&mut pem.as_bytes()) {
        certs.push(item.map_err(|e| CertError::Pem(e.to_string()))?);
    }
    match certs.len() {
        1 => Ok(certs.remove(0).as_ref().to_vec()),
        0 => Err(CertError::Pem("no CERTIFICATE block".into())),
        n => Err(CertError::Pem(format!("{n} CERTIFICATE blocks, expected one"))),
    }
}

/// The facts of a self-signed P-256 certificate that the gateway and the tenant check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertFacts {
    /// The subject common name.
    pub cn: String,
    /// Not valid before (Unix seconds).
    pub not_before: i64,
    /// Not valid after (Unix seconds).
    pub not_after: i64,
    /// No extended key usage extension, or one that lists ClientAuth (or anyExtendedKeyUsage).
    pub client_auth: bool,
    /// No extended key usage extension, or one that lists ServerAuth (or anyExtendedKeyUsage).
    pub server_auth: bool,
}

impl CertFacts {
    /// `Ok` when `now` (Unix seconds) is within the validity period.
    pub fn check_validity(&self, now: i64) -> Result<(), CertError> {
        if now < self.not_before {
            return Err(CertError::Invalid("certificate is not valid yet".into()));
        }
        if now > self.not_after {
            return Err(CertError::Invalid("certificate has expired".into()));
        }
        Ok(())
    }
}

/// Parses `der` and checks that it is an X.509 certificate over an ECDSA P-256 key,
/// self-signed with ecdsa-with-SHA256 (the signature verifies with its own key), with
/// exactly one subject CN. Does not check time or usage (see [`CertFacts`]).
pub fn inspect_self_signed_p256(der: &[u8]) -> Result<CertFacts, CertError> {
    let invalid = |s: &str| CertError::Invalid(s.to_string());
    let (rest, cert) = X509Certificate::from_der(der)
        .map_err(|e| CertError::Invalid(format!("not an X.509 certificate: {e}")))?;
    if !rest.is_empty() {
        return Err(invalid("trailing bytes after the certificate"));
    }
    let spki = cert.public_key();
    let curve = spki.algorithm.parameters.as_ref().and_then(|p| p.as_oid().ok());
    if spki.algorithm.algorithm != OID_KEY_TYPE_EC_PUBLIC_KEY
        || curve.as_ref() != Some(&OID_EC_P256)
    {
        return Err(invalid("the key is not an ECDSA P-256 key"));
    }
    if cert.signature_algorithm.algorithm != OID_SIG_ECDSA_WITH_SHA256 {
        return Err(invalid("the signature algorithm is not ecdsa-with-SHA256"));
    }
    let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(&spki.subject_public_key.data)
        .map_err(|_| invalid("the key is not a valid P-256 point"))?;
    let sig = p256::ecdsa::Signature::from_der(&cert.signature_value.data)
        .map_err(|_| invalid("the signature is not a DER ECDSA signature"))?;
    vk.verify(cert.tbs_certificate.as_ref(), &sig)
        .map_err(|_| invalid("the certificate is not self-signed by its key"))?;
    let mut cns = cert.subject().iter_common_name();
    let cn = cns
        .next()
        .and_then(|a| a.as_str().ok())
        .ok_or_else(|| invalid("the certificate has no subject CN"))?
        .to_string();
    if cns.next().is_some() {
        return Err(invalid("the certificate has more than one subject CN"));
    }
    let (client_auth, server_auth) = match cert.extended_key_usage() {
        Ok(None) => (true, true),
        Ok(Some(eku)) => {
            let e = eku.value;
            (e.any || e.client_auth, e.any || e.server_auth)
        }
        Err(e) => return Err(CertError::Invalid(format!("extended key usage: {e}"))),
    };
    Ok(CertFacts {
        cn,
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
        client_auth,
        server_auth,
    })
}

/// Current Unix time in seconds.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr() -> AccAddress {
        dcloud_crypto::secp256k1::SigningKey::random().public_key().address()
    }

    #[test]
    fn client_cert_is_accepted_by_the_chain_rules() {
        let owner = addr();
        let g = generate_client_cert(&owner).unwrap();
        let v = dcloud_chain::cert::verify_certificate(
            &owner,
            g.cert_pem.as_bytes(),
            g.pubkey_pem.as_bytes(),
        )
        .unwrap();
        assert_eq!(v.serial, g.serial);
        let facts = inspect_self_signed_p256(&cert_pem_to_der(&g.cert_pem).unwrap()).unwrap();
        assert_eq!(facts.cn, owner.to_string());
        assert!(facts.client_auth && facts.server_auth);
        let now = unix_now();
        facts.check_validity(now).unwrap();
        assert!(facts.not_after - now > 364 * 24 * 3600);
        assert!(facts.check_validity(now + 366 * 24 * 3600).is_err());
        assert!(facts.check_validity(now - 3600).is_err());
    }

    #[test]
    fn tampered_or_foreign_certs_are_rejected() {
        let g = generate_client_cert(&addr()).unwrap();
        let mut der = cert_pem_to_der(&g.cert_pem).unwrap();
        // Flip a byte inside the TBS (the CN region is near the start).
        let n = der.len() / 3;
        der[n] ^= 0x01;
        assert!(inspect_self_signed_p256(&der).is_err());
        assert!(cert_pem_to_der("garbage").is_err());
        let two = format!("{}{}", g.cert_pem, g.cert_pem);
        assert!(matches!(cert_pem_to_der(&two), Err(CertError::Pem(_))));
    }

    #[test]
    fn host_of_uri_strips_brackets() {
        assert_eq!(host_of_uri("https://[::1]:8443").unwrap(), "::1");
        assert_eq!(host_of_uri("https://localhost").unwrap(), "localhost");
    }
}
