//! The web console's server (`dcloud console`): serves the web app built from `web/`
//! (embedded at compile time by `build.rs`) and proxies the node's public APIs so that the
//! browser talks to one origin and needs no CORS:
//!
//! - `/api/rpc` (POST, JSON-RPC 2.0) and `/api/rpc/<method>?…` (GET) → the node's JSON-RPC;
//! - `/api/rest/<path>` (GET, POST) → the node's REST API;
//! - `/api/websocket` → the node's websocket (event subscriptions), frame for frame;
//! - `/api/config` → `{ "rpc", "rest", "embedded", "faucet" }`, what the console was started with;
//! - `POST /api/faucet {"address"}` → funds the address (only a devnet's console, [`Faucet`]).
//!
//! A node that does not answer gives a `502` with a JSON body `{ "error": "…" }` saying which
//! node and what to do, never a bare network failure. A binary built without `web/dist` still
//! serves the API and answers `/` with how to build the console.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde_json::json;

mod faucet;
pub use faucet::{Faucet, FaucetError, COOLDOWN};

mod assets {
    include!(concat!(env!("OUT_DIR"), "/assets.rs"));
}

/// How long the proxy waits for the node (a `broadcast_tx_commit` may wait 30 s).
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(45);
/// Largest request body forwarded to the node.
const MAX_BODY: usize = 4 * 1024 * 1024;

/// Errors starting the console.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// A node URL that is not `http://` or `https://`.
    #[error("{what} URL {url:?} must start with http:// or https://")]
    BadUrl {
        /// Which URL (`--node`, `--rest`).
        what: &'static str,
        /// The URL given.
        url: String,
    },
    /// The listen address cannot be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}

/// What the console serves and where it forwards.
#[derive(Debug)]
pub struct ConsoleConfig {
    /// The node's JSON-RPC base URL, e.g. `http://127.0.0.1:26657`.
    pub rpc: String,
    /// The node's REST base URL, e.g. `http://127.0.0.1:1317`.
    pub rest: String,
    /// Where to listen.
    pub listen: SocketAddr,
    /// A faucet (devnets only): `POST /api/faucet` funds addresses from its key.
    pub faucet: Option<Faucet>,
}

/// Whether this binary was built with the web app embedded.
pub fn embedded() -> bool {
    !assets::ASSETS.is_empty()
}

/// The REST URL that goes with an RPC URL when none is given: same host, port 1317.
pub fn default_rest_for(rpc: &str) -> String {
    let (scheme, rest) = rpc.split_once("://").unwrap_or(("http", rpc));
    let authority = rest.split('/').next().unwrap_or(rest);
    let host = match authority.rsplit_once(':') {
        Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => authority,
    };
    format!("{scheme}://{host}:1317")
}

fn check_url(what: &'static str, url: &str) -> Result<String, ConsoleError> {
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(url.trim_end_matches('/').to_string())
    } else {
        Err(ConsoleError::BadUrl { what, url: url.into() })
    }
}

struct Shared {
    rpc: String,
    rest: String,
    http: reqwest::Client,
    faucet: Option<faucet::FaucetState>,
}

/// The console's routes (for tests and embedding in another server).
pub fn router(cfg: ConsoleConfig) -> Result<Router, ConsoleError> {
    let rpc = check_url("--node", &cfg.rpc)?;
    let rest = check_url("--rest", &cfg.rest)?;
    let http = reqwest::Client::builder()
        .timeout(UPSTREAM_TIMEOUT)
        .build()
        .map_err(|e| ConsoleError::Client(e.to_string()))?;
    let faucet = cfg.faucet.map(faucet::FaucetState::new);
    let sh = Arc::new(Shared { rpc, rest, http, faucet });
    Ok(Router::new()
        .route("/api/config", get(config))
        .route("/api/faucet", post(faucet_post))
        .route("/api/rpc", post(rpc_post))
        .route("/api/rpc/{method}", get(rpc_get))
        .route("/api/rest/{*path}", any(rest_any))
        .route("/api/websocket", get(ws_proxy))
        .route("/api/{*rest}", any(api_unknown))
        .fallback(get(static_file))
        .with_state(sh))
}

