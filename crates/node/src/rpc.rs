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
use dcloud_rpc_types::comet;
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

fn internal<E: std::fmt::Display>(e: E) -> RpcErr {
    RpcErr::internal(e.to_string())
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
        "abci_info" => abci_info(sh),
        "block" => block(sh, p),
        "block_results" => {
            let h = height_or_latest(sh, p)?;
            match sh.blocks.results(h).map_err(internal)? {
                Some(r) => to_value(&comet::CometBlockResults::from(&r)),
                None => Err(RpcErr::internal(format!("results for height {h} not found"))),
            }
        }
        "commit" => commit(sh, p),
        "blockchain" => blockchain(sh, p),
        "tx" => {
            let s = param_str(p, "hash").ok_or_else(|| RpcErr::params("missing param hash"))?;
            let hash = hash_param(&s)?;
            match sh.blocks.tx(&hash).map_err(internal)? {
                Some(r) => to_value(&comet::CometTx::from(&r)),
                None => {
                    Err(RpcErr::internal(format!("tx ({}) not found", hex::encode_upper(hash))))
                }
            }
        }
        "tx_search" => tx_search(sh, p),
        "block_search" => block_search(sh, p),
        "validators" => validators(sh, p),
        "num_unconfirmed_txs" => Ok(json!({
            "n_txs": sh.mempool.len().to_string(),
            "total": sh.mempool.len().to_string(),
            "total_bytes": sh.mempool.bytes().to_string(),
            "txs": null,
        })),
        "genesis" => genesis(sh),
        other => Err(RpcErr { code: -32601, message: "Method not found", data: other.to_string() }),
    }
}

/// A tx hash as cosmjs (base64) or CometBFT's URI form (hex, optional `0x`) sends it.
fn hash_param(s: &str) -> Result<[u8; 32], RpcErr> {
    let bytes = if s.len() == 64 || s.starts_with("0x") {
        hex_param(s)?
    } else {
        B64.decode(s.as_bytes())
            .map_err(|_| RpcErr::params("hash must be 32 bytes, hex or base64"))?
    };
    bytes.try_into().map_err(|_| RpcErr::params("hash must be 32 bytes (64 hex characters)"))
}

fn rfc3339(ms: u64) -> String {
    comet::rfc3339_nanos(ms)
}

fn status(sh: &Arc<Shared>) -> RpcResult {
    let h = sh.driver.height();
    let (hash, time) = match sh.blocks.block(h).map_err(internal)? {
        Some(b) => (hex::encode_upper(b.header.hash()), rfc3339(b.header.time_ms)),
        None => (String::new(), String::new()),
    };
    // The earliest block kept (blocks are never pruned today: block 1 once there is one).
    let (e_hash, e_app, e_height, e_time) = match sh.blocks.block(1).map_err(internal)? {
        Some(b) => (
            hex::encode_upper(b.header.hash()),
            hex::encode_upper(b.header.app_hash),
            "1".to_string(),
            rfc3339(b.header.time_ms),
        ),
        None => Default::default(),
    };
    let info = sh.app.info().map_err(internal)?;
    let power = sh
        .app
        .validators()
        .ok()
        .and_then(|v| v.into_iter().find(|v| v.address == sh.validator_address))
        .map_or(0, |v| v.power);
    to_value(&StatusResponse {
        node_info: NodeInfo {
            protocol_version: ProtocolVersion {
                p2p: comet::P2P_PROTOCOL.into(),
                block: comet::BLOCK_PROTOCOL.into(),
                app: "0".into(),
            },
            // The node id: the address of the node key (CometBFT derives it the same way).
            id: sh.validator_address.to_lowercase(),
            listen_addr: sh.p2p_listen.clone(),
            network: sh.chain_id.clone(),
            version: comet::COMET_VERSION.into(),
            channels: "40202122233038606100".into(),
            moniker: sh.moniker.clone(),
            other: NodeInfoOther { tx_index: "on".into(), rpc_address: sh.rpc_listen.clone() },
            consensus: sh.driver.name().into(),
            dcloud_version: env!("CARGO_PKG_VERSION").into(),
        },
        sync_info: SyncInfo {
            latest_block_hash: hash,
            latest_app_hash: hex::encode_upper(info.last_app_hash),
            latest_block_height: h.to_string(),
            latest_block_time: time,
            earliest_block_hash: e_hash,
            earliest_app_hash: e_app,
            earliest_block_height: e_height,
            earliest_block_time: e_time,
            // The BFT driver syncs missed blocks before it votes; it reports here once the
            // network helper wires sync state (peers are filled in by `net_info`).
            catching_up: false,
        },
        validator_info: ValidatorInfo {
            address: sh.validator_address.clone(),
            pub_key: comet::PubKey::ed25519(&sh.validator_pub_key),
            voting_power: power.to_string(),
        },
    })
}

