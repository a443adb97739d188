//! Route handlers.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use dcloud_chain::deployment::DeploymentState;
use dcloud_sdl::output::ManifestGroup;
use dcloud_sdl::Manifest;
use dcloud_types::AccAddress;
use futures::stream::BoxStream;
use futures::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};

use super::auth::{ApiError, Caller};
use super::{manifest, shell, GatewayState};
use crate::cluster::{
    BackendError, ExecInput, ExecOutput, ExecRequest, LeaseStatus, LogOptions, ServiceStatus,
};
use crate::daemon::gateway::jwt::{Grant, Scope, Target};
use crate::daemon::gateway::DeployFailure;
use crate::LeaseId;

/// Ping interval on streaming websockets.
const PING_EVERY: Duration = Duration::from_secs(10);
/// Largest websocket message accepted from a client (shell stdin).
const MAX_WS_MESSAGE: usize = 1024 * 1024;

pub(super) fn router(state: GatewayState) -> Router {
    let limit = state.max_manifest_bytes;
    Router::new()
        .route("/version", get(version))
        .route("/address", get(address))
        .route("/status", get(provider_status))
        .route("/deployment/{dseq}/manifest", put(put_manifest).layer(DefaultBodyLimit::max(limit)))
        .route("/lease/{dseq}/{gseq}/{oseq}/manifest", get(lease_manifest))
        .route("/lease/{dseq}/{gseq}/{oseq}/status", get(lease_status))
        .route("/lease/{dseq}/{gseq}/{oseq}/service/{service}/status", get(service_status))
        .route("/lease/{dseq}/{gseq}/{oseq}/logs", get(lease_logs))
        .route("/lease/{dseq}/{gseq}/{oseq}/kubeevents", get(lease_events))
        .route("/lease/{dseq}/{gseq}/{oseq}/shell", get(lease_shell))
        .with_state(state)
}

type Params = Query<Vec<(String, String)>>;

fn param<'a>(q: &'a [(String, String)], name: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn flag(q: &[(String, String)], name: &str) -> Result<bool, ApiError> {
    match param(q, name) {
        None => Ok(false),
        Some("1" | "true") => Ok(true),
        Some("0" | "false" | "") => Ok(false),
        Some(v) => Err(ApiError::BadRequest(format!("{name}={v:?}: expected true/false or 1/0"))),
    }
}

/// The owner the request acts for: `?owner=` or the caller; only the caller may act.
fn owner_of(caller: &Caller, q: &[(String, String)]) -> Result<AccAddress, ApiError> {
    let Some(o) = param(q, "owner") else {
        return Ok(caller.address.clone());
    };
    let owner: AccAddress =
        o.parse().map_err(|e| ApiError::BadRequest(format!("owner {o:?}: {e}")))?;
    if owner != caller.address {
        return Err(ApiError::Forbidden(format!(
            "only the owner {owner} may act on its deployments and leases (authenticated as {})",
            caller.address
        )));
    }
    Ok(owner)
}

async fn version() -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "akash": {"name": "dcloud-provider", "version": env!("CARGO_PKG_VERSION")},
        "kube": null,
    }))
}

async fn address(State(s): State<GatewayState>) -> Json<serde_json::Value> {
    Json(serde_json::json!({"address": s.provider.to_string()}))
}

async fn provider_status(State(s): State<GatewayState>) -> Json<serde_json::Value> {
    let mut v = s.leases.provider_status().await;
    if let Some(o) = v.as_object_mut() {
        o.entry("address").or_insert_with(|| s.provider.to_string().into());
    }
    Json(v)
}

