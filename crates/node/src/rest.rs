//! REST/JSON query API (Cosmos-SDK-compatible paths where a standard module exists) with an
//! OpenAPI 3 description at `/openapi.json`. Errors are `{"code": n, "message": "…"}` with a
//! 4xx/5xx status. Queries answer at the latest height, or at the height given by the `height`
//! query parameter or the Cosmos `x-cosmos-block-height` header (lists included).

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use dcloud_app::modules::deployment::DeploymentError;
use dcloud_app::modules::escrow::EscrowError;
use dcloud_app::modules::market::MarketError;
use dcloud_app::AppError;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::Shared;

pub(crate) fn router(sh: Arc<Shared>) -> Router {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/status", get(status))
        .route("/cosmos/bank/v1beta1/balances/{address}", get(balances))
        .route("/cosmos/bank/v1beta1/balances/{address}/by_denom", get(balance_by_denom))
        .route("/cosmos/bank/v1beta1/supply", get(supply))
        .route("/cosmos/bank/v1beta1/params", get(bank_params))
        .route("/cosmos/auth/v1beta1/accounts/{address}", get(account))
        .route("/cosmos/auth/v1beta1/params", get(auth_params))
        .route("/cosmos/base/tendermint/v1beta1/blocks/latest", get(latest_block))
        .route("/cosmos/base/tendermint/v1beta1/blocks/{height}", get(block_at))
        .route("/cosmos/tx/v1beta1/txs/{hash}", get(tx))
        .route("/cosmos/tx/v1beta1/txs", post(broadcast))
        .route("/dcloud/deployment/v1/deployments", get(module_query))
        .route("/dcloud/deployment/v1/deployment", get(module_query))
        .route("/dcloud/market/v1/orders", get(module_query))
        .route("/dcloud/market/v1/bids", get(module_query))
        .route("/dcloud/market/v1/leases", get(module_query))
        .route("/dcloud/escrow/v1/account", get(module_query))
        .route("/dcloud/escrow/v1/blocks-remaining", get(module_query))
        .route("/dcloud/oracle/v1/price", get(module_query))
        .route("/dcloud/oracle/v1/params", get(module_query))
        .route("/dcloud/bme/v1/params", get(module_query))
        .route("/dcloud/bme/v1/vault-state", get(module_query))
        .route("/dcloud/bme/v1/status", get(module_query))
        .route("/dcloud/bme/v1/ledger", get(module_query))
        .route("/cosmos/staking/v1beta1/validators", get(module_query))
        .route("/cosmos/staking/v1beta1/params", get(module_query))
        .route("/cosmos/staking/v1beta1/pool", get(module_query))
        .route("/cosmos/distribution/v1beta1/params", get(module_query))
        .route("/cosmos/distribution/v1beta1/community_pool", get(module_query))
        .route("/cosmos/mint/v1beta1/params", get(module_query))
        .route("/cosmos/mint/v1beta1/inflation", get(module_query))
        .route("/dcloud/staking/v1/delegations/{address}", get(address_query))
        .route("/dcloud/staking/v1/validators/{address}", get(address_query))
        .route("/dcloud/distribution/v1/rewards/{address}", get(address_query))
        .route("/dcloud/distribution/v1/validators/{address}", get(address_query))
        .route("/cosmos/gov/v1/params", get(module_query))
        .route("/cosmos/gov/v1/proposals", get(module_query))
        .route("/cosmos/gov/v1/proposals/{id}", get(proposal_query))
        .route("/cosmos/gov/v1/proposals/{id}/tally", get(proposal_query))
        .route("/cosmos/gov/v1/proposals/{id}/deposits", get(proposal_query))
        .route("/cosmos/gov/v1/proposals/{id}/votes", get(proposal_query))
        .route("/cosmos/slashing/v1beta1/params", get(module_query))
        .route("/cosmos/slashing/v1beta1/signing_infos", get(module_query))
        .route("/cosmos/slashing/v1beta1/signing_infos/{address}", get(address_query))
        .route("/dcloud/provider/v1/providers", get(module_query))
        .route("/dcloud/provider/v1/providers/{address}", get(provider_get))
        .route("/dcloud/audit/v1/audits", get(module_query))
        .route("/dcloud/cert/v1/certificates", get(module_query))
        .route("/cosmos/authz/v1beta1/grants", get(module_query))
        .layer(DefaultBodyLimit::max(crate::rpc::MAX_BODY_BYTES))
        .layer(axum::middleware::map_request(height_header))
        .with_state(sh)
}

