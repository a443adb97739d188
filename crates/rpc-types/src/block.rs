//! Block, header and commit types, block results and tx records. Hashes are SHA-256 over
//! canonical JSON (fields in declaration order), so they are the same on every node.

use serde::{Deserialize, Serialize};

/// 32-byte hash as upper-case hex in JSON.
pub type Hash = [u8; 32];

/// A block header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Chain id.
    pub chain_id: String,
    /// Height.
    pub height: u64,
    /// Block time, ms since the Unix epoch (strictly increasing).
    pub time_ms: u64,
    /// Hash of the previous block's header (zero for the first block).
    #[serde(with = "crate::abci::hex32")]
    pub last_block_hash: Hash,
    /// Hash of the previous block's commit.
    #[serde(with = "crate::abci::hex32")]
    pub last_commit_hash: Hash,
    /// Merkle root of the txs.
    #[serde(with = "crate::abci::hex32")]
    pub data_hash: Hash,
    /// Hash of the validator set.
    #[serde(with = "crate::abci::hex32")]
    pub validators_hash: Hash,
    /// App hash after the previous block (as in CometBFT).
    #[serde(with = "crate::abci::hex32")]
    pub app_hash: Hash,
    /// Proposer's consensus address (hex).
    pub proposer_address: String,
    /// Hash of the block's evidence ([`evidence_hash`]); zero, and left out of the JSON (so
    /// out of the block hash), when the block carries none.
    #[serde(default, with = "crate::abci::hex32", skip_serializing_if = "is_zero")]
    pub evidence_hash: Hash,
}

fn is_zero(h: &Hash) -> bool {
    *h == [0; 32]
}

/// One signed vote of a [`DuplicateVoteEvidence`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceVote {
    /// The block id voted for (hex), `None` for nil.
    pub block_hash: Option<String>,
    /// ed25519 signature, base64.
    pub signature: String,
}

/// Two different votes of one validator for the same height, round and step: proof that
/// it signed twice (CometBFT's `DuplicateVoteEvidence`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateVoteEvidence {
    /// Offender's consensus address (hex).
    pub validator_address: String,
    /// Height of the votes.
    pub height: u64,
    /// Round of the votes.
    pub round: u32,
    /// `prevote` or `precommit`.
    pub vote_type: String,
    /// The first vote.
    pub vote_a: EvidenceVote,
    /// The conflicting vote.
    pub vote_b: EvidenceVote,
}

/// The header's `evidence_hash` of a block's evidence (zero when there is none).
pub fn evidence_hash(evidence: &[DuplicateVoteEvidence]) -> Hash {
    if evidence.is_empty() {
        return [0; 32];
    }
    dcloud_types::sha256(&serde_json::to_vec(evidence).unwrap_or_default())
}

impl Header {
    /// The block hash.
    pub fn hash(&self) -> Hash {
        dcloud_types::sha256(&serde_json::to_vec(self).unwrap_or_default())
    }
}

/// One validator's signature in a commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitSig {
    /// Consensus address (hex).
    pub validator_address: String,
    /// ed25519 signature over [`Commit::sign_bytes`], base64.
    pub signature: String,
}

/// The commit certificate of a block: signatures of more than 2/3 of voting power.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commit {
    /// Height committed.
    pub height: u64,
    /// Consensus round.
    pub round: u32,
    /// Hash of the committed block.
    #[serde(with = "crate::abci::hex32")]
    pub block_hash: Hash,
    /// Signatures.
    pub signatures: Vec<CommitSig>,
}

impl Commit {
    /// What each validator signs.
    pub fn sign_bytes(chain_id: &str, height: u64, round: u32, block_hash: &Hash) -> Vec<u8> {
        let mut v = b"dcloud/commit/v1\0".to_vec();
        v.extend_from_slice(chain_id.as_bytes());
        v.push(0);
        v.extend_from_slice(&height.to_be_bytes());
        v.extend_from_slice(&round.to_be_bytes());
        v.extend_from_slice(block_hash);
        v
    }

    /// Hash of the commit.
    pub fn hash(&self) -> Hash {
        dcloud_types::sha256(&serde_json::to_vec(self).unwrap_or_default())
    }
}

/// A block: header, txs, and the previous height's commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    /// Header.
    pub header: Header,
    /// Raw txs.
    #[serde(with = "b64_vec")]
    pub txs: Vec<Vec<u8>>,
    /// Commit of the previous block (None for the first block).
    pub last_commit: Option<Commit>,
    /// Evidence of misbehaviour (double signing) this block punishes; left out of the JSON
    /// when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<DuplicateVoteEvidence>,
}

/// Results of executing a block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockResults {
    /// Height.
    pub height: u64,
    /// Per-tx results.
    pub tx_results: Vec<crate::abci::TxResult>,
    /// Block-level events.
    pub finalize_block_events: Vec<dcloud_types::Event>,
    /// Validator updates.
    pub validator_updates: Vec<crate::abci::ValidatorUpdate>,
    /// App hash after this block.
    #[serde(with = "crate::abci::hex32")]
    pub app_hash: Hash,
}

/// Where a tx landed, with its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxRecord {
    /// Tx hash (hex upper).
    pub hash: String,
    /// Height of the block.
    pub height: u64,
    /// Index in the block.
    pub index: u32,
    /// Raw tx (base64 in JSON).
    pub tx: String,
    /// Result.
    pub tx_result: crate::abci::TxResult,
}

/// Merkle root of txs: RFC 6962 style over SHA-256 leaves (as CometBFT does).
pub fn tx_merkle_root(txs: &[Vec<u8>]) -> Hash {
    fn leaf(tx: &[u8]) -> Hash {
        let mut v = vec![0u8];
        v.extend_from_slice(&dcloud_types::sha256(tx));
        dcloud_types::sha256(&v)
    }
    fn inner(l: &Hash, r: &Hash) -> Hash {
        let mut v = vec![1u8];
        v.extend_from_slice(l);
        v.extend_from_slice(r);
        dcloud_types::sha256(&v)
    }
    fn root(txs: &[Vec<u8>]) -> Hash {
        match txs.len() {
            0 => dcloud_types::sha256(&[]),
            1 => leaf(&txs[0]),
            n => {
                let k = n.next_power_of_two() / 2;
                inner(&root(&txs[..k]), &root(&txs[k..]))
            }
        }
    }
    root(txs)
}

mod b64_vec {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(v: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
        let e = base64::engine::general_purpose::STANDARD;
        s.collect_seq(v.iter().map(|t| e.encode(t)))
    }
    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<u8>>, D::Error> {
        let e = base64::engine::general_purpose::STANDARD;
        Vec::<String>::deserialize(d)?
            .into_iter()
            .map(|s| e.decode(s).map_err(serde::de::Error::custom))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merkle_root_depends_on_order_and_content() {
        let a = vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec()];
        let b = vec![b"b".to_vec(), b"a".to_vec(), b"c".to_vec()];
        assert_ne!(tx_merkle_root(&a), tx_merkle_root(&b));
        assert_eq!(tx_merkle_root(&a), tx_merkle_root(&a.clone()));
        assert_ne!(tx_merkle_root(&a[..2]), tx_merkle_root(&a));
    }
}
