//! Our Malachite `Context`: heights, addresses, validators, the value (a block id), proposals,
//! votes, proposal parts and the ed25519 signing scheme, plus stake-weighted proposer choice.
//!
//! The consensus value is the block id (the header hash); the block itself travels as
//! proposal parts (see [`ProposalPart`]) and through value sync as its JSON bytes.

use std::fmt;
use std::sync::Arc;

use borsh::{BorshDeserialize, BorshSerialize};
use malachitebft_core_types::{
    self as mct, LinearTimeouts, NilOrVal, Round, SignedExtension, VoteType,
};

/// A block height.
#[derive(
    Copy,
    Clone,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    BorshSerialize,
    BorshDeserialize,
)]
pub struct Height(pub u64);

impl fmt::Display for Height {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl mct::Height for Height {
    const ZERO: Self = Height(0);
    const INITIAL: Self = Height(1);

    fn increment_by(&self, n: u64) -> Self {
        Height(self.0.saturating_add(n))
    }

    fn decrement_by(&self, n: u64) -> Option<Self> {
        self.0.checked_sub(n).map(Height)
    }

    fn as_u64(&self) -> u64 {
        self.0
    }
}

/// A validator's consensus address: the first 20 bytes of SHA-256 of its ed25519 key (as
/// CometBFT and our genesis spell it, in upper-case hex).
#[derive(
    Copy, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize,
)]
pub struct Address(pub [u8; 20]);

impl Address {
    /// Parses the hex form used in the app's validator set.
    pub fn from_hex(s: &str) -> Option<Self> {
        hex::decode(s).ok()?.try_into().ok().map(Address)
    }

    /// Upper-case hex, as in block headers and commits.
    pub fn to_hex(&self) -> String {
        hex::encode_upper(self.0)
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({})", self.to_hex())
    }
}

impl mct::Address for Address {}

/// The value consensus agrees on: a block id (SHA-256 of the block header).
#[derive(
    Copy, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize,
)]
pub struct BlockId(pub [u8; 32]);

impl fmt::Display for BlockId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode_upper(self.0))
    }
}

impl fmt::Debug for BlockId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlockId({})", hex::encode_upper(&self.0[..6]))
    }
}

impl mct::Value for BlockId {
    type Id = BlockId;

    fn id(&self) -> BlockId {
        *self
    }
}

/// An ed25519 public key.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, BorshSerialize, BorshDeserialize)]
pub struct PublicKey(pub [u8; 32]);

/// An ed25519 signature.
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize)]
pub struct Signature(pub [u8; 64]);

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({}…)", hex::encode_upper(&self.0[..6]))
    }
}

/// The private side is never used through the engine: signing goes through our
/// [`crate::signing::NodeSigner`], which holds the node key.
#[derive(Clone)]
pub struct NoPrivateKey;

/// The ed25519 signing scheme over our key and signature types.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Ed25519;

impl mct::SigningScheme for Ed25519 {
    type DecodingError = String;
    type Signature = Signature;
    type PublicKey = PublicKey;
    type PrivateKey = NoPrivateKey;

    fn decode_signature(bytes: &[u8]) -> Result<Signature, String> {
        <[u8; 64]>::try_from(bytes).map(Signature).map_err(|_| "signature: want 64 bytes".into())
    }

    fn encode_signature(signature: &Signature) -> Vec<u8> {
        signature.0.to_vec()
    }

    fn decode_public_key(bytes: &[u8]) -> Result<PublicKey, String> {
        <[u8; 32]>::try_from(bytes).map(PublicKey).map_err(|_| "public key: want 32 bytes".into())
    }

    fn encode_public_key(public_key: &PublicKey) -> Vec<u8> {
        public_key.0.to_vec()
    }
}

/// A validator with its voting power.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Validator {
    /// Address.
    pub address: Address,
    /// Public key.
    pub public_key: PublicKey,
    /// Voting power.
    pub voting_power: u64,
}

impl mct::Validator<DcloudContext> for Validator {
    fn address(&self) -> &Address {
        &self.address
    }

    fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    fn voting_power(&self) -> u64 {
        self.voting_power
    }
}

/// The validator set of a height, sorted by address (a canonical order every node shares).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidatorSet {
    /// Validators, sorted by address.
    pub validators: Arc<Vec<Validator>>,
}

impl ValidatorSet {
    /// Builds a set (sorts by address, drops zero-power entries).
    pub fn new(mut validators: Vec<Validator>) -> Self {
        validators.retain(|v| v.voting_power > 0);
        validators.sort_by_key(|v| v.address);
        Self { validators: Arc::new(validators) }
    }