/// The Cosmos gRPC-gateway header selecting the height a query answers from.
pub(crate) const HEIGHT_HEADER: &str = "x-cosmos-block-height";

/// Folds the `x-cosmos-block-height` header into the `height` query parameter, which every
/// query handler reads. A malformed header, or one that disagrees with `?height=`, is refused.
async fn height_header(
    mut req: axum::extract::Request,
) -> Result<axum::extract::Request, Response> {
    let header = req
        .headers()
        .get(HEIGHT_HEADER)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    if let Some(uri) = fold_height_header(req.uri(), header.as_deref())
        .map_err(|m| error(StatusCode::BAD_REQUEST, 18, m))?
    {
        *req.uri_mut() = uri;
    }
    Ok(req)
}

/// The request URI with `height=H` appended when the header gives `H` and the query string
/// has no `height` (`None`: leave the URI as it is).
fn fold_height_header(
    uri: &axum::http::Uri,
    header: Option<&str>,
) -> Result<Option<axum::http::Uri>, String> {
    let Some(raw) = header else { return Ok(None) };
    let h: u64 = raw
        .trim()
        .parse()
        .map_err(|_| format!("{HEIGHT_HEADER} must be a block height, got {raw:?}"))?;
    let query = uri.query().unwrap_or("");
    let given: Vec<&str> = query.split('&').filter_map(|kv| kv.strip_prefix("height=")).collect();
    if !given.is_empty() {
        return if given.iter().all(|g| g.parse::<u64>() == Ok(h)) {
            Ok(None)
        } else {
            Err(format!("{HEIGHT_HEADER} {h} disagrees with the height query parameter"))
        };
    }
    let pq = if query.is_empty() {
        format!("{}?height={h}", uri.path())
    } else {
        format!("{}?{query}&height={h}", uri.path())
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(pq.parse().map_err(|e| format!("bad request URI: {e}"))?);
    axum::http::Uri::from_parts(parts).map(Some).map_err(|e| format!("bad request URI: {e}"))
}

fn error(status: StatusCode, code: u32, message: impl Into<String>) -> Response {
    (status, Json(json!({"code": code, "message": message.into()}))).into_response()
}

fn app_error(e: AppError) -> Response {
    let status = match &e {
        AppError::UnknownAddress(_)
        | AppError::UnknownRequest(_)
        | AppError::Provider(dcloud_app::modules::provider::ProviderError::NotFound(_))
        | AppError::Audit(
            dcloud_app::modules::audit::AuditError::RecordNotFound(_)
            | dcloud_app::modules::audit::AuditError::AttributeNotFound(_),
        )
        | AppError::Cert(dcloud_app::modules::cert::CertError::NotFound(_))
        | AppError::Deployment(
            DeploymentError::DeploymentNotFound(_) | DeploymentError::GroupNotFound(_),
        )
        | AppError::Market(
            MarketError::OrderNotFound(_)
            | MarketError::BidNotFound(_)
            | MarketError::LeaseNotFound(_),
        )
        | AppError::Escrow(EscrowError::EscrowAccountNotFound(_))
        | AppError::ValidatorNotFound(_)
        | AppError::Gov(dcloud_app::modules::gov::GovError::UnknownProposal(_)) => {
            StatusCode::NOT_FOUND
        }
        AppError::Store(
            dcloud_store::StoreError::Unsupported(_)
            | dcloud_store::StoreError::VersionUnavailable { .. },
        ) => StatusCode::BAD_REQUEST,
        AppError::Store(_) | AppError::ChainState(_) | AppError::Invariant(_) => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
        _ => StatusCode::BAD_REQUEST,
    };
    let body = json!({"code": e.code(), "codespace": e.codespace(), "message": e.to_string()});
    (status, Json(body)).into_response()
}

#[derive(Deserialize)]
struct HeightQ {
    height: Option<u64>,
}

async fn query(
    sh: &Arc<Shared>,
    path: &'static str,
    data: Vec<u8>,
    height: u64,
) -> Result<Value, Response> {
    let app = sh.app.clone();
    let r = tokio::task::spawn_blocking(move || app.query(path, &data, height, false))
        .await
        .map_err(|e| error(StatusCode::INTERNAL_SERVER_ERROR, 1, e.to_string()))?
        .map_err(app_error)?;
    serde_json::from_slice(&r.value)
        .map_err(|e| error(StatusCode::INTERNAL_SERVER_ERROR, 1, e.to_string()))
}

fn respond(r: Result<Value, Response>) -> Response {
    match r {
        Ok(v) => Json(v).into_response(),
        Err(e) => e,
    }
}

async fn status(State(sh): State<Arc<Shared>>) -> Response {
    match crate::rpc::dispatch(&sh, "status", &json!({})).await {
        Ok(v) => Json(v).into_response(),
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, 1, "status unavailable"),
    }
}

