//! Helpers shared by the modules' query code: argument parsing and JSON answers.

use dcloud_types::AccAddress;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::AppError;

/// The JSON answer of a query.
pub fn json<T: Serialize>(v: &T) -> Result<Vec<u8>, AppError> {
    serde_json::to_vec(v).map_err(|e| AppError::InvalidRequest(e.to_string()))
}

/// A bech32 address argument (quotes and whitespace allowed).
pub fn addr_arg(data: &[u8]) -> Result<AccAddress, AppError> {
    let s = str_arg(data).map_err(|_| AppError::InvalidAddress("address is not UTF-8".into()))?;
    s.parse().map_err(|e| AppError::InvalidAddress(format!("{e}")))
}

/// A string argument, trimmed and unquoted.
pub fn str_arg(data: &[u8]) -> Result<&str, std::str::Utf8Error> {
    Ok(std::str::from_utf8(data)?.trim().trim_matches('"'))
}

/// A JSON request; blank data = the default request.
pub fn json_req<T: DeserializeOwned + Default>(data: &[u8]) -> Result<T, AppError> {
    if data.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(data).map_err(|e| AppError::InvalidRequest(e.to_string()))
}

/// A JSON request; empty data = the default request.
pub fn parse_q<T: DeserializeOwned + Default>(data: &[u8]) -> Result<T, AppError> {
    if data.is_empty() {
        return Ok(T::default());
    }
    serde_json::from_slice(data).map_err(|e| AppError::InvalidRequest(e.to_string()))
}

/// An optional bech32 address field of a request.
pub fn opt_addr(s: Option<&str>, what: &str) -> Result<Option<AccAddress>, AppError> {
    s.map(|a| a.parse().map_err(|e| AppError::InvalidAddress(format!("{what}: {e}")))).transpose()
}

/// The request shape shared by the deployment, market and escrow queries.
#[derive(Debug, serde::Deserialize, Default)]
pub struct MarketQuery {
    /// Only this owner's records.
    pub owner: Option<String>,
    /// Only this deployment sequence.
    pub dseq: Option<u64>,
    /// Group sequence (escrow bid deposit).
    pub gseq: Option<u32>,
    /// Order sequence (escrow bid deposit).
    pub oseq: Option<u32>,
    /// Only this provider's records.
    pub provider: Option<String>,
    /// Only records in this state.
    pub state: Option<String>,
    /// Paging cursor.
    pub start_after: Option<serde_json::Value>,
    /// At most this many.
    pub limit: Option<usize>,
}

impl MarketQuery {
    /// The owner, parsed.
    pub fn owner_addr(&self) -> Result<Option<AccAddress>, AppError> {
        self.owner
            .as_deref()
            .map(|s| s.parse().map_err(|e| AppError::InvalidAddress(format!("owner: {e}"))))
            .transpose()
    }
}
