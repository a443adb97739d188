//! JSON-RPC 2.0 over HTTP, in the spirit of CometBFT's RPC: POST `/` with named params, or
//! GET `/<method>?param=value`. Every failure is a JSON-RPC error object, never a panic.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use dcloud_consensus::EventQuery;
use dcloud_proto::MAX_TX_BYTES;
use dcloud_rpc_types::*;
use serde_json::{json, Value};

use crate::Shared;

/// Largest request body: a maximal tx, base64-encoded, plus envelope.
pub(crate) const MAX_BODY_BYTES: usize = MAX_TX_BYTES * 4 / 3 + 64 * 1024;
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

pub(crate) struct RpcErr {
    code: i64,
    message: &'static str,
    data: String,
}

impl RpcErr {
    fn params(data: impl Into<String>) -> Self {
        Self { code: -32602, message: "Invalid params", data: data.into() }
    }
    fn internal(data: impl Into<String>) -> Self {
        Self { code: -32603, message: "Internal error", data: data.into() }
    }
}

type RpcResult = Result<Value, RpcErr>;

pub(crate) fn router(sh: Arc<Shared>) -> Router {
    Router::new()
        .route("/", post(json_rpc))
        .route("/websocket", get(crate::ws::handler))
        .route("/metrics", get(metrics))
        .route("/{method}", get(uri_rpc))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(sh)
}

async fn metrics(State(sh): State<Arc<Shared>>) -> Response {
    sh.metrics.set_mempool(sh.mempool.len(), sh.mempool.bytes());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], sh.metrics.render()).into_response()
}

fn reply(id: Value, r: RpcResult) -> Response {
    let body = match r {
        Ok(v) => json!({"jsonrpc": "2.0", "id": id, "result": v}),
        Err(e) => json!({"jsonrpc": "2.0", "id": id,
            "error": {"code": e.code, "message": e.message, "data": e.data}}),
    };
    (StatusCode::OK, Json(body)).into_response()
}

async fn json_rpc(
    State(sh): State<Arc<Shared>>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(e) => {
            return reply(
                Value::Null,
                Err(RpcErr { code: -32600, message: "Invalid Request", data: e.body_text() }),
            )
        }
    };
    let req: RpcRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return reply(
                Value::Null,
                Err(RpcErr { code: -32700, message: "Parse error", data: e.to_string() }),
            )
        }
    };
    if req.jsonrpc != "2.0" {
        return reply(
            req.id,
            Err(RpcErr {
                code: -32600,
                message: "Invalid Request",
                data: "jsonrpc must be \"2.0\"".into(),
            }),
        );
    }
    let params = match req.params {
        Value::Null => Value::Object(Default::default()),
        Value::Object(m) => Value::Object(m),
        _ => return reply(req.id, Err(RpcErr::params("params must be an object of named params"))),
    };
    let r = dispatch(&sh, &req.method, &params).await;
    reply(req.id, r)
}

async fn uri_rpc(
    State(sh): State<Arc<Shared>>,
    Path(method): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let params: serde_json::Map<String, Value> = q
        .into_iter()
        .map(|(k, v)| {
            let v = v.trim_matches('"').to_string();
            (k, Value::String(v))
        })
        .collect();
    let r = dispatch(&sh, &method, &Value::Object(params)).await;
    reply(json!(-1), r)
}

fn param_str<'a>(p: &'a Value, name: &str) -> Option<std::borrow::Cow<'a, str>> {
    match p.get(name)? {
        Value::String(s) if !s.is_empty() => Some(std::borrow::Cow::Borrowed(s.as_str())),
        Value::Number(n) => Some(std::borrow::Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(std::borrow::Cow::Owned(b.to_string())),
        _ => None,
    }
}

fn param_u64(p: &Value, name: &str) -> Result<Option<u64>, RpcErr> {
    match param_str(p, name) {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| {
            RpcErr::params(format!("{name} must be a non-negative integer, got {s:?}"))
        }),
    }
}

fn hex_param(s: &str) -> Result<Vec<u8>, RpcErr> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    hex::decode(s).map_err(|e| RpcErr::params(format!("not hex: {e}")))
}

fn tx_param(p: &Value) -> Result<Vec<u8>, RpcErr> {
    let s = param_str(p, "tx").ok_or_else(|| RpcErr::params("missing param tx (base64)"))?;
    if let Some(h) = s.strip_prefix("0x") {
        return hex_param(h);
    }
    B64.decode(s.as_bytes()).map_err(|e| RpcErr::params(format!("tx is not base64: {e}")))
}

fn to_value<T: serde::Serialize>(v: &T) -> RpcResult {
    serde_json::to_value(v).map_err(|e| RpcErr::internal(e.to_string()))
}