    /// From the app's validator set (hex addresses, base64 keys).
    pub fn from_app(vals: &[dcloud_app::modules::consensus::Validator]) -> Result<Self, String> {
        use base64::Engine;
        let mut out = Vec::with_capacity(vals.len());
        for v in vals {
            let address = Address::from_hex(&v.address).ok_or_else(|| {
                format!("validator address {:?} is not 20 bytes of hex", v.address)
            })?;
            let pk = base64::engine::general_purpose::STANDARD
                .decode(&v.pub_key)
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
                .ok_or_else(|| format!("validator {}: public key is not 32 bytes", v.address))?;
            out.push(Validator { address, public_key: PublicKey(pk), voting_power: v.power });
        }
        Ok(Self::new(out))
    }

    /// Total voting power.
    pub fn total_power(&self) -> u64 {
        self.validators.iter().map(|v| v.voting_power).fold(0u64, u64::saturating_add)
    }

    /// A validator by address.
    pub fn get(&self, address: &Address) -> Option<&Validator> {
        self.validators
            .binary_search_by_key(address, |v| v.address)
            .ok()
            .and_then(|i| self.validators.get(i))
    }
}

impl mct::ValidatorSet<DcloudContext> for ValidatorSet {
    fn count(&self) -> usize {
        self.validators.len()
    }

    fn total_voting_power(&self) -> u64 {
        self.total_power()
    }

    fn get_by_address(&self, address: &Address) -> Option<&Validator> {
        self.get(address)
    }

    fn get_by_index(&self, index: usize) -> Option<&Validator> {
        self.validators.get(index)
    }
}

/// A proposal: the block id proposed at (height, round), with its proof-of-lock round.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Proposal {
    /// Height.
    pub height: Height,
    /// Round.
    pub round: Round,
    /// Proposed block id.
    pub value: BlockId,
    /// Proof-of-lock round (`Nil` when none).
    pub pol_round: Round,
    /// Proposer.
    pub proposer: Address,
}

impl mct::Proposal<DcloudContext> for Proposal {
    fn height(&self) -> Height {
        self.height
    }

    fn round(&self) -> Round {
        self.round
    }

    fn value(&self) -> &BlockId {
        &self.value
    }

    fn take_value(self) -> BlockId {
        self.value
    }

    fn pol_round(&self) -> Round {
        self.pol_round
    }

    fn validator_address(&self) -> &Address {
        &self.proposer
    }
}

/// A prevote or precommit.
#[derive(Clone, Debug, BorshSerialize, BorshDeserialize)]
pub struct Vote {
    /// Prevote or precommit.
    pub typ: VoteType,
    /// Height.
    pub height: Height,
    /// Round.
    pub round: Round,
    /// The block id voted for, or nil.
    pub value: NilOrVal<BlockId>,
    /// Voter.
    pub validator: Address,
    /// Optional vote extension (unused by dcloud for now).
    pub extension: Option<SignedExtension<DcloudContext>>,
}

// Equality ignores the extension, as the engine's WAL replay requires.
impl PartialEq for Vote {
    fn eq(&self, o: &Self) -> bool {
        self.typ == o.typ
            && self.height == o.height
            && self.round == o.round
            && self.value == o.value
            && self.validator == o.validator
    }
}

impl Eq for Vote {}

impl mct::Vote<DcloudContext> for Vote {
    fn height(&self) -> Height {
        self.height
    }

    fn round(&self) -> Round {
        self.round
    }

    fn value(&self) -> &NilOrVal<BlockId> {
        &self.value
    }

    fn take_value(self) -> NilOrVal<BlockId> {
        self.value
    }

    fn vote_type(&self) -> VoteType {
        self.typ
    }

    fn validator_address(&self) -> &Address {
        &self.validator
    }

    fn extension(&self) -> Option<&SignedExtension<DcloudContext>> {
        self.extension.as_ref()
    }

    fn take_extension(&mut self) -> Option<SignedExtension<DcloudContext>> {
        self.extension.take()
    }

    fn extend(self, extension: SignedExtension<DcloudContext>) -> Self {
        Self { extension: Some(extension), ..self }
    }
}

/// One piece of a streamed proposal: `Init`, then the block's JSON in `Data` chunks, then
/// `Fin` carrying the proposer's signature over (height, round, block id).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum ProposalPart {
    /// Start of a stream.
    Init {
        /// Height.
        height: Height,
        /// Round.
        round: Round,
        /// Proof-of-lock round.
        valid_round: Round,
        /// Proposer.
        proposer: Address,
    },
    /// A chunk of the block's JSON encoding.
    Data(Vec<u8>),
    /// End of the stream.
    Fin {
        /// Proposer's signature over [`crate::signing::part_sign_bytes`].
        signature: Signature,
    },
}

impl mct::ProposalPart<DcloudContext> for ProposalPart {
    fn is_first(&self) -> bool {
        matches!(self, ProposalPart::Init { .. })
    }

