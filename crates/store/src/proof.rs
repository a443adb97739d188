//! Merkle proofs of state entries against a root hash. The proof type and its checks live in
//! `dcloud-proof` (so clients verify without linking the database); this module makes proofs
//! from the store's tree and keeps the store's `verify_proof` with [`StoreError`].

use jmt::proof::SparseMerkleProof;
use sha2::Sha256;

pub use dcloud_proof::StateProof;

use crate::StoreError;

impl From<dcloud_proof::ProofError> for StoreError {
    fn from(e: dcloud_proof::ProofError) -> Self {
        StoreError::ProofInvalid(e.0)
    }
}

/// The proof that `key` has `value` (or none) at `version`.
pub(crate) fn new_proof(
    version: u64,
    key: &[u8],
    value: Option<&[u8]>,
    proof: &SparseMerkleProof<Sha256>,
) -> Result<StateProof, StoreError> {
    StateProof::new(version, key, value, proof)
        .map_err(|e| StoreError::Corrupt(format!("encode proof: {e}")))
}

/// Verifies `proof` against `root`: that `key` has exactly `value` (`Some`, membership) or is
/// absent (`None`, non-membership) in the state with that root hash.
///
/// Fails with [`StoreError::ProofInvalid`] when the proof is for another key, the value does not
/// match, or the proof does not lead to `root` (see [`dcloud_proof::verify_proof`]).
pub fn verify_proof(
    root: [u8; 32],
    key: &[u8],
    value: Option<&[u8]>,
    proof: &StateProof,
) -> Result<(), StoreError> {
    Ok(dcloud_proof::verify_proof(root, key, value, proof)?)
}
