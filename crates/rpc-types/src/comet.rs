//! The CometBFT 0.38 JSON-RPC shapes, field for field as CometBFT writes them and as Cosmos
//! clients (cosmjs `Comet38Client`, Go `rpc/client/http`, explorers) decode them: heights and
//! 64-bit numbers as strings, hashes as upper-case hex, bytes as base64, typed public keys,
//! RFC 3339 times with nanoseconds, events with plain-string attributes and `index`.
//!
//! The node serializes these; the chain's own types ([`Block`], [`Commit`], [`TxRecord`], …)
//! stay what is stored and hashed. Each wire type converts from the chain's type
//! (`From`) and back (`TryFrom`, for our client), losslessly: a header read over RPC
//! re-hashes to its block id, so light-client checks keep working.

use base64::Engine;
use dcloud_types::{Attribute, Event};
use serde::{Deserialize, Serialize};

use crate::abci::{TxResult, ValidatorUpdate};
use crate::block::{Block, BlockResults, Commit, CommitSig, Hash, Header, TxRecord};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The CometBFT version the node reports (`node_info.version`): clients pick their protocol
/// adaptor from it (cosmjs: `0.38.x` → `Comet38Client`).
pub const COMET_VERSION: &str = "0.38.17";
/// CometBFT's block protocol version (`header.version.block`, `protocol_version.block`).
pub const BLOCK_PROTOCOL: &str = "11";
/// CometBFT's p2p protocol version.
pub const P2P_PROTOCOL: &str = "8";
/// The `type` of an ed25519 public key in CometBFT's amino JSON.
pub const ED25519_KEY_TYPE: &str = "tendermint/PubKeyEd25519";

/// A wire value that does not convert back into the chain's type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {field}: {reason}")]
pub struct WireError {
    /// The field, e.g. `header.time`.
    pub field: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

fn bad(field: &'static str, reason: impl ToString) -> WireError {
    WireError { field, reason: reason.to_string() }
}

fn num<T: std::str::FromStr>(field: &'static str, s: &str) -> Result<T, WireError>
where
    T::Err: std::fmt::Display,
{
    s.parse().map_err(|e| bad(field, format!("{s:?}: {e}")))
}

fn hash_hex(h: &Hash) -> String {
    hex::encode_upper(h)
}

fn parse_hash(field: &'static str, s: &str) -> Result<Hash, WireError> {
    if s.is_empty() {
        return Ok([0; 32]);
    }
    let v = hex::decode(s).map_err(|e| bad(field, e))?;
    v.try_into().map_err(|_| bad(field, "expected 32 bytes"))
}

/// Milliseconds since the Unix epoch as RFC 3339 with nanoseconds (`…T12:00:00.123000000Z`).
pub fn rfc3339_nanos(ms: u64) -> String {
    humantime::format_rfc3339_nanos(std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms))
        .to_string()
}

/// Parses an RFC 3339 time back to milliseconds since the Unix epoch.
pub fn parse_rfc3339_ms(field: &'static str, s: &str) -> Result<u64, WireError> {
    let t = humantime::parse_rfc3339_weak(s).map_err(|e| bad(field, e))?;
    let d = t.duration_since(std::time::UNIX_EPOCH).map_err(|e| bad(field, e))?;
    u64::try_from(d.as_millis()).map_err(|e| bad(field, e))
}

/// A typed public key (`{"type": "tendermint/PubKeyEd25519", "value": base64}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PubKey {
    /// Amino type name.
    #[serde(rename = "type")]
    pub kind: String,
    /// The key bytes, base64.
    pub value: String,
}

impl PubKey {
    /// An ed25519 key from its base64 bytes.
    pub fn ed25519(b64: &str) -> Self {
        Self { kind: ED25519_KEY_TYPE.into(), value: b64.into() }
    }
}

/// A part-set header (we do not split blocks: one part, hashed as the block).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartSetHeader {
    /// Number of parts (1; 0 for the empty id).
    pub total: u32,
    /// Hash of the parts (hex).
    pub hash: String,
}

/// A block id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockId {
    /// Header hash (hex).
    pub hash: String,
    /// Part-set header.
    pub parts: PartSetHeader,
}