async fn balances(
    State(sh): State<Arc<Shared>>,
    Path(addr): Path<String>,
    Query(h): Query<HeightQ>,
) -> Response {
    respond(query(&sh, "/bank/balances", addr.into_bytes(), h.height.unwrap_or(0)).await.map(|b| {
        let n = b.as_array().map_or(0, Vec::len);
        json!({"balances": b, "pagination": {"next_key": null, "total": n.to_string()}})
    }))
}

#[derive(Deserialize)]
struct DenomQ {
    denom: String,
    height: Option<u64>,
}

async fn balance_by_denom(
    State(sh): State<Arc<Shared>>,
    Path(addr): Path<String>,
    Query(q): Query<DenomQ>,
) -> Response {
    let data = json!({"address": addr, "denom": q.denom}).to_string().into_bytes();
    respond(
        query(&sh, "/bank/balance", data, q.height.unwrap_or(0))
            .await
            .map(|b| json!({"balance": b})),
    )
}

async fn supply(State(sh): State<Arc<Shared>>, Query(h): Query<HeightQ>) -> Response {
    respond(
        query(&sh, "/bank/supply", Vec::new(), h.height.unwrap_or(0))
            .await
            .map(|s| json!({"supply": s})),
    )
}

async fn bank_params(State(sh): State<Arc<Shared>>) -> Response {
    respond(query(&sh, "/bank/params", Vec::new(), 0).await.map(|p| json!({"params": p})))
}

async fn auth_params(State(sh): State<Arc<Shared>>) -> Response {
    respond(query(&sh, "/auth/params", Vec::new(), 0).await.map(|p| json!({"params": p})))
}

async fn account(
    State(sh): State<Arc<Shared>>,
    Path(addr): Path<String>,
    Query(h): Query<HeightQ>,
) -> Response {
    respond(
        query(&sh, "/auth/account", addr.into_bytes(), h.height.unwrap_or(0))
            .await
            .map(|a| json!({"account": a})),
    )
}

async fn latest_block(State(sh): State<Arc<Shared>>) -> Response {
    block_json(&sh, sh.driver.height())
}

async fn block_at(State(sh): State<Arc<Shared>>, Path(height): Path<String>) -> Response {
    match height.parse::<u64>() {
        Ok(h) => block_json(&sh, h),
        Err(_) => error(StatusCode::BAD_REQUEST, 18, format!("height {height:?} is not a number")),
    }
}

fn block_json(sh: &Arc<Shared>, h: u64) -> Response {
    match sh.blocks.block(h) {
        Ok(Some(b)) => {
            Json(json!({"block_id": {"hash": hex::encode_upper(b.header.hash())}, "block": b}))
                .into_response()
        }
        Ok(None) => error(
            StatusCode::NOT_FOUND,
            6,
            format!("block {h} not found (latest {})", sh.driver.height()),
        ),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, 1, e.to_string()),
    }
}

