//! Signing and verifying consensus messages with the node's ed25519 key.
//!
//! Every signed message is domain-separated and bound to the chain id. A precommit for a
//! block signs exactly [`Commit::sign_bytes`], so a Malachite commit certificate converts
//! into our [`Commit`] and stays verifiable by anyone who knows the validator set.

use async_trait::async_trait;
use dcloud_consensus::Commit;
use dcloud_crypto::ed25519::NodeKey;
use malachitebft_core_types::{
    NilOrVal, Round, SignedMessage, ValidatorProof, VoteExtensionScope, VoteType,
};
use malachitebft_signing::{Error, Signer, VerificationResult, Verifier};

use crate::context::{DcloudContext, Height, Proposal, PublicKey, Signature, Vote};

fn round_u32(r: Round) -> u32 {
    r.as_u32().unwrap_or(u32::MAX)
}

fn framed(domain: &[u8], chain_id: &str, height: Height, round: Round) -> Vec<u8> {
    let mut v = domain.to_vec();
    v.extend_from_slice(chain_id.as_bytes());
    v.push(0);
    v.extend_from_slice(&height.0.to_be_bytes());
    v.extend_from_slice(&round_u32(round).to_be_bytes());
    v
}

/// What a validator signs for a vote (the extension is signed separately).
pub fn vote_sign_bytes(chain_id: &str, vote: &Vote) -> Vec<u8> {
    match (vote.typ, &vote.value) {
        (VoteType::Precommit, NilOrVal::Val(id)) => {
            Commit::sign_bytes(chain_id, vote.height.0, round_u32(vote.round), &id.0)
        }
        (VoteType::Precommit, NilOrVal::Nil) => {
            framed(b"dcloud/precommit-nil/v1\0", chain_id, vote.height, vote.round)
        }
        (VoteType::Prevote, NilOrVal::Val(id)) => {
            let mut v = framed(b"dcloud/prevote/v1\0", chain_id, vote.height, vote.round);
            v.extend_from_slice(&id.0);
            v
        }
        (VoteType::Prevote, NilOrVal::Nil) => {
            framed(b"dcloud/prevote-nil/v1\0", chain_id, vote.height, vote.round)
        }
    }
}

/// What a proposer signs for a proposal.
pub fn proposal_sign_bytes(chain_id: &str, p: &Proposal) -> Vec<u8> {
    let mut v = framed(b"dcloud/proposal/v1\0", chain_id, p.height, p.round);
    v.extend_from_slice(&p.value.0);
    v.extend_from_slice(&p.pol_round.as_i64().to_be_bytes());
    v.extend_from_slice(&p.proposer.0);
    v
}

/// What a proposer signs at the end of a proposal-part stream.
pub fn part_sign_bytes(
    chain_id: &str,
    height: Height,
    round: Round,
    block_id: &[u8; 32],
) -> Vec<u8> {
    let mut v = framed(b"dcloud/proposal-parts/v1\0", chain_id, height, round);
    v.extend_from_slice(block_id);
    v
}

fn extension_sign_bytes(
    chain_id: &str,
    s: &VoteExtensionScope<DcloudContext>,
    ext: &[u8],
) -> Vec<u8> {
    let mut v = framed(b"dcloud/vote-extension/v1\0", chain_id, s.height, s.round);
    v.extend_from_slice(&s.value_id.0);
    v.extend_from_slice(&s.validator_address.0);
    v.extend_from_slice(ext);
    v
}

fn proof_sign_bytes(chain_id: &str, public_key: &[u8], peer_id: &[u8]) -> Vec<u8> {
    let mut v = b"dcloud/validator-proof/v1\0".to_vec();
    v.extend_from_slice(chain_id.as_bytes());
    v.push(0);
    v.extend_from_slice(&ValidatorProof::<DcloudContext>::signing_bytes(public_key, peer_id));
    v
}

fn check(pk: &PublicKey, msg: &[u8], sig: &Signature) -> VerificationResult {
    VerificationResult::from_bool(dcloud_crypto::ed25519::verify(&pk.0, msg, &sig.0).is_ok())
}

/// Signs with the node key.
pub struct NodeSigner {
    key: NodeKey,
    chain_id: String,
}

impl NodeSigner {
    /// A signer for `chain_id`.
    pub fn new(key: NodeKey, chain_id: &str) -> Self {
        Self { key, chain_id: chain_id.to_string() }
    }

    /// Signs raw bytes.
    pub fn sign_bytes(&self, msg: &[u8]) -> Signature {
        Signature(self.key.sign(msg))
    }
}

#[async_trait]
impl Signer<DcloudContext> for NodeSigner {
    async fn sign_vote(&self, vote: Vote) -> Result<SignedMessage<DcloudContext, Vote>, Error> {
        let sig = self.sign_bytes(&vote_sign_bytes(&self.chain_id, &vote));
        Ok(SignedMessage::new(vote, sig))
    }