async fn put_manifest(
    State(s): State<GatewayState>,
    caller: Caller,
    Path(dseq): Path<u64>,
    Query(q): Params,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let owner = owner_of(&caller, &q)?;
    let target = Target { provider: &s.provider, dseq, gseq: None, oseq: None };
    caller.authorize(Scope::SendManifest, &target)?;
    let groups: Vec<ManifestGroup> = serde_json::from_slice(&body)
        .map_err(|e| ApiError::Unprocessable(format!("invalid manifest: {e}")))?;
    let m = Manifest(groups);
    manifest::validate_manifest(&m)
        .map_err(|e| ApiError::Unprocessable(format!("invalid manifest: {e}")))?;
    let dep = s
        .chain
        .deployment(&owner, dseq)
        .await
        .map_err(ApiError::Chain)?
        .filter(|d| d.state == DeploymentState::Active)
        .ok_or_else(|| ApiError::NotFound(format!("no active deployment {owner}/{dseq}")))?;
    let version = hex::encode(m.version());
    if !version.eq_ignore_ascii_case(&dep.hash) {
        return Err(ApiError::Unprocessable(format!(
            "manifest version validation failed: the manifest hashes to {version}, deployment {dseq} expects {}",
            dep.hash
        )));
    }
    manifest::check_group_names(&m, &dep).map_err(ApiError::Unprocessable)?;
    let leases: Vec<LeaseId> = s
        .chain
        .active_leases(&owner, dseq)
        .await
        .map_err(ApiError::Chain)?
        .into_iter()
        .filter(|l| l.provider == s.provider && l.owner == owner && l.dseq == dseq)
        .collect();
    if leases.is_empty() {
        return Err(ApiError::NotFound(format!("no lease for deployment {dseq}")));
    }
    let mut plan = Vec::with_capacity(leases.len());
    for lease in &leases {
        let group = dep.groups.iter().find(|g| g.gseq == lease.gseq).ok_or_else(|| {
            ApiError::Unprocessable(format!(
                "leased group {} is not in deployment {dseq}",
                lease.gseq
            ))
        })?;
        let mg = m.0.iter().find(|g| g.name == group.spec.name).ok_or_else(|| {
            ApiError::Unprocessable(format!("the manifest has no group {:?}", group.spec.name))
        })?;
        manifest::check_group(mg, &group.spec).map_err(|e| {
            ApiError::Unprocessable(format!("group {:?} does not match the lease: {e}", mg.name))
        })?;
        plan.push((lease, mg));
    }
    for (lease, mg) in plan {
        s.leases.deploy(lease, mg).await.map_err(|e| match e {
            DeployFailure::Workload(f) => ApiError::Workload(f),
            DeployFailure::Provider(e) => {
                ApiError::Internal(format!("deploying lease {lease}: {e}"))
            }
        })?;
    }
    Ok(StatusCode::OK)
}

#[derive(Debug, Deserialize)]
struct LeasePath {
    dseq: u64,
    gseq: u32,
    oseq: u32,
}

#[derive(Debug, Deserialize)]
struct ServicePath {
    dseq: u64,
    gseq: u32,
    oseq: u32,
    service: String,
}

/// Authorizes `scope` on the lease at `p`; the lease id and what the grant covers.
fn lease_access(
    s: &GatewayState,
    caller: &Caller,
    p: &LeasePath,
    q: &[(String, String)],
    scope: Scope,
) -> Result<(LeaseId, Grant), ApiError> {
    let owner = owner_of(caller, q)?;
    let target =
        Target { provider: &s.provider, dseq: p.dseq, gseq: Some(p.gseq), oseq: Some(p.oseq) };
    let grant = caller.authorize(scope, &target)?;
    let lease =
        LeaseId { owner, dseq: p.dseq, gseq: p.gseq, oseq: p.oseq, provider: s.provider.clone() };
    Ok((lease, grant))
}

async fn deployed_group(s: &GatewayState, lease: &LeaseId) -> Result<ManifestGroup, ApiError> {
    if let Some(g) = s.leases.manifest(lease).await {
        return Ok(g);
    }
    match s.leases.failure(lease).await {
        Some((g, _)) => Ok(g),
        None => Err(ApiError::NotFound(format!("no manifest received for lease {lease}"))),
    }
}

