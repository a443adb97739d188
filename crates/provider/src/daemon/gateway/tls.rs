//! The gateway's (server) rustls configuration and its client-certificate verifier. No web
//! PKI: trust comes from the chain.
//!
//! Client certificates are offered but optional (JWT clients connect without one). A
//! presented certificate must be a self-signed P-256 end-entity certificate (see
//! [`crate::daemon::gateway::certs::inspect_self_signed_p256`]); whether its owner published it on chain is
//! checked per request by the gateway's auth, which sees it through
//! [`crate::daemon::gateway::ConnInfo`]. The shared pieces (PEM reading, handshake signatures) and
//! the tenant's configuration live in `dcloud_client::tenant::tls`.

use std::sync::Arc;

pub use dcloud_client::tenant::tls::TlsError;
use dcloud_client::tenant::tls::{
    certs_from_pem, crypto_provider, key_from_pem, other_cert_error, versions, Signatures,
};
use rustls::client::danger::HandshakeSignatureValid;
use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};

use crate::daemon::gateway::certs;

/// Optional client certificates: any self-signed P-256 end-entity certificate is let
/// through the handshake; the gateway checks it against the chain per request.
#[derive(Debug)]
struct OptionalSelfSignedClientCert(Signatures);

impl ClientCertVerifier for OptionalSelfSignedClientCert {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if !intermediates.is_empty() {
            return Err(other_cert_error(
                "client certificate must be a single self-signed certificate".into(),
            ));
        }
        certs::inspect_self_signed_p256(end_entity.as_ref())
            .map_err(|e| other_cert_error(e.to_string()))?;
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.tls12(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.tls13(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.schemes()
    }
}

/// The gateway's server configuration: TLS 1.3 and 1.2, ALPN h2 and http/1.1, optional
/// client certificates.
pub(crate) fn server_config(
    cert_pem: &str,
    key_pem: &str,
) -> Result<rustls::ServerConfig, TlsError> {
    let provider = crypto_provider();
    let verifier = Arc::new(OptionalSelfSignedClientCert(Signatures(provider.clone())));
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(versions())
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(certs_from_pem(cert_pem)?, key_from_pem(key_pem)?)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(cfg)
}
