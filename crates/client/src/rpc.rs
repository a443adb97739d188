//! [`RpcClient`]: typed calls to a node's JSON-RPC endpoint.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use dcloud_chain::auth::{Account, AuthParams};
use dcloud_chain::bank::BankParams;
use dcloud_rpc_types::abci::TxResult;
use dcloud_rpc_types::comet;
use dcloud_rpc_types::{Block, BlockResults, Commit, TxRecord};
use dcloud_types::{AccAddress, Coins};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use crate::rpc_types::*;
use crate::ClientError;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The default RPC address of a local node.
pub const DEFAULT_NODE: &str = "http://127.0.0.1:26657";

/// A JSON-RPC client for one node. Cheap to clone.
#[derive(Debug)]
pub struct RpcClient {
    url: String,
    http: reqwest::Client,
    next_id: AtomicU64,
}

impl Clone for RpcClient {
    fn clone(&self) -> Self {
        Self {
            url: self.url.clone(),
            http: self.http.clone(),
            next_id: AtomicU64::new(self.next_id.load(Ordering::Relaxed)),
        }
    }
}

/// Parses `"1234"` (or a JSON number) as `u64`.
pub fn parse_height(s: &str) -> Result<u64, ClientError> {
    s.trim().parse().map_err(|_| ClientError::Decode {
        what: "height".into(),
        reason: format!("{s:?} is not a non-negative integer"),
    })
}