fn abci_info(sh: &Arc<Shared>) -> RpcResult {
    let info = sh.app.info().map_err(internal)?;
    Ok(json!({"response": {
        "data": "dcloud",
        "version": env!("CARGO_PKG_VERSION"),
        "app_version": "0",
        "last_block_height": info.last_height.unwrap_or(0).to_string(),
        "last_block_app_hash": B64.encode(info.last_app_hash),
        "chain_id": info.chain_id,
    }}))
}

fn genesis(sh: &Arc<Shared>) -> RpcResult {
    let g = sh.app.store().aux_get(b"genesis").map_err(internal)?;
    let mut v: Value = g.and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or(Value::Null);
    let Some(obj) = v.as_object_mut() else { return Ok(json!({ "genesis": Value::Null })) };
    // CometBFT's genesis shape around our app state: typed validator keys, string numbers,
    // consensus params as CometBFT names them (ours kept under `dcloud_consensus_params`).
    let cp = obj.remove("consensus_params").unwrap_or(Value::Null);
    let num = |k: &str, d: u64| cp.get(k).and_then(Value::as_u64).unwrap_or(d);
    obj.insert(
        "consensus_params".into(),
        json!({
            "block": {"max_bytes": num("max_block_bytes", 22_020_096).to_string(),
                      "max_gas": match num("max_block_gas", 0) { 0 => "-1".to_string(), g => g.to_string() }},
            "evidence": {"max_age_num_blocks": "100000", "max_age_duration": "172800000000000",
                         "max_bytes": "1048576"},
            "validator": {"pub_key_types": ["ed25519"]},
            "version": {"app": "0"},
        }),
    );
    obj.insert("dcloud_consensus_params".into(), cp);
    if let Some(h) = obj.get("initial_height").and_then(Value::as_u64) {
        obj.insert("initial_height".into(), Value::String(h.to_string()));
    }
    let vals: Vec<Value> = obj
        .get("validators")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|v| {
                    json!({
                        "address": v.get("address").cloned().unwrap_or_default(),
                        "pub_key": {"type": comet::ED25519_KEY_TYPE,
                                    "value": v.get("pub_key").cloned().unwrap_or_default()},
                        "power": v.get("power").and_then(Value::as_u64).unwrap_or(0).to_string(),
                        "name": v.get("name").cloned().unwrap_or_default(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    obj.insert("validators".into(), Value::Array(vals));
    obj.entry("app_hash").or_insert_with(|| Value::String(String::new()));
    // CometBFT always has a genesis time; ours may be blank: the first block's time then.
    if obj.get("genesis_time").and_then(Value::as_str).is_none_or(str::is_empty) {
        let first = sh.blocks.block(1).map_err(internal)?.map_or(0, |b| b.header.time_ms);
        obj.insert("genesis_time".into(), Value::String(rfc3339(first)));
    }
    Ok(json!({ "genesis": v }))
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

/// The check_tx verdict in CometBFT's `ResponseCheckTx` shape.
fn check_wire(c: &BroadcastTxResponse) -> comet::CometTxResult {
    comet::CometTxResult {
        code: c.code,
        codespace: c.codespace.clone(),
        log: c.log.clone(),
        gas_wanted: "0".into(),
        gas_used: "0".into(),
        ..Default::default()
    }
}

async fn broadcast_commit(sh: &Arc<Shared>, tx: Vec<u8>) -> RpcResult {
    let mut rx = sh.events.subscribe();
    let hash = dcloud_types::sha256(&tx);
    let check = broadcast(sh, tx).await;
    let mut out = comet::CometBroadcastCommit {
        hash: check.hash.clone(),
        check_tx: check_wire(&check),
        tx_result: comet::CometTxResult::from(&TxResult::default()),
        height: "0".into(),
    };
    if check.code != 0 {
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
            out.tx_result = (&r).into();
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
    match sh.blocks.block(h).map_err(internal)? {
        Some(b) => to_value(&comet::CometBlockResponse::from(&b)),
        None => Err(RpcErr::internal(format!("block at height {h} not found"))),
    }
}

fn commit(sh: &Arc<Shared>, p: &Value) -> RpcResult {
    let h = height_or_latest(sh, p)?;
    let (Some(b), Some(c)) =
        (sh.blocks.block(h).map_err(internal)?, sh.blocks.commit(h).map_err(internal)?)
    else {
        return Err(RpcErr::internal(format!("commit for height {h} not found")));
    };
    to_value(&comet::CommitResponse {
        signed_header: comet::SignedHeader {
            header: (&b.header).into(),
            commit: comet::CometCommit::from_commit(&c, b.header.time_ms),
        },
        canonical: true,
    })
}

/// `blockchain`: headers from `minHeight` to `maxHeight` (at most 20, newest first).
fn blockchain(sh: &Arc<Shared>, p: &Value) -> RpcResult {
    let latest = sh.driver.height();
    let max = param_u64(p, "maxHeight")?.filter(|&m| m > 0).unwrap_or(latest).min(latest);
    let min = param_u64(p, "minHeight")?.filter(|&m| m > 0).unwrap_or(1);
    if min > max {
        return Err(RpcErr::params(format!(
            "min height {min} can't be greater than max height {max}"
        )));
    }
    let min = min.max(max.saturating_sub(19)).max(1);
    let mut metas = Vec::new();
    for h in (min..=max).rev() {
        if let Some(b) = sh.blocks.block(h).map_err(internal)? {
            metas.push(comet::BlockMeta::from(&b));
        }
    }
    to_value(&comet::BlockchainResponse { last_height: latest.to_string(), block_metas: metas })
}

/// `page` / `per_page` as CometBFT takes them: pages from 1, 30 per page by default, at
/// most 100; a page past the end is an error when there are matches.
fn paging(p: &Value) -> Result<(usize, usize), RpcErr> {
    let page = param_u64(p, "page")?.unwrap_or(1);
    if page == 0 {
        return Err(RpcErr::params("page should be within [1, ∞), given 0"));
    }
    let per_page = param_u64(p, "per_page")?.unwrap_or(30).clamp(1, 100);
    Ok((page as usize, per_page as usize))
}

fn validators(sh: &Arc<Shared>, p: &Value) -> RpcResult {
    let latest = sh.driver.height();
    // The set is the current one; a historical height is answered with it as well (the
    // chain keeps no per-height validator sets yet) unless it is beyond the tip.
    let h = height_or_latest(sh, p)?.max(latest.min(1));
    let (page, per_page) = paging(p)?;
    let vals = sh.app.validators().map_err(internal)?;
    let total = vals.len();
    let out: Vec<comet::CometValidator> = vals
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|v| {
            comet::CometValidator::from(&Validator {
                address: v.address.clone(),
                pub_key: v.pub_key.clone(),
                power: v.power,
                name: v.name.clone(),
            })
        })
        .collect();
    to_value(&comet::CometValidators {
        block_height: h.to_string(),
        count: out.len().to_string(),
        total: total.to_string(),
        validators: out,
    })
}

async fn abci_query(sh: &Arc<Shared>, p: &Value) -> RpcResult {
    let path = param_str(p, "path").unwrap_or_default().to_string();
    let data = match param_str(p, "data") {
        Some(d) => hex_param(&d)?,
        None => Vec::new(),
    };
    let height = param_u64(p, "height")?.unwrap_or(0);
    let prove = matches!(param_str(p, "prove").as_deref(), Some("true"));
    if crate::cosmos::is_grpc_path(&path) {
        // A Cosmos SDK gRPC method: protobuf in, protobuf out (crate::cosmos).
        let res = match crate::cosmos::handle(sh, &path, data, height).await {
            Ok(a) => AbciQueryResult {
                code: 0,
                index: "0".into(),
                value: B64.encode(&a.value),
                height: a.height.to_string(),
                ..Default::default()
            },
            Err(e) => AbciQueryResult {
                code: e.abci_code(),
                codespace: "sdk".into(),
                log: e.log(),
                index: "0".into(),
                height: height.to_string(),
                ..Default::default()
            },
        };
        return to_value(&AbciQueryResponse { response: res });
    }
    let key =
        if path.trim_start_matches('/') == "store" { B64.encode(&data) } else { String::new() };
    let app = sh.app.clone();
    let r = tokio::task::spawn_blocking(move || app.query(&path, &data, height, prove))
        .await
        .map_err(|e| RpcErr::internal(e.to_string()))?;
    let res = match r {
        Ok(q) => AbciQueryResult {
            code: 0,
            key,
            index: "0".into(),
            info: String::new(),
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
            index: "0".into(),
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
    let (page, per_page) = paging(p)?;
    let desc = matches!(param_str(p, "order_by").as_deref(), Some("desc"));
    let (txs, total) = sh.blocks.search(&q, page, per_page, desc).map_err(internal)?;
    to_value(&comet::CometTxSearch {
        txs: txs.iter().map(comet::CometTx::from).collect(),
        total_count: total.to_string(),
    })
}

/// Most blocks `block_search` walks for one query.
const BLOCK_SEARCH_SPAN: u64 = 10_000;

/// `block_search`: blocks whose finalize-block events (and `block.height`) match the query.
/// The walk covers the `block.height` range of the query (the latest 10 000 blocks when it
/// gives none).
fn block_search(sh: &Arc<Shared>, p: &Value) -> RpcResult {
    use dcloud_consensus::query::Op;
    let qs = param_str(p, "query").unwrap_or_default().to_string();
    let q = EventQuery::parse(&qs).map_err(|e| RpcErr::params(e.to_string()))?;
    if q.conditions.is_empty() {
        return Err(RpcErr::params("query must not be empty"));
    }
    let (page, per_page) = paging(p)?;
    let desc = matches!(param_str(p, "order_by").as_deref(), Some("desc"));
    let latest = sh.driver.height();
    let (mut lo, mut hi) = (1u64, latest);
    for c in q.conditions.iter().filter(|c| c.key == "block.height") {
        let Ok(v) = c.value.parse::<i128>() else { continue };
        let v = v.clamp(0, i128::from(u64::MAX)) as u64;
        match c.op {
            Op::Eq => (lo, hi) = (lo.max(v), hi.min(v)),
            Op::Gt => lo = lo.max(v.saturating_add(1)),
            Op::Ge => lo = lo.max(v),
            Op::Lt => hi = hi.min(v.saturating_sub(1)),
            Op::Le => hi = hi.min(v),
            _ => {}
        }
    }
    lo = lo.max(hi.saturating_sub(BLOCK_SEARCH_SPAN - 1));
    let mut matched = Vec::new();
    if hi >= lo {
        for h in lo..=hi {
            let Some(r) = sh.blocks.results(h).map_err(internal)? else { continue };
            let attrs = dcloud_consensus::query::flatten(
                &r.finalize_block_events,
                &[("block.height", h.to_string()), ("tm.event", "NewBlock".into())],
            );
            if q.matches(&attrs) {
                matched.push(h);
            }
        }
    }
    if desc {
        matched.reverse();
    }
    let total = matched.len();
    let mut blocks = Vec::new();
    for h in matched.into_iter().skip((page - 1) * per_page).take(per_page) {
        if let Some(b) = sh.blocks.block(h).map_err(internal)? {
            blocks.push(comet::CometBlockResponse::from(&b));
        }
    }
    to_value(&comet::BlockSearchResponse { blocks, total_count: total.to_string() })
}
