//! The tenant's client for a provider's gateway (the provider crate's `gateway` module).
//!
//! [`ProviderClient`] talks HTTPS (HTTP/1.1 over rustls, one connection per request) and
//! websockets (tokio-tungstenite with the same rustls configuration). It trusts the server
//! only if its end-entity certificate is byte-for-byte one of the provider's on-chain
//! certificates — no web PKI — and still verifies the TLS handshake signatures. It
//! authenticates with the tenant's published client certificate ([`Auth::Mtls`]) or a
//! fresh short-lived ES256K token signed by the account key ([`Auth::Jwt`]).
//!
//! Lease requests carry `?owner=<lease owner>`: the gateway refuses (403) when that is not
//! the authenticated caller.

use std::time::Duration;

use crate::RpcClient;
use dcloud_crypto::secp256k1::SigningKey;
use dcloud_sdl::Manifest;
use dcloud_types::AccAddress;
use futures::stream::{BoxStream, SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use http_body_util::BodyExt;
use hyper::body::Bytes;
use serde::de::DeserializeOwned;
use tokio_tungstenite::tungstenite::{self, Message};

use super::api::{shell, LeaseEvent, LeaseStatus, LogLine, LogOptions, ServiceStatus};
use super::jwt::{self, Claims};
use super::lease::LeaseId;
use super::{certs, tls};

/// Lifetime of the tokens [`Auth::Jwt`] creates, in seconds.
pub const TOKEN_TTL_SECS: i64 = 300;
/// Largest response body read, in bytes.
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// How the tenant authenticates.
#[derive(Clone)]
pub enum Auth {
    /// A client certificate the tenant published on chain (CN = its address).
    Mtls {
        /// Certificate PEM.
        cert_pem: String,
        /// Private key PEM (PKCS#8).
        key_pem: String,
    },
    /// ES256K tokens signed by the account key (full access, [`TOKEN_TTL_SECS`]).
    Jwt {
        /// The account key; its address is the owner.
        key: SigningKey,
    },
    /// A ready-made bearer token (e.g. a scoped or granular token made with
    /// [`jwt::encode`], or one from a wallet); its `iss` is the owner.
    Bearer {
        /// The compact JWS.
        token: String,
    },
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Mtls { .. } => f.write_str("Auth::Mtls"),
            Self::Jwt { key } => write!(f, "Auth::Jwt({})", key.public_key().address()),
            Self::Bearer { .. } => f.write_str("Auth::Bearer"),
        }
    }
}

/// Errors of the tenant client.
#[derive(Debug, thiserror::Error)]
pub enum TenantError {
    /// The client cannot be built (host URI, certificates, keys).
    #[error("provider client: {0}")]
    Config(String),
    /// The provider has no usable certificate to pin.
    #[error("provider {0} has no valid certificate on chain to pin")]
    NoProviderCertificate(String),
    /// The TCP connection failed.
    #[error("cannot connect to {addr}: {reason}")]
    Connect {
        /// Where.
        addr: String,
        /// Why.
        reason: String,
    },
    /// The TLS handshake failed (including a server certificate that is not the
    /// provider's on-chain one).
    #[error("TLS with the provider failed: {0}")]
    Tls(String),
    /// The gateway answered with an error status.
    #[error("provider answered {status}: {message}")]
    Status {
        /// HTTP status.
        status: u16,
        /// The gateway's message.
        message: String,
    },
    /// The provider accepted the manifest but cannot run the workload (422 with a typed
    /// reason); it keeps the manifest, so the lease status shows the failure.
    #[error("the provider cannot run the workload: {0} ({hint})", hint = .0.reason.hint())]
    Workload(super::api::WorkloadFailure),
    /// A websocket stream was closed with an error code (4000 internal, 4001 lease not
    /// found, 4002 service not found).
    #[error("stream closed with code {code}: {reason}")]
    Closed {
        /// Close code.
        code: u16,
        /// Reason.
        reason: String,
    },
    /// The shell command could not be run.
    #[error("shell failed: {0}")]
    ShellFailed(String),
    /// An answer the client cannot understand.
    #[error("unexpected answer from the provider: {0}")]
    Protocol(String),
    /// The lease is with another provider.
    #[error("lease {lease} is not with provider {provider}")]
    WrongProvider {
        /// The lease.
        lease: String,
        /// This client's provider.
        provider: String,
    },
    /// The request took too long.
    #[error("the provider did not answer within {0:?}")]
    Timeout(Duration),
    /// Reading the chain failed ([`ProviderClient::from_chain`]).
    #[error("chain: {0}")]
    Chain(String),
}

