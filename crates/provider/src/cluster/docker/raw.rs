//! A plain HTTP GET to the engine for the one answer bollard cannot decode: Podman lists a
//! container that exited and waits for its restart (or cleanup) in the state `"stopped"`,
//! which the Docker API (and bollard's enum) does not have. The listing is read as JSON,
//! such states are mapped to the Docker state that means the same (`"exited"`), and the
//! result decodes into bollard's types as usual.

use bollard::models::ContainerSummary;
use http_body_util::BodyExt;

/// States the Docker API knows for a container summary.
const DOCKER_STATES: &[&str] =
    &["", "created", "running", "paused", "restarting", "exited", "removing", "dead", "stopping"];

/// `GET /containers/json?all=1&filters=…` on the engine at `host` (`unix://…`, `tcp://…`,
/// `http://…`), with non-Docker states normalized.
pub(super) async fn list_containers(
    host: &str,
    filters: &str,
) -> Result<Vec<ContainerSummary>, String> {
    let query: String = url_encode(filters);
    let path = format!("/containers/json?all=1&filters={query}");
    let body = get(host, &path).await?;
    let mut v: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| format!("container list: {e}"))?;
    for c in v.as_array_mut().into_iter().flatten() {
        normalize_state(c.get_mut("State"));
    }
    serde_json::from_value(v).map_err(|e| format!("container list: {e}"))
}

/// `GET /containers/{id}/json` on the engine at `host`, with a non-Docker `State.Status`
/// normalized; `Ok(None)` when the container is gone.
pub(super) async fn inspect_container(
    host: &str,
    id: &str,
) -> Result<Option<bollard::models::ContainerInspectResponse>, String> {
    let body = match get(host, &format!("/containers/{}/json", url_encode(id))).await {
        Ok(b) => b,
        Err(e) if e.starts_with("engine answered 404") => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut v: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| format!("container inspect: {e}"))?;
    normalize_state(v.get_mut("State").and_then(|st| st.get_mut("Status")));
    serde_json::from_value(v).map(Some).map_err(|e| format!("container inspect: {e}"))
}

/// A state the Docker API does not know (Podman's `stopped`) becomes `exited`.
fn normalize_state(state: Option<&mut serde_json::Value>) {
    if let Some(s) = state.filter(|s| s.as_str().is_some_and(|s| !DOCKER_STATES.contains(&s))) {
        *s = serde_json::Value::String("exited".into());
    }
}

async fn get(host: &str, path: &str) -> Result<hyper::body::Bytes, String> {
    let req = hyper::Request::get(path)
        .header("host", "docker")
        .body(http_body_util::Empty::<hyper::body::Bytes>::new())
        .map_err(|e| e.to_string())?;
    let resp = if let Some(sock) = host.strip_prefix("unix://") {
        let s = tokio::net::UnixStream::connect(sock).await.map_err(|e| format!("{sock}: {e}"))?;
        send(s, req).await?
    } else {
        let addr = host.trim_start_matches("tcp://").trim_start_matches("http://");
        let s = tokio::net::TcpStream::connect(addr).await.map_err(|e| format!("{addr}: {e}"))?;
        send(s, req).await?
    };
    let status = resp.status();
    let body = resp.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
    if !status.is_success() {
        return Err(format!("engine answered {status}: {}", String::from_utf8_lossy(&body)));
    }
    Ok(body)
}

async fn send<S>(
    stream: S,
    req: hyper::Request<http_body_util::Empty<hyper::body::Bytes>>,
) -> Result<hyper::Response<hyper::body::Incoming>, String>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static,
{
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
    let task = tokio::spawn(conn);
    let resp = sender.send_request(req).await.map_err(|e| e.to_string());
    if resp.is_err() {
        task.abort();
    }
    resp
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
