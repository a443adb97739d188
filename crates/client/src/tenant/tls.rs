//! The tenant client's rustls configuration and the pieces the gateway's server side
//! (in the provider) shares with it. No web PKI anywhere: trust comes from the chain.
//!
//! * Server: client certificates are offered but optional (JWT clients connect without
//!   one). A presented certificate must be a self-signed P-256 end-entity certificate (see
//!   [`super::certs::inspect_self_signed_p256`]); whether its owner published it on chain
//!   is checked per request by the gateway's auth, which sees it through
//!   the provider gateway's `ConnInfo`.
//! * Client: the server's end-entity certificate must be byte-for-byte one of the
//!   provider's on-chain certificates (pinning), within its validity period.
//!
//! Both verify the TLS handshake signatures with the ring provider's algorithms.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};

use super::certs;

/// Errors building a TLS configuration.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The certificate PEM cannot be used.
    #[error("certificate: {0}")]
    Certificate(String),
    /// The private key PEM cannot be used.
    #[error("private key: {0}")]
    Key(String),
    /// rustls refused the configuration.
    #[error("tls configuration: {0}")]
    Config(String),
}

/// The ring crypto provider (the process-wide default is never installed or relied on).
pub fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

static VERSIONS: &[&rustls::SupportedProtocolVersion] =
    &[&rustls::version::TLS13, &rustls::version::TLS12];

/// The protocol versions both sides allow: TLS 1.3 and 1.2.
pub fn versions() -> &'static [&'static rustls::SupportedProtocolVersion] {
    VERSIONS
}

/// Reads a certificate chain (first = end entity) from PEM.
pub fn certs_from_pem(pem: &str) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs: Vec<_> = rustls_pemfile::certs(&mut pem.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|e| TlsError::Certificate(e.to_string()))?;
    if certs.is_empty() {
        return Err(TlsError::Certificate("no CERTIFICATE block".into()));
    }
    Ok(certs)
}

/// Reads a private key (PKCS#8, SEC1 or PKCS#1) from PEM.
pub fn key_from_pem(pem: &str) -> Result<PrivateKeyDer<'static>, TlsError> {
    rustls_pemfile::private_key(&mut pem.as_bytes())
        .map_err(|e| TlsError::Key(e.to_string()))?
        .ok_or_else(|| TlsError::Key("no private key block".into()))
}

/// A rustls certificate error carrying `msg`.
pub fn other_cert_error(msg: String) -> rustls::Error {
    #[derive(Debug)]
    struct Msg(String);
    impl std::fmt::Display for Msg {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.0)
        }
    }
    impl std::error::Error for Msg {}
    rustls::Error::InvalidCertificate(CertificateError::Other(rustls::OtherError(Arc::new(Msg(
        msg,
    )))))
}

/// `now` in Unix seconds.
pub fn unix_secs(now: UnixTime) -> i64 {
    i64::try_from(now.as_secs()).unwrap_or(i64::MAX)
}

/// Handshake signature checks shared by both verifiers.
#[derive(Debug)]
pub struct Signatures(pub Arc<CryptoProvider>);

impl Signatures {
    /// Verifies a TLS 1.2 handshake signature.
    pub fn tls12(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    /// Verifies a TLS 1.3 handshake signature.
    pub fn tls13(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    /// The signature schemes supported.
    pub fn schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Accepts the server only if its certificate is one of the pinned ones.
#[derive(Debug)]
struct PinnedServerCert {
    pins: Vec<Vec<u8>>,
    provider: String,
    sigs: Signatures,
}

impl ServerCertVerifier for PinnedServerCert {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if !self.pins.iter().any(|p| p.as_slice() == end_entity.as_ref()) {
            return Err(other_cert_error(format!(
                "the server certificate is not one of provider {}'s on-chain certificates",
                self.provider
            )));
        }
        let facts = certs::inspect_self_signed_p256(end_entity.as_ref())
            .map_err(|e| other_cert_error(e.to_string()))?;
        facts.check_validity(unix_secs(now)).map_err(|e| other_cert_error(e.to_string()))?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.sigs.tls12(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.sigs.tls13(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.sigs.schemes()
    }
}

/// The tenant client's configuration: pins the server to `pins` (DER certificates), offers
/// `client_auth` (certificate PEM, key PEM) when given; ALPN http/1.1 (websockets need it).
pub fn client_config(
    provider: &str,
    pins: Vec<Vec<u8>>,
    client_auth: Option<(&str, &str)>,
) -> Result<rustls::ClientConfig, TlsError> {
    let cp = crypto_provider();
    let verifier = Arc::new(PinnedServerCert {
        pins,
        provider: provider.into(),
        sigs: Signatures(cp.clone()),
    });
    let builder = rustls::ClientConfig::builder_with_provider(cp)
        .with_protocol_versions(versions())
        .map_err(|e| TlsError::Config(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let mut cfg = match client_auth {
        Some((cert, key)) => builder
            .with_client_auth_cert(certs_from_pem(cert)?, key_from_pem(key)?)
            .map_err(|e| TlsError::Config(e.to_string()))?,
        None => builder.with_no_client_auth(),
    };
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(cfg)
}
