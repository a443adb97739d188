//! Stateless checks of the cert messages (`MsgCreateCertificate`,
//! `MsgRevokeCertificate`) and the pure certificate verification providers reuse.

use dcloud_proto::dcloud::cert as pb;
use dcloud_types::AccAddress;
use p256::ecdsa::signature::Verifier;
use x509_parser::oid_registry::{
    OID_EC_P256, OID_KEY_TYPE_EC_PUBLIC_KEY, OID_SIG_ECDSA_WITH_SHA256,
};
use x509_parser::prelude::{FromDer, SubjectPublicKeyInfo, X509Certificate};

use super::error::CertError;
use super::types::{VerifiedCert, MAX_PEM_BYTES};
use crate::AppError;

fn invalid(why: impl Into<String>) -> AppError {
    CertError::Invalid(why.into()).into()
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
    check_subject_cn(&cert, owner)?;
    Ok(VerifiedCert { serial: cert.tbs_certificate.serial.to_string() })
}

/// The certificate's subject has exactly one CN, the owner's bech32 address.
fn check_subject_cn(cert: &X509Certificate<'_>, owner: &AccAddress) -> Result<(), AppError> {
    let mut cns = cert.subject().iter_common_name();
    let cn = cns
        .next()
        .and_then(|a| a.as_str().ok())
        .ok_or_else(|| CertError::CnMismatch(format!("no subject CN; expected {owner}")))?;
    if cns.next().is_some() {
        return Err(CertError::CnMismatch("more than one subject CN".into()).into());
    }
    if cn != owner.to_string() {
        return Err(CertError::CnMismatch(format!(
            "subject CN is {cn:?}, expected the owner {owner}"
        ))
        .into());
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_are_canonical_decimals() {
        for ok in ["0", "1", "1234567890"] {
            assert!(validate_serial(ok).is_ok(), "{ok}");
        }
        for bad in ["", "01", "12a", "-1", &"9".repeat(81)] {
            assert!(validate_serial(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_non_pem_cert_is_invalid_under_the_cert_codespace() {
        let owner = AccAddress::from_bytes(&[3u8; 20]).expect("20 bytes");
        let e = verify_certificate(&owner, b"not pem", b"").expect_err("refused");
        assert_eq!((e.code(), e.codespace()), (2, "cert"));
        assert!(e.to_string().starts_with("invalid certificate: cert is not PEM"));
    }
}
