//! The ingress: an HTTP reverse proxy routing `Host:` names to lease containers.
//!
//! The daemon calls [`Ingress::set_routes`] when a lease is deployed (or after a restart)
//! and [`Ingress::remove_lease`] when it closes; [`Ingress::serve`] proxies HTTP/1.1
//! requests (and websocket upgrades) by the `Host` header, 404 for unknown hosts, 502 when
//! the container does not answer.
//!
//! Several routes may name the same host (one per replica): requests are spread over their
//! targets round-robin. When two leases claim the same host, the lease that sorts first
//! keeps it (the chain does not stop two tenants from writing the same `accept` host).

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderName, HeaderValue, CONNECTION, HOST, UPGRADE};
use hyper::{Request, Response, StatusCode, Uri};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use parking_lot::RwLock;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use crate::cluster::Route;
use crate::LeaseId;

/// Body type of proxied requests and responses.
type ProxyBody = BoxBody<Bytes, hyper::Error>;

/// How long to wait for an upstream TCP connect before answering 502.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a client may take to send its request headers.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Headers that describe one hop and are not forwarded (RFC 9110 §7.6.1).
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
];

#[derive(Default)]
struct Table {
    by_lease: BTreeMap<LeaseId, Vec<Route>>,
    /// Lower-case host → upstream addresses.
    by_host: HashMap<String, Vec<SocketAddr>>,
}

impl Table {
    fn rebuild(&mut self) {
        let mut by_host: HashMap<String, Vec<SocketAddr>> = HashMap::new();
        let mut owner: HashMap<String, &LeaseId> = HashMap::new();
        for (lease, routes) in &self.by_lease {
            for r in routes {
                let host = normalize_host(&r.host);
                match owner.get(&host) {
                    Some(o) if *o != lease => {
                        tracing::warn!(%host, lease = %lease, owner = %o, "host already routed to another lease");
                        continue;
                    }
                    _ => {}
                }
                owner.insert(host.clone(), lease);
                let targets = by_host.entry(host).or_default();
                if !targets.contains(&r.target) {
                    targets.push(r.target);
                }
            }
        }
        self.by_host = by_host;
    }
}

/// The HTTP ingress proxy. Share it with `Arc`; the routing table can be changed while
/// [`Ingress::serve`] runs.
pub struct Ingress {
    table: RwLock<Table>,
    next: AtomicUsize,
    client: Client<HttpConnector, ProxyBody>,
}

impl Default for Ingress {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Ingress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ingress").field("routes", &self.routes()).finish()
    }
}