async fn tx(State(sh): State<Arc<Shared>>, Path(hash): Path<String>) -> Response {
    let Ok(bytes) = hex::decode(hash.trim_start_matches("0x")) else {
        return error(StatusCode::BAD_REQUEST, 18, "hash must be hex");
    };
    let Ok(h) = <[u8; 32]>::try_from(bytes.as_slice()) else {
        return error(StatusCode::BAD_REQUEST, 18, "hash must be 32 bytes");
    };
    match sh.blocks.tx(&h) {
        Ok(Some(r)) => Json(json!({"tx_response": r})).into_response(),
        Ok(None) => {
            error(StatusCode::NOT_FOUND, 6, format!("tx {} not found", hash.to_uppercase()))
        }
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, 1, e.to_string()),
    }
}

#[derive(Deserialize)]
struct BroadcastBody {
    tx_bytes: String,
}

async fn broadcast(
    State(sh): State<Arc<Shared>>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(e) => return error(e.status(), 21, e.body_text()),
    };
    let b: BroadcastBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return error(StatusCode::BAD_REQUEST, 18, format!("invalid body: {e}")),
    };
    let Ok(tx) = base64::engine::general_purpose::STANDARD.decode(b.tx_bytes.as_bytes()) else {
        return error(StatusCode::BAD_REQUEST, 18, "tx_bytes must be base64");
    };
    let r = crate::rpc::broadcast(&sh, tx).await;
    Json(json!({"tx_response": {"txhash": r.hash, "code": r.code, "codespace": r.codespace, "raw_log": r.log}}))
        .into_response()
}

/// Maps a `/dcloud/<module>/v1/<what>` REST path onto the app's query path.
fn app_path(rest: &str) -> Option<&'static str> {
    Some(match rest {
        "/dcloud/deployment/v1/deployments" => "/deployment/deployments",
        "/dcloud/deployment/v1/deployment" => "/deployment/deployment",
        "/dcloud/market/v1/orders" => "/market/orders",
        "/dcloud/market/v1/bids" => "/market/bids",
        "/dcloud/market/v1/leases" => "/market/leases",
        "/dcloud/escrow/v1/account" => "/escrow/account",
        "/dcloud/escrow/v1/blocks-remaining" => "/escrow/blocks-remaining",
        "/dcloud/oracle/v1/price" => "/oracle/price",
        "/dcloud/oracle/v1/params" => "/oracle/params",
        "/dcloud/bme/v1/params" => "/bme/params",
        "/dcloud/bme/v1/vault-state" => "/bme/vault-state",
        "/dcloud/bme/v1/status" => "/bme/status",
        "/dcloud/bme/v1/ledger" => "/bme/ledger",
        "/cosmos/staking/v1beta1/validators" => "/staking/validators",
        "/cosmos/staking/v1beta1/params" => "/staking/params",
        "/cosmos/staking/v1beta1/pool" => "/staking/pool",
        "/cosmos/distribution/v1beta1/params" => "/distribution/params",
        "/cosmos/distribution/v1beta1/community_pool" => "/distribution/community-pool",
        "/cosmos/mint/v1beta1/params" => "/mint/params",
        "/cosmos/mint/v1beta1/inflation" => "/mint/inflation",
        "/cosmos/gov/v1/params" => "/gov/params",
        "/cosmos/gov/v1/proposals" => "/gov/proposals",
        "/cosmos/slashing/v1beta1/params" => "/slashing/params",
        "/cosmos/slashing/v1beta1/signing_infos" => "/slashing/signing_infos",
        "/dcloud/provider/v1/providers" => "/provider/list",
        "/dcloud/audit/v1/audits" => "/audit/list",
        "/dcloud/cert/v1/certificates" => "/cert/list",
        "/cosmos/authz/v1beta1/grants" => "/authz/grants",
        _ => return None,
    })
}