impl TenantError {
    /// Worth retrying shortly: the provider is unreachable or busy, or has not caught up
    /// with the chain yet (404 right after a lease is created).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Connect { .. } | Self::Timeout(_) => true,
            Self::Status { status, .. } => matches!(status, 404 | 502 | 503),
            _ => false,
        }
    }

    /// The HTTP status, for [`TenantError::Status`].
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// Finds a rustls error inside an I/O error (TLS failures surface as I/O errors).
fn io_error(addr: &str, e: std::io::Error) -> TenantError {
    let tls =
        e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()).map(|r| r.to_string());
    match tls {
        Some(t) => TenantError::Tls(t),
        None => TenantError::Connect { addr: addr.to_string(), reason: e.to_string() },
    }
}

fn ws_error(addr: &str, e: tungstenite::Error) -> TenantError {
    match e {
        tungstenite::Error::Http(resp) => TenantError::Status {
            status: resp.status().as_u16(),
            message: resp
                .body()
                .as_deref()
                .map(|b| String::from_utf8_lossy(b).trim().to_string())
                .unwrap_or_default(),
        },
        tungstenite::Error::Io(e) => io_error(addr, e),
        tungstenite::Error::Tls(t) => TenantError::Tls(t.to_string()),
        other => TenantError::Protocol(format!("websocket: {other}")),
    }
}

/// Percent-encodes a query component (RFC 3986 unreserved characters pass through).
fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn query(pairs: &[(&str, String)]) -> String {
    pairs.iter().map(|(k, v)| format!("{k}={}", enc(v))).collect::<Vec<_>>().join("&")
}

/// The `iss` of a token, read without verifying anything (the gateway verifies).
fn token_issuer(token: &str) -> Result<AccAddress, TenantError> {
    use base64::Engine as _;
    let bad = |why: &str| TenantError::Config(format!("bearer token: {why}"));
    let claims = token.split('.').nth(1).ok_or_else(|| bad("not a compact JWS"))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(claims)
        .map_err(|_| bad("claims are not base64url"))?;
    let v: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|_| bad("claims are not JSON"))?;
    v["iss"].as_str().and_then(|s| s.parse().ok()).ok_or_else(|| bad("no issuer address"))
}

/// A client for one provider's gateway.
#[derive(Clone)]
pub struct ProviderClient {
    host: String,
    port: u16,
    provider: AccAddress,
    owner: AccAddress,
    jwt_key: Option<SigningKey>,
    token: Option<String>,
    tls: std::sync::Arc<rustls::ClientConfig>,
    timeout: Duration,
}

impl std::fmt::Debug for ProviderClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderClient")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("provider", &self.provider)
            .field("owner", &self.owner)
            .field("jwt", &(self.jwt_key.is_some() || self.token.is_some()))
            .finish()
    }
}