impl Ingress {
    /// An ingress with no routes.
    pub fn new() -> Self {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(CONNECT_TIMEOUT));
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        Self { table: RwLock::new(Table::default()), next: AtomicUsize::new(0), client }
    }

    /// Replaces the routes of `lease` (an empty list removes the lease).
    pub fn set_routes(&self, lease: &LeaseId, routes: Vec<Route>) {
        let mut t = self.table.write();
        if routes.is_empty() {
            t.by_lease.remove(lease);
        } else {
            t.by_lease.insert(lease.clone(), routes);
        }
        t.rebuild();
    }

    /// Removes every route of `lease`.
    pub fn remove_lease(&self, lease: &LeaseId) {
        self.set_routes(lease, Vec::new());
    }

    /// All routes, by lease order.
    pub fn routes(&self) -> Vec<Route> {
        self.table.read().by_lease.values().flatten().cloned().collect()
    }

    /// The upstream for `host` (any case, with or without a port), round-robin over the
    /// host's targets.
    pub fn resolve(&self, host: &str) -> Option<SocketAddr> {
        let t = self.table.read();
        let targets = t.by_host.get(&normalize_host(host))?;
        if targets.is_empty() {
            return None;
        }
        let i = self.next.fetch_add(1, Ordering::Relaxed) % targets.len();
        Some(targets[i])
    }

    /// Accepts connections on `listener` and proxies them until this future is dropped
    /// (which also closes the connections it serves).
    pub async fn serve(self: Arc<Self>, listener: TcpListener) -> std::io::Result<()> {
        let mut conns = JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let (stream, peer) = match accepted {
                        Ok(a) => a,
                        Err(e) => {
                            // Out of descriptors and the like: back off, keep serving.
                            tracing::warn!(error = %e, "ingress accept failed");
                            tokio::time::sleep(Duration::from_millis(100)).await;
                            continue;
                        }
                    };
                    let _ = stream.set_nodelay(true);
                    let this = self.clone();
                    conns.spawn(async move {
                        let svc = hyper::service::service_fn(move |req| {
                            let this = this.clone();
                            async move { Ok::<_, Infallible>(this.handle(req, peer).await) }
                        });
                        let conn = hyper::server::conn::http1::Builder::new()
                            .timer(TokioTimer::new())
                            .header_read_timeout(HEADER_READ_TIMEOUT)
                            .serve_connection(TokioIo::new(stream), svc)
                            .with_upgrades();
                        if let Err(e) = conn.await {
                            tracing::debug!(error = %e, %peer, "ingress connection ended");
                        }
                    });
                }
                Some(_) = conns.join_next(), if !conns.is_empty() => {}
            }
        }
    }

    async fn handle(&self, mut req: Request<Incoming>, peer: SocketAddr) -> Response<ProxyBody> {
        let Some(host) = request_host(&req) else {
            return text(StatusCode::BAD_REQUEST, "missing Host header\n");
        };
        let Some(target) = self.resolve(&host) else {
            return text(StatusCode::NOT_FOUND, "no deployment serves this host\n");
        };
        let upgrade = is_upgrade(&req);
        let path = req.uri().path_and_query().map_or("/", |p| p.as_str()).to_string();
        let uri = match Uri::builder()
            .scheme("http")
            .authority(target.to_string())
            .path_and_query(path)
            .build()
        {
            Ok(u) => u,
            Err(_) => return text(StatusCode::BAD_REQUEST, "bad request target\n"),
        };
        *req.uri_mut() = uri;
        prepare_headers(&mut req, &host, peer, upgrade);
        if upgrade {
            return proxy_upgrade(req, target).await;
        }
        let req = req.map(|b| b.boxed());
        match self.client.request(req).await {
            Ok(resp) => {
                let mut resp = resp.map(|b| b.boxed());
                strip_hop_by_hop(resp.headers_mut(), false);
                resp
            }
            Err(e) => {
                tracing::debug!(error = %e, %target, "upstream failed");
                text(StatusCode::BAD_GATEWAY, "the deployment did not answer\n")
            }
        }
    }
}

/// Proxies a request asking for a protocol upgrade (websocket) over its own upstream
/// connection, then splices the two upgraded streams.
async fn proxy_upgrade(mut req: Request<Incoming>, target: SocketAddr) -> Response<ProxyBody> {
    let bad_gateway = || text(StatusCode::BAD_GATEWAY, "the deployment did not answer\n");
    let stream = match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(target)).await {
        Ok(Ok(s)) => s,
        _ => return bad_gateway(),
    };
    let (mut sender, conn) = match hyper::client::conn::http1::handshake(TokioIo::new(stream)).await
    {
        Ok(x) => x,
        Err(_) => return bad_gateway(),
    };
    tokio::spawn(async move {
        if let Err(e) = conn.with_upgrades().await {
            tracing::debug!(error = %e, "upstream upgrade connection ended");
        }
    });
    let client_upgrade = hyper::upgrade::on(&mut req);
    let mut resp = match sender.send_request(req.map(|b| b.boxed())).await {
        Ok(r) => r,
        Err(_) => return bad_gateway(),
    };
    if resp.status() == StatusCode::SWITCHING_PROTOCOLS {
        let upstream_upgrade = hyper::upgrade::on(&mut resp);
        tokio::spawn(async move {
            let (Ok(client), Ok(upstream)) = (client_upgrade.await, upstream_upgrade.await) else {
                return;
            };
            let mut client = TokioIo::new(client);
            let mut upstream = TokioIo::new(upstream);
            let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
        });
    }
    resp.map(|b| b.boxed())
}