impl RpcClient {
    /// A client for the node at `url` (`http://host:port`; `tcp://` is accepted as `http://`).
    pub fn new(url: &str) -> Result<Self, ClientError> {
        let url = normalize_url(url)?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| ClientError::Http { url: url.clone(), reason: e.to_string() })?;
        Ok(Self { url, http, next_id: AtomicU64::new(1) })
    }

    /// The node URL (no trailing slash).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The websocket URL of the node (`ws://host:port/websocket`).
    pub fn websocket_url(&self) -> String {
        let rest = self
            .url
            .strip_prefix("https://")
            .map(|r| format!("wss://{r}"))
            .or_else(|| self.url.strip_prefix("http://").map(|r| format!("ws://{r}")))
            .unwrap_or_else(|| self.url.clone());
        format!("{rest}/websocket")
    }

    /// Calls `method` with named `params` and decodes the result.
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        params: Value,
    ) -> Result<T, ClientError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let req = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let http_err =
            |e: reqwest::Error| ClientError::Http { url: self.url.clone(), reason: describe(&e) };
        let resp = self.http.post(&self.url).json(&req).send().await.map_err(http_err)?;
        let status = resp.status();
        let body = resp.bytes().await.map_err(http_err)?;
        let parsed: RpcResponse = serde_json::from_slice(&body).map_err(|e| {
            if status.is_success() {
                ClientError::Decode { what: method.into(), reason: e.to_string() }
            } else {
                ClientError::Http {
                    url: self.url.clone(),
                    reason: format!("HTTP {status}: {}", String::from_utf8_lossy(&body)),
                }
            }
        })?;
        if let Some(err) = parsed.error {
            return Err(ClientError::Rpc { code: err.code, message: err.message, data: err.data });
        }
        let result = parsed.result.unwrap_or(Value::Null);
        serde_json::from_value(result)
            .map_err(|e| ClientError::Decode { what: method.into(), reason: e.to_string() })
    }

    /// `status`: node identity and chain progress.
    pub async fn status(&self) -> Result<StatusResponse, ClientError> {
        self.call("status", json!({})).await
    }

    /// The latest block height.
    pub async fn latest_height(&self) -> Result<u64, ClientError> {
        parse_height(&self.status().await?.sync_info.latest_block_height)
    }

    /// The chain id the node runs.
    pub async fn chain_id(&self) -> Result<String, ClientError> {
        Ok(self.status().await?.node_info.network)
    }

    /// `broadcast_tx_sync`: check_tx verdict; the tx is in the mempool if `code == 0`.
    pub async fn broadcast_tx_sync(&self, tx: &[u8]) -> Result<BroadcastTxResponse, ClientError> {
        self.call("broadcast_tx_sync", json!({"tx": B64.encode(tx)})).await
    }

    /// `broadcast_tx_commit`: waits (up to the node's limit) until the tx is in a block.
    pub async fn broadcast_tx_commit(
        &self,
        tx: &[u8],
    ) -> Result<BroadcastTxCommitResponse, ClientError> {
        let w: comet::CometBroadcastCommit =
            self.call("broadcast_tx_commit", json!({"tx": B64.encode(tx)})).await?;
        Ok(BroadcastTxCommitResponse {
            check_tx: BroadcastTxResponse {
                code: w.check_tx.code,
                codespace: w.check_tx.codespace,
                log: w.check_tx.log,
                hash: w.hash.clone(),
            },
            tx_result: wire("broadcast_tx_commit", TxResult::try_from(&w.tx_result))?,
            hash: w.hash,
            height: w.height,
        })
    }

    /// `abci_query` at `height` (0 = latest). Returns the raw answer, whatever its code.
    pub async fn abci_query(
        &self,
        path: &str,
        data: &[u8],
        height: u64,
        prove: bool,
    ) -> Result<AbciQueryResult, ClientError> {
        let r: AbciQueryResponse = self
            .call(
                "abci_query",
                json!({"path": path, "data": hex::encode(data), "height": height.to_string(), "prove": prove}),
            )
            .await?;
        Ok(r.response)
    }

    /// `abci_query` that must succeed; returns the decoded value bytes.
    pub async fn query_raw(&self, path: &str, data: &[u8]) -> Result<Vec<u8>, ClientError> {
        let r = self.abci_query(path, data, 0, false).await?;
        if r.code != 0 {
            return Err(ClientError::Query {
                path: path.into(),
                code: r.code,
                codespace: r.codespace,
                log: r.log,
            });
        }
        B64.decode(&r.value)
            .map_err(|e| ClientError::Decode { what: path.into(), reason: format!("value: {e}") })
    }

    /// `abci_query` of a JSON-valued path, decoded into `T`.
    pub async fn query_json<T: DeserializeOwned>(
        &self,
        path: &str,
        data: &[u8],
    ) -> Result<T, ClientError> {
        let v = self.query_raw(path, data).await?;
        serde_json::from_slice(&v)
            .map_err(|e| ClientError::Decode { what: path.into(), reason: e.to_string() })
    }

    /// The account at `addr`, or `None` if the chain has never seen it.
    pub async fn account(&self, addr: &AccAddress) -> Result<Option<Account>, ClientError> {
        match self.query_json("/auth/account", addr.to_string().as_bytes()).await {
            Ok(a) => Ok(Some(a)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// All balances of `addr` (empty if none).
    pub async fn balances(&self, addr: &AccAddress) -> Result<Coins, ClientError> {
        self.query_json("/bank/balances", addr.to_string().as_bytes()).await
    }

    /// Total supply of every denom.
    pub async fn supply(&self) -> Result<Coins, ClientError> {
        self.query_json("/bank/supply", &[]).await
    }

    /// A page of registered providers (`start_after`: the previous page's `next`).
    pub async fn providers(
        &self,
        start_after: Option<&AccAddress>,
        limit: usize,
    ) -> Result<dcloud_chain::query_views::ProviderPage, ClientError> {
        let req = json!({"start_after": start_after.map(|a| a.to_string()), "limit": limit});
        self.query_json("/provider/list", req.to_string().as_bytes()).await
    }

    /// The provider registered at `addr`, or `None`.
    pub async fn provider(
        &self,
        addr: &AccAddress,
    ) -> Result<Option<dcloud_chain::provider::Provider>, ClientError> {
        match self.query_json("/provider/get", addr.to_string().as_bytes()).await {
            Ok(p) => Ok(Some(p)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Audit records, filtered by provider and/or auditor.
    pub async fn audits(
        &self,
        provider: Option<&AccAddress>,
        auditor: Option<&AccAddress>,
    ) -> Result<Vec<dcloud_chain::audit::AuditedAttributes>, ClientError> {
        let req = dcloud_chain::query_views::AuditListReq {
            provider: provider.map(|a| a.to_string()),
            auditor: auditor.map(|a| a.to_string()),
            limit: Some(1000),
        };
        let body = serde_json::to_vec(&req).map_err(|e| ClientError::Decode {
            what: "audit/list".into(),
            reason: e.to_string(),
        })?;
        self.query_json("/audit/list", &body).await
    }

    /// Certificates matching `filter` (owner, state, serial).
    pub async fn certificates(
        &self,
        filter: &dcloud_chain::cert::CertFilter,
    ) -> Result<Vec<dcloud_chain::cert::Certificate>, ClientError> {
        let req =
            dcloud_chain::query_views::CertListReq { filter: filter.clone(), limit: Some(1000) };
        let body = serde_json::to_vec(&req)
            .map_err(|e| ClientError::Decode { what: "cert/list".into(), reason: e.to_string() })?;
        self.query_json("/cert/list", &body).await
    }

    /// Auth params (min gas price, memo limit, gas costs).
    pub async fn auth_params(&self) -> Result<AuthParams, ClientError> {
        self.query_json("/auth/params", &[]).await
    }

    /// Bank params.
    pub async fn bank_params(&self) -> Result<BankParams, ClientError> {
        self.query_json("/bank/params", &[]).await
    }

    /// Runs a signed tx against the latest state without committing; returns gas used.
    pub async fn simulate(&self, tx: &[u8]) -> Result<TxResult, ClientError> {
        self.query_json("/app/simulate", tx).await
    }

    /// `block` at `height` (None = latest).
    pub async fn block(&self, height: Option<u64>) -> Result<BlockResponse, ClientError> {
        let w: comet::CometBlockResponse = self.call("block", height_param(height)).await?;
        Ok(BlockResponse {
            block_id: BlockId { hash: w.block_id.hash.clone() },
            block: wire("block", Block::try_from(&w.block))?,
        })
    }

    /// `commit` of block `height`: the certificate (signatures of the validator set).
    pub async fn commit(&self, height: u64) -> Result<Commit, ClientError> {
        let w: comet::CommitResponse = self.call("commit", height_param(Some(height))).await?;
        wire("commit", Commit::try_from(&w.signed_header.commit))
    }

    /// `block_results` at `height` (None = latest).
    pub async fn block_results(
        &self,
        height: Option<u64>,
    ) -> Result<BlockResultsResponse, ClientError> {
        let w: comet::CometBlockResults = self.call("block_results", height_param(height)).await?;
        wire("block_results", BlockResults::try_from(&w))
    }

    /// `tx` by hash (hex, either case, optional `0x`). Errors if unknown; see [`Self::find_tx`].
    pub async fn tx(&self, hash: &str) -> Result<TxResponse, ClientError> {
        let h = normalize_hash(hash)?;
        let w: comet::CometTx = self.call("tx", json!({"hash": h})).await?;
        wire("tx", TxRecord::try_from(&w))
    }

    /// `tx` by hash, `None` if the node does not know it (yet).
    pub async fn find_tx(&self, hash: &str) -> Result<Option<TxResponse>, ClientError> {
        match self.tx(hash).await {
            Ok(t) => Ok(Some(t)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Polls [`Self::find_tx`] until the tx is in a block or `timeout` passes.
    pub async fn wait_for_tx(
        &self,
        hash: &str,
        timeout: Duration,
    ) -> Result<TxResponse, ClientError> {
        let start = Instant::now();
        let mut delay = Duration::from_millis(50);
        loop {
            if let Some(t) = self.find_tx(hash).await? {
                return Ok(t);
            }
            if start.elapsed() >= timeout {
                return Err(ClientError::Timeout {
                    what: format!("tx {hash} to be included in a block"),
                    secs: timeout.as_secs(),
                });
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_millis(500));
        }
    }

    /// Polls until the chain reaches `height` or `timeout` passes.
    pub async fn wait_for_height(
        &self,
        height: u64,
        timeout: Duration,
    ) -> Result<u64, ClientError> {
        let start = Instant::now();
        loop {
            match self.latest_height().await {
                Ok(h) if h >= height => return Ok(h),
                Ok(_) => {}
                Err(e @ ClientError::Http { .. }) if start.elapsed() >= timeout => return Err(e),
                Err(ClientError::Http { .. }) => {}
                Err(e) => return Err(e),
            }
            if start.elapsed() >= timeout {
                return Err(ClientError::Timeout {
                    what: format!("height {height}"),
                    secs: timeout.as_secs(),
                });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// `tx_search` with an event query such as `transfer.recipient='akash1…'`.
    /// `page` starts at 1; `order_by` is `asc` or `desc`.
    pub async fn tx_search(
        &self,
        query: &str,
        page: u32,
        per_page: u32,
        order_by: &str,
    ) -> Result<TxSearchResponse, ClientError> {
        let w: comet::CometTxSearch = self
            .call(
                "tx_search",
                json!({"query": query, "page": page.to_string(), "per_page": per_page.to_string(), "order_by": order_by}),
            )
            .await?;
        Ok(TxSearchResponse {
            txs: w
                .txs
                .iter()
                .map(|t| wire("tx_search", TxRecord::try_from(t)))
                .collect::<Result<_, _>>()?,
            total_count: w.total_count,
        })
    }

    /// `validators`: the current validator set.
    pub async fn validators(&self) -> Result<ValidatorsResponse, ClientError> {
        let w: comet::CometValidators = self.call("validators", json!({"per_page": "100"})).await?;
        Ok(ValidatorsResponse {
            block_height: w.block_height,
            count: w.count,
            total: w.total,
            validators: w
                .validators
                .iter()
                .map(|v| wire("validators", Validator::try_from(v)))
                .collect::<Result<_, _>>()?,
        })
    }
}

/// A wire value that did not convert into the chain's type, as a decode error.
fn wire<T>(what: &str, r: Result<T, comet::WireError>) -> Result<T, ClientError> {
    r.map_err(|e| ClientError::Decode { what: what.into(), reason: e.to_string() })
}

fn height_param(height: Option<u64>) -> Value {
    match height {
        Some(h) => json!({"height": h.to_string()}),
        None => json!({}),
    }
}

/// Checks a tx hash and returns it as upper-case hex without `0x`.
pub fn normalize_hash(hash: &str) -> Result<String, ClientError> {
    let h = hash.trim();
    let h = h.strip_prefix("0x").or_else(|| h.strip_prefix("0X")).unwrap_or(h);
    if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ClientError::InvalidInput(format!(
            "invalid tx hash {hash:?}: expected 64 hex characters"
        )));
    }
    Ok(h.to_ascii_uppercase())
}

fn normalize_url(url: &str) -> Result<String, ClientError> {
    let u = url.trim().trim_end_matches('/');
    let u = if let Some(rest) = u.strip_prefix("tcp://") {
        format!("http://{rest}")
    } else if u.starts_with("http://") || u.starts_with("https://") {
        u.to_string()
    } else if !u.is_empty() && !u.contains("://") {
        format!("http://{u}")
    } else {
        return Err(ClientError::InvalidInput(format!(
            "invalid node URL {url:?}: expected http://HOST:PORT"
        )));
    };
    Ok(u)
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_connect() {
        "connection refused (is the node running? start one with `dcloud devnet` or `dcloud node start`)"
            .into()
    } else if e.is_timeout() {
        "request timed out".into()
    } else {
        let mut s = e.to_string();
        let mut src = std::error::Error::source(e);
        while let Some(inner) = src {
            s = format!("{s}: {inner}");
            src = inner.source();
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_normalized() {
        assert_eq!(normalize_url("tcp://127.0.0.1:26657").unwrap(), "http://127.0.0.1:26657");
        assert_eq!(normalize_url("http://a:1/").unwrap(), "http://a:1");
        assert_eq!(normalize_url("localhost:26657").unwrap(), "http://localhost:26657");
        assert!(normalize_url("ftp://x").is_err());
        let c = RpcClient::new("http://127.0.0.1:5").unwrap();
        assert_eq!(c.websocket_url(), "ws://127.0.0.1:5/websocket");
    }

    #[test]
    fn hashes_are_checked() {
        let h = "ab".repeat(32);
        assert_eq!(normalize_hash(&format!("0x{h}")).unwrap(), h.to_uppercase());
        assert!(normalize_hash("abc").is_err());
        assert!(normalize_hash(&"zz".repeat(32)).is_err());
    }

    #[tokio::test]
    async fn unreachable_node_is_a_clear_http_error() {
        let c = RpcClient::new("http://127.0.0.1:1").unwrap();
        let e = c.status().await.unwrap_err();
        assert!(matches!(e, ClientError::Http { .. }), "{e}");
        assert!(e.to_string().contains("is the node running"), "{e}");
    }
}
