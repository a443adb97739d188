//! Cosmos SDK query services: protobuf requests and responses at gRPC method paths
//! (`/cosmos.bank.v1beta1.Query/AllBalances`, …), answered from the chain's query views.
//! Written once, served twice: over `abci_query` (what cosmjs and most light clients use)
//! and over gRPC (`grpc.rs`).
//!
//! * [`state`]: auth, bank, staking, distribution, gov (v1 and v1beta1), mint, slashing,
//!   authz — each maps one of our JSON query views (`App::query`) to its SDK message.
//! * [`node`]: `cosmos.tx.v1beta1.Service` (Simulate, GetTx, GetTxsEvent, BroadcastTx) and
//!   `cosmos.base.tendermint.v1beta1.Service` (GetNodeInfo, GetSyncing, GetLatestBlock,
//!   GetBlockByHeight, GetLatestValidatorSet), answered from the block store and mempool.
//!
//! Errors carry a gRPC code and are worded as the SDK words them over ABCI
//! (`rpc error: code = NotFound desc = …`): cosmjs matches that text (an unknown account
//! makes `getAccount` return null).

pub(crate) mod node;
pub(crate) mod state;

use std::sync::Arc;

use cosmos_sdk_proto::cosmos::base::query::v1beta1::{PageRequest, PageResponse};
use dcloud_app::AppError;
use prost::Message;

use crate::Shared;

/// A gRPC status code (the subset we answer with).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Code {
    /// 2: an error without a better code (the SDK's simulate failures).
    Unknown = 2,
    /// 3: a malformed request.
    InvalidArgument = 3,
    /// 5: the thing asked for does not exist.
    NotFound = 5,
    /// 12: no such method.
    Unimplemented = 12,
    /// 13: our fault.
    Internal = 13,
}

impl Code {
    /// The name Go's `codes.Code.String()` gives it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Code::Unknown => "Unknown",
            Code::InvalidArgument => "InvalidArgument",
            Code::NotFound => "NotFound",
            Code::Unimplemented => "Unimplemented",
            Code::Internal => "Internal",
        }
    }
}

/// A failed query: its gRPC code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QueryError {
    pub code: Code,
    pub message: String,
}

impl QueryError {
    pub(crate) fn new(code: Code, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new(Code::InvalidArgument, message)
    }
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(Code::NotFound, message)
    }
    pub(crate) fn internal(e: impl std::fmt::Display) -> Self {
        Self::new(Code::Internal, e.to_string())
    }
    /// The ABCI log, as the SDK writes a gRPC error there.
    pub(crate) fn log(&self) -> String {
        format!("rpc error: code = {} desc = {}", self.code.name(), self.message)
    }
    /// The ABCI code: the SDK's registered codes where one fits (codespace `sdk`).
    pub(crate) fn abci_code(&self) -> u32 {
        match self.code {
            Code::NotFound => 38,
            Code::InvalidArgument => 18,
            Code::Unimplemented => 6,
            Code::Unknown | Code::Internal => 1,
        }
    }
}

impl From<AppError> for QueryError {
    fn from(e: AppError) -> Self {
        let text = e.to_string();
        let code = match &e {
            AppError::UnknownAddress(_) | AppError::ValidatorNotFound(_) => Code::NotFound,
            AppError::InvalidAddress(_)
            | AppError::InvalidRequest(_)
            | AppError::InvalidCoins(_)
            | AppError::InvalidPubKey(_) => Code::InvalidArgument,
            _ if text.contains("not found") || text.contains("does not exist") => Code::NotFound,
            _ => Code::Internal,
        };
        QueryError::new(code, text)
    }
}

/// An answer: protobuf bytes and the height they are for.
#[derive(Debug)]
pub(crate) struct Answer {
    pub value: Vec<u8>,
    pub height: u64,
}

pub(crate) type QResult = Result<Answer, QueryError>;

/// Decodes a request message.
pub(crate) fn decode<M: Message + Default>(data: &[u8]) -> Result<M, QueryError> {
    M::decode(data).map_err(|e| QueryError::invalid(format!("invalid request: {e}")))
}

/// Encodes an answer at `height`.
pub(crate) fn answer<M: Message>(m: &M, height: u64) -> QResult {
    Ok(Answer { value: m.encode_to_vec(), height })
}

/// True if `path` is a gRPC method path (`/pkg.Service/Method`) this module may answer.
pub(crate) fn is_grpc_path(path: &str) -> bool {
    let p = path.trim_start_matches('/');
    p.split_once('/').is_some_and(|(svc, m)| svc.contains('.') && !m.is_empty())
}