impl BlockId {
    /// The id of a block with header hash `h` (the empty id for the zero hash).
    pub fn of(h: &Hash) -> Self {
        if *h == [0; 32] {
            return Self {
                hash: String::new(),
                parts: PartSetHeader { total: 0, hash: String::new() },
            };
        }
        Self { hash: hash_hex(h), parts: PartSetHeader { total: 1, hash: hash_hex(h) } }
    }
}

/// Block and app protocol versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    /// Block protocol.
    pub block: String,
    /// App protocol.
    pub app: String,
}

/// A CometBFT header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CometHeader {
    /// Protocol versions.
    pub version: Version,
    /// Chain id.
    pub chain_id: String,
    /// Height (string).
    pub height: String,
    /// Block time (RFC 3339, nanoseconds).
    pub time: String,
    /// The previous block's id (empty for the first block).
    pub last_block_id: BlockId,
    /// Hash of the previous block's commit (hex).
    pub last_commit_hash: String,
    /// Merkle root of the txs (hex).
    pub data_hash: String,
    /// Hash of the validator set (hex).
    pub validators_hash: String,
    /// Hash of the next validator set (hex; ours: the same set, updates apply a block later).
    pub next_validators_hash: String,
    /// Hash of the consensus params (hex).
    pub consensus_hash: String,
    /// App hash after the previous block (hex).
    pub app_hash: String,
    /// Hash of the previous block's results (hex; empty: not committed to in our header).
    pub last_results_hash: String,
    /// Hash of the evidence (hex; no evidence: SHA-256 of nothing).
    pub evidence_hash: String,
    /// Proposer's consensus address (hex).
    pub proposer_address: String,
}

impl From<&Header> for CometHeader {
    fn from(h: &Header) -> Self {
        let empty = hash_hex(&dcloud_types::sha256(&[]));
        Self {
            version: Version { block: BLOCK_PROTOCOL.into(), app: "0".into() },
            chain_id: h.chain_id.clone(),
            height: h.height.to_string(),
            time: rfc3339_nanos(h.time_ms),
            last_block_id: BlockId::of(&h.last_block_hash),
            last_commit_hash: hash_hex(&h.last_commit_hash),
            data_hash: hash_hex(&h.data_hash),
            validators_hash: hash_hex(&h.validators_hash),
            next_validators_hash: hash_hex(&h.validators_hash),
            consensus_hash: empty.clone(),
            app_hash: hash_hex(&h.app_hash),
            last_results_hash: String::new(),
            // No evidence: CometBFT's hash of nothing; else the header's.
            evidence_hash: if h.evidence_hash == [0; 32] {
                empty
            } else {
                hash_hex(&h.evidence_hash)
            },
            proposer_address: h.proposer_address.clone(),
        }
    }
}

impl TryFrom<&CometHeader> for Header {
    type Error = WireError;
    fn try_from(h: &CometHeader) -> Result<Self, WireError> {
        Ok(Header {
            chain_id: h.chain_id.clone(),
            height: num("header.height", &h.height)?,
            time_ms: parse_rfc3339_ms("header.time", &h.time)?,
            last_block_hash: parse_hash("header.last_block_id", &h.last_block_id.hash)?,
            last_commit_hash: parse_hash("header.last_commit_hash", &h.last_commit_hash)?,
            data_hash: parse_hash("header.data_hash", &h.data_hash)?,
            validators_hash: parse_hash("header.validators_hash", &h.validators_hash)?,
            app_hash: parse_hash("header.app_hash", &h.app_hash)?,
            evidence_hash: match parse_hash("header.evidence_hash", &h.evidence_hash)? {
                e if e == dcloud_types::sha256(&[]) => [0; 32],
                e => e,
            },
            proposer_address: h.proposer_address.clone(),
        })
    }
}

/// One signature of a commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CometCommitSig {
    /// 2 = signed for the block (the only kind we record).
    pub block_id_flag: u8,
    /// Consensus address (hex).
    pub validator_address: String,
    /// Time of the vote (ours: the committed block's time).
    pub timestamp: String,
    /// ed25519 signature, base64.
    pub signature: Option<String>,
}

