//! JSON-RPC wire types, in the spirit of CometBFT's RPC. Heights and counts are strings in
//! JSON where CometBFT uses strings (64-bit integers do not survive JavaScript).

use serde::{Deserialize, Serialize};

use crate::abci::TxResult;
use crate::block::{Block, BlockResults, TxRecord};

/// A JSON-RPC 2.0 request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RpcRequest {
    /// Always "2.0".
    pub jsonrpc: String,
    /// Request id (echoed).
    #[serde(default)]
    pub id: serde_json::Value,
    /// Method name, e.g. `status`.
    pub method: String,
    /// Named parameters.
    #[serde(default)]
    pub params: serde_json::Value,
}

/// A JSON-RPC 2.0 error object.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RpcErrorObj {
    /// -32700 parse error, -32600 invalid request, -32601 no method, -32602 bad params,
    /// -32603 internal error.
    pub code: i64,
    /// Short message.
    pub message: String,
    /// Details.
    #[serde(default)]
    pub data: String,
}

/// A JSON-RPC 2.0 response.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RpcResponse {
    /// Always "2.0".
    pub jsonrpc: String,
    /// Echoed id.
    pub id: serde_json::Value,
    /// Result on success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<serde_json::Value>,
    /// Error on failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<RpcErrorObj>,
}

/// `status`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusResponse {
    /// Node identity.
    pub node_info: NodeInfo,
    /// Chain progress.
    pub sync_info: SyncInfo,
    /// This node's validator key.
    pub validator_info: ValidatorInfo,
}

/// Node identity, as CometBFT's `DefaultNodeInfo` (+ our extras `consensus` and
/// `dcloud_version`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeInfo {
    /// p2p, block and app protocol versions.
    #[serde(default)]
    pub protocol_version: ProtocolVersion,
    /// Node id (hex of 20 bytes).
    #[serde(default)]
    pub id: String,
    /// p2p listen address (`tcp://host:port`).
    #[serde(default)]
    pub listen_addr: String,
    /// Chain id.
    pub network: String,
    /// The CometBFT version whose RPC this node speaks (`0.38.x`; clients pick their
    /// decoder from it). dcloud's own version is [`NodeInfo::dcloud_version`].
    pub version: String,
    /// p2p channels (hex bytes).
    #[serde(default)]
    pub channels: String,
    /// Node name.
    pub moniker: String,
    /// `tx_index` (`on`) and `rpc_address`.
    #[serde(default)]
    pub other: NodeInfoOther,
    /// Our extra: the consensus driver (`solo` or `bft`).
    #[serde(default)]
    pub consensus: String,
    /// Our extra: the dcloud software version.
    #[serde(default)]
    pub dcloud_version: String,
}

/// Protocol versions in `node_info` (strings, as CometBFT writes them).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ProtocolVersion {
    /// p2p protocol.
    pub p2p: String,
    /// Block protocol.
    pub block: String,
    /// App protocol.
    pub app: String,
}

/// `node_info.other`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NodeInfoOther {
    /// `on` when txs are indexed (always, here).
    pub tx_index: String,
    /// The RPC listen address.
    pub rpc_address: String,
}

/// Chain progress.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SyncInfo {
    /// Hash of the latest block (hex).
    pub latest_block_hash: String,
    /// App hash after the latest block (hex).
    pub latest_app_hash: String,
    /// Latest block height (string).
    pub latest_block_height: String,
    /// Latest block time (RFC 3339).
    pub latest_block_time: String,
    /// Hash of the earliest block kept (hex).
    #[serde(default)]
    pub earliest_block_hash: String,
    /// App hash of the earliest block kept (hex).
    #[serde(default)]
    pub earliest_app_hash: String,
    /// Earliest block height kept (string).
    #[serde(default)]
    pub earliest_block_height: String,
    /// Earliest block time (RFC 3339).
    #[serde(default)]
    pub earliest_block_time: String,
    /// True while the node is syncing blocks it missed.
    pub catching_up: bool,
}

/// The node's validator.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ValidatorInfo {
    /// Consensus address (hex).
    pub address: String,
    /// Typed ed25519 public key.
    pub pub_key: crate::comet::PubKey,
    /// Voting power (string).
    pub voting_power: String,
}

/// `broadcast_tx_sync`: the check_tx verdict.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BroadcastTxResponse {
    /// 0 = admitted to the mempool.
    pub code: u32,
    /// Codespace of a failure.
    #[serde(default)]
    pub codespace: String,
    /// Reason for a failure.
    #[serde(default)]
    pub log: String,
    /// Tx hash (hex upper).
    pub hash: String,
}

