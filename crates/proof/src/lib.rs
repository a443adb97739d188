//! Merkle proofs of state entries against a root hash: [`StateProof`] and [`verify_proof`].
//!
//! The store (`dcloud-store`) makes these proofs; a light client checks them against the app
//! hash of a block header. This crate holds only the proof type and its verification (jmt,
//! sha2), so a client can check proofs without linking the database.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

use jmt::proof::SparseMerkleProof;
use jmt::{KeyHash, RootHash};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A proof failed verification or could not be decoded. Displays as the store's
/// `ProofInvalid` error always has (`invalid proof: …`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid proof: {0}")]
pub struct ProofError(pub String);

/// `sha256(key)`: a key's position in the state tree.
pub fn key_hash(key: &[u8]) -> KeyHash {
    KeyHash(Sha256::digest(key).into())
}

/// Encoding version byte of [`StateProof::to_bytes`].
const PROOF_FORMAT: u8 = 1;

/// A proof that a key has a given value (membership) or has none (non-membership) in the state
/// whose root hash is known; check it with [`verify_proof`].
///
/// Wraps a jmt `SparseMerkleProof<Sha256>` (borsh-encoded in `proof`). Keys are hashed with
/// sha256 into the tree; leaves commit to `sha256(value)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateProof {
    /// The version the proof was made at.
    pub version: u64,
    /// `sha256(key)`: the key's position in the tree.
    pub key_hash: [u8; 32],
    /// `sha256(value)` when the key is present at that version, `None` when absent.
    pub value_hash: Option<[u8; 32]>,
    /// The borsh-encoded `jmt::proof::SparseMerkleProof<sha2::Sha256>`.
    pub proof: Vec<u8>,
}

impl StateProof {
    /// The proof that `key` has `value` (or none) at `version`, from jmt's proof; fails only
    /// if borsh cannot encode it.
    pub fn new(
        version: u64,
        key: &[u8],
        value: Option<&[u8]>,
        proof: &SparseMerkleProof<Sha256>,
    ) -> Result<Self, std::io::Error> {
        let proof = borsh::to_vec(proof)?;
        Ok(Self {
            version,
            key_hash: key_hash(key).0,
            value_hash: value.map(|v| Sha256::digest(v).into()),
            proof,
        })
    }

    /// A compact binary encoding:
    /// `1 ‖ version_BE(8) ‖ key_hash(32) ‖ (0 | 1 ‖ value_hash(32)) ‖ proof`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 + 8 + 32 + 33 + self.proof.len());
        out.push(PROOF_FORMAT);
        out.extend_from_slice(&self.version.to_be_bytes());
        out.extend_from_slice(&self.key_hash);
        match &self.value_hash {
            Some(h) => {
                out.push(1);
                out.extend_from_slice(h);
            }
            None => out.push(0),
        }
        out.extend_from_slice(&self.proof);
        out
    }

    /// Decodes [`StateProof::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ProofError> {
        let bad = |what: &str| ProofError(format!("malformed proof bytes: {what}"));
        let (&format, rest) = bytes.split_first().ok_or_else(|| bad("empty"))?;
        if format != PROOF_FORMAT {
            return Err(bad("unknown format"));
        }
        let (version, rest) = rest.split_first_chunk::<8>().ok_or_else(|| bad("version"))?;
        let (kh, rest) = rest.split_first_chunk::<32>().ok_or_else(|| bad("key hash"))?;
        let (&flag, rest) = rest.split_first().ok_or_else(|| bad("value flag"))?;
        let (value_hash, rest) = match flag {
            0 => (None, rest),
            1 => {
                let (vh, rest) = rest.split_first_chunk::<32>().ok_or_else(|| bad("value hash"))?;
                (Some(*vh), rest)
            }
            _ => return Err(bad("value flag")),
        };
        Ok(Self {
            version: u64::from_be_bytes(*version),
            key_hash: *kh,
            value_hash,
            proof: rest.to_vec(),
        })
    }

    fn decode_inner(&self) -> Result<SparseMerkleProof<Sha256>, ProofError> {
        borsh::from_slice(&self.proof)
            .map_err(|e| ProofError(format!("malformed merkle proof: {e}")))
    }
}

/// Verifies `proof` against `root`: that `key` has exactly `value` (`Some`, membership) or is
/// absent (`None`, non-membership) in the state with that root hash.
///
/// Fails with a [`ProofError`] when the proof is for another key, the value does not
/// match, or the proof does not lead to `root`.
pub fn verify_proof(
    root: [u8; 32],
    key: &[u8],
    value: Option<&[u8]>,
    proof: &StateProof,
) -> Result<(), ProofError> {
    let kh = key_hash(key);
    if kh.0 != proof.key_hash {
        return Err(ProofError("proof is for another key".into()));
    }
    let value_hash: Option<[u8; 32]> = value.map(|v| Sha256::digest(v).into());
    if value_hash != proof.value_hash {
        return Err(ProofError("value does not match the proven value hash".into()));
    }
    proof.decode_inner()?.verify(RootHash(root), kh, value).map_err(|e| ProofError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip_and_malformed_bytes_are_refused() {
        let p = StateProof {
            version: 7,
            key_hash: key_hash(b"k").0,
            value_hash: Some([3; 32]),
            proof: vec![1, 2, 3],
        };
        assert_eq!(StateProof::from_bytes(&p.to_bytes()).unwrap(), p);
        let absent = StateProof { value_hash: None, ..p.clone() };
        assert_eq!(StateProof::from_bytes(&absent.to_bytes()).unwrap(), absent);
        assert_eq!(
            StateProof::from_bytes(&[]).unwrap_err().to_string(),
            "invalid proof: malformed proof bytes: empty"
        );
        assert!(StateProof::from_bytes(&[2]).is_err());
        let mut bad_flag = p.to_bytes();
        bad_flag[1 + 8 + 32] = 9;
        assert!(StateProof::from_bytes(&bad_flag).is_err());
    }

    #[test]
    fn a_proof_for_another_key_or_value_is_refused() {
        let p = StateProof {
            version: 1,
            key_hash: key_hash(b"k").0,
            value_hash: Some(Sha256::digest(b"v").into()),
            proof: vec![],
        };
        assert_eq!(
            verify_proof([0; 32], b"other", Some(b"v"), &p).unwrap_err().to_string(),
            "invalid proof: proof is for another key"
        );
        assert_eq!(
            verify_proof([0; 32], b"k", Some(b"w"), &p).unwrap_err().to_string(),
            "invalid proof: value does not match the proven value hash"
        );
        assert!(verify_proof([0; 32], b"k", Some(b"v"), &p).is_err(), "empty merkle proof");
    }
}