/// A running console.
#[derive(Debug)]
pub struct RunningConsole {
    /// The bound address (the port is real when `:0` was asked).
    pub addr: SocketAddr,
    /// The server task; ends on error only.
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Binds and starts serving in the background.
pub async fn start(cfg: ConsoleConfig) -> Result<RunningConsole, ConsoleError> {
    let listen = cfg.listen;
    let app = router(cfg)?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| ConsoleError::Bind { addr: listen, source })?;
    let addr =
        listener.local_addr().map_err(|source| ConsoleError::Bind { addr: listen, source })?;
    let task = tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(RunningConsole { addr, task })
}

async fn config(State(sh): State<Arc<Shared>>) -> Response {
    Json(json!({
        "rpc": sh.rpc,
        "rest": sh.rest,
        "embedded": embedded(),
        "faucet": sh.faucet.is_some(),
    }))
    .into_response()
}

#[derive(serde::Deserialize)]
struct FaucetReq {
    address: String,
}

async fn faucet_post(State(sh): State<Arc<Shared>>, body: Bytes) -> Response {
    let Some(f) = &sh.faucet else {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": "this console has no faucet (only a devnet's console has one): ask someone with funds to send you some" })),
        )
            .into_response();
    };
    let req: FaucetReq = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": format!("the body must be {{\"address\": \"akash1…\"}}: {e}") })),
        )
            .into_response(),
    };
    match f.fund(&sh.rpc, &req.address).await {
        Ok(funded) => Json(json!(funded)).into_response(),
        Err(e) => {
            let status = match e {
                FaucetError::BadAddress(_) => StatusCode::BAD_REQUEST,
                FaucetError::TooSoon(..) => StatusCode::TOO_MANY_REQUESTS,
                FaucetError::Send(_) => StatusCode::BAD_GATEWAY,
            };
            (status, Json(json!({ "error": e.to_string() }))).into_response()
        }
    }
}

fn upstream_error(what: &str, url: &str, e: &reqwest::Error) -> Response {
    let why = if e.is_timeout() {
        format!("the node's {what} at {url} did not answer within {}s: it may be overloaded or stuck; check its log", UPSTREAM_TIMEOUT.as_secs())
    } else if e.is_connect() {
        format!(
            "the node's {what} at {url} does not answer: is the node (or `dcloud devnet`) running?"
        )
    } else {
        format!("the node's {what} at {url} failed: {e}")
    };
    (StatusCode::BAD_GATEWAY, Json(json!({ "error": why }))).into_response()
}

async fn forward(
    sh: &Shared,
    what: &str,
    base: &str,
    method: Method,
    url: String,
    headers: &HeaderMap,
    body: Bytes,
) -> Response {
    if body.len() > MAX_BODY {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            Json(json!({ "error": format!("request body over {MAX_BODY} bytes") })),
        )
            .into_response();
    }
    let mut req = sh.http.request(method, &url);
    if let Some(ct) = headers.get(header::CONTENT_TYPE) {
        req = req.header(header::CONTENT_TYPE, ct.clone());
    }
    if !body.is_empty() {
        req = req.body(body);
    }
    match req.send().await {
        Ok(r) => {
            let status = r.status();
            let ct = r.headers().get(header::CONTENT_TYPE).cloned();
            match r.bytes().await {
                Ok(b) => {
                    let mut resp = (status, b).into_response();
                    if let Some(ct) = ct {
                        resp.headers_mut().insert(header::CONTENT_TYPE, ct);
                    }
                    resp.headers_mut()
                        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                    resp
                }
                Err(e) => upstream_error(what, base, &e),
            }
        }
        Err(e) => upstream_error(what, base, &e),
    }
}

async fn rpc_post(State(sh): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let url = format!("{}/", sh.rpc);
    forward(&sh, "JSON-RPC", &sh.rpc, Method::POST, url, &headers, body).await
}

fn with_query(mut url: String, q: Option<String>) -> String {
    if let Some(q) = q.filter(|q| !q.is_empty()) {
        url.push('?');
        url.push_str(&q);
    }
    url
}

async fn rpc_get(
    State(sh): State<Arc<Shared>>,
    Path(method): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    if !method.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": format!("{method:?} is not a JSON-RPC method name") })),
        )
            .into_response();
    }
    let url = with_query(format!("{}/{method}", sh.rpc), q);
    forward(&sh, "JSON-RPC", &sh.rpc, Method::GET, url, &headers, Bytes::new()).await
}