/// `broadcast_tx_commit`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BroadcastTxCommitResponse {
    /// The check_tx verdict.
    pub check_tx: BroadcastTxResponse,
    /// The block result (empty if check_tx failed).
    pub tx_result: TxResult,
    /// Tx hash.
    pub hash: String,
    /// Block height (string, "0" if not included).
    pub height: String,
}

/// `abci_query`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AbciQueryResponse {
    /// The answer.
    pub response: AbciQueryResult,
}

/// The inner answer of `abci_query` (CometBFT's `ResponseQuery`, + our `proof`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AbciQueryResult {
    /// 0 = success.
    pub code: u32,
    /// The key asked for, base64 (empty for non-store paths).
    #[serde(default)]
    pub key: String,
    /// Index (unused, "0").
    #[serde(default)]
    pub index: String,
    /// Extra info.
    #[serde(default)]
    pub info: String,
    /// Codespace of a failure.
    #[serde(default)]
    pub codespace: String,
    /// Error text.
    #[serde(default)]
    pub log: String,
    /// The value, base64.
    #[serde(default)]
    pub value: String,
    /// The proof, base64 (see `dcloud_proof::StateProof::from_bytes`), when asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<String>,
    /// Height answered (string).
    pub height: String,
}

/// `block`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BlockResponse {
    /// The block id.
    pub block_id: BlockId,
    /// The block.
    pub block: Block,
}

/// A block id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BlockId {
    /// Header hash (hex).
    pub hash: String,
}

/// `block_results`.
pub type BlockResultsResponse = BlockResults;

/// `tx`.
pub type TxResponse = TxRecord;

/// `tx_search`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TxSearchResponse {
    /// The page.
    pub txs: Vec<TxResponse>,
    /// All matches (string).
    pub total_count: String,
}

/// `validators`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ValidatorsResponse {
    /// Height the set is for (string).
    pub block_height: String,
    /// The set.
    pub validators: Vec<Validator>,
    /// Number returned (string).
    pub count: String,
    /// Total (string).
    pub total: String,
}

/// One validator as consensus sees it (the JSON shape of the chain's validator set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validator {
    /// Consensus address: hex of the first 20 bytes of SHA-256(pubkey).
    pub address: String,
    /// ed25519 public key, base64.
    pub pub_key: String,
    /// Voting power.
    pub power: u64,
    /// Human name.
    #[serde(default)]
    pub name: String,
}

/// An event pushed on a websocket subscription.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubscriptionEvent {
    /// The subscription's query.
    pub query: String,
    /// `{"type": "tendermint/event/Tx" | "tendermint/event/NewBlock", "value": …}`.
    pub data: serde_json::Value,
    /// Flattened `type.key` → values.
    pub events: std::collections::BTreeMap<String, Vec<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validators_answer_keeps_the_chain_json_shape() {
        let j = r#"{"block_height":"5","validators":[{"address":"AB","pub_key":"a2V5","power":10}],"count":"1","total":"1"}"#;
        let r: ValidatorsResponse = serde_json::from_str(j).unwrap();
        assert_eq!(
            r.validators,
            vec![Validator {
                address: "AB".into(),
                pub_key: "a2V5".into(),
                power: 10,
                name: String::new()
            }]
        );
        let back = serde_json::to_value(&r).unwrap();
        assert_eq!(back["validators"][0]["name"], "");
        assert_eq!(back["validators"][0]["power"], 10);
    }

    #[test]
    fn block_results_and_tx_records_round_trip() {
        let tx = TxResult { code: 5, codespace: "sdk".into(), gas_wanted: 7, ..Default::default() };
        let r = BlockResults {
            height: 3,
            tx_results: vec![tx.clone()],
            finalize_block_events: vec![dcloud_types::Event::new("x").attr("k", "v")],
            validator_updates: vec![],
            app_hash: [0xAB; 32],
        };
        let j = serde_json::to_value(&r).unwrap();
        assert_eq!(j["app_hash"], "AB".repeat(32));
        assert_eq!(serde_json::from_value::<BlockResults>(j).unwrap(), r);
        let rec =
            TxRecord { hash: "H".into(), height: 3, index: 0, tx: "dHg=".into(), tx_result: tx };
        let j = serde_json::to_string(&rec).unwrap();
        assert_eq!(serde_json::from_str::<TxResponse>(&j).unwrap(), rec);
    }
}