/// Every method we serve, for discovery (the gRPC server lists them).
pub(crate) fn methods() -> Vec<&'static str> {
    let mut v = state::METHODS.to_vec();
    v.extend_from_slice(node::METHODS);
    v
}

/// Answers a gRPC method path at `height` (0 = latest).
pub(crate) async fn handle(sh: &Arc<Shared>, path: &str, data: Vec<u8>, height: u64) -> QResult {
    let path = format!("/{}", path.trim_start_matches('/'));
    if let Some(r) = node::handle_async(sh, &path, &data).await {
        return r;
    }
    let sh2 = sh.clone();
    tokio::task::spawn_blocking(move || {
        if let Some(r) = node::handle(&sh2, &path, &data, height) {
            return r;
        }
        match state::handle(&sh2, &path, &data, height) {
            Some(r) => r,
            None => Err(QueryError::new(
                Code::Unimplemented,
                format!("unknown service or method {path}"),
            )),
        }
    })
    .await
    .map_err(QueryError::internal)?
}

/// Offset pagination over a list we hold whole: `key` (an opaque cursor: the next offset,
/// big-endian) or `offset`, `limit` (default 100), `count_total`, `reverse`.
pub(crate) fn paginate<T>(mut items: Vec<T>, page: Option<&PageRequest>) -> (Vec<T>, PageResponse) {
    let total = items.len() as u64;
    let (mut offset, mut limit, reverse) = (0u64, 100u64, false);
    let mut rev = reverse;
    if let Some(p) = page {
        offset = if p.key.len() == 8 {
            u64::from_be_bytes(p.key[..8].try_into().unwrap_or_default())
        } else {
            p.offset
        };
        if p.limit > 0 {
            limit = p.limit;
        }
        rev = p.reverse;
    }
    if rev {
        items.reverse();
    }
    let start = offset.min(total) as usize;
    let end = offset.saturating_add(limit).min(total) as usize;
    let next = if (end as u64) < total { (end as u64).to_be_bytes().to_vec() } else { Vec::new() };
    let page_items: Vec<T> = items.into_iter().skip(start).take(end - start).collect();
    (page_items, PageResponse { next_key: next, total })
}

/// A decimal as the SDK's `LegacyDec` protobuf string: the integer of 10^-18 units.
pub(crate) fn dec_atto(atto: u128) -> String {
    atto.to_string()
}

/// `"0.130000"` (or `"12"`) → the `LegacyDec` integer string (`130000000000000000`).
pub(crate) fn dec_str_atto(s: &str) -> String {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let mut frac: String = frac.chars().take(18).collect();
    while frac.len() < 18 {
        frac.push('0');
    }
    let joined = format!("{}{frac}", int.trim_start_matches('-'));
    let trimmed = joined.trim_start_matches('0');
    let digits = if trimmed.is_empty() { "0" } else { trimmed };
    if s.starts_with('-') && digits != "0" {
        format!("-{digits}")
    } else {
        digits.to_string()
    }
}

/// Milliseconds since the epoch as a protobuf timestamp.
pub(crate) fn timestamp(ms: u64) -> cosmos_sdk_proto::Timestamp {
    cosmos_sdk_proto::Timestamp {
        seconds: (ms / 1000) as i64,
        nanos: ((ms % 1000) * 1_000_000) as i32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_become_legacy_dec_integers() {
        assert_eq!(dec_str_atto("0.13"), "130000000000000000");
        assert_eq!(dec_str_atto("12"), "12000000000000000000");
        assert_eq!(dec_str_atto("0"), "0");
        assert_eq!(dec_str_atto("0.000000000000000001"), "1");
    }

    #[test]
    fn pages_follow_the_key() {
        let items: Vec<u32> = (0..5).collect();
        let (p1, r1) =
            paginate(items.clone(), Some(&PageRequest { limit: 2, ..Default::default() }));
        assert_eq!((p1, r1.total), (vec![0, 1], 5));
        let (p2, r2) = paginate(
            items.clone(),
            Some(&PageRequest { key: r1.next_key, limit: 2, ..Default::default() }),
        );
        assert_eq!(p2, vec![2, 3]);
        let (p3, r3) = paginate(
            items,
            Some(&PageRequest { key: r2.next_key, limit: 2, ..Default::default() }),
        );
        assert_eq!(p3, vec![4]);
        assert!(r3.next_key.is_empty());
    }

    #[test]
    fn errors_read_as_the_sdk_writes_them() {
        let e = QueryError::not_found("account akash1x not found");
        assert_eq!(e.log(), "rpc error: code = NotFound desc = account akash1x not found");
        assert!(is_grpc_path("/cosmos.bank.v1beta1.Query/AllBalances"));
        assert!(!is_grpc_path("/bank/balances"));
    }
}