async fn rest_any(
    State(sh): State<Arc<Shared>>,
    method: Method,
    Path(path): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if method != Method::GET && method != Method::POST {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            Json(json!({ "error": "the REST proxy forwards GET and POST only" })),
        )
            .into_response();
    }
    if path.split('/').any(|s| s == ".." || s == ".") {
        return (StatusCode::BAD_REQUEST, Json(json!({ "error": "bad REST path" })))
            .into_response();
    }
    let url = with_query(format!("{}/{path}", sh.rest), q);
    forward(&sh, "REST API", &sh.rest, method, url, &headers, body).await
}

/// The node's websocket URL for its RPC URL.
fn node_ws_url(rpc: &str) -> String {
    let base = if let Some(r) = rpc.strip_prefix("https://") {
        format!("wss://{r}")
    } else {
        format!("ws://{}", rpc.trim_start_matches("http://"))
    };
    format!("{base}/websocket")
}

async fn ws_proxy(
    State(sh): State<Arc<Shared>>,
    ws: axum::extract::ws::WebSocketUpgrade,
) -> Response {
    let url = node_ws_url(&sh.rpc);
    let node = match tokio_tungstenite::connect_async(url.as_str()).await {
        Ok((node, _)) => node,
        Err(e) => {
            return (
                StatusCode::BAD_GATEWAY,
                Json(json!({ "error": format!("the node's websocket at {url} does not answer ({e}): is the node (or `dcloud devnet`) running?") })),
            )
                .into_response()
        }
    };
    ws.on_upgrade(move |browser| pump(browser, node))
}

/// Copies frames both ways until either side closes.
async fn pump(
    browser: axum::extract::ws::WebSocket,
    node: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
) {
    use axum::extract::ws::Message as B;
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message as N;
    let (mut b_tx, mut b_rx) = browser.split();
    let (mut n_tx, mut n_rx) = node.split();
    let up = async {
        while let Some(Ok(m)) = b_rx.next().await {
            let m = match m {
                B::Text(t) => N::Text(t.as_str().into()),
                B::Binary(b) => N::Binary(b),
                B::Ping(p) => N::Ping(p),
                B::Pong(p) => N::Pong(p),
                B::Close(_) => break,
            };
            if n_tx.send(m).await.is_err() {
                break;
            }
        }
        let _ = n_tx.close().await;
    };
    let down = async {
        while let Some(Ok(m)) = n_rx.next().await {
            let m = match m {
                N::Text(t) => B::Text(t.as_str().into()),
                N::Binary(b) => B::Binary(b),
                N::Ping(p) => B::Ping(p),
                N::Pong(p) => B::Pong(p),
                N::Close(_) => break,
                N::Frame(_) => continue,
            };
            if b_tx.send(m).await.is_err() {
                break;
            }
        }
        let _ = b_tx.close().await;
    };
    tokio::select! {
        () = up => {},
        () = down => {},
    }
}

async fn api_unknown(Path(rest): Path<String>) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({ "error": format!("no console API /api/{rest}: use /api/rpc, /api/rest/… or /api/config") })),
    )
        .into_response()
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, e)| e) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") | Some("mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("json") | Some("map") => "application/json",
        Some("wasm") => "application/wasm",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The page a binary built without the web app answers.
const NOT_BUILT: &str = "<!doctype html><html><head><meta charset=utf-8><title>dcloud console: not built</title></head><body style=\"font-family:sans-serif;max-width:40em;margin:3em auto\">\
<h1>The web console was not built into this dcloud</h1>\
<p>This binary was compiled without the web app (<code>web/dist</code> was missing). The node's API is still proxied under <code>/api/rpc</code> and <code>/api/rest</code>.</p>\
<p>To get the console, build the web app and then dcloud, from the repository root:</p>\
<pre>cd web &amp;&amp; npm ci &amp;&amp; npm run build &amp;&amp; cd ..\ncargo build -p dcloud</pre></body></html>";

fn asset(path: &str) -> Option<&'static [u8]> {
    assets::ASSETS.iter().find(|(p, _)| *p == path).map(|(_, b)| *b)
}