/// Market and registry queries: the URL's query parameters become the JSON request of the
/// app's query path (numbers where they parse as such); `height` selects the height.
async fn module_query(
    State(sh): State<Arc<Shared>>,
    uri: axum::http::Uri,
    Query(params): Query<std::collections::BTreeMap<String, String>>,
) -> Response {
    let Some(path) = app_path(uri.path()) else {
        return error(StatusCode::NOT_FOUND, 6, format!("unknown path {}", uri.path()));
    };
    let mut height = 0;
    let mut req = serde_json::Map::new();
    for (k, v) in params {
        if k == "height" {
            match v.parse() {
                Ok(h) => height = h,
                Err(_) => return error(StatusCode::BAD_REQUEST, 18, "height must be a number"),
            }
            continue;
        }
        let numeric = matches!(k.as_str(), "dseq" | "gseq" | "oseq" | "limit");
        let value = match (numeric, v.parse::<u64>()) {
            (true, Ok(n)) => Value::from(n),
            (true, Err(_)) => {
                return error(StatusCode::BAD_REQUEST, 18, format!("{k} must be a number"))
            }
            _ => Value::String(v),
        };
        req.insert(k, value);
    }
    let data = Value::Object(req).to_string().into_bytes();
    respond(query(&sh, path, data, height).await)
}

async fn provider_get(
    State(sh): State<Arc<Shared>>,
    Path(addr): Path<String>,
    Query(h): Query<HeightQ>,
) -> Response {
    respond(query(&sh, "/provider/get", addr.into_bytes(), h.height.unwrap_or(0)).await)
}

/// `/cosmos/gov/v1/proposals/{id}[/tally|/deposits|/votes]`: the id becomes the query's data.
async fn proposal_query(
    State(sh): State<Arc<Shared>>,
    uri: axum::http::Uri,
    Path(id): Path<String>,
    Query(h): Query<HeightQ>,
) -> Response {
    let p = uri.path();
    let path = if p.ends_with("/tally") {
        "/gov/tally"
    } else if p.ends_with("/deposits") {
        "/gov/deposits"
    } else if p.ends_with("/votes") {
        "/gov/votes"
    } else {
        "/gov/proposal"
    };
    respond(query(&sh, path, id.into_bytes(), h.height.unwrap_or(0)).await)
}

/// `/dcloud/{staking,distribution}/v1/<what>/{address}` and
/// `/cosmos/slashing/v1beta1/signing_infos/{address}`: the address becomes the query's data.
async fn address_query(
    State(sh): State<Arc<Shared>>,
    uri: axum::http::Uri,
    Path(addr): Path<String>,
    Query(h): Query<HeightQ>,
) -> Response {
    let p = uri.path();
    let path = if p.starts_with("/dcloud/staking/v1/delegations/") {
        "/staking/delegations"
    } else if p.starts_with("/dcloud/staking/v1/validators/") {
        "/staking/validator"
    } else if p.starts_with("/dcloud/distribution/v1/rewards/") {
        "/distribution/rewards"
    } else if p.starts_with("/cosmos/slashing/v1beta1/signing_infos/") {
        "/slashing/signing_info"
    } else {
        "/distribution/validator"
    };
    respond(query(&sh, path, addr.into_bytes(), h.height.unwrap_or(0)).await)
}

async fn openapi() -> Response {
    Json(openapi_doc()).into_response()
}