/// The request's host: the `Host` header, else the authority of an absolute-form target.
fn request_host<B>(req: &Request<B>) -> Option<String> {
    if let Some(h) = req.headers().get(HOST).and_then(|h| h.to_str().ok()) {
        if !h.is_empty() {
            return Some(h.to_string());
        }
    }
    req.uri().authority().map(|a| a.as_str().to_string())
}

/// Lower-case, without a port and without a trailing dot.
pub fn normalize_host(host: &str) -> String {
    let host = host.trim();
    let bare = if let Some(rest) = host.strip_prefix('[') {
        // [v6]:port
        rest.split(']').next().unwrap_or(rest)
    } else {
        match host.rsplit_once(':') {
            Some((h, port)) if !h.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => host,
        }
    };
    bare.trim_end_matches('.').to_ascii_lowercase()
}

fn is_upgrade<B>(req: &Request<B>) -> bool {
    req.headers().contains_key(UPGRADE)
        && req
            .headers()
            .get_all(CONNECTION)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case("upgrade"))
}

fn strip_hop_by_hop(headers: &mut hyper::HeaderMap, keep_upgrade: bool) {
    // Headers named in Connection are hop-by-hop too.
    let named: Vec<String> = headers
        .get_all(CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty() && t != "upgrade")
        .collect();
    for n in named {
        headers.remove(n.as_str());
    }
    for h in HOP_BY_HOP {
        if keep_upgrade && h == "connection" {
            continue;
        }
        headers.remove(h);
    }
    if !keep_upgrade {
        headers.remove(UPGRADE);
    }
}

fn prepare_headers<B>(req: &mut Request<B>, host: &str, peer: SocketAddr, upgrade: bool) {
    let headers = req.headers_mut();
    strip_hop_by_hop(headers, upgrade);
    if upgrade {
        headers.insert(CONNECTION, HeaderValue::from_static("upgrade"));
    }
    let xff = HeaderName::from_static("x-forwarded-for");
    let ip = peer.ip().to_string();
    let value = match headers.get(&xff).and_then(|v| v.to_str().ok()) {
        Some(prev) if !prev.trim().is_empty() => format!("{prev}, {ip}"),
        _ => ip,
    };
    if let Ok(v) = HeaderValue::from_str(&value) {
        headers.insert(xff, v);
    }
    if let Ok(v) = HeaderValue::from_str(host) {
        headers.insert(HeaderName::from_static("x-forwarded-host"), v.clone());
        // Keep the original Host for the upstream (virtual hosting in the container).
        headers.insert(HOST, v);
    }
    headers.insert(HeaderName::from_static("x-forwarded-proto"), HeaderValue::from_static("http"));
}