/// A commit certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CometCommit {
    /// Height committed (string).
    pub height: String,
    /// Round.
    pub round: u32,
    /// The committed block's id (empty in a first block's `last_commit`).
    pub block_id: BlockId,
    /// Signatures.
    pub signatures: Vec<CometCommitSig>,
}

impl CometCommit {
    /// The wire form of `c`; `time_ms` stamps the signatures.
    pub fn from_commit(c: &Commit, time_ms: u64) -> Self {
        let ts = rfc3339_nanos(time_ms);
        Self {
            height: c.height.to_string(),
            round: c.round,
            block_id: BlockId::of(&c.block_hash),
            signatures: c
                .signatures
                .iter()
                .map(|s| CometCommitSig {
                    block_id_flag: 2,
                    validator_address: s.validator_address.clone(),
                    timestamp: ts.clone(),
                    signature: Some(s.signature.clone()),
                })
                .collect(),
        }
    }

    /// The empty commit of a first block.
    pub fn empty() -> Self {
        Self { height: "0".into(), round: 0, block_id: BlockId::of(&[0; 32]), signatures: vec![] }
    }
}

impl TryFrom<&CometCommit> for Commit {
    type Error = WireError;
    fn try_from(c: &CometCommit) -> Result<Self, WireError> {
        Ok(Commit {
            height: num("commit.height", &c.height)?,
            round: c.round,
            block_hash: parse_hash("commit.block_id", &c.block_id.hash)?,
            signatures: c
                .signatures
                .iter()
                .filter(|s| s.block_id_flag == 2)
                .map(|s| CommitSig {
                    validator_address: s.validator_address.clone(),
                    signature: s.signature.clone().unwrap_or_default(),
                })
                .collect(),
        })
    }
}

/// A block's txs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockData {
    /// Raw txs, base64.
    pub txs: Vec<String>,
}

/// Evidence in a block: `{"type": "tendermint/DuplicateVoteEvidence", "value": …}` each.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceList {
    /// The items.
    pub evidence: Vec<serde_json::Value>,
}

/// CometBFT's amino JSON type name of duplicate-vote evidence.
pub const DUPLICATE_VOTE_EVIDENCE: &str = "tendermint/DuplicateVoteEvidence";

impl EvidenceList {
    fn of(evidence: &[crate::block::DuplicateVoteEvidence]) -> Self {
        let evidence = evidence
            .iter()
            .map(|e| serde_json::json!({"type": DUPLICATE_VOTE_EVIDENCE, "value": e}))
            .collect();
        Self { evidence }
    }

    fn items(&self) -> Result<Vec<crate::block::DuplicateVoteEvidence>, WireError> {
        self.evidence
            .iter()
            .map(|v| serde_json::from_value(v["value"].clone()).map_err(|e| bad("evidence", e)))
            .collect()
    }
}

/// A CometBFT block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CometBlock {
    /// Header.
    pub header: CometHeader,
    /// Txs.
    pub data: BlockData,
    /// Evidence.
    pub evidence: EvidenceList,
    /// Commit of the previous block (the empty commit for the first block).
    pub last_commit: CometCommit,
}

impl From<&Block> for CometBlock {
    fn from(b: &Block) -> Self {
        Self {
            header: (&b.header).into(),
            data: BlockData { txs: b.txs.iter().map(|t| B64.encode(t)).collect() },
            evidence: EvidenceList::of(&b.evidence),
            last_commit: b
                .last_commit
                .as_ref()
                .map_or_else(CometCommit::empty, |c| CometCommit::from_commit(c, b.header.time_ms)),
        }
    }
}

impl TryFrom<&CometBlock> for Block {
    type Error = WireError;
    fn try_from(b: &CometBlock) -> Result<Self, WireError> {
        let txs = b
            .data
            .txs
            .iter()
            .map(|t| B64.decode(t).map_err(|e| bad("data.txs", e)))
            .collect::<Result<_, _>>()?;
        let last_commit = if b.last_commit.block_id.hash.is_empty() {
            None
        } else {
            Some((&b.last_commit).try_into()?)
        };
        Ok(Block {
            header: (&b.header).try_into()?,
            txs,
            last_commit,
            evidence: b.evidence.items()?,
        })
    }
}