    async fn sign_proposal(
        &self,
        proposal: Proposal,
    ) -> Result<SignedMessage<DcloudContext, Proposal>, Error> {
        let sig = self.sign_bytes(&proposal_sign_bytes(&self.chain_id, &proposal));
        Ok(SignedMessage::new(proposal, sig))
    }

    async fn sign_vote_extension(
        &self,
        scope: VoteExtensionScope<DcloudContext>,
        extension: Vec<u8>,
    ) -> Result<SignedMessage<DcloudContext, Vec<u8>>, Error> {
        let sig = self.sign_bytes(&extension_sign_bytes(&self.chain_id, &scope, &extension));
        Ok(SignedMessage::new(extension, sig))
    }

    async fn sign_validator_proof(
        &self,
        public_key: Vec<u8>,
        peer_id: Vec<u8>,
    ) -> Result<ValidatorProof<DcloudContext>, Error> {
        let sig = self.sign_bytes(&proof_sign_bytes(&self.chain_id, &public_key, &peer_id));
        Ok(ValidatorProof::new(public_key, peer_id, sig))
    }
}

/// Verifies signatures for one chain id.
pub struct ChainVerifier {
    chain_id: String,
}

impl ChainVerifier {
    /// A verifier for `chain_id`.
    pub fn new(chain_id: &str) -> Self {
        Self { chain_id: chain_id.to_string() }
    }
}

#[async_trait]
impl Verifier<DcloudContext> for ChainVerifier {
    async fn verify_signed_vote(
        &self,
        vote: &Vote,
        signature: &Signature,
        public_key: &PublicKey,
    ) -> Result<VerificationResult, Error> {
        Ok(check(public_key, &vote_sign_bytes(&self.chain_id, vote), signature))
    }

    async fn verify_signed_proposal(
        &self,
        proposal: &Proposal,
        signature: &Signature,
        public_key: &PublicKey,
    ) -> Result<VerificationResult, Error> {
        Ok(check(public_key, &proposal_sign_bytes(&self.chain_id, proposal), signature))
    }

    async fn verify_signed_vote_extension(
        &self,
        scope: &VoteExtensionScope<DcloudContext>,
        extension: &Vec<u8>,
        signature: &Signature,
        public_key: &PublicKey,
    ) -> Result<VerificationResult, Error> {
        Ok(check(public_key, &extension_sign_bytes(&self.chain_id, scope, extension), signature))
    }

    async fn verify_validator_proof(
        &self,
        proof: &ValidatorProof<DcloudContext>,
    ) -> Result<VerificationResult, Error> {
        let Ok(pk) = <[u8; 32]>::try_from(proof.public_key.as_slice()) else {
            return Ok(VerificationResult::Invalid);
        };
        let msg = proof_sign_bytes(&self.chain_id, &proof.public_key, &proof.peer_id);
        Ok(check(&PublicKey(pk), &msg, &proof.signature))
    }
}

/// Verifies a part-stream signature.
pub fn verify_parts(
    chain_id: &str,
    pk: &PublicKey,
    height: Height,
    round: Round,
    block_id: &[u8; 32],
    sig: &Signature,
) -> bool {
    check(pk, &part_sign_bytes(chain_id, height, round, block_id), sig).is_valid()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::{Address, BlockId};

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread().build().unwrap()
    }

    #[test]
    fn precommit_signature_is_a_commit_signature() {
        let key = NodeKey::from_seed([5; 32]);
        let s = NodeSigner::new(key.clone(), "c-1");
        let v = Vote {
            typ: VoteType::Precommit,
            height: Height(3),
            round: Round::new(2),
            value: NilOrVal::Val(BlockId([8; 32])),
            validator: Address(key.address()),
            extension: None,
        };
        let signed = rt().block_on(s.sign_vote(v.clone())).unwrap();
        let msg = Commit::sign_bytes("c-1", 3, 2, &[8; 32]);
        assert!(
            dcloud_crypto::ed25519::verify(&key.public_key(), &msg, &signed.signature.0).is_ok()
        );
        let ver = ChainVerifier::new("c-1");
        let pk = PublicKey(key.public_key());
        assert!(rt()
            .block_on(ver.verify_signed_vote(&v, &signed.signature, &pk))
            .unwrap()
            .is_valid());
        // Another chain, or a prevote with the same fields, does not verify.
        let other = ChainVerifier::new("c-2");
        assert!(rt()
            .block_on(other.verify_signed_vote(&v, &signed.signature, &pk))
            .unwrap()
            .is_invalid());
        let prevote = Vote { typ: VoteType::Prevote, ..v };
        assert!(rt()
            .block_on(ver.verify_signed_vote(&prevote, &signed.signature, &pk))
            .unwrap()
            .is_invalid());
    }
}