impl ProviderClient {
    /// A client for the gateway at `host_uri` (`https://host[:port]`, port 443 when left
    /// out) of `provider`, trusting only `provider_certs_pem` (the provider's on-chain
    /// certificates; those whose CN is not `provider` are ignored).
    pub fn new(
        host_uri: &str,
        provider: AccAddress,
        provider_certs_pem: &[String],
        auth: Auth,
    ) -> Result<Self, TenantError> {
        let uri: hyper::Uri = host_uri
            .parse()
            .map_err(|e| TenantError::Config(format!("host URI {host_uri:?}: {e}")))?;
        if uri.scheme_str() != Some("https") {
            return Err(TenantError::Config(format!("host URI {host_uri:?} is not https://")));
        }
        let host = certs::host_of_uri(host_uri).map_err(|e| TenantError::Config(e.to_string()))?;
        let port = uri.port_u16().unwrap_or(443);
        let mut pins = Vec::new();
        for pem in provider_certs_pem {
            let Ok(der) = certs::cert_pem_to_der(pem) else { continue };
            let Ok(facts) = certs::inspect_self_signed_p256(&der) else { continue };
            if facts.cn == provider.to_string() {
                pins.push(der);
            }
        }
        if pins.is_empty() {
            return Err(TenantError::NoProviderCertificate(provider.to_string()));
        }
        let (owner, jwt_key, client_auth) = match &auth {
            Auth::Mtls { cert_pem, key_pem } => {
                let der = certs::cert_pem_to_der(cert_pem)
                    .map_err(|e| TenantError::Config(format!("client certificate: {e}")))?;
                let facts = certs::inspect_self_signed_p256(&der)
                    .map_err(|e| TenantError::Config(format!("client certificate: {e}")))?;
                let owner: AccAddress = facts.cn.parse().map_err(|_| {
                    TenantError::Config(format!(
                        "client certificate CN {:?} is not an address",
                        facts.cn
                    ))
                })?;
                (owner, None, Some((cert_pem.as_str(), key_pem.as_str())))
            }
            Auth::Jwt { key } => (key.public_key().address(), Some(key.clone()), None),
            Auth::Bearer { token } => (token_issuer(token)?, None, None),
        };
        let token = match &auth {
            Auth::Bearer { token } => Some(token.clone()),
            _ => None,
        };
        let tls = tls::client_config(&provider.to_string(), pins, client_auth)
            .map_err(|e| TenantError::Config(e.to_string()))?;
        Ok(Self {
            host,
            port,
            provider,
            owner,
            jwt_key,
            token,
            tls: std::sync::Arc::new(tls),
            timeout: Duration::from_secs(120),
        })
    }

    /// A client for `provider` as the chain knows it: its host URI and its valid
    /// certificates.
    pub async fn from_chain(
        rpc: &RpcClient,
        provider: &AccAddress,
        auth: Auth,
    ) -> Result<Self, TenantError> {
        let info = rpc
            .provider(provider)
            .await
            .map_err(|e| TenantError::Chain(e.to_string()))?
            .ok_or_else(|| TenantError::Chain(format!("provider {provider} is not registered")))?;
        let filter = dcloud_chain::cert::CertFilter {
            owner: Some(provider.to_string()),
            state: Some("valid".into()),
            serial: None,
        };
        let certs = rpc
            .certificates(&filter)
            .await
            .map_err(|e| TenantError::Chain(e.to_string()))?
            .into_iter()
            .map(|c| c.cert)
            .collect::<Vec<_>>();
        Self::new(&info.host_uri, provider.clone(), &certs, auth)
    }

    /// Sets the per-request timeout (default 120 s; websockets: the connection only).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The tenant's address (certificate CN or the key's address).
    pub fn owner(&self) -> &AccAddress {
        &self.owner
    }

    /// The provider's address.
    pub fn provider(&self) -> &AccAddress {
        &self.provider
    }

    fn addr(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    fn bearer(&self) -> Result<Option<String>, TenantError> {
        if let Some(t) = &self.token {
            return Ok(Some(format!("Bearer {t}")));
        }
        let Some(key) = &self.jwt_key else { return Ok(None) };
        let claims = Claims::full_access(&self.owner, certs::unix_now(), TOKEN_TTL_SECS);
        let token =
            jwt::encode(&claims, key).map_err(|e| TenantError::Config(format!("token: {e}")))?;
        Ok(Some(format!("Bearer {token}")))
    }

    fn server_name(&self) -> Result<rustls::pki_types::ServerName<'static>, TenantError> {
        rustls::pki_types::ServerName::try_from(self.host.clone())
            .map_err(|e| TenantError::Config(format!("host {:?}: {e}", self.host)))
    }