/// `block` (and each entry of `block_search`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CometBlockResponse {
    /// The block's id.
    pub block_id: BlockId,
    /// The block.
    pub block: CometBlock,
}

impl From<&Block> for CometBlockResponse {
    fn from(b: &Block) -> Self {
        Self { block_id: BlockId::of(&b.header.hash()), block: b.into() }
    }
}

/// `block_search`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockSearchResponse {
    /// The page.
    pub blocks: Vec<CometBlockResponse>,
    /// All matches (string).
    pub total_count: String,
}

/// One entry of `blockchain`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockMeta {
    /// The block's id.
    pub block_id: BlockId,
    /// Size of the block (bytes of its txs, string).
    pub block_size: String,
    /// Header.
    pub header: CometHeader,
    /// Number of txs (string).
    pub num_txs: String,
}

impl From<&Block> for BlockMeta {
    fn from(b: &Block) -> Self {
        Self {
            block_id: BlockId::of(&b.header.hash()),
            block_size: b.txs.iter().map(Vec::len).sum::<usize>().to_string(),
            header: (&b.header).into(),
            num_txs: b.txs.len().to_string(),
        }
    }
}

/// `blockchain`: headers of a height range, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockchainResponse {
    /// Latest height (string).
    pub last_height: String,
    /// The headers.
    pub block_metas: Vec<BlockMeta>,
}

/// `commit`: a header and its commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitResponse {
    /// Header + commit.
    pub signed_header: SignedHeader,
    /// Always true (we serve only committed blocks).
    pub canonical: bool,
}

/// A header and the commit that certifies it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedHeader {
    /// Header.
    pub header: CometHeader,
    /// Commit.
    pub commit: CometCommit,
}

/// An event attribute: plain strings (CometBFT ≥ 0.37), with its index flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CometAttribute {
    /// Key.
    pub key: String,
    /// Value.
    pub value: String,
    /// Whether the node indexes it.
    #[serde(default)]
    pub index: bool,
}

/// An event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CometEvent {
    /// Event type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Attributes.
    pub attributes: Vec<CometAttribute>,
}

impl From<&Event> for CometEvent {
    fn from(e: &Event) -> Self {
        Self {
            kind: e.kind.clone(),
            attributes: e
                .attributes
                .iter()
                .map(|a| CometAttribute { key: a.key.clone(), value: a.value.clone(), index: true })
                .collect(),
        }
    }
}

impl From<&CometEvent> for Event {
    fn from(e: &CometEvent) -> Self {
        Event {
            kind: e.kind.clone(),
            attributes: e
                .attributes
                .iter()
                .map(|a| Attribute { key: a.key.clone(), value: a.value.clone() })
                .collect(),
        }
    }
}

/// The outcome of a tx (`ExecTxResult`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CometTxResult {
    /// 0 = success.
    pub code: u32,
    /// Result data, base64 (empty: we return no message responses).
    #[serde(default)]
    pub data: String,
    /// Error text.
    #[serde(default)]
    pub log: String,
    /// Extra info.
    #[serde(default)]
    pub info: String,
    /// Gas limit (string).
    pub gas_wanted: String,
    /// Gas used (string).
    pub gas_used: String,
    /// Events.
    #[serde(default)]
    pub events: Vec<CometEvent>,
    /// Codespace of a non-zero code.
    #[serde(default)]
    pub codespace: String,
}

impl From<&TxResult> for CometTxResult {
    fn from(r: &TxResult) -> Self {
        Self {
            code: r.code,
            data: String::new(),
            log: r.log.clone(),
            info: String::new(),
            gas_wanted: r.gas_wanted.to_string(),
            gas_used: r.gas_used.to_string(),
            events: r.events.iter().map(Into::into).collect(),
            codespace: r.codespace.clone(),
        }
    }
}

impl TryFrom<&CometTxResult> for TxResult {
    type Error = WireError;
    fn try_from(r: &CometTxResult) -> Result<Self, WireError> {
        Ok(TxResult {
            code: r.code,
            codespace: r.codespace.clone(),
            log: r.log.clone(),
            gas_wanted: num("gas_wanted", &r.gas_wanted)?,
            gas_used: num("gas_used", &r.gas_used)?,
            events: r.events.iter().map(Into::into).collect(),
        })
    }
}