    fn is_last(&self) -> bool {
        matches!(self, ProposalPart::Fin { .. })
    }
}

/// The dcloud consensus context.
#[derive(Clone, Debug, Default)]
pub struct DcloudContext;

impl mct::Context for DcloudContext {
    type Address = Address;
    type Height = Height;
    type ProposalPart = ProposalPart;
    type Proposal = Proposal;
    type Validator = Validator;
    type ValidatorSet = ValidatorSet;
    type Timeouts = LinearTimeouts;
    type Value = BlockId;
    type Vote = Vote;
    type Extension = Vec<u8>;
    type SigningScheme = Ed25519;

    fn select_proposer<'a>(
        &self,
        validator_set: &'a ValidatorSet,
        height: Height,
        round: Round,
    ) -> &'a Validator {
        select_proposer(validator_set, height, round)
    }

    fn new_proposal(
        &self,
        height: Height,
        round: Round,
        value: BlockId,
        pol_round: Round,
        address: Address,
    ) -> Proposal {
        Proposal { height, round, value, pol_round, proposer: address }
    }

    fn new_prevote(
        &self,
        height: Height,
        round: Round,
        value_id: NilOrVal<BlockId>,
        address: Address,
    ) -> Vote {
        Vote {
            typ: VoteType::Prevote,
            height,
            round,
            value: value_id,
            validator: address,
            extension: None,
        }
    }

    fn new_precommit(
        &self,
        height: Height,
        round: Round,
        value_id: NilOrVal<BlockId>,
        address: Address,
    ) -> Vote {
        Vote {
            typ: VoteType::Precommit,
            height,
            round,
            value: value_id,
            validator: address,
            extension: None,
        }
    }
}

/// Stake-weighted proposer choice. Round 0 of each height picks a validator with probability
/// proportional to its power, from a hash of the height (every node computes the same one);
/// later rounds step through the set in address order from there, so a dead proposer is
/// skipped in the next round. (Not yet CometBFT's priority-based weighted round robin.)
///
/// # Panics
/// Never for a non-empty set; the engine never asks with an empty one.
pub fn select_proposer(set: &ValidatorSet, height: Height, round: Round) -> &Validator {
    let vals = &set.validators;
    let n = vals.len().max(1);
    let total = set.total_power().max(1);
    let seed = dcloud_types::sha256(&height.0.to_be_bytes());
    let mut pick = u64::from_be_bytes([
        seed[0], seed[1], seed[2], seed[3], seed[4], seed[5], seed[6], seed[7],
    ]) % total;
    let mut base = 0;
    for (i, v) in vals.iter().enumerate() {
        if pick < v.voting_power {
            base = i;
            break;
        }
        pick -= v.voting_power;
    }
    let r = round.as_u32().unwrap_or(0) as usize;
    &vals[(base + r) % n]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(powers: &[u64]) -> ValidatorSet {
        ValidatorSet::new(
            powers
                .iter()
                .enumerate()
                .map(|(i, &p)| Validator {
                    address: Address([i as u8 + 1; 20]),
                    public_key: PublicKey([i as u8; 32]),
                    voting_power: p,
                })
                .collect(),
        )
    }

    #[test]
    fn proposer_choice_follows_stake_and_rounds_rotate() {
        let s = set(&[1, 1, 1, 97]);
        let heavy = Address([4; 20]);
        let picks = (1..=1000u64)
            .filter(|&h| select_proposer(&s, Height(h), Round::new(0)).address == heavy)
            .count();
        assert!(picks > 900, "heavy validator picked {picks}/1000");
        // Round r moves on by r: a dead proposer is skipped in the next round.
        let s = set(&[10, 10, 10, 10]);
        for h in 1..50u64 {
            let r0 = select_proposer(&s, Height(h), Round::new(0)).address;
            let r1 = select_proposer(&s, Height(h), Round::new(1)).address;
            assert_ne!(r0, r1);
        }
    }

    #[test]
    fn validator_set_is_sorted_and_zero_power_dropped() {
        let s = ValidatorSet::new(vec![
            Validator {
                address: Address([9; 20]),
                public_key: PublicKey([0; 32]),
                voting_power: 5,
            },
            Validator {
                address: Address([1; 20]),
                public_key: PublicKey([0; 32]),
                voting_power: 0,
            },
            Validator {
                address: Address([3; 20]),
                public_key: PublicKey([0; 32]),
                voting_power: 7,
            },
        ]);
        assert_eq!(s.validators.len(), 2);
        assert_eq!(s.validators[0].address, Address([3; 20]));
        assert_eq!(s.total_power(), 12);
        assert!(s.get(&Address([9; 20])).is_some());
    }
}