    async fn request_inner(
        &self,
        method: hyper::Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<(u16, Bytes), TenantError> {
        let addr = self.addr();
        let tcp = tokio::net::TcpStream::connect(addr.as_str())
            .await
            .map_err(|e| TenantError::Connect { addr: addr.clone(), reason: e.to_string() })?;
        let _ = tcp.set_nodelay(true);
        let tls = tokio_rustls::TlsConnector::from(self.tls.clone())
            .connect(self.server_name()?, tcp)
            .await
            .map_err(|e| io_error(&addr, e))?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls))
                .await
                .map_err(|e| TenantError::Protocol(e.to_string()))?;
        let conn = tokio::spawn(conn);
        let mut req = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header(hyper::header::HOST, addr.as_str())
            .header(hyper::header::ACCEPT, "application/json");
        if let Some(b) = self.bearer()? {
            req = req.header(hyper::header::AUTHORIZATION, b);
        }
        if body.is_some() {
            req = req.header(hyper::header::CONTENT_TYPE, "application/json");
        }
        let req = req
            .body(http_body_util::Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| TenantError::Config(e.to_string()))?;
        let resp =
            sender.send_request(req).await.map_err(|e| TenantError::Protocol(e.to_string()))?;
        let status = resp.status().as_u16();
        let bytes = http_body_util::Limited::new(resp.into_body(), MAX_RESPONSE_BYTES)
            .collect()
            .await
            .map_err(|e| TenantError::Protocol(format!("reading the answer: {e}")))?
            .to_bytes();
        conn.abort();
        Ok((status, bytes))
    }

    /// One request; error statuses become [`TenantError::Status`].
    async fn request(
        &self,
        method: hyper::Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Bytes, TenantError> {
        let (status, bytes) =
            tokio::time::timeout(self.timeout, self.request_inner(method, path, body))
                .await
                .map_err(|_| TenantError::Timeout(self.timeout))??;
        if status == 422 {
            #[derive(serde::Deserialize)]
            struct Body {
                reason: super::api::FailureReason,
                service: Option<String>,
                message: String,
            }
            if let Ok(b) = serde_json::from_slice::<Body>(&bytes) {
                let f = super::api::WorkloadFailure {
                    reason: b.reason,
                    service: b.service,
                    message: b.message,
                };
                return Err(TenantError::Workload(f));
            }
        }
        if !(200..300).contains(&status) {
            return Err(TenantError::Status {
                status,
                message: String::from_utf8_lossy(&bytes).trim().to_string(),
            });
        }
        Ok(bytes)
    }

    async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, TenantError> {
        let b = self.request(hyper::Method::GET, path, None).await?;
        serde_json::from_slice(&b).map_err(|e| TenantError::Protocol(format!("{path}: {e}")))
    }

    fn lease_path(&self, lease: &LeaseId, rest: &str) -> Result<String, TenantError> {
        if lease.provider != self.provider {
            return Err(TenantError::WrongProvider {
                lease: lease.to_string(),
                provider: self.provider.to_string(),
            });
        }
        Ok(format!("/lease/{}/{}/{}/{rest}", lease.dseq, lease.gseq, lease.oseq))
    }

    /// `GET /version`.
    pub async fn version(&self) -> Result<serde_json::Value, TenantError> {
        self.get_json("/version").await
    }

    /// `GET /address`: the address the gateway says it serves.
    pub async fn address(&self) -> Result<AccAddress, TenantError> {
        let v: serde_json::Value = self.get_json("/address").await?;
        v["address"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| TenantError::Protocol(format!("/address: {v}")))
    }

    /// `GET /status`: the provider's status document.
    pub async fn provider_status(&self) -> Result<serde_json::Value, TenantError> {
        self.get_json("/status").await
    }

    /// Sends the manifest of the caller's deployment `dseq` (`PUT /deployment/{dseq}/manifest`).
    pub async fn send_manifest(&self, dseq: u64, manifest: &Manifest) -> Result<(), TenantError> {
        let owner = self.owner.clone();
        self.send_manifest_for(&owner, dseq, manifest).await
    }

    /// Sends a manifest for `owner`'s deployment `dseq` (the gateway accepts it only when
    /// `owner` is the caller).
    pub async fn send_manifest_for(
        &self,
        owner: &AccAddress,
        dseq: u64,
        manifest: &Manifest,
    ) -> Result<(), TenantError> {
        let body = serde_json::to_vec(manifest).map_err(|e| TenantError::Config(e.to_string()))?;
        let path =
            format!("/deployment/{dseq}/manifest?{}", query(&[("owner", owner.to_string())]));
        self.request(hyper::Method::PUT, &path, Some(body)).await.map(|_| ())
    }

    /// The manifest group the lease runs, as a one-group manifest.
    pub async fn get_manifest(&self, lease: &LeaseId) -> Result<Manifest, TenantError> {
        let path = self.lease_path(lease, "manifest")? + &self.owner_query(lease);
        self.get_json(&path).await
    }

    fn owner_query(&self, lease: &LeaseId) -> String {
        format!("?{}", query(&[("owner", lease.owner.to_string())]))
    }

    /// The lease's status.
    pub async fn lease_status(&self, lease: &LeaseId) -> Result<LeaseStatus, TenantError> {
        let path = self.lease_path(lease, "status")? + &self.owner_query(lease);
        self.get_json(&path).await
    }

    /// One service's status.
    pub async fn service_status(
        &self,
        lease: &LeaseId,
        service: &str,
    ) -> Result<ServiceStatus, TenantError> {
        let path = self.lease_path(lease, &format!("service/{}/status", enc(service)))?
            + &self.owner_query(lease);
        self.get_json(&path).await
    }

    async fn websocket(&self, path: &str) -> Result<WsStream, TenantError> {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let addr = self.addr();
        let url = format!("wss://{addr}{path}");
        let mut req = url
            .as_str()
            .into_client_request()
            .map_err(|e| TenantError::Config(format!("{url}: {e}")))?;
        if let Some(b) = self.bearer()? {
            let v =
                b.parse().map_err(|_| TenantError::Config("token is not a header value".into()))?;
            req.headers_mut().insert(hyper::header::AUTHORIZATION, v);
        }
        let connector = tokio_tungstenite::Connector::Rustls(self.tls.clone());
        let connect =
            tokio_tungstenite::connect_async_tls_with_config(req, None, true, Some(connector));
        let (ws, _) = tokio::time::timeout(self.timeout, connect)
            .await
            .map_err(|_| TenantError::Timeout(self.timeout))?
            .map_err(|e| ws_error(&addr, e))?;
        Ok(ws)
    }

    fn stream_path(
        &self,
        lease: &LeaseId,
        what: &str,
        opts: &LogOptions,
    ) -> Result<String, TenantError> {
        let mut q = vec![("owner", lease.owner.to_string()), ("follow", opts.follow.to_string())];
        if !opts.services.is_empty() {
            q.push(("service", opts.services.join(",")));
        }
        if let Some(t) = opts.tail {
            q.push(("tail", t.to_string()));
        }
        Ok(format!("{}?{}", self.lease_path(lease, what)?, query(&q)))
    }

    /// The lease's log lines (`follow` keeps the stream open for new lines). The stream
    /// ends when the gateway closes normally; an error close is its last item.
    pub async fn logs(
        &self,
        lease: &LeaseId,
        opts: &LogOptions,
    ) -> Result<BoxStream<'static, Result<LogLine, TenantError>>, TenantError> {
        let ws = self.websocket(&self.stream_path(lease, "logs", opts)?).await?;
        Ok(json_stream(ws))
    }

    /// The lease's container events.
    pub async fn events(
        &self,
        lease: &LeaseId,
        opts: &LogOptions,
    ) -> Result<BoxStream<'static, Result<LeaseEvent, TenantError>>, TenantError> {
        let ws = self.websocket(&self.stream_path(lease, "kubeevents", opts)?).await?;
        Ok(json_stream(ws))
    }

    /// Runs `cmd` in replica `replica` of `service`; `tty` allocates a terminal, `stdin`
    /// attaches stdin.
    pub async fn shell(
        &self,
        lease: &LeaseId,
        service: &str,
        replica: u32,
        cmd: &[String],
        tty: bool,
        stdin: bool,
    ) -> Result<ShellSession, TenantError> {
        let mut q = vec![
            ("owner", lease.owner.to_string()),
            ("service", service.to_string()),
            ("podIndex", replica.to_string()),
            ("tty", u8::from(tty).to_string()),
            ("stdin", u8::from(stdin).to_string()),
        ];
        let names: Vec<String> = (0..cmd.len()).map(|i| format!("cmd{i}")).collect();
        for (n, arg) in names.iter().zip(cmd) {
            q.push((n.as_str(), arg.clone()));
        }
        let path = format!("{}?{}", self.lease_path(lease, "shell")?, query(&q));
        let ws = self.websocket(&path).await?;
        let (sink, stream) = ws.split();
        Ok(ShellSession {
            writer: ShellWriter { sink },
            reader: ShellReader { stream, done: false },
        })
    }
}