/// The lease's status from the backend, with the failure of its last manifest when that
/// one could not run (then, when nothing runs at all, every service at 0 replicas).
async fn lease_status_of(s: &GatewayState, lease: &LeaseId) -> Result<LeaseStatus, ApiError> {
    let failure = s.leases.failure(lease).await;
    let running = s.leases.manifest(lease).await;
    let mut status = match (&running, &failure) {
        (Some(_), _) => s.backend.status(lease).await.map_err(backend_error)?,
        (None, Some((group, _))) => LeaseStatus {
            services: group
                .services
                .iter()
                .map(|svc| {
                    let st = ServiceStatus {
                        name: svc.name.clone(),
                        total: svc.count,
                        ..ServiceStatus::default()
                    };
                    (svc.name.clone(), st)
                })
                .collect(),
            ..LeaseStatus::default()
        },
        (None, None) => {
            return Err(ApiError::NotFound(format!("no manifest received for lease {lease}")))
        }
    };
    if let Some((_, f)) = failure {
        status.errors.push(f.to_string());
        status.failure = Some(f);
    }
    Ok(status)
}

fn backend_error(e: BackendError) -> ApiError {
    match e {
        BackendError::LeaseNotFound(_)
        | BackendError::ServiceNotFound(_)
        | BackendError::NoRunningReplica(_) => ApiError::NotFound(e.to_string()),
        BackendError::Engine(_)
        | BackendError::Invalid(_)
        | BackendError::ImagePull { .. }
        | BackendError::Isolation(_)
        | BackendError::TeardownIncomplete(_) => ApiError::Internal(e.to_string()),
    }
}

async fn lease_manifest(
    State(s): State<GatewayState>,
    caller: Caller,
    Path(p): Path<LeasePath>,
    Query(q): Params,
) -> Result<Json<Vec<ManifestGroup>>, ApiError> {
    let (lease, _) = lease_access(&s, &caller, &p, &q, Scope::GetManifest)?;
    Ok(Json(vec![deployed_group(&s, &lease).await?]))
}

async fn lease_status(
    State(s): State<GatewayState>,
    caller: Caller,
    Path(p): Path<LeasePath>,
    Query(q): Params,
) -> Result<Response, ApiError> {
    let (lease, grant) = lease_access(&s, &caller, &p, &q, Scope::Status)?;
    let mut status = lease_status_of(&s, &lease).await?;
    if let Grant::Services(_) = grant {
        status.services.retain(|name, _| grant.covers(name));
        status.forwarded_ports.retain(|name, _| grant.covers(name));
    }
    Ok(Json(status).into_response())
}

async fn service_status(
    State(s): State<GatewayState>,
    caller: Caller,
    Path(p): Path<ServicePath>,
    Query(q): Params,
) -> Result<Response, ApiError> {
    let lp = LeasePath { dseq: p.dseq, gseq: p.gseq, oseq: p.oseq };
    let (lease, grant) = lease_access(&s, &caller, &lp, &q, Scope::Status)?;
    if !grant.covers(&p.service) {
        return Err(ApiError::Forbidden(format!(
            "the token does not cover service {:?}",
            p.service
        )));
    }
    let group = deployed_group(&s, &lease).await?;
    if !group.services.iter().any(|x| x.name == p.service) {
        return Err(ApiError::NotFound(format!("service {:?} is not in lease {lease}", p.service)));
    }
    let mut status = lease_status_of(&s, &lease).await?;
    let svc = status
        .services
        .remove(&p.service)
        .ok_or_else(|| ApiError::NotFound(format!("service {:?} has no status yet", p.service)))?;
    Ok(Json(svc).into_response())
}

/// `service`, `follow`, `tail` of logs and events; the services restricted to the grant.
fn log_options(q: &[(String, String)], grant: &Grant) -> Result<LogOptions, ApiError> {
    let mut services = Vec::new();
    if let Some(list) = param(q, "service") {
        for name in list.split(',') {
            if name.is_empty() {
                return Err(ApiError::BadRequest(format!("service={list:?}: empty service name")));
            }
            services.push(name.to_string());
        }
    }
    let tail = match param(q, "tail") {
        None | Some("") => None,
        Some(t) => match t.parse::<i64>() {
            Ok(-1) => None,
            Ok(n) if n >= 0 => Some(n as u64),
            _ => return Err(ApiError::BadRequest(format!("tail={t:?}: expected an integer ≥ -1"))),
        },
    };
    if let Grant::Services(allowed) = grant {
        if services.is_empty() {
            services = allowed.clone();
        } else if let Some(s) = services.iter().find(|s| !grant.covers(s)) {
            return Err(ApiError::Forbidden(format!("the token does not cover service {s:?}")));
        }
    }
    Ok(LogOptions { services, follow: flag(q, "follow")?, tail })
}