fn text(status: StatusCode, body: &'static str) -> Response<ProxyBody> {
    let mut resp = Response::new(
        Full::new(Bytes::from_static(body.as_bytes())).map_err(|n| match n {}).boxed(),
    );
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(hyper::header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn lease(n: u64) -> LeaseId {
        let owner = dcloud_types::AccAddress::from_bytes(&[1u8; 20]).expect("address");
        let provider = dcloud_types::AccAddress::from_bytes(&[2u8; 20]).expect("address");
        LeaseId { owner, dseq: n, gseq: 1, oseq: 1, provider }
    }

    /// An upstream that echoes what it saw: method, path, selected headers, body.
    async fn upstream(tag: &'static str) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                tokio::spawn(async move {
                    let svc =
                        hyper::service::service_fn(move |req: Request<Incoming>| async move {
                            if is_upgrade(&req) {
                                let mut req = req;
                                let up = hyper::upgrade::on(&mut req);
                                tokio::spawn(async move {
                                    if let Ok(io) = up.await {
                                        let mut io = TokioIo::new(io);
                                        let mut buf = [0u8; 64];
                                        if let Ok(n) = io.read(&mut buf).await {
                                            let mut out = b"echo:".to_vec();
                                            out.extend_from_slice(&buf[..n]);
                                            let _ = io.write_all(&out).await;
                                        }
                                    }
                                });
                                let resp = Response::builder()
                                    .status(StatusCode::SWITCHING_PROTOCOLS)
                                    .header(CONNECTION, "upgrade")
                                    .header(UPGRADE, "test")
                                    .body(Full::new(Bytes::new()))
                                    .expect("response");
                                return Ok::<_, Infallible>(resp);
                            }
                            let get = |n: &str| {
                                req.headers()
                                    .get(n)
                                    .and_then(|v| v.to_str().ok())
                                    .unwrap_or("-")
                                    .to_string()
                            };
                            let head = format!(
                                "{tag} {} {} host={} xff={} xfh={} xfp={} conn={}\n",
                                req.method(),
                                req.uri(),
                                get("host"),
                                get("x-forwarded-for"),
                                get("x-forwarded-host"),
                                get("x-forwarded-proto"),
                                get("x-secret"),
                            );
                            let body = req
                                .into_body()
                                .collect()
                                .await
                                .map(|c| c.to_bytes())
                                .unwrap_or_default();
                            let mut out = head.into_bytes();
                            out.extend_from_slice(&body);
                            Ok(Response::new(Full::new(Bytes::from(out))))
                        });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .with_upgrades()
                        .await;
                });
            }
        });
        addr
    }

    async fn start(
        ingress: Arc<Ingress>,
    ) -> (SocketAddr, tokio::task::JoinHandle<std::io::Result<()>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        (addr, tokio::spawn(ingress.serve(listener)))
    }

    /// Sends a raw HTTP/1.1 request and returns (status, body).
    async fn raw(addr: SocketAddr, request: &str) -> (u16, String) {
        let mut s = TcpStream::connect(addr).await.expect("connect");
        s.write_all(request.as_bytes()).await.expect("write");
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).await.expect("read");
        let text = String::from_utf8_lossy(&buf).to_string();
        let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
        let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
        (status, body)
    }

    #[test]
    fn host_normalization() {
        assert_eq!(normalize_host("Web.Example.COM:8080"), "web.example.com");
        assert_eq!(normalize_host("web.example.com."), "web.example.com");
        assert_eq!(normalize_host("[::1]:80"), "::1");
        assert_eq!(normalize_host("plain"), "plain");
    }

    #[tokio::test]
    async fn routes_by_host_and_forwards_everything() {
        let a = upstream("A").await;
        let b = upstream("B").await;
        let ingress = Arc::new(Ingress::new());
        ingress.set_routes(
            &lease(1),
            vec![Route { host: "a.example.com".into(), target: a, service: "web".into() }],
        );
        ingress.set_routes(
            &lease(2),
            vec![Route { host: "b.example.com".into(), target: b, service: "api".into() }],
        );
        let (addr, task) = start(ingress.clone()).await;

        let (status, body) = raw(
            addr,
            "POST /x/y?q=1 HTTP/1.1\r\nHost: A.Example.com:8080\r\nConnection: close, x-secret\r\nX-Secret: s\r\nContent-Length: 5\r\n\r\nhello",
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(
            body,
            "A POST /x/y?q=1 host=A.Example.com:8080 xff=127.0.0.1 xfh=A.Example.com:8080 xfp=http conn=-\nhello"
        );

        // Chunked request body is streamed through.
        let (status, body) = raw(
            addr,
            "PUT / HTTP/1.1\r\nHost: b.example.com\r\nX-Forwarded-For: 10.0.0.9\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
        )
        .await;
        assert_eq!(status, 200);
        assert!(body.contains("B PUT / host=b.example.com xff=10.0.0.9, 127.0.0.1"), "{body}");
        assert!(body.contains("abcde"), "{body}");

        let (status, body) =
            raw(addr, "GET / HTTP/1.1\r\nHost: nope.example.com\r\nConnection: close\r\n\r\n")
                .await;
        assert_eq!(status, 404);
        assert!(body.contains("no deployment"), "{body}");

        // Replacing / removing routes takes effect immediately.
        ingress.remove_lease(&lease(1));
        let (status, _) =
            raw(addr, "GET / HTTP/1.1\r\nHost: a.example.com\r\nConnection: close\r\n\r\n").await;
        assert_eq!(status, 404);
        assert_eq!(ingress.routes().len(), 1);
        task.abort();
    }

    #[tokio::test]
    async fn dead_upstream_is_502() {
        // A port that was just free: nothing listens there.
        let dead = {
            let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            l.local_addr().expect("addr")
        };
        let ingress = Arc::new(Ingress::new());
        ingress.set_routes(
            &lease(3),
            vec![Route { host: "dead.test".into(), target: dead, service: "x".into() }],
        );
        let (addr, task) = start(ingress).await;
        let (status, body) =
            raw(addr, "GET / HTTP/1.1\r\nHost: dead.test\r\nConnection: close\r\n\r\n").await;
        assert_eq!(status, 502);
        assert!(body.contains("did not answer"));
        task.abort();
    }

    #[tokio::test]
    async fn round_robin_over_replicas_and_first_lease_keeps_a_host() {
        let a = upstream("A").await;
        let b = upstream("B").await;
        let c = upstream("C").await;
        let ingress = Arc::new(Ingress::new());
        ingress.set_routes(
            &lease(1),
            vec![
                Route { host: "rr.test".into(), target: a, service: "web".into() },
                Route { host: "rr.test".into(), target: b, service: "web".into() },
            ],
        );
        ingress.set_routes(
            &lease(2),
            vec![Route { host: "RR.test".into(), target: c, service: "web".into() }],
        );
        let (addr, task) = start(ingress).await;
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..4 {
            let (status, body) =
                raw(addr, "GET / HTTP/1.1\r\nHost: rr.test\r\nConnection: close\r\n\r\n").await;
            assert_eq!(status, 200);
            seen.insert(body.chars().next().unwrap_or('?'));
        }
        assert_eq!(seen.into_iter().collect::<String>(), "AB");
        task.abort();
    }

    #[tokio::test]
    async fn websocket_style_upgrade_is_spliced() {
        let a = upstream("A").await;
        let ingress = Arc::new(Ingress::new());
        ingress.set_routes(
            &lease(4),
            vec![Route { host: "ws.test".into(), target: a, service: "web".into() }],
        );
        let (addr, task) = start(ingress).await;
        let mut s = TcpStream::connect(addr).await.expect("connect");
        s.write_all(
            b"GET /ws HTTP/1.1\r\nHost: ws.test\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n",
        )
        .await
        .expect("write");
        let mut buf = vec![0u8; 1024];
        let mut got = Vec::new();
        while !got.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = s.read(&mut buf).await.expect("read");
            assert!(n > 0, "closed before the 101");
            got.extend_from_slice(&buf[..n]);
        }
        let head = String::from_utf8_lossy(&got).to_string();
        assert!(head.starts_with("HTTP/1.1 101"), "{head}");
        s.write_all(b"ping").await.expect("write");
        let mut echoed = Vec::new();
        while echoed.len() < 9 {
            let n = s.read(&mut buf).await.expect("read");
            assert!(n > 0, "closed early: {echoed:?}");
            echoed.extend_from_slice(&buf[..n]);
        }
        assert_eq!(&echoed, b"echo:ping");
        task.abort();
    }
}