type WsStream =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

fn closed(frame: Option<tungstenite::protocol::CloseFrame>) -> Option<TenantError> {
    let f = frame?;
    let code = u16::from(f.code);
    (code != 1000).then(|| TenantError::Closed { code, reason: f.reason.to_string() })
}

fn json_stream<T: DeserializeOwned + Send + 'static>(
    ws: WsStream,
) -> BoxStream<'static, Result<T, TenantError>> {
    futures::stream::unfold(Some(ws), |state| async move {
        let mut ws = state?;
        loop {
            let parse = |b: &[u8]| {
                serde_json::from_slice::<T>(b)
                    .map_err(|e| TenantError::Protocol(format!("stream message: {e}")))
            };
            match ws.next().await {
                None => return None,
                Some(Err(e)) => return Some((Err(ws_error("gateway", e)), None)),
                Some(Ok(Message::Text(t))) => return Some((parse(t.as_bytes()), Some(ws))),
                Some(Ok(Message::Binary(b))) => return Some((parse(&b), Some(ws))),
                Some(Ok(Message::Close(f))) => return closed(f).map(|e| (Err(e), None)),
                Some(Ok(_)) => {}
            }
        }
    })
    .boxed()
}

/// What a shell command produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShellEvent {
    /// Bytes on stdout (or the terminal).
    Stdout(Vec<u8>),
    /// Bytes on stderr.
    Stderr(Vec<u8>),
    /// The command finished.
    Exit {
        /// Exit code.
        code: i64,
        /// The gateway's message (usually empty).
        message: String,
    },
}