fn close_code(e: &BackendError) -> u16 {
    match e {
        BackendError::LeaseNotFound(_) => 4001,
        BackendError::ServiceNotFound(_) => 4002,
        BackendError::NoRunningReplica(_)
        | BackendError::Engine(_)
        | BackendError::Invalid(_)
        | BackendError::ImagePull { .. }
        | BackendError::Isolation(_)
        | BackendError::TeardownIncomplete(_) => 4000,
    }
}

fn close_message(code: u16, reason: &str) -> Message {
    // A close reason is at most 123 bytes.
    let mut r = reason.to_string();
    while r.len() > 123 {
        r.pop();
    }
    Message::Close(Some(CloseFrame { code, reason: r.into() }))
}

/// Sends each item as a JSON text message, pings every [`PING_EVERY`], and closes with
/// 1000 at the end or the error's close code.
async fn stream_json<T: Serialize + Send + 'static>(
    socket: WebSocket,
    stream: Result<BoxStream<'static, Result<T, BackendError>>, BackendError>,
) {
    let (mut tx, mut rx) = socket.split();
    let mut stream = match stream {
        Ok(s) => s,
        Err(e) => {
            let _ = tx.send(close_message(close_code(&e), &e.to_string())).await;
            return;
        }
    };
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    loop {
        tokio::select! {
            item = stream.next() => {
                let msg = match item {
                    Some(Ok(v)) => match serde_json::to_string(&v) {
                        Ok(text) => Message::Text(text.into()),
                        Err(e) => close_message(4000, &e.to_string()),
                    },
                    Some(Err(e)) => close_message(close_code(&e), &e.to_string()),
                    None => close_message(1000, ""),
                };
                let last = matches!(msg, Message::Close(_));
                if tx.send(msg).await.is_err() || last {
                    return;
                }
            }
            _ = ping.tick() => {
                if tx.send(Message::Ping(Bytes::new())).await.is_err() {
                    return;
                }
            }
            incoming = rx.next() => match incoming {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

async fn lease_logs(
    State(s): State<GatewayState>,
    caller: Caller,
    Path(p): Path<LeasePath>,
    Query(q): Params,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let (lease, grant) = lease_access(&s, &caller, &p, &q, Scope::Logs)?;
    let opts = log_options(&q, &grant)?;
    deployed_group(&s, &lease).await?;
    Ok(ws.on_upgrade(move |socket| async move {
        let stream = s.backend.logs(&lease, opts).await;
        stream_json(socket, stream).await;
    }))
}

async fn lease_events(
    State(s): State<GatewayState>,
    caller: Caller,
    Path(p): Path<LeasePath>,
    Query(q): Params,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let (lease, grant) = lease_access(&s, &caller, &p, &q, Scope::Events)?;
    let opts = log_options(&q, &grant)?;
    deployed_group(&s, &lease).await?;
    Ok(ws.on_upgrade(move |socket| async move {
        let stream = s.backend.events(&lease, opts).await;
        stream_json(socket, stream).await;
    }))
}

fn exec_request(q: &[(String, String)]) -> Result<ExecRequest, ApiError> {
    let mut cmd = Vec::new();
    while let Some(arg) = param(q, &format!("cmd{}", cmd.len())) {
        cmd.push(arg.to_string());
    }
    if cmd.is_empty() {
        return Err(ApiError::BadRequest("no command: pass cmd0, cmd1, …".into()));
    }
    let service = param(q, "service")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::BadRequest("missing service".into()))?
        .to_string();
    let replica = match param(q, "podIndex") {
        None | Some("") => 0,
        Some(v) => v
            .parse()
            .map_err(|_| ApiError::BadRequest(format!("podIndex={v:?}: expected a number")))?,
    };
    Ok(ExecRequest { service, replica, cmd, tty: flag(q, "tty")?, stdin: flag(q, "stdin")? })
}

async fn lease_shell(
    State(s): State<GatewayState>,
    caller: Caller,
    Path(p): Path<LeasePath>,
    Query(q): Params,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let (lease, grant) = lease_access(&s, &caller, &p, &q, Scope::Shell)?;
    let req = exec_request(&q)?;
    if !grant.covers(&req.service) {
        return Err(ApiError::Forbidden(format!(
            "the token does not cover service {:?}",
            req.service
        )));
    }
    let group = deployed_group(&s, &lease).await?;
    if !group.services.iter().any(|x| x.name == req.service) {
        return Err(ApiError::NotFound(format!(
            "service {:?} is not in lease {lease}",
            req.service
        )));
    }
    Ok(ws.max_message_size(MAX_WS_MESSAGE).on_upgrade(move |socket| async move {
        let session = s.backend.exec(&lease, req).await;
        run_shell(socket, session).await;
    }))
}

fn frame(code: u8, payload: &[u8]) -> Message {
    let mut b = Vec::with_capacity(payload.len() + 1);
    b.push(code);
    b.extend_from_slice(payload);
    Message::Binary(b.into())
}

/// Bridges an exec session and the websocket (frame codes in [`shell`]).
async fn run_shell(socket: WebSocket, session: Result<crate::cluster::ExecSession, BackendError>) {
    let (mut tx, mut rx) = socket.split();
    let session = match session {
        Ok(s) => s,
        Err(e) => {
            let _ = tx.send(frame(shell::FAILURE, e.to_string().as_bytes())).await;
            let _ = tx.send(close_message(1000, "")).await;
            return;
        }
    };
    let crate::cluster::ExecSession { mut output, input, exit_code } = session;
    let reader = tokio::spawn(async move {
        while let Some(Ok(msg)) = rx.next().await {
            let b = match msg {
                Message::Binary(b) => b,
                Message::Close(_) => break,
                _ => continue,
            };
            let sent = match (b.first().copied(), &b[1..]) {
                (Some(shell::STDIN), []) => input.send(ExecInput::Eof).await,
                (Some(shell::STDIN), data) => input.send(ExecInput::Stdin(data.to_vec())).await,
                (Some(shell::RESIZE), [w0, w1, h0, h1]) => {
                    let width = u16::from_be_bytes([*w0, *w1]);
                    let height = u16::from_be_bytes([*h0, *h1]);
                    input.send(ExecInput::Resize { width, height }).await
                }
                _ => Ok(()),
            };
            if sent.is_err() {
                // The command no longer reads input; keep draining until close.
                continue;
            }
        }
    });
    while let Some(item) = output.next().await {
        let msg = match item {
            Ok(ExecOutput::Stdout(b)) => frame(shell::STDOUT, &b),
            Ok(ExecOutput::Stderr(b)) => frame(shell::STDERR, &b),
            Err(e) => {
                let _ = tx.send(frame(shell::FAILURE, e.to_string().as_bytes())).await;
                let _ = tx.send(close_message(1000, "")).await;
                reader.abort();
                return;
            }
        };
        if tx.send(msg).await.is_err() {
            reader.abort();
            return;
        }
    }
    let msg = match exit_code.await {
        Ok(Ok(code)) => {
            let body = serde_json::json!({"exit_code": code, "message": ""}).to_string();
            frame(shell::RESULT, body.as_bytes())
        }
        Ok(Err(e)) => frame(shell::FAILURE, e.to_string().as_bytes()),
        Err(_) => frame(shell::FAILURE, b"the command's exit status was lost"),
    };
    let _ = tx.send(msg).await;
    let _ = tx.send(close_message(1000, "")).await;
    reader.abort();
}
