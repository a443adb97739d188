//! The tenant's client certificate for provider mutual TLS, created and published on first
//! use ([`ensure_client_cert`]).

use std::path::{Path, PathBuf};

use dcloud_chain::cert::{CertFilter, CertState};
use dcloud_proto::dcloud::cert::MsgCreateCertificate;
use dcloud_proto::Msg;
use dcloud_types::AccAddress;

use super::certs;
use crate::{ClientError, RpcClient};

/// Errors finding, creating or storing the tenant's client certificate.
#[derive(Debug, thiserror::Error)]
pub enum ClientCertError {
    /// Looking up the published certificates failed.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The local key file is not a PKCS#8 P-256 key.
    #[error("{path} is not a PKCS#8 P-256 key: {reason}")]
    BadKey {
        /// The key file.
        path: PathBuf,
        /// Why it cannot be read as one.
        reason: String,
    },
    /// Generating a certificate failed.
    #[error("generating a client certificate: {0}")]
    Generate(certs::CertError),
    /// The public key of the local certificate cannot be encoded.
    #[error("{0}")]
    PublicKey(certs::CertError),
    /// Writing the certificate or its key failed.
    #[error("cannot write {path}: {reason}")]
    Write {
        /// The file (or directory) being written.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The certificate directory cannot be created.
    #[error("cannot create {path}: {reason}")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// The tenant's client certificate and, when it is not on chain yet, the message that
/// publishes it (to be sent before talking to a provider).
#[derive(Clone)]
pub struct ClientCert {
    /// Certificate PEM.
    pub cert_pem: String,
    /// Private key PEM (PKCS#8).
    pub key_pem: String,
    /// `MsgCreateCertificate` to send first, when the certificate is not published yet.
    pub publish: Option<Msg>,
}

impl std::fmt::Debug for ClientCert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCert").field("publish", &self.publish.is_some()).finish()
    }
}

/// The tenant's client certificate for provider mTLS, created on first use: the local one
/// (`cert_path`, `key_path`) if it is published and valid on chain; the local one plus its
/// publish message if it is not published yet; otherwise a new one (written to those
/// paths, mode 0600) plus its publish message.
pub async fn ensure_client_cert(
    client: &RpcClient,
    owner: &AccAddress,
    cert_path: &Path,
    key_path: &Path,
) -> Result<ClientCert, ClientCertError> {
    let on_chain = client
        .certificates(&CertFilter { owner: Some(owner.to_string()), ..Default::default() })
        .await?;
    if let (Ok(cert), Ok(key)) =
        (std::fs::read_to_string(cert_path), std::fs::read_to_string(key_path))
    {
        match on_chain.iter().find(|c| c.cert.trim() == cert.trim()) {
            Some(c) if c.state == CertState::Valid => {
                return Ok(ClientCert { cert_pem: cert, key_pem: key, publish: None })
            }
            Some(_) => {} // revoked: make a new one below
            None => {
                use p256::pkcs8::DecodePrivateKey;
                let k = p256::ecdsa::SigningKey::from_pkcs8_pem(&key).map_err(|e| {
                    ClientCertError::BadKey { path: key_path.into(), reason: e.to_string() }
                })?;
                let pubkey = certs::public_key_pem(&k).map_err(ClientCertError::PublicKey)?;
                let msg = Msg::CreateCertificate(MsgCreateCertificate {
                    owner: owner.to_string(),
                    cert: cert.clone().into_bytes(),
                    pubkey: pubkey.into_bytes(),
                });
                return Ok(ClientCert { cert_pem: cert, key_pem: key, publish: Some(msg) });
            }
        }
    }
    let g = certs::generate_client_cert(owner).map_err(ClientCertError::Generate)?;
    if let Some(dir) = cert_path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| ClientCertError::CreateDir { path: dir.into(), reason: e.to_string() })?;
    }
    write_private(key_path, g.key_pem.as_bytes())?;
    write_private(cert_path, g.cert_pem.as_bytes())?;
    let msg = g.publish_msg(owner);
    Ok(ClientCert { cert_pem: g.cert_pem, key_pem: g.key_pem, publish: Some(msg) })
}

/// Writes `data` to `path` (replacing it), readable only by the owner.
fn write_private(path: &Path, data: &[u8]) -> Result<(), ClientCertError> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let err =
        |e: std::io::Error| ClientCertError::Write { path: path.into(), reason: e.to_string() };
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    o.mode(0o600);
    let mut f = o.open(path).map_err(err)?;
    f.write_all(data).map_err(err)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(err)?;
    }
    Ok(())
}