/// Everything a finished shell command produced ([`ShellSession::wait`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShellOutput {
    /// stdout bytes.
    pub stdout: Vec<u8>,
    /// stderr bytes.
    pub stderr: Vec<u8>,
    /// Exit code.
    pub exit_code: i64,
    /// The gateway's message.
    pub message: String,
}

/// The input half of a shell session.
pub struct ShellWriter {
    sink: SplitSink<WsStream, Message>,
}

impl ShellWriter {
    async fn send_frame(&mut self, code: u8, payload: &[u8]) -> Result<(), TenantError> {
        let mut b = Vec::with_capacity(payload.len() + 1);
        b.push(code);
        b.extend_from_slice(payload);
        self.sink.send(Message::Binary(b.into())).await.map_err(|e| ws_error("gateway", e))
    }

    /// Sends bytes to the command's stdin (nothing for empty `data`).
    pub async fn send_stdin(&mut self, data: &[u8]) -> Result<(), TenantError> {
        if data.is_empty() {
            return Ok(());
        }
        self.send_frame(shell::STDIN, data).await
    }

    /// Closes the command's stdin (an empty stdin frame).
    pub async fn close_stdin(&mut self) -> Result<(), TenantError> {
        self.send_frame(shell::STDIN, &[]).await
    }

    /// Resizes the terminal.
    pub async fn resize(&mut self, width: u16, height: u16) -> Result<(), TenantError> {
        let mut p = [0u8; 4];
        p[..2].copy_from_slice(&width.to_be_bytes());
        p[2..].copy_from_slice(&height.to_be_bytes());
        self.send_frame(shell::RESIZE, &p).await
    }
}

/// The output half of a shell session.
pub struct ShellReader {
    stream: SplitStream<WsStream>,
    done: bool,
}

impl ShellReader {
    /// The next output, `None` once the command has finished and the stream closed.
    pub async fn next_event(&mut self) -> Result<Option<ShellEvent>, TenantError> {
        if self.done {
            return Ok(None);
        }
        loop {
            let msg = match self.stream.next().await {
                None => {
                    self.done = true;
                    return Ok(None);
                }
                Some(Err(e)) => {
                    self.done = true;
                    return Err(ws_error("gateway", e));
                }
                Some(Ok(m)) => m,
            };
            let b = match msg {
                Message::Binary(b) => b,
                Message::Close(f) => {
                    self.done = true;
                    return match closed(f) {
                        Some(e) => Err(e),
                        None => Ok(None),
                    };
                }
                _ => continue,
            };
            let Some((&code, payload)) = b.split_first() else { continue };
            return match code {
                shell::STDOUT => Ok(Some(ShellEvent::Stdout(payload.to_vec()))),
                shell::STDERR => Ok(Some(ShellEvent::Stderr(payload.to_vec()))),
                shell::RESULT => {
                    #[derive(serde::Deserialize)]
                    struct Result_ {
                        exit_code: i64,
                        #[serde(default)]
                        message: String,
                    }
                    let r: Result_ = serde_json::from_slice(payload)
                        .map_err(|e| TenantError::Protocol(format!("shell result: {e}")))?;
                    Ok(Some(ShellEvent::Exit { code: r.exit_code, message: r.message }))
                }
                shell::FAILURE => {
                    self.done = true;
                    let why = String::from_utf8_lossy(payload).to_string();
                    Err(TenantError::ShellFailed(if why.is_empty() {
                        "the provider could not run the command".into()
                    } else {
                        why
                    }))
                }
                other => Err(TenantError::Protocol(format!("unknown shell frame code {other}"))),
            };
        }
    }

