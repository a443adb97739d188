//! Our Malachite `Context`: heights, addresses, validators, the value (a block id), proposals,
//! votes, proposal parts and the ed25519 signing scheme, plus CometBFT's weighted round-robin proposer choice.
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

impl serde::Serialize for Address {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> serde::Deserialize<'de> for Address {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <String as serde::Deserialize>::deserialize(d)?;
        Address::from_hex(&s).ok_or_else(|| serde::de::Error::custom("address: want 20 bytes hex"))
    }
}

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

impl PublicKey {
    /// The CometBFT address of this key: the first 20 bytes of its SHA-256.
    pub fn address(&self) -> Address {
        let h = dcloud_types::sha256(&self.0);
        let mut a = [0u8; 20];
        a.copy_from_slice(&h[..20]);
        Address(a)
    }

    /// Base64, as the app's validator set spells keys.
    pub fn to_base64(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(self.0)
    }

    /// From base64.
    pub fn from_base64(s: &str) -> Option<Self> {
        use base64::Engine;
        let b = base64::engine::general_purpose::STANDARD.decode(s).ok()?;
        <[u8; 32]>::try_from(b.as_slice()).ok().map(PublicKey)
    }
}

impl serde::Serialize for PublicKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_base64())
    }
}

impl<'de> serde::Deserialize<'de> for PublicKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <String as serde::Deserialize>::deserialize(d)?;
        PublicKey::from_base64(&s)
            .ok_or_else(|| serde::de::Error::custom("public key: want 32 bytes base64"))
    }
}

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

/// Upper bound of a set's total power (CometBFT's `MaxTotalVotingPower`), so priority
/// arithmetic never overflows.
pub const MAX_TOTAL_POWER: i64 = i64::MAX / 8;

