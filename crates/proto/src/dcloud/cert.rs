//! `dcloud.cert.v1`: mTLS client/provider certificates published and revoked on chain.

/// Type URL of [`MsgCreateCertificate`].
pub const MSG_CREATE_CERTIFICATE_URL: &str = "/dcloud.cert.v1.MsgCreateCertificate";
/// Type URL of [`MsgRevokeCertificate`].
pub const MSG_REVOKE_CERTIFICATE_URL: &str = "/dcloud.cert.v1.MsgRevokeCertificate";

/// Publishes a self-signed X.509 certificate (ECDSA P-256, subject CN = owner).
#[derive(Clone, PartialEq, prost::Message)]
pub struct MsgCreateCertificate {
    /// The owner (signer), bech32.
    #[prost(string, tag = "1")]
    pub owner: String,
    /// PEM, type `CERTIFICATE`.
    #[prost(bytes = "vec", tag = "2")]
    pub cert: Vec<u8>,
    /// PEM, type `EC PUBLIC KEY` (or `PUBLIC KEY`): the certificate's SubjectPublicKeyInfo.
    #[prost(bytes = "vec", tag = "3")]
    pub pubkey: Vec<u8>,
}

/// Identifies a certificate: owner and serial (decimal).
#[derive(Clone, PartialEq, prost::Message)]
pub struct CertificateId {
    /// The owner, bech32.
    #[prost(string, tag = "1")]
    pub owner: String,
    /// The serial number in decimal.
    #[prost(string, tag = "2")]
    pub serial: String,
}

/// Revokes a certificate of the signer (terminal).
#[derive(Clone, PartialEq, prost::Message)]
pub struct MsgRevokeCertificate {
    /// Which certificate; `id.owner` signs.
    #[prost(message, optional, tag = "1")]
    pub id: Option<CertificateId>,
}