    /// Reads until the command finishes; everything it wrote and its exit code.
    pub async fn wait(mut self) -> Result<ShellOutput, TenantError> {
        let mut out = ShellOutput::default();
        let mut exited = false;
        while let Some(ev) = self.next_event().await? {
            match ev {
                ShellEvent::Stdout(b) => out.stdout.extend(b),
                ShellEvent::Stderr(b) => out.stderr.extend(b),
                ShellEvent::Exit { code, message } => {
                    out.exit_code = code;
                    out.message = message;
                    exited = true;
                }
            }
        }
        if !exited {
            return Err(TenantError::Protocol("the shell stream ended without a result".into()));
        }
        Ok(out)
    }
}

/// A running shell command: write with the [`ShellWriter`] half, read with the
/// [`ShellReader`] half (or split them to do both at once).
pub struct ShellSession {
    /// Input.
    pub writer: ShellWriter,
    /// Output.
    pub reader: ShellReader,
}

impl ShellSession {
    /// Sends bytes to stdin.
    pub async fn send_stdin(&mut self, data: &[u8]) -> Result<(), TenantError> {
        self.writer.send_stdin(data).await
    }

    /// Closes stdin.
    pub async fn close_stdin(&mut self) -> Result<(), TenantError> {
        self.writer.close_stdin().await
    }

    /// Resizes the terminal.
    pub async fn resize(&mut self, width: u16, height: u16) -> Result<(), TenantError> {
        self.writer.resize(width, height).await
    }

    /// The next output event.
    pub async fn next_event(&mut self) -> Result<Option<ShellEvent>, TenantError> {
        self.reader.next_event().await
    }

    /// Reads until the command finishes.
    pub async fn wait(self) -> Result<ShellOutput, TenantError> {
        self.reader.wait().await
    }

    /// The two halves, to write and read concurrently.
    pub fn into_split(self) -> (ShellWriter, ShellReader) {
        (self.writer, self.reader)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_encoding() {
        assert_eq!(enc("echo hi&x=1/é"), "echo%20hi%26x%3D1%2F%C3%A9");
        assert_eq!(query(&[("a", "b c".into()), ("d", "e".into())]), "a=b%20c&d=e");
    }

    /// A server certificate for `provider` at 127.0.0.1 (what the provider generates).
    fn server_cert(provider: &AccAddress) -> certs::GeneratedCert {
        let opts = certs::CertOptions { sans: vec!["127.0.0.1".into()], ..Default::default() };
        certs::generate(&provider.to_string(), &opts).unwrap()
    }

    #[test]
    fn client_needs_a_provider_cert_with_its_cn() {
        let provider = SigningKey::random().public_key().address();
        let someone = SigningKey::random().public_key().address();
        let auth = Auth::Jwt { key: SigningKey::random() };
        let other = server_cert(&someone);
        let err = ProviderClient::new(
            "https://127.0.0.1:1",
            provider.clone(),
            &[other.cert_pem],
            auth.clone(),
        )
        .unwrap_err();
        assert!(matches!(err, TenantError::NoProviderCertificate(_)));
        let ours = server_cert(&provider);
        let c = ProviderClient::new(
            "https://127.0.0.1:1",
            provider.clone(),
            std::slice::from_ref(&ours.cert_pem),
            auth.clone(),
        )
        .unwrap();
        assert_eq!(c.port, 1);
        assert!(matches!(
            ProviderClient::new("http://127.0.0.1:1", provider, &[ours.cert_pem], auth),
            Err(TenantError::Config(_))
        ));
    }
}