pub(crate) async fn dispatch(sh: &Arc<Shared>, method: &str, p: &Value) -> RpcResult {
    match method {
        "health" => Ok(json!({})),
        "status" => {
            let net = sh.driver.net_info().await;
            status(sh).map(|v| crate::p2p::with_peers(v, net.as_ref()))
        }
        "net_info" => Ok(crate::p2p::net_info(sh.driver.net_info().await.as_ref())),
        "broadcast_tx_sync" | "broadcast_tx_async" => {
            let tx = tx_param(p)?;
            to_value(&broadcast(sh, tx).await)
        }
        "broadcast_tx_commit" => broadcast_commit(sh, tx_param(p)?).await,
        "abci_query" => abci_query(sh, p).await,
        "abci_info" => to_value(&sh.app.info().map_err(|e| RpcErr::internal(e.to_string()))?),
        "block" => block(sh, p),
        "block_results" => {
            let h = height_or_latest(sh, p)?;
            match sh.blocks.results(h).map_err(|e| RpcErr::internal(e.to_string()))? {
                Some(r) => to_value(&r),
                None => Err(RpcErr::internal(format!("results for height {h} not found"))),
            }
        }
        "commit" => {
            let h = height_or_latest(sh, p)?;
            match sh.blocks.commit(h).map_err(|e| RpcErr::internal(e.to_string()))? {
                Some(c) => to_value(&c),
                None => Err(RpcErr::internal(format!("commit for height {h} not found"))),
            }
        }
        "tx" => {
            let s = param_str(p, "hash").ok_or_else(|| RpcErr::params("missing param hash"))?;
            let bytes = hex_param(&s)?;
            let hash: [u8; 32] = bytes
                .try_into()
                .map_err(|_| RpcErr::params("hash must be 32 bytes (64 hex characters)"))?;
            match sh.blocks.tx(&hash).map_err(|e| RpcErr::internal(e.to_string()))? {
                Some(r) => to_value(&r),
                None => {
                    Err(RpcErr::internal(format!("tx ({}) not found", hex::encode_upper(hash))))
                }
            }
        }
        "tx_search" => tx_search(sh, p),
        "validators" => {
            let vals = sh.app.validators().map_err(|e| RpcErr::internal(e.to_string()))?;
            to_value(&ValidatorsResponse {
                block_height: sh.driver.height().to_string(),
                count: vals.len().to_string(),
                total: vals.len().to_string(),
                validators: vals
                    .into_iter()
                    .map(|v| Validator {
                        address: v.address,
                        pub_key: v.pub_key,
                        power: v.power,
                        name: v.name,
                    })
                    .collect(),
            })
        }
        "num_unconfirmed_txs" => Ok(json!({
            "n_txs": sh.mempool.len().to_string(),
            "total": sh.mempool.len().to_string(),
            "total_bytes": sh.mempool.bytes().to_string(),
        })),
        "genesis" => {
            let g =
                sh.app.store().aux_get(b"genesis").map_err(|e| RpcErr::internal(e.to_string()))?;
            let v: Value = g.and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or(Value::Null);
            Ok(json!({ "genesis": v }))
        }
        other => Err(RpcErr { code: -32601, message: "Method not found", data: other.to_string() }),
    }
}

fn rfc3339(ms: u64) -> String {
    humantime::format_rfc3339_millis(std::time::UNIX_EPOCH + Duration::from_millis(ms)).to_string()
}

fn status(sh: &Arc<Shared>) -> RpcResult {
    let h = sh.driver.height();
    let (hash, time) = match sh.blocks.block(h).map_err(|e| RpcErr::internal(e.to_string()))? {
        Some(b) => (hex::encode_upper(b.header.hash()), rfc3339(b.header.time_ms)),
        None => (String::new(), String::new()),
    };
    let info = sh.app.info().map_err(|e| RpcErr::internal(e.to_string()))?;
    let power = sh
        .app
        .validators()
        .ok()
        .and_then(|v| v.into_iter().find(|v| v.address == sh.validator_address))
        .map_or(0, |v| v.power);
    to_value(&StatusResponse {
        node_info: NodeInfo {
            network: sh.chain_id.clone(),
            moniker: sh.moniker.clone(),
            version: env!("CARGO_PKG_VERSION").into(),
            consensus: sh.driver.name().into(),
        },
        sync_info: SyncInfo {
            latest_block_hash: hash,
            latest_app_hash: hex::encode_upper(info.last_app_hash),
            latest_block_height: h.to_string(),
            latest_block_time: time,
            catching_up: false,
        },
        validator_info: ValidatorInfo {
            address: sh.validator_address.clone(),
            pub_key: sh.validator_pub_key.clone(),
            voting_power: power.to_string(),
        },
    })
}