/// A validator with its voting power and its proposer priority (CometBFT's weighted round
/// robin state; see [`ValidatorSet::increment`]).
#[derive(
    Clone,
    Debug,
    PartialEq,
    Eq,
    BorshSerialize,
    BorshDeserialize,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Validator {
    /// Address.
    pub address: Address,
    /// Public key.
    pub public_key: PublicKey,
    /// Voting power.
    pub voting_power: u64,
    /// Proposer priority (before the height's first increment).
    #[serde(default)]
    pub proposer_priority: i64,
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

    /// From the app's validator set (hex addresses, base64 keys), priorities zero.
    pub fn from_app(vals: &[dcloud_app::modules::consensus::Validator]) -> Result<Self, String> {
        let mut out = Vec::with_capacity(vals.len());
        for v in vals {
            let address = Address::from_hex(&v.address).ok_or_else(|| {
                format!("validator address {:?} is not 20 bytes of hex", v.address)
            })?;
            let public_key = PublicKey::from_base64(&v.pub_key)
                .ok_or_else(|| format!("validator {}: public key is not 32 bytes", v.address))?;
            out.push(Validator {
                address,
                public_key,
                voting_power: v.power,
                proposer_priority: 0,
            });
        }
        Ok(Self::new(out))
    }

    /// The first set of a chain, CometBFT's `NewValidatorSet`: every genesis validator added
    /// as new (then centred). Its round-0 proposer is the first increment's pick.
    pub fn genesis(vals: &[dcloud_app::modules::consensus::Validator]) -> Result<Self, String> {
        let updates: Vec<(PublicKey, u64)> = Self::from_app(vals)?
            .validators
            .iter()
            .map(|v| (v.public_key, v.voting_power))
            .collect();
        Ok(Self::new(Vec::new()).with_updates(&updates))
    }

    /// The app's view of this set (hex addresses, base64 keys, powers), as downtime
    /// tracking takes it.
    pub fn to_app(&self) -> Vec<dcloud_app::modules::consensus::Validator> {
        self.validators
            .iter()
            .map(|v| dcloud_app::modules::consensus::Validator {
                address: v.address.to_hex(),
                pub_key: v.public_key.to_base64(),
                power: v.voting_power,
                name: String::new(),
            })
            .collect()
    }

    /// The header's validators hash: SHA-256 over (address, key, power) of every member in
    /// address order (priorities are not part of it, as in CometBFT).
    pub fn hash(&self) -> [u8; 32] {
        let mut b = Vec::with_capacity(self.validators.len() * 60);
        for v in self.validators.iter() {
            b.extend_from_slice(&v.address.0);
            b.extend_from_slice(&v.public_key.0);
            b.extend_from_slice(&v.voting_power.to_be_bytes());
        }
        dcloud_types::sha256(&b)
    }

    fn total_i64(&self) -> i64 {
        i64::try_from(self.total_power()).unwrap_or(MAX_TOTAL_POWER).min(MAX_TOTAL_POWER)
    }

    /// Applies validator updates (`(key, power)`, power 0 removes) as CometBFT's
    /// `UpdateWithChangeSet`: existing members keep their priority, new ones start at
    /// −1.125 × the new total power (so a joiner does not propose at once), then the
    /// priorities are rescaled and centred.
    pub fn with_updates(&self, updates: &[(PublicKey, u64)]) -> Self {
        let mut vals: Vec<Validator> = self.validators.as_ref().clone();
        // Total after updates, before removals (CometBFT's `tvpAfterUpdatesBeforeRemovals`).
        let mut tvp: i64 = self.total_i64();
        for (pk, power) in updates {
            let addr = pk.address();
            let old = vals.iter().find(|v| v.address == addr).map_or(0, |v| v.voting_power);
            if *power > 0 {
                tvp = tvp.saturating_sub(old as i64).saturating_add(*power as i64);
            }
        }
        let new_priority = -(tvp.saturating_add(tvp >> 3));
        for (pk, power) in updates {
            let addr = pk.address();
            match vals.iter_mut().find(|v| v.address == addr) {
                Some(v) => v.voting_power = *power,
                None if *power > 0 => vals.push(Validator {
                    address: addr,
                    public_key: *pk,
                    voting_power: *power,
                    proposer_priority: new_priority,
                }),
                None => {}
            }
        }
        let mut set = Self::new(vals);
        set.rescale_and_centre();
        set
    }

    /// CometBFT's `RescalePriorities(2·total)` then `shiftByAvgProposerPriority`.
    fn rescale_and_centre(&mut self) {
        let vals = Arc::make_mut(&mut self.validators);
        if vals.is_empty() {
            return;
        }
        let total: i64 = vals
            .iter()
            .map(|v| v.voting_power as i64)
            .fold(0i64, i64::saturating_add)
            .min(MAX_TOTAL_POWER);
        let window = total.saturating_mul(2);
        let max = vals.iter().map(|v| v.proposer_priority).max().unwrap_or(0);
        let min = vals.iter().map(|v| v.proposer_priority).min().unwrap_or(0);
        let diff = max.saturating_sub(min);
        if window > 0 && diff > window {
            let ratio = (diff.saturating_add(window) - 1) / window;
            for v in vals.iter_mut() {
                v.proposer_priority /= ratio;
            }
        }
        let sum: i128 = vals.iter().map(|v| i128::from(v.proposer_priority)).sum();
        let avg = sum.div_euclid(vals.len() as i128) as i64;
        for v in vals.iter_mut() {
            v.proposer_priority = v.proposer_priority.saturating_sub(avg);
        }
    }

    /// CometBFT's `IncrementProposerPriority(times)`: rescale and centre, then `times`
    /// rounds of "everyone gains its power, the highest (ties: lower address) is picked and
    /// pays the total". Returns the index of the last pick (`None` for an empty set).
    pub fn increment(&mut self, times: u32) -> Option<usize> {
        self.rescale_and_centre();
        let total = self.total_i64();
        let vals = Arc::make_mut(&mut self.validators);
        let mut pick = None;
        for _ in 0..times {
            for v in vals.iter_mut() {
                v.proposer_priority = v.proposer_priority.saturating_add(v.voting_power as i64);
            }
            // Sorted by address, so the first maximum is the lowest address.
            let mut best: Option<usize> = None;
            for (i, v) in vals.iter().enumerate() {
                if best.is_none_or(|b| v.proposer_priority > vals[b].proposer_priority) {
                    best = Some(i);
                }
            }
            if let Some(b) = best {
                vals[b].proposer_priority = vals[b].proposer_priority.saturating_sub(total);
            }
            pick = best;
        }
        pick
    }

    /// The set of the next height when no update applies: one increment on.
    pub fn next(&self) -> Self {
        let mut s = self.clone();
        s.increment(1);
        s
    }

    /// Index of the proposer of `round` at this set's height.
    pub fn proposer_index(&self, round: u32) -> usize {
        let mut s = self.clone();
        s.increment(round.saturating_add(1)).unwrap_or(0)
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

/// CometBFT's weighted round robin: the proposer of (height, round) is the last pick of
/// `round + 1` increments of the height's priorities (see [`ValidatorSet::increment`]), so
/// over many heights each validator proposes in proportion to its power, and a dead
/// proposer's round is followed by another validator's.
///
/// # Panics
/// Never for a non-empty set; the engine never asks with an empty one.
pub fn select_proposer(set: &ValidatorSet, _height: Height, round: Round) -> &Validator {
    let i = set.proposer_index(round.as_u32().unwrap_or(0));
    &set.validators[i.min(set.validators.len().saturating_sub(1))]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn val(i: u8, p: u64) -> Validator {
        let public_key = PublicKey([i; 32]);
        Validator {
            address: public_key.address(),
            public_key,
            voting_power: p,
            proposer_priority: 0,
        }
    }

    fn set(powers: &[u64]) -> ValidatorSet {
        let ups: Vec<(PublicKey, u64)> =
            powers.iter().enumerate().map(|(i, &p)| (PublicKey([i as u8 + 1; 32]), p)).collect();
        ValidatorSet::new(Vec::new()).with_updates(&ups)
    }

    /// Proposers of heights 1..=n at round 0, following the height-to-height rule.
    fn proposers(mut s: ValidatorSet, n: usize) -> Vec<Address> {
        let mut out = Vec::new();
        for h in 1..=n {
            out.push(select_proposer(&s, Height(h as u64), Round::new(0)).address);
            s = s.next();
        }
        out
    }

    #[test]
    fn weighted_round_robin_is_proportional_to_power() {
        let s = set(&[1, 2, 3, 4]);
        let picks = proposers(s.clone(), 1000);
        for v in s.validators.iter() {
            let n = picks.iter().filter(|a| **a == v.address).count() as u64;
            // Exactly ∝ power over a multiple of the total (10): 100 per unit of power.
            assert_eq!(n, v.voting_power * 100, "{:?}", v.address);
        }
        // Deterministic: the same sequence every time.
        assert_eq!(picks, proposers(s, 1000));
    }

    #[test]
    fn equal_powers_rotate_and_heavy_validator_leads() {
        let s = set(&[10, 10, 10, 10]);
        let p = proposers(s.clone(), 8);
        let first4: std::collections::BTreeSet<_> = p[..4].iter().collect();
        assert_eq!(first4.len(), 4, "each proposes once per 4 heights: {p:?}");
        assert_eq!(p[..4], p[4..]);
        // A later round is someone else (a dead proposer costs one round).
        for r in 1..4 {
            assert_ne!(
                select_proposer(&s, Height(1), Round::new(0)).address,
                select_proposer(&s, Height(1), Round::new(r)).address
            );
        }
        let heavy = set(&[1, 1, 1, 97]);
        let p = proposers(heavy.clone(), 100);
        let top = heavy.validators.iter().max_by_key(|v| v.voting_power).unwrap().address;
        assert_eq!(p.iter().filter(|a| **a == top).count(), 97);
    }

    #[test]
    fn a_joining_validator_starts_behind_and_then_gets_its_share() {
        let s = set(&[10, 10, 10]);
        let newcomer = PublicKey([9; 32]);
        let s = s.next().next().with_updates(&[(newcomer, 10)]);
        let joined = s.get(&newcomer.address()).unwrap();
        assert!(joined.proposer_priority < 0, "a newcomer starts at a negative priority");
        let p = proposers(s.clone(), 400);
        assert_ne!(p[0], newcomer.address(), "a newcomer does not propose at once");
        // Its share (1/4) over time, less at most the one turn its start-behind costs.
        let n = p.iter().filter(|a| **a == newcomer.address()).count();
        assert!((99..=100).contains(&n), "newcomer proposed {n} of 400");
        // Removing it (power 0) leaves the others.
        let gone = s.with_updates(&[(newcomer, 0)]);
        assert_eq!(gone.validators.len(), 3);
        assert!(gone.get(&newcomer.address()).is_none());
        // Priorities stay centred (sum within n of zero).
        let sum: i64 = gone.validators.iter().map(|v| v.proposer_priority).sum();
        assert!(sum.abs() < 3, "{sum}");
    }

    #[test]
    fn validators_hash_ignores_priorities_and_order() {
        let a = set(&[5, 6, 7]);
        let b = a.next().next();
        assert_ne!(a, b);
        assert_eq!(a.hash(), b.hash());
        assert_ne!(a.hash(), set(&[5, 6, 8]).hash());
    }

    #[test]
    fn validator_set_is_sorted_and_zero_power_dropped() {
        let s = ValidatorSet::new(vec![val(9, 5), val(1, 0), val(3, 7)]);
        assert_eq!(s.validators.len(), 2);
        assert!(s.validators[0].address < s.validators[1].address);
        assert_eq!(s.total_power(), 12);
        assert!(s.get(&PublicKey([9; 32]).address()).is_some());
    }
}