async fn static_file(uri: axum::http::Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    if !embedded() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            NOT_BUILT,
        )
            .into_response();
    }
    let (path, body) = match asset(path) {
        Some(b) => (path, b),
        // Client-side routes (and unknown pages) get the app, which shows its own not-found.
        None if !path.starts_with("assets/") => match asset("index.html") {
            Some(b) => ("index.html", b),
            None => return StatusCode::NOT_FOUND.into_response(),
        },
        None => return (StatusCode::NOT_FOUND, "no such asset").into_response(),
    };
    // Vite names assets by content hash: they never change; index.html must be re-read.
    let cache = if path.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, content_type(path)), (header::CACHE_CONTROL, cache)],
        Body::from(body),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_rest_uses_the_rpc_host() {
        assert_eq!(default_rest_for("http://127.0.0.1:26657"), "http://127.0.0.1:1317");
        assert_eq!(default_rest_for("https://node.example:443/"), "https://node.example:1317");
        assert_eq!(default_rest_for("localhost"), "http://localhost:1317");
    }

    #[test]
    fn bad_urls_are_refused() {
        let cfg = ConsoleConfig {
            rpc: "127.0.0.1:26657".into(),
            rest: "http://127.0.0.1:1317".into(),
            listen: "127.0.0.1:0".parse().expect("addr"),
            faucet: None,
        };
        let Err(e) = router(cfg) else { panic!("a URL without a scheme must be refused") };
        assert!(e.to_string().contains("--node"), "{e}");
    }

    #[test]
    fn websocket_urls() {
        assert_eq!(node_ws_url("http://127.0.0.1:26657"), "ws://127.0.0.1:26657/websocket");
        assert_eq!(node_ws_url("https://rpc.example"), "wss://rpc.example/websocket");
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("assets/index-abc.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("x.unknown"), "application/octet-stream");
    }

    /// `/` serves the embedded app, or (built without web/dist) says how to build it; API
    /// paths never fall back to the app. Run with `DCLOUD_CONSOLE_DIST=/nonexistent` to
    /// check the second branch.
    #[tokio::test]
    async fn serves_the_app_or_says_how_to_build_it() {
        let c = start(ConsoleConfig {
            rpc: "http://127.0.0.1:1".into(),
            rest: "http://127.0.0.1:1".into(),
            listen: "127.0.0.1:0".parse().expect("addr"),
            faucet: None,
        })
        .await
        .expect("start");
        let r = reqwest::get(format!("http://{}/", c.addr)).await.expect("get");
        let status = r.status();
        let body = r.text().await.expect("body");
        if embedded() {
            assert_eq!(status, 200);
            assert!(body.contains("<div id=\"app\">"), "{body}");
            let asset = assets::ASSETS
                .iter()
                .find(|(p, _)| p.ends_with(".js"))
                .map(|(p, _)| *p)
                .expect("a js asset");
            let r = reqwest::get(format!("http://{}/{asset}", c.addr)).await.expect("get");
            assert_eq!(r.status(), 200);
            assert_eq!(r.headers()["content-type"], "text/javascript; charset=utf-8");
            assert!(r.headers()["cache-control"].to_str().expect("ascii").contains("immutable"));
            let r =
                reqwest::get(format!("http://{}/assets/missing.js", c.addr)).await.expect("get");
            assert_eq!(r.status(), 404);
        } else {
            assert_eq!(status, 503);
            assert!(body.contains("npm ci &amp;&amp; npm run build"), "{body}");
        }
        let r = reqwest::get(format!("http://{}/api/config", c.addr)).await.expect("get");
        let v: serde_json::Value = r.json().await.expect("json");
        assert_eq!(v["embedded"], embedded());
        c.task.abort();
    }

    /// A node that is down gives a 502 whose JSON says which node and what to do.
    #[tokio::test]
    async fn unreachable_node_is_a_clear_502() {
        let dead = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = dead.local_addr().expect("addr").port();
        drop(dead);
        let c = start(ConsoleConfig {
            rpc: format!("http://127.0.0.1:{port}"),
            rest: format!("http://127.0.0.1:{port}"),
            listen: "127.0.0.1:0".parse().expect("addr"),
            faucet: None,
        })
        .await
        .expect("start");
        let r = reqwest::get(format!("http://{}/api/rpc/status", c.addr)).await.expect("get");
        assert_eq!(r.status(), 502);
        let v: serde_json::Value = r.json().await.expect("json");
        let msg = v["error"].as_str().expect("error string");
        assert!(msg.contains(&format!("127.0.0.1:{port}")), "{msg}");
        assert!(msg.contains("is the node"), "{msg}");
        let r = reqwest::get(format!("http://{}/api/nope", c.addr)).await.expect("get");
        assert_eq!(r.status(), 404);
        c.task.abort();
    }
}