/// Admits a tx: size, duplicate/capacity, check_tx, mempool insert.
pub(crate) async fn broadcast(sh: &Arc<Shared>, tx: Vec<u8>) -> BroadcastTxResponse {
    let hash = dcloud_types::sha256(&tx);
    let mut resp = BroadcastTxResponse {
        code: 0,
        codespace: String::new(),
        log: String::new(),
        hash: hex::encode_upper(hash),
    };
    if tx.len() > MAX_TX_BYTES {
        resp.code = 21;
        resp.codespace = "sdk".into();
        resp.log =
            format!("tx too large: {} bytes exceeds the limit of {MAX_TX_BYTES} bytes", tx.len());
        return resp;
    }
    if let Err(e) = sh.mempool.precheck(&hash, tx.len()) {
        resp.code = e.code();
        resp.codespace = "mempool".into();
        resp.log = e.to_string();
        return resp;
    }
    let app = sh.app.clone();
    let mempool = sh.mempool.clone();
    // check_tx and the mempool insert happen under the app's check lock, so a block
    // committing concurrently never sees one without the other.
    let check = tokio::task::spawn_blocking(move || {
        app.check_tx_with(&tx, dcloud_app::CheckTxKind::New, |_| {
            mempool.insert(tx.clone()).map_err(|e| (e.code(), e.to_string()))
        })
    })
    .await;
    match check {
        Ok(c) => {
            resp.code = c.code;
            resp.codespace = c.codespace;
            resp.log = c.log;
        }
        Err(e) => {
            resp.code = 1;
            resp.log = format!("internal error: {e}");
        }
    }
    resp
}

async fn broadcast_commit(sh: &Arc<Shared>, tx: Vec<u8>) -> RpcResult {
    let mut rx = sh.events.subscribe();
    let hash = dcloud_types::sha256(&tx);
    let check = broadcast(sh, tx).await;
    let mut out = BroadcastTxCommitResponse {
        hash: check.hash.clone(),
        check_tx: check,
        tx_result: Default::default(),
        height: "0".into(),
    };
    if out.check_tx.code != 0 {
        return to_value(&out);
    }
    let wait = async {
        loop {
            match rx.recv().await {
                Ok(cb) => {
                    if let Some(i) =
                        cb.block.txs.iter().position(|t| dcloud_types::sha256(t) == hash)
                    {
                        return Some((cb.block.header.height, cb.results.tx_results[i].clone()));
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    if let Ok(Some(r)) = sh.blocks.tx(&hash) {
                        return Some((r.height, r.tx_result));
                    }
                }
                Err(_) => return None,
            }
        }
    };
    match tokio::time::timeout(Duration::from_secs(30), wait).await {
        Ok(Some((h, r))) => {
            out.height = h.to_string();
            out.tx_result = r;
            to_value(&out)
        }
        _ => Err(RpcErr::internal(format!(
            "timed out waiting for tx {} to be included in a block",
            out.hash
        ))),
    }
}

fn height_or_latest(sh: &Arc<Shared>, p: &Value) -> Result<u64, RpcErr> {
    let latest = sh.driver.height();
    match param_u64(p, "height")? {
        None | Some(0) => Ok(latest),
        Some(h) if h > latest => Err(RpcErr::params(format!(
            "height {h} must be less than or equal to the current blockchain height {latest}"
        ))),
        Some(h) => Ok(h),
    }
}

fn block(sh: &Arc<Shared>, p: &Value) -> RpcResult {
    let h = height_or_latest(sh, p)?;
    match sh.blocks.block(h).map_err(|e| RpcErr::internal(e.to_string()))? {
        Some(b) => to_value(&BlockResponse {
            block_id: BlockId { hash: hex::encode_upper(b.header.hash()) },
            block: b,
        }),
        None => Err(RpcErr::internal(format!("block at height {h} not found"))),
    }
}

async fn abci_query(sh: &Arc<Shared>, p: &Value) -> RpcResult {
    let path = param_str(p, "path").unwrap_or_default().to_string();
    let data = match param_str(p, "data") {
        Some(d) => hex_param(&d)?,
        None => Vec::new(),
    };
    let height = param_u64(p, "height")?.unwrap_or(0);
    let prove = matches!(param_str(p, "prove").as_deref(), Some("true"));
    let app = sh.app.clone();
    let r = tokio::task::spawn_blocking(move || app.query(&path, &data, height, prove))
        .await
        .map_err(|e| RpcErr::internal(e.to_string()))?;
    let res = match r {
        Ok(q) => AbciQueryResult {
            code: 0,
            codespace: String::new(),
            log: String::new(),
            value: B64.encode(&q.value),
            proof: q.proof.map(|p| B64.encode(p)),
            height: q.height.to_string(),
        },
        Err(e) => AbciQueryResult {
            code: e.code(),
            codespace: e.codespace().into(),
            log: e.to_string(),
            height: height.to_string(),
            ..Default::default()
        },
    };
    to_value(&AbciQueryResponse { response: res })
}

fn tx_search(sh: &Arc<Shared>, p: &Value) -> RpcResult {
    let qs = param_str(p, "query").unwrap_or_default().to_string();
    let q = EventQuery::parse(&qs).map_err(|e| RpcErr::params(e.to_string()))?;
    if q.conditions.is_empty() {
        return Err(RpcErr::params("query must not be empty"));
    }
    let page = param_u64(p, "page")?.unwrap_or(1).max(1) as usize;
    let per_page = param_u64(p, "per_page")?.unwrap_or(30).clamp(1, 100) as usize;
    let desc = matches!(param_str(p, "order_by").as_deref(), Some("desc"));
    let (txs, total) =
        sh.blocks.search(&q, page, per_page, desc).map_err(|e| RpcErr::internal(e.to_string()))?;
    to_value(&TxSearchResponse { txs, total_count: total.to_string() })
}