fn op(summary: &str, params: &[(&str, &str, bool)]) -> Value {
    let ps: Vec<Value> = params
        .iter()
        .map(|(n, loc, req)| json!({"name": n, "in": loc, "required": req, "schema": {"type": "string"}}))
        .collect();
    json!({"get": {"summary": summary, "parameters": ps, "responses": {
        "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}},
        "400": {"description": "Bad request", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        "404": {"description": "Not found", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    }}})
}

/// The OpenAPI 3 document of this API.
pub(crate) fn openapi_doc() -> Value {
    let h = ("height", "query", false);
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": {"title": "dcloud node REST API", "version": env!("CARGO_PKG_VERSION")},
        "paths": {
            "/status": op("Node and chain status", &[]),
            "/cosmos/bank/v1beta1/balances/{address}": op("All balances of an account", &[("address", "path", true), h]),
            "/cosmos/bank/v1beta1/balances/{address}/by_denom": op("One balance", &[("address", "path", true), ("denom", "query", true), h]),
            "/cosmos/bank/v1beta1/supply": op("Total supply of every denom", &[h]),
            "/cosmos/bank/v1beta1/params": op("Bank params", &[]),
            "/cosmos/auth/v1beta1/accounts/{address}": op("An account (number, sequence, pubkey)", &[("address", "path", true), h]),
            "/cosmos/auth/v1beta1/params": op("Auth params (memo size, gas costs, minimum gas price)", &[]),
            "/cosmos/base/tendermint/v1beta1/blocks/latest": op("The latest block", &[]),
            "/cosmos/base/tendermint/v1beta1/blocks/{height}": op("A block by height", &[("height", "path", true)]),
            "/cosmos/tx/v1beta1/txs/{hash}": op("A tx by hash, with its result", &[("hash", "path", true)]),
            "/dcloud/deployment/v1/deployments": op("Deployments (filters: owner, state; paging: limit)", &[("owner", "query", false), ("state", "query", false), ("limit", "query", false), h]),
            "/dcloud/deployment/v1/deployment": op("One deployment with its groups, escrow account and blocks remaining", &[("owner", "query", true), ("dseq", "query", true), h]),
            "/dcloud/market/v1/orders": op("Orders (filters: owner, dseq, provider, state)", &[("owner", "query", false), ("dseq", "query", false), ("state", "query", false), ("limit", "query", false), h]),
            "/dcloud/market/v1/bids": op("Bids (filters: owner, dseq, provider, state)", &[("owner", "query", false), ("dseq", "query", false), ("provider", "query", false), ("state", "query", false), ("limit", "query", false), h]),
            "/dcloud/market/v1/leases": op("Leases (filters: owner, dseq, provider, state)", &[("owner", "query", false), ("dseq", "query", false), ("provider", "query", false), ("state", "query", false), ("limit", "query", false), h]),
            "/dcloud/escrow/v1/account": op("Escrow account of a deployment (or of a bid deposit with gseq, oseq, provider)", &[("owner", "query", true), ("dseq", "query", true), h]),
            "/dcloud/escrow/v1/blocks-remaining": op("Blocks until a deployment's escrow runs out", &[("owner", "query", true), ("dseq", "query", true), h]),
            "/dcloud/provider/v1/providers": op("Registered providers", &[("limit", "query", false), h]),
            "/dcloud/provider/v1/providers/{address}": op("One provider", &[("address", "path", true), h]),
            "/dcloud/audit/v1/audits": op("Audited provider attributes (filters: provider, auditor)", &[("provider", "query", false), ("auditor", "query", false), h]),
            "/dcloud/cert/v1/certificates": op("Certificates (filters: owner, state, serial)", &[("owner", "query", false), ("state", "query", false), ("serial", "query", false), h]),
            "/cosmos/tx/v1beta1/txs": {"post": {"summary": "Broadcast a signed tx (check_tx only)",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["tx_bytes"], "properties": {"tx_bytes": {"type": "string", "format": "byte"}}}}}},
                "responses": {"200": {"description": "check_tx verdict", "content": {"application/json": {"schema": {"type": "object"}}}},
                              "400": {"description": "Bad request", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}}
        },
        "components": {"schemas": {"Error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "integer"}, "message": {"type": "string"}}}}}
    });
    // Oracle and BME (kept out of the literal above: the macro's recursion limit).
    let more = [
        (
            "/dcloud/oracle/v1/price",
            op("AKT/USD price: health, TWAP aggregate, each source's latest", &[h]),
        ),
        ("/dcloud/oracle/v1/params", op("Oracle params", &[h])),
        ("/dcloud/bme/v1/params", op("BME params", &[h])),
        (
            "/dcloud/bme/v1/vault-state",
            op("BME vault balances, outstanding ACT, totals, remint credits", &[h]),
        ),
        (
            "/dcloud/bme/v1/status",
            op("BME circuit breaker: status, collateral ratio, epochs", &[h]),
        ),
        (
            "/dcloud/bme/v1/ledger",
            op(
                "BME requests: pending, executed, cancelled (filter: owner)",
                &[("owner", "query", false), ("limit", "query", false), h],
            ),
        ),
        ("/cosmos/staking/v1beta1/validators", op("Every staking validator", &[h])),
        ("/cosmos/staking/v1beta1/params", op("Staking params", &[h])),
        ("/cosmos/staking/v1beta1/pool", op("Bonded and not-bonded tokens", &[h])),
        ("/cosmos/distribution/v1beta1/params", op("Distribution params", &[h])),
        (
            "/cosmos/distribution/v1beta1/community_pool",
            op("Community pool and fee pool totals", &[h]),
        ),
        ("/cosmos/mint/v1beta1/params", op("Mint params", &[h])),
        ("/cosmos/mint/v1beta1/inflation", op("Inflation, annual provisions, bonded ratio", &[h])),
        (
            "/dcloud/staking/v1/delegations/{address}",
            op(
                "A delegator's delegations, unbondings, redelegations",
                &[("address", "path", true), h],
            ),
        ),
        (
            "/dcloud/staking/v1/validators/{address}",
            op(
                "One validator (akashvaloper… or the operator's akash…)",
                &[("address", "path", true), h],
            ),
        ),
        (
            "/dcloud/distribution/v1/rewards/{address}",
            op("A delegator's pending rewards", &[("address", "path", true), h]),
        ),
        (
            "/dcloud/distribution/v1/validators/{address}",
            op("A validator's commission and outstanding rewards", &[("address", "path", true), h]),
        ),
        ("/cosmos/gov/v1/params", op("Gov params", &[h])),
        ("/cosmos/gov/v1/proposals", op("Every stored proposal", &[h])),
        ("/cosmos/gov/v1/proposals/{id}", op("One proposal", &[("id", "path", true), h])),
        (
            "/cosmos/gov/v1/proposals/{id}/tally",
            op("A proposal's tally (final, or current)", &[("id", "path", true), h]),
        ),
        (
            "/cosmos/gov/v1/proposals/{id}/deposits",
            op("A proposal's deposits", &[("id", "path", true), h]),
        ),
        (
            "/cosmos/gov/v1/proposals/{id}/votes",
            op("A proposal's votes", &[("id", "path", true), h]),
        ),
        ("/cosmos/slashing/v1beta1/params", op("Slashing params", &[h])),
        ("/cosmos/slashing/v1beta1/signing_infos", op("Every validator's signing info", &[h])),
        (
            "/cosmos/slashing/v1beta1/signing_infos/{address}",
            op(
                "A validator's signing info (consensus address hex, or akashvaloper…)",
                &[("address", "path", true), h],
            ),
        ),
        (
            "/cosmos/authz/v1beta1/grants",
            op(
                "Deposit grants (filters: granter, grantee)",
                &[("granter", "query", false), ("grantee", "query", false), h],
            ),
        ),
    ];
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (p, v) in more {
            paths.insert(p.to_string(), v);
        }
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fold(uri: &str, header: Option<&str>) -> Result<Option<String>, String> {
        fold_height_header(&uri.parse().unwrap(), header).map(|u| u.map(|u| u.to_string()))
    }

    #[test]
    fn the_height_header_becomes_the_height_parameter_unless_one_is_given() {
        assert_eq!(fold("/dcloud/market/v1/leases", None), Ok(None));
        assert_eq!(
            fold("/dcloud/market/v1/leases", Some("12")),
            Ok(Some("/dcloud/market/v1/leases?height=12".into()))
        );
        assert_eq!(
            fold("/dcloud/market/v1/leases?owner=akash1x&limit=2", Some(" 7 ")),
            Ok(Some("/dcloud/market/v1/leases?owner=akash1x&limit=2&height=7".into()))
        );
        assert_eq!(fold("/cosmos/bank/v1beta1/supply?height=7", Some("7")), Ok(None));
        let e = fold("/cosmos/bank/v1beta1/supply?height=8", Some("7")).unwrap_err();
        assert!(e.contains("disagrees"), "{e}");
        let e = fold("/cosmos/bank/v1beta1/supply", Some("latest")).unwrap_err();
        assert!(e.contains("x-cosmos-block-height must be a block height"), "{e}");
    }
}