/// `tx` (and each entry of `tx_search`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CometTx {
    /// Tx hash (hex).
    pub hash: String,
    /// Height (string).
    pub height: String,
    /// Index in the block.
    pub index: u32,
    /// Result.
    pub tx_result: CometTxResult,
    /// Raw tx, base64.
    pub tx: String,
}

impl From<&TxRecord> for CometTx {
    fn from(r: &TxRecord) -> Self {
        Self {
            hash: r.hash.clone(),
            height: r.height.to_string(),
            index: r.index,
            tx_result: (&r.tx_result).into(),
            tx: r.tx.clone(),
        }
    }
}

impl TryFrom<&CometTx> for TxRecord {
    type Error = WireError;
    fn try_from(r: &CometTx) -> Result<Self, WireError> {
        Ok(TxRecord {
            hash: r.hash.clone(),
            height: num("height", &r.height)?,
            index: r.index,
            tx: r.tx.clone(),
            tx_result: (&r.tx_result).try_into()?,
        })
    }
}

/// `tx_search`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CometTxSearch {
    /// The page.
    pub txs: Vec<CometTx>,
    /// All matches (string).
    pub total_count: String,
}

/// A validator-set change in `block_results`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CometValidatorUpdate {
    /// Typed key.
    pub pub_key: PubKey,
    /// New power (string).
    pub power: String,
}

/// `block_results`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CometBlockResults {
    /// Height (string).
    pub height: String,
    /// Per-tx results.
    pub txs_results: Vec<CometTxResult>,
    /// Block-level events.
    pub finalize_block_events: Vec<CometEvent>,
    /// Validator updates.
    pub validator_updates: Vec<CometValidatorUpdate>,
    /// Consensus param updates (none).
    pub consensus_param_updates: Option<serde_json::Value>,
    /// App hash after this block, base64 (as CometBFT writes it here).
    pub app_hash: String,
}

impl From<&BlockResults> for CometBlockResults {
    fn from(r: &BlockResults) -> Self {
        Self {
            height: r.height.to_string(),
            txs_results: r.tx_results.iter().map(Into::into).collect(),
            finalize_block_events: r.finalize_block_events.iter().map(Into::into).collect(),
            validator_updates: r
                .validator_updates
                .iter()
                .map(|u| CometValidatorUpdate {
                    pub_key: PubKey::ed25519(&u.pub_key),
                    power: u.power.to_string(),
                })
                .collect(),
            consensus_param_updates: None,
            app_hash: B64.encode(r.app_hash),
        }
    }
}

impl TryFrom<&CometBlockResults> for BlockResults {
    type Error = WireError;
    fn try_from(r: &CometBlockResults) -> Result<Self, WireError> {
        let app_hash = B64.decode(&r.app_hash).map_err(|e| bad("app_hash", e))?;
        Ok(BlockResults {
            height: num("height", &r.height)?,
            tx_results: r.txs_results.iter().map(TryInto::try_into).collect::<Result<_, _>>()?,
            finalize_block_events: r.finalize_block_events.iter().map(Into::into).collect(),
            validator_updates: r
                .validator_updates
                .iter()
                .map(|u| {
                    Ok(ValidatorUpdate {
                        pub_key: u.pub_key.value.clone(),
                        power: num("validator_updates.power", &u.power)?,
                    })
                })
                .collect::<Result<_, WireError>>()?,
            app_hash: app_hash.try_into().map_err(|_| bad("app_hash", "expected 32 bytes"))?,
        })
    }
}

/// A validator in `validators` and `status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CometValidator {
    /// Consensus address (hex).
    pub address: String,
    /// Typed key.
    pub pub_key: PubKey,
    /// Voting power (string).
    pub voting_power: String,
    /// Proposer priority (string; ours: "0").
    pub proposer_priority: String,
    /// Our extra: the validator's name.
    #[serde(default)]
    pub name: String,
}

impl From<&crate::Validator> for CometValidator {
    fn from(v: &crate::Validator) -> Self {
        Self {
            address: v.address.clone(),
            pub_key: PubKey::ed25519(&v.pub_key),
            voting_power: v.power.to_string(),
            proposer_priority: "0".into(),
            name: v.name.clone(),
        }
    }
}

