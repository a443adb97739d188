//! The one error type of this crate.

/// Everything that can go wrong talking to a node.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The node could not be reached, or answered with a non-JSON or non-2xx HTTP response.
    #[error("cannot reach node at {url}: {reason}")]
    Http {
        /// The URL requested.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The node answered with a JSON-RPC error object.
    #[error("node error {code} ({message}){}", if data.is_empty() { String::new() } else { format!(": {data}") })]
    Rpc {
        /// JSON-RPC error code.
        code: i64,
        /// Short message.
        message: String,
        /// Details.
        data: String,
    },
    /// An answer that does not have the expected shape.
    #[error("cannot decode the node's answer to {what}: {reason}")]
    Decode {
        /// What was being decoded.
        what: String,
        /// Why it failed.
        reason: String,
    },
    /// A query the app rejected (`abci_query` returned a non-zero code).
    #[error("query {path} failed (code {code}): {log}")]
    Query {
        /// The query path.
        path: String,
        /// Error code.
        code: u32,
        /// Codespace.
        codespace: String,
        /// Error text.
        log: String,
    },
    /// A tx that was rejected by check_tx, or failed in its block.
    /// Every tx failure reads the same: `tx <hash> failed[ in block <h>] with code <c>
    /// (<codespace>): <log>`.
    #[error("tx {hash} failed{} with code {code} ({codespace}): {log}", height.map(|h| format!(" in block {h}")).unwrap_or_default())]
    TxFailed {
        /// Error code (non-zero).
        code: u32,
        /// Codespace of the code.
        codespace: String,
        /// Error text.
        log: String,
        /// Tx hash (hex upper).
        hash: String,
        /// Height of the block that included it (None if it never got into a block).
        height: Option<u64>,
    },
    /// Waiting for something took too long.
    #[error("timed out after {secs}s waiting for {what}")]
    Timeout {
        /// What we waited for.
        what: String,
        /// How long we waited.
        secs: u64,
    },
    /// A bad argument given by the caller (address, amount, url, …).
    #[error("{0}")]
    InvalidInput(String),
    /// Signing or key trouble.
    #[error(transparent)]
    Crypto(#[from] dcloud_crypto::CryptoError),
    /// The websocket failed.
    #[error("websocket error: {0}")]
    WebSocket(String),
}

impl ClientError {
    /// True if the error says that the thing asked for does not exist (`tx (…) not found`,
    /// `account … not found`).
    pub fn is_not_found(&self) -> bool {
        match self {
            Self::Rpc { message, data, .. } => {
                data.contains("not found") || message.contains("not found")
            }
            Self::Query { code, log, .. } => *code == 9 || log.contains("not found"),
            _ => false,
        }
    }
}