impl TryFrom<&CometValidator> for crate::Validator {
    type Error = WireError;
    fn try_from(v: &CometValidator) -> Result<Self, WireError> {
        Ok(crate::Validator {
            address: v.address.clone(),
            pub_key: v.pub_key.value.clone(),
            power: num("voting_power", &v.voting_power)?,
            name: v.name.clone(),
        })
    }
}

/// `validators`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CometValidators {
    /// Height the set is for (string).
    pub block_height: String,
    /// The set (one page).
    pub validators: Vec<CometValidator>,
    /// Number returned (string).
    pub count: String,
    /// Total (string).
    pub total: String,
}

/// `broadcast_tx_commit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CometBroadcastCommit {
    /// The check_tx verdict.
    pub check_tx: CometTxResult,
    /// The block result (empty if check_tx failed).
    pub tx_result: CometTxResult,
    /// Tx hash (hex).
    pub hash: String,
    /// Height (string, "0" if not included).
    pub height: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(h: u64) -> Header {
        Header {
            chain_id: "c-1".into(),
            height: h,
            time_ms: 1_700_000_000_123,
            last_block_hash: if h == 1 { [0; 32] } else { [1; 32] },
            last_commit_hash: [2; 32],
            data_hash: [3; 32],
            validators_hash: [4; 32],
            app_hash: [5; 32],
            evidence_hash: if h == 7 { [6; 32] } else { [0; 32] },
            proposer_address: "AB".repeat(20),
        }
    }

    #[test]
    fn block_round_trips_and_rehashes() {
        for h in [1, 7] {
            let commit = Commit {
                height: h - 1,
                round: 0,
                block_hash: [1; 32],
                signatures: vec![CommitSig {
                    validator_address: "AA".into(),
                    signature: "c2ln".into(),
                }],
            };
            let b = Block {
                header: header(h),
                txs: vec![b"tx".to_vec()],
                last_commit: (h > 1).then_some(commit),
                evidence: Vec::new(),
            };
            let wire = CometBlockResponse::from(&b);
            let j = serde_json::to_value(&wire).unwrap();
            assert_eq!(j["block"]["header"]["height"], h.to_string());
            assert_eq!(j["block"]["header"]["time"], "2023-11-14T22:13:20.123000000Z");
            assert_eq!(j["block"]["data"]["txs"][0], "dHg=");
            assert_eq!(j["block_id"]["parts"]["total"], 1);
            assert_eq!(j["block"]["last_commit"]["block_id"]["hash"] == "", h == 1);
            let back: CometBlockResponse = serde_json::from_value(j).unwrap();
            let block = Block::try_from(&back.block).unwrap();
            assert_eq!(block, b);
            assert_eq!(hash_hex(&block.header.hash()), back.block_id.hash);
        }
    }

    #[test]
    fn results_use_strings_for_64_bit_numbers() {
        let r = BlockResults {
            height: 3,
            tx_results: vec![TxResult {
                code: 0,
                gas_wanted: 200_000,
                gas_used: 51_234,
                events: vec![Event::new("transfer").attr("amount", "5uakt")],
                ..Default::default()
            }],
            finalize_block_events: vec![],
            validator_updates: vec![ValidatorUpdate { pub_key: "a2V5".into(), power: 9 }],
            app_hash: [7; 32],
        };
        let wire = CometBlockResults::from(&r);
        let j = serde_json::to_value(&wire).unwrap();
        assert_eq!(j["height"], "3");
        assert_eq!(j["txs_results"][0]["gas_used"], "51234");
        assert_eq!(j["txs_results"][0]["events"][0]["attributes"][0]["value"], "5uakt");
        assert_eq!(j["txs_results"][0]["events"][0]["attributes"][0]["index"], true);
        assert_eq!(j["validator_updates"][0]["pub_key"]["type"], ED25519_KEY_TYPE);
        assert_eq!(BlockResults::try_from(&wire).unwrap(), r);
        let mut broken = wire.clone();
        broken.txs_results[0].gas_used = "x".into();
        assert_eq!(BlockResults::try_from(&broken).unwrap_err().field, "gas_used");
    }
}
