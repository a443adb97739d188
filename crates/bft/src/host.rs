//! The host: answers the engine's `AppMsg`s by driving the app through its ABCI-shaped
//! methods, exactly as the solo driver does — `prepare_proposal` to build our proposal,
//! `process_proposal` (plus header checks) to judge others', `finalize_block` + one atomic
//! `commit` (state, block, commit certificate, results) when a value is decided.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use bytes::Bytes;
use dcloud_app::{App, BlockInfo};
use dcloud_consensus::block::{
    evidence_hash, tx_merkle_root, DuplicateVoteEvidence, EvidenceVote, Hash,
};
use dcloud_consensus::{
    Block, BlockResults, BlockStore, Commit, CommitSig, CommittedBlock, ConsensusError, Header,
    Mempool,
};
use malachitebft_app_channel::app::consensus::{ProposedValue, Role};
use malachitebft_app_channel::app::engine::host::{HeightParams, Next, SyncedValueOutcome};
use malachitebft_app_channel::app::engine::util::streaming::StreamContent;
use malachitebft_app_channel::app::streaming::{StreamId, StreamMessage};
use malachitebft_app_channel::app::types::sync::RawDecidedValue;
use malachitebft_app_channel::app::types::{LocallyProposedValue, PeerId};
use malachitebft_app_channel::{AppMsg, Channels, NetworkMsg};
use malachitebft_core_consensus::MisbehaviorEvidence;
use malachitebft_core_types::{
    CommitCertificate, ExtendedCommitCertificate, ExtendedCommitSignature, LinearTimeouts,
    NilOrVal, Round, Validity, VoteType,
};
use parking_lot::Mutex;
use tokio::sync::{broadcast, watch};

use crate::context::{
    Address, BlockId, DcloudContext, Height, ProposalPart, PublicKey, Signature, ValidatorSet, Vote,
};
use crate::signing::{part_sign_bytes, verify_parts, vote_sign_bytes, NodeSigner};
use crate::store::{Undecided, UndecidedStore};

/// Size of one `Data` proposal part.
const CHUNK: usize = 128 * 1024;
/// Most decided values served per sync request.
const MAX_SYNC_BATCH: u64 = 50;
/// Most evidence items per block.
const MAX_BLOCK_EVIDENCE: usize = 10;
/// Oldest evidence (in blocks) a block may carry.
const MAX_EVIDENCE_AGE: u64 = 10_000;
/// Side-table key prefix of the validator set recorded per height.
const VALSET_KEY: &[u8] = b"bft/valset/";

fn valset_key(h: u64) -> Vec<u8> {
    let mut k = VALSET_KEY.to_vec();
    k.extend_from_slice(&h.to_be_bytes());
    k
}

struct Last {
    height: u64,
    hash: Hash,
    time_ms: u64,
    /// Certificate of `height` to embed in the next block (the largest one seen).
    commit: Option<Commit>,
}

/// What a stream's `Init` part says: height, round, proof-of-lock round, proposer.
type Init = (Height, Round, Round, Address);

/// A proposal-part stream being reassembled.
#[derive(Default)]
struct PartStream {
    init: Option<Init>,
    data: BTreeMap<u64, Vec<u8>>,
    fin: Option<(u64, Signature)>,
    started: Option<Instant>,
}

/// Host state shared by the message loop.
pub(crate) struct Host {
    pub app: Arc<App>,
    pub mempool: Arc<Mempool>,
    pub blocks: BlockStore,
    pub signer: NodeSigner,
    pub me: Address,
    pub chain_id: String,
    pub max_block_txs: usize,
    pub target_time: Duration,
    pub timeouts: LinearTimeouts,
    pub events: broadcast::Sender<Arc<CommittedBlock>>,
    pub height: Arc<AtomicU64>,
    last: Mutex<Last>,
    undecided: Mutex<UndecidedStore>,
    streams: Mutex<BTreeMap<(PeerId, Bytes), PartStream>>,
    /// Complete proposals for heights above the next one, judged when that height starts.
    future: Mutex<Vec<(Init, Block)>>,
    /// Validator sets per height (with proposer priorities), read through from the store.
    valsets: Mutex<BTreeMap<u64, ValidatorSet>>,
    /// Double-sign evidence the engine reported, waiting for a block of ours to carry it.
    evidence: Mutex<Vec<DuplicateVoteEvidence>>,
}

fn corrupt(e: impl std::fmt::Display) -> ConsensusError {
    ConsensusError::Corrupt(e.to_string())
}

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// Our commit from an engine certificate (precommit signatures sign [`Commit::sign_bytes`]).
pub fn commit_from_cert(c: &CommitCertificate<DcloudContext>) -> Commit {
    Commit {
        height: c.height.0,
        round: c.round.as_u32().unwrap_or(0),
        block_hash: c.value_id.0,
        signatures: c
            .commit_signatures
            .iter()
            .map(|s| CommitSig {
                validator_address: s.address.to_hex(),
                signature: b64(&s.signature.0),
            })
            .collect(),
    }
}

fn cert_from_commit(c: &Commit) -> Option<ExtendedCommitCertificate<DcloudContext>> {
    let mut sigs = Vec::with_capacity(c.signatures.len());
    for s in &c.signatures {
        let address = Address::from_hex(&s.validator_address)?;
        let sig = base64::engine::general_purpose::STANDARD.decode(&s.signature).ok()?;
        let sig = Signature(<[u8; 64]>::try_from(sig.as_slice()).ok()?);
        sigs.push(ExtendedCommitSignature::new(address, sig, None));
    }
    sigs.sort_by_key(|s| s.address);
    Some(ExtendedCommitCertificate {
        height: Height(c.height),
        round: Round::new(c.round),
        value_id: BlockId(c.block_hash),
        commit_signatures: sigs,
    })
}

impl Host {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        app: Arc<App>,
        mempool: Arc<Mempool>,
        signer: NodeSigner,
        me: Address,
        max_block_txs: usize,
        target_time: Duration,
        timeouts: LinearTimeouts,
        undecided_dir: std::path::PathBuf,
    ) -> Result<Self, ConsensusError> {
        let blocks = BlockStore::new(app.store().clone());
        let info = app.info()?;
        let tip = blocks.tip(info.last_height.unwrap_or(0))?;
        let h = tip.height;
        let last =
            Last { height: tip.height, hash: tip.hash, time_ms: tip.time_ms, commit: tip.commit };
        let undecided = UndecidedStore::open(undecided_dir, h).map_err(corrupt)?;
        let (events, _) = broadcast::channel(1024);
        Ok(Self {
            app,
            mempool,
            blocks,
            signer,
            me,
            chain_id: info.chain_id,
            max_block_txs,
            target_time,
            timeouts,
            events,
            height: Arc::new(AtomicU64::new(h)),
            last: Mutex::new(last),
            undecided: Mutex::new(undecided),
            streams: Mutex::new(BTreeMap::new()),
            future: Mutex::new(Vec::new()),
            valsets: Mutex::new(BTreeMap::new()),
            evidence: Mutex::new(Vec::new()),
        })
    }

    /// The sets of heights 1 and 2, from the genesis state (CometBFT: `Validators` and
    /// `NextValidators` of the genesis state).
    fn genesis_sets(&self) -> Result<(ValidatorSet, ValidatorSet), ConsensusError> {
        let snap = self.app.store().snapshot(0)?;
        let vals = dcloud_app::modules::consensus::validators(&snap)?;
        let s1 = ValidatorSet::genesis(&vals).map_err(ConsensusError::Corrupt)?;
        let s2 = s1.next();
        Ok((s1, s2))
    }

    /// The validator set that decides height `h` (with its proposer priorities). Staking
    /// changes of block `h` take effect at `h + 2`, as in CometBFT; every node records the
    /// set of each height in the same atomic commit as the block that fixed it.
    pub(crate) fn set_at(&self, h: u64) -> Result<ValidatorSet, ConsensusError> {
        if let Some(s) = self.valsets.lock().get(&h) {
            return Ok(s.clone());
        }
        let set = match self.app.store().aux_get(&valset_key(h))? {
            Some(b) => {
                let vals: Vec<crate::context::Validator> =
                    serde_json::from_slice(&b).map_err(corrupt)?;
                ValidatorSet::new(vals)
            }
            None if h <= 2 => {
                let (s1, s2) = self.genesis_sets()?;
                if h <= 1 {
                    s1
                } else {
                    s2
                }
            }
            None => {
                return Err(ConsensusError::Corrupt(format!(
                    "no validator set recorded for height {h}"
                )))
            }
        };
        let mut cache = self.valsets.lock();
        if cache.len() > 64 {
            let keep_from = h.saturating_sub(16);
            cache.retain(|k, _| *k >= keep_from);
        }
        cache.insert(h, set.clone());
        Ok(set)
    }

    fn params(&self, h: u64) -> Result<HeightParams<DcloudContext>, ConsensusError> {
        Ok(HeightParams::new(self.set_at(h)?, self.timeouts, Some(self.target_time)))
    }

    /// Checks one piece of double-sign evidence for a block at `block_height`: a member of
    /// the set of the offence's height signed two different votes of one step there.
    fn evidence_ok(&self, ev: &DuplicateVoteEvidence, block_height: u64) -> bool {
        let typ = match ev.vote_type.as_str() {
            "prevote" => VoteType::Prevote,
            "precommit" => VoteType::Precommit,
            _ => return false,
        };
        if ev.height == 0
            || ev.height >= block_height
            || ev.height.saturating_add(MAX_EVIDENCE_AGE) < block_height
            || ev.vote_a.block_hash == ev.vote_b.block_hash
        {
            return false;
        }
        let Some(addr) = Address::from_hex(&ev.validator_address) else { return false };
        let Ok(set) = self.set_at(ev.height) else { return false };
        let Some(v) = set.get(&addr) else { return false };
        [&ev.vote_a, &ev.vote_b].into_iter().all(|vote| {
            let value = match &vote.block_hash {
                None => NilOrVal::Nil,
                Some(hx) => match hex::decode(hx).ok().and_then(|b| <[u8; 32]>::try_from(b).ok()) {
                    Some(id) => NilOrVal::Val(BlockId(id)),
                    None => return false,
                },
            };
            let msg = vote_sign_bytes(
                &self.chain_id,
                &Vote {
                    typ,
                    height: Height(ev.height),
                    round: Round::new(ev.round),
                    value,
                    validator: addr,
                    extension: None,
                },
            );
            let Ok(sig) = base64::engine::general_purpose::STANDARD.decode(&vote.signature) else {
                return false;
            };
            dcloud_crypto::ed25519::verify(&v.public_key.0, &msg, &sig).is_ok()
        })
    }

    /// Remembers the engine's double-vote evidence for our next proposal.
    fn add_evidence(&self, found: &MisbehaviorEvidence<DcloudContext>) {
        let ev_vote = |v: &Vote, sig: &Signature| EvidenceVote {
            block_hash: match &v.value {
                NilOrVal::Nil => None,
                NilOrVal::Val(id) => Some(hex::encode_upper(id.0)),
            },
            signature: b64(&sig.0),
        };
        let mut pool = self.evidence.lock();
        for (addr, pairs) in &found.votes {
            for (a, b) in pairs {
                let ev = DuplicateVoteEvidence {
                    validator_address: addr.to_hex(),
                    height: a.message.height.0,
                    round: a.message.round.as_u32().unwrap_or(0),
                    vote_type: match a.message.typ {
                        VoteType::Prevote => "prevote".into(),
                        VoteType::Precommit => "precommit".into(),
                    },
                    vote_a: ev_vote(&a.message, &a.signature),
                    vote_b: ev_vote(&b.message, &b.signature),
                };
                tracing::warn!(validator = %ev.validator_address, height = ev.height, round = ev.round, kind = %ev.vote_type, "double-sign evidence recorded");
                let dup = pool
                    .iter()
                    .any(|e| e.validator_address == ev.validator_address && e.height == ev.height);
                if !dup && pool.len() < 1000 {
                    pool.push(ev);
                }
            }
        }
    }

    fn proposed(u: &Undecided) -> ProposedValue<DcloudContext> {
        ProposedValue {
            height: Height(u.height),
            round: Round::new(u.round),
            valid_round: if u.valid_round < 0 {
                Round::Nil
            } else {
                Round::new(u.valid_round as u32)
            },
            proposer: Address::from_hex(&u.proposer).unwrap_or_default(),
            value: BlockId(u.id()),
            validity: Validity::from_bool(u.valid),
        }
    }

    /// Builds our block for the next height (as the solo driver does).
    fn build_block(&self) -> Result<Block, ConsensusError> {
        let last = self.last.lock();
        let info = self.app.info()?;
        let cp = self.app.consensus_params()?;
        let candidates = self.mempool.reap(cp.max_block_bytes as usize, self.max_block_txs);
        let txs = self.app.prepare_proposal(candidates)?;
        let height = last.height + 1;
        let set = self.set_at(height)?;
        // Evidence that can no longer go into a block (too old, unknown) leaves the pool.
        let pending: Vec<DuplicateVoteEvidence> = {
            let mut pool = self.evidence.lock();
            pool.retain(|e| self.evidence_ok(e, height));
            pool.clone()
        };
        let mut evidence: Vec<DuplicateVoteEvidence> = Vec::new();
        for ev in pending {
            if evidence.len() < MAX_BLOCK_EVIDENCE
                && !evidence.iter().any(|e| e.validator_address == ev.validator_address)
            {
                evidence.push(ev);
            }
        }
        let header = Header {
            chain_id: info.chain_id.clone(),
            height,
            time_ms: crate::now_ms().max(last.time_ms + 1),
            last_block_hash: last.hash,
            last_commit_hash: last.commit.as_ref().map_or([0; 32], Commit::hash),
            data_hash: tx_merkle_root(&txs),
            validators_hash: set.hash(),
            app_hash: info.last_app_hash,
            proposer_address: self.me.to_hex(),
            evidence_hash: evidence_hash(&evidence),
        };
        Ok(Block { header, txs, last_commit: last.commit.clone(), evidence })
    }

    /// Checks a commit certificate of the previous height against a validator set: known,
    /// distinct signers with valid signatures holding more than 2/3 of the power.
    fn commit_ok(&self, c: &Commit, vals: &ValidatorSet) -> bool {
        let mut seen = std::collections::BTreeSet::new();
        let mut power = 0u64;
        let msg = Commit::sign_bytes(&self.chain_id, c.height, c.round, &c.block_hash);
        for s in &c.signatures {
            let Some(addr) = Address::from_hex(&s.validator_address) else { return false };
            let Some(v) = vals.get(&addr) else { return false };
            let Ok(sig) = base64::engine::general_purpose::STANDARD.decode(&s.signature) else {
                return false;
            };
            if !seen.insert(addr)
                || dcloud_crypto::ed25519::verify(&v.public_key.0, &msg, &sig).is_err()
            {
                return false;
            }
            power = power.saturating_add(v.voting_power);
        }
        power.saturating_mul(3) > vals.total_power().saturating_mul(2)
    }

    /// Judges a proposed block for the next height: header fields against our state, the
    /// embedded previous commit, then the app's `process_proposal`.
    fn validate(&self, b: &Block, proposer: &Address) -> Result<bool, ConsensusError> {
        let last = self.last.lock();
        let h = &b.header;
        let info = self.app.info()?;
        let vals_hash = self.set_at(last.height + 1)?.hash();
        let set = self.set_at(last.height.max(1))?;
        let mut offenders = std::collections::BTreeSet::new();
        let why = if h.chain_id != info.chain_id {
            "chain id"
        } else if h.height != last.height + 1 {
            "height"
        } else if h.proposer_address != proposer.to_hex() {
            "proposer"
        } else if h.last_block_hash != last.hash {
            "last block hash"
        } else if h.app_hash != info.last_app_hash {
            "app hash"
        } else if h.time_ms <= last.time_ms {
            "time"
        } else if h.data_hash != tx_merkle_root(&b.txs) {
            "data hash"
        } else if h.validators_hash != vals_hash {
            "validators hash"
        } else if h.evidence_hash != evidence_hash(&b.evidence) {
            "evidence hash"
        } else if b.evidence.len() > MAX_BLOCK_EVIDENCE
            || !b.evidence.iter().all(|e| {
                offenders.insert(e.validator_address.clone()) && self.evidence_ok(e, h.height)
            })
        {
            "evidence"
        } else if h.last_commit_hash != b.last_commit.as_ref().map_or([0; 32], Commit::hash) {
            "last commit hash"
        } else if match &b.last_commit {
            None => last.height != 0,
            Some(c) => {
                c.height != last.height || c.block_hash != last.hash || !self.commit_ok(c, &set)
            }
        } {
            "last commit"
        } else if !self.app.process_proposal(&b.txs)? {
            "process_proposal"
        } else {
            return Ok(true);
        };
        tracing::warn!(height = h.height, proposer = %proposer, "rejecting proposal: bad {why}");
        Ok(false)
    }

    /// Executes and commits a decided block with its certificate.
    fn commit_block(
        &self,
        block: Block,
        commit: Commit,
    ) -> Result<Arc<CommittedBlock>, ConsensusError> {
        let started = Instant::now();
        let height = block.header.height;
        // Who of the set of `height - 1` signed it (downtime).
        let last_commit = match &block.last_commit {
            Some(c) => {
                dcloud_consensus::commit_votes(&self.set_at(c.height.max(1))?.to_app(), Some(c))
            }
            None => Vec::new(),
        };
        let mut misbehavior = Vec::with_capacity(block.evidence.len());
        for ev in &block.evidence {
            let set = self.set_at(ev.height)?;
            let power = Address::from_hex(&ev.validator_address)
                .and_then(|a| set.get(&a).map(|v| v.voting_power))
                .unwrap_or(0);
            let time_ms = self.blocks.block(ev.height)?.map_or(0, |b| b.header.time_ms);
            misbehavior.push(dcloud_app::Misbehavior {
                kind: "duplicate_vote".into(),
                validator_address: ev.validator_address.clone(),
                height: ev.height,
                time_ms,
                power,
            });
        }
        let binfo = BlockInfo {
            height,
            time_ms: block.header.time_ms,
            proposer: block.header.proposer_address.clone(),
            last_commit,
            misbehavior,
        };
        let resp = match self.app.finalize_block(&binfo, &block.txs) {
            Ok(r) => r,
            Err(e) => {
                self.app.abort_pending();
                return Err(e.into());
            }
        };
        let results = BlockResults {
            height,
            tx_results: resp.tx_results,
            finalize_block_events: resp.events,
            validator_updates: resp.validator_updates,
            app_hash: resp.app_hash,
        };
        let mut aux = match BlockStore::writes_for(&block, &commit, &results) {
            Ok(a) => a,
            Err(e) => {
                self.app.abort_pending();
                return Err(e);
            }
        };
        // The set of `height + 2`: the one of `height + 1`, one proposer turn on, with this
        // block's validator updates (CometBFT's `NextValidators` rule).
        let next_sets = (|| -> Result<Vec<(u64, ValidatorSet)>, ConsensusError> {
            let mut updates = Vec::with_capacity(results.validator_updates.len());
            for u in &results.validator_updates {
                let pk = PublicKey::from_base64(&u.pub_key).ok_or_else(|| {
                    ConsensusError::Corrupt(format!("validator update key {:?}", u.pub_key))
                })?;
                updates.push((pk, u.power));
            }
            let mut s = self.set_at(height + 1)?.next();
            if !updates.is_empty() {
                s = s.with_updates(&updates);
                if s.validators.is_empty() {
                    return Err(ConsensusError::Rejected(format!(
                        "block {height} would leave no validator"
                    )));
                }
            }
            let mut out = vec![(height + 2, s)];
            if height == 1 {
                out.push((1, self.set_at(1)?));
                out.push((2, self.set_at(2)?));
            }
            Ok(out)
        })();
        let next_sets = match next_sets {
            Ok(s) => s,
            Err(e) => {
                self.app.abort_pending();
                return Err(e);
            }
        };
        for (h, s) in &next_sets {
            let json = serde_json::to_vec(s.validators.as_ref()).map_err(corrupt)?;
            aux.push((valset_key(*h), Some(json)));
        }
        let commit_started = Instant::now();
        let mut commit_time = Duration::ZERO;
        let mempool = &self.mempool;
        let committed = &block.txs;
        self.app.commit_then(aux, |recheck| {
            commit_time = commit_started.elapsed();
            mempool.update(committed, |raw| recheck(raw))
        })?;
        *self.last.lock() = Last {
            height,
            hash: block.header.hash(),
            time_ms: block.header.time_ms,
            commit: Some(commit.clone()),
        };
        {
            let mut cache = self.valsets.lock();
            for (h, s) in next_sets {
                cache.insert(h, s);
            }
        }
        if !block.evidence.is_empty() {
            let punished: Vec<&str> =
                block.evidence.iter().map(|e| e.validator_address.as_str()).collect();
            self.evidence.lock().retain(|e| !punished.contains(&e.validator_address.as_str()));
        }
        self.height.store(height, Ordering::SeqCst);
        self.undecided.lock().prune(height);
        self.future.lock().retain(|((h, ..), _)| h.0 > height);
        let cb = Arc::new(CommittedBlock {
            block,
            commit,
            results,
            exec_time: started.elapsed(),
            commit_time,
        });
        let _ = self.events.send(cb.clone());
        Ok(cb)
    }

    fn parts_for(
        &self,
        u: &Undecided,
        round: Round,
        valid_round: Round,
    ) -> Vec<StreamMessage<ProposalPart>> {
        let h = Height(u.height);
        let mut sid = u.height.to_be_bytes().to_vec();
        sid.extend_from_slice(&round.as_i64().to_be_bytes());
        let sid = StreamId::new(Bytes::from(sid));
        let json = serde_json::to_vec(&u.block).unwrap_or_default();
        let mut parts =
            vec![ProposalPart::Init { height: h, round, valid_round, proposer: self.me }];
        parts.extend(json.chunks(CHUNK).map(|c| ProposalPart::Data(c.to_vec())));
        let sig = self.signer.sign_bytes(&part_sign_bytes(&self.chain_id, h, round, &u.id()));
        parts.push(ProposalPart::Fin { signature: sig });
        let n = parts.len() as u64;
        let mut msgs: Vec<_> = parts
            .into_iter()
            .enumerate()
            .map(|(i, p)| StreamMessage::new(sid.clone(), i as u64, StreamContent::Data(p)))
            .collect();
        msgs.push(StreamMessage::new(sid, n, StreamContent::Fin));
        msgs
    }

    /// Adds a received part; returns the assembled (init, block) when the stream completes.
    fn add_part(
        &self,
        peer: PeerId,
        msg: StreamMessage<ProposalPart>,
    ) -> Option<(Init, Block, Signature)> {
        let key = (peer, msg.stream_id.to_bytes());
        let mut streams = self.streams.lock();
        // Drop stale half streams (a peer that never finished).
        streams.retain(|_, s| s.started.is_none_or(|t| t.elapsed() < Duration::from_secs(60)));
        if streams.len() > 1000 {
            return None;
        }
        let s = streams.entry(key.clone()).or_default();
        s.started.get_or_insert_with(Instant::now);
        match msg.content {
            StreamContent::Data(ProposalPart::Init { height, round, valid_round, proposer }) => {
                s.init = Some((height, round, valid_round, proposer));
            }
            StreamContent::Data(ProposalPart::Data(d)) => {
                let total: usize = s.data.values().map(Vec::len).sum();
                if total + d.len() > 64 * 1024 * 1024 {
                    streams.remove(&key);
                    return None;
                }
                s.data.insert(msg.sequence, d);
            }
            StreamContent::Data(ProposalPart::Fin { signature }) => {
                s.fin = Some((msg.sequence, signature))
            }
            StreamContent::Fin => {}
        }
        let (init, (fin_seq, sig)) = (s.init?, s.fin?);
        // Init is sequence 0, data 1..fin_seq, then the signed Fin part.
        if s.data.len() as u64 != fin_seq.saturating_sub(1) {
            return None;
        }
        let s = streams.remove(&key)?;
        let json: Vec<u8> = s.data.into_values().flatten().collect();
        let block: Block = match serde_json::from_slice(&json) {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(%peer, "undecodable proposal: {e}");
                return None;
            }
        };
        Some((init, block, sig))
    }

    /// Judges an assembled proposal for the next height and stores it.
    fn accept(
        &self,
        (height, round, valid_round, proposer): Init,
        block: Block,
    ) -> Result<ProposedValue<DcloudContext>, ConsensusError> {
        let valid = block.header.height == height.0 && self.validate(&block, &proposer)?;
        let u = Undecided {
            height: height.0,
            round: round.as_u32().unwrap_or(0),
            valid_round: valid_round.as_i64(),
            proposer: proposer.to_hex(),
            valid,
            block,
        };
        let pv = Self::proposed(&u);
        self.undecided.lock().put(u).map_err(corrupt)?;
        Ok(pv)
    }

    fn signed_by_proposer(
        &self,
        h: Height,
        r: Round,
        proposer: &Address,
        block: &Block,
        sig: &Signature,
    ) -> bool {
        let set = match self.set_at(h.0) {
            Ok(s) => s,
            Err(_) => return false,
        };
        let pk: PublicKey = match set.get(proposer) {
            Some(v) => v.public_key,
            None => return false,
        };
        verify_parts(&self.chain_id, &pk, h, r, &block.header.hash(), sig)
    }
}

/// Runs the host loop until shutdown or a fatal error.
pub(crate) async fn run(
    host: Arc<Host>,
    mut channels: Channels<DcloudContext>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), ConsensusError> {
    loop {
        let msg = tokio::select! {
            m = channels.consensus.recv() => match m {
                Some(m) => m,
                None => return Err(ConsensusError::Rejected("consensus engine stopped".into())),
            },
            _ = shutdown.changed() => return Ok(()),
        };
        let h = host.clone();
        let net = channels.network.clone();
        // App calls block (store I/O): run them off the async workers, one message at a time.
        let r = tokio::task::spawn_blocking(move || handle(&h, msg, &net))
            .await
            .map_err(|e| ConsensusError::Rejected(format!("host task panicked: {e}")))?;
        r?;
    }
}

fn publish(
    net: &tokio::sync::mpsc::Sender<NetworkMsg<DcloudContext>>,
    msgs: Vec<StreamMessage<ProposalPart>>,
) {
    for m in msgs {
        if net.blocking_send(NetworkMsg::PublishProposalPart(m)).is_err() {
            tracing::warn!("network channel closed");
            return;
        }
    }
}

fn handle(
    host: &Host,
    msg: AppMsg<DcloudContext>,
    net: &tokio::sync::mpsc::Sender<NetworkMsg<DcloudContext>>,
) -> Result<(), ConsensusError> {
    match msg {
        AppMsg::ConsensusReady { reply } => {
            let next = host.last.lock().height + 1;
            tracing::info!(height = next, "consensus ready");
            let _ = reply.send((Height(next), host.params(next)?));
        }
        AppMsg::StartedRound { height, round, proposer, role, reply_value } => {
            tracing::debug!(%height, %round, %proposer, ?role, "started round");
            // Proposals for this height that arrived early are judged now.
            let early: Vec<_> = {
                let mut f = host.future.lock();
                let (now, later): (Vec<_>, Vec<_>) =
                    f.drain(..).partition(|((h, ..), _)| *h == height);
                *f = later;
                now
            };
            for (init, b) in early {
                host.accept(init, b)?;
            }
            let r = round.as_u32().unwrap_or(0);
            let values: Vec<_> =
                host.undecided.lock().at(height.0, r).map(Host::proposed).collect();
            let _ = reply_value.send(values);
            let _ = role == Role::Proposer;
        }
        AppMsg::GetValue { height, round, timeout: _, reply } => {
            let r = round.as_u32().unwrap_or(0);
            let me = host.me.to_hex();
            let existing = host.undecided.lock().own(height.0, r, &me).cloned();
            let u = match existing {
                Some(u) => u,
                None => {
                    let block = host.build_block()?;
                    if block.header.height != height.0 {
                        return Err(ConsensusError::Rejected(format!(
                            "asked to propose height {height} at height {}",
                            block.header.height
                        )));
                    }
                    if !host.app.process_proposal(&block.txs)? {
                        return Err(ConsensusError::Rejected(
                            "own proposal failed process_proposal".into(),
                        ));
                    }
                    let u = Undecided {
                        height: height.0,
                        round: r,
                        valid_round: -1,
                        proposer: me,
                        valid: true,
                        block,
                    };
                    host.undecided.lock().put(u.clone()).map_err(corrupt)?;
                    u
                }
            };
            tracing::info!(%height, %round, txs = u.block.txs.len(), mempool = host.mempool.len(), "proposing");
            let _ = reply.send(LocallyProposedValue::new(height, round, BlockId(u.id())));
            publish(net, host.parts_for(&u, round, Round::Nil));
        }
        AppMsg::RestreamProposal { height, round, valid_round, address, value_id } => {
            if address == host.me {
                let u = host.undecided.lock().by_id(height.0, &value_id.0).cloned();
                if let Some(u) = u {
                    publish(net, host.parts_for(&u, round, valid_round));
                }
            }
        }
        AppMsg::ExtendVote { reply, .. } => {
            let _ = reply.send(None);
        }
        AppMsg::VerifyVoteExtensions { extensions, reply, .. } => {
            let _ = reply.send(extensions.into_iter().map(|(a, _)| (a, Ok(()))).collect());
        }
        AppMsg::GetHistoryMinHeight { reply } => {
            let _ = reply.send(Height(1));
        }
        AppMsg::ReceivedProposalPart { from, published_by, part, reply } => {
            let peer = published_by.unwrap_or(from);
            let Some((init, block, sig)) = host.add_part(peer, part) else {
                let _ = reply.send(None);
                return Ok(());
            };
            let (h, r, _, p) = init;
            if !host.signed_by_proposer(h, r, &p, &block, &sig) {
                tracing::warn!(%peer, height = %h, "proposal parts with a bad signature dropped");
                let _ = reply.send(None);
                return Ok(());
            }
            let next = host.last.lock().height + 1;
            if h.0 > next {
                let mut f = host.future.lock();
                if f.len() < 100 {
                    f.push((init, block));
                }
                let _ = reply.send(None);
            } else if h.0 < next {
                let _ = reply.send(None);
            } else {
                let pv = host.accept(init, block)?;
                let _ = reply.send(Some(pv));
            }
        }
        AppMsg::Decided { certificate, extensions: _, reply } => {
            let h = certificate.height.0;
            let committed = host.last.lock().height;
            if h == committed + 1 {
                let u = host.undecided.lock().by_id(h, &certificate.value_id.0).cloned();
                match u {
                    Some(u) => {
                        let commit = commit_from_cert(&certificate);
                        let cb = host.commit_block(u.block, commit)?;
                        tracing::info!(
                            height = h,
                            round = %certificate.round,
                            txs = cb.block.txs.len(),
                            signers = certificate.commit_signatures.len(),
                            exec_ms = cb.exec_time.as_millis() as u64,
                            "committed block"
                        );
                    }
                    None => tracing::error!(
                        height = h,
                        "decided block not found; will restart the height"
                    ),
                }
            }
            let _ = reply.send(());
        }
        AppMsg::Finalized { certificate, extensions: _, evidence, reply } => {
            let h = certificate.height.0;
            if !evidence.is_empty() {
                tracing::warn!(height = h, "misbehaviour evidence reported");
                host.add_evidence(&evidence);
            }
            let mut last = host.last.lock();
            if last.height == h {
                // Keep the (possibly larger) finalized certificate for the next block.
                if last.hash == certificate.value_id.0 {
                    last.commit = Some(commit_from_cert(&certificate));
                }
                drop(last);
                let _ = reply.send(Next::Start(Height(h + 1), host.params(h + 1)?));
            } else {
                let next = last.height + 1;
                drop(last);
                let _ = reply.send(Next::Restart(Height(next), host.params(next)?));
            }
        }
        AppMsg::GetDecidedValues { range, reply } => {
            let latest = host.last.lock().height;
            let lo = range.start().0.max(1);
            let hi = range.end().0.min(latest).min(lo.saturating_add(MAX_SYNC_BATCH - 1));
            let mut out = Vec::new();
            for h in lo..=hi {
                let (Some(b), Some(c)) = (host.blocks.block(h)?, host.blocks.commit(h)?) else {
                    break;
                };
                let Some(cert) = cert_from_commit(&c) else { break };
                let bytes = serde_json::to_vec(&b).map_err(corrupt)?;
                out.push(RawDecidedValue::new(Bytes::from(bytes), cert));
            }
            let _ = reply.send(out);
        }
        AppMsg::ProcessSyncedValue { height, round, proposer, value_bytes, reply } => {
            let block: Block = match serde_json::from_slice(&value_bytes) {
                Ok(b) => b,
                Err(_) => {
                    let _ = reply.send(SyncedValueOutcome::PeerFault);
                    return Ok(());
                }
            };
            if block.header.height != height.0 {
                let _ = reply.send(SyncedValueOutcome::PeerFault);
                return Ok(());
            }
            let next = host.last.lock().height + 1;
            if height.0 != next {
                let _ = reply.send(SyncedValueOutcome::LocalTransientError);
                return Ok(());
            }
            let pv = host.accept((height, round, Round::Nil, proposer), block)?;
            let _ = reply.send(SyncedValueOutcome::Verdict(pv));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use dcloud_app::testkit::{validator_key, TestChain, TestConfig};
    use dcloud_crypto::ed25519::NodeKey;
    use malachitebft_core_types::CommitSignature;

    fn host(dir: &std::path::Path) -> Host {
        let chain = TestChain::new(TestConfig::default());
        let app = chain.app().clone();
        let chain_id = app.info().unwrap().chain_id;
        let key = validator_key();
        Host::new(
            app,
            Arc::new(Mempool::new(100, 1 << 20)),
            NodeSigner::new(key.clone(), &chain_id),
            Address(key.address()),
            100,
            Duration::from_secs(1),
            LinearTimeouts::default(),
            dir.join("undecided"),
        )
        .unwrap()
    }

    fn signed(key: &NodeKey, chain: &str, h: u64, value: Option<[u8; 32]>) -> EvidenceVote {
        let vote = Vote {
            typ: VoteType::Prevote,
            height: Height(h),
            round: Round::new(0),
            value: value.map_or(NilOrVal::Nil, |v| NilOrVal::Val(BlockId(v))),
            validator: Address(key.address()),
            extension: None,
        };
        EvidenceVote {
            block_hash: value.map(hex::encode_upper),
            signature: b64(&key.sign(&vote_sign_bytes(chain, &vote))),
        }
    }

    #[test]
    fn evidence_is_checked_against_the_set_and_signatures() {
        let dir = tempfile::tempdir().unwrap();
        let host = host(dir.path());
        let chain = host.chain_id.clone();
        let key = validator_key();
        let ev = |key: &NodeKey, chain: &str, a: Option<[u8; 32]>, b: Option<[u8; 32]>| {
            DuplicateVoteEvidence {
                validator_address: hex::encode_upper(key.address()),
                height: 1,
                round: 0,
                vote_type: "prevote".into(),
                vote_a: signed(key, chain, 1, a),
                vote_b: signed(key, chain, 1, b),
            }
        };
        let good = ev(&key, &chain, Some([1; 32]), Some([2; 32]));
        assert!(host.evidence_ok(&good, 2));
        assert!(host.evidence_ok(&ev(&key, &chain, Some([1; 32]), None), 2));
        // Not before the offence's height is over; not too old.
        assert!(!host.evidence_ok(&good, 1));
        assert!(!host.evidence_ok(&good, 2 + MAX_EVIDENCE_AGE));
        // The same vote twice is no offence.
        assert!(!host.evidence_ok(&ev(&key, &chain, Some([1; 32]), Some([1; 32])), 2));
        // Signed for another chain, tampered, or by a key outside the set: refused.
        assert!(!host.evidence_ok(&ev(&key, "other-chain", Some([1; 32]), Some([2; 32])), 2));
        let mut bad = good.clone();
        bad.vote_b.block_hash = Some(hex::encode_upper([3u8; 32]));
        assert!(!host.evidence_ok(&bad, 2));
        let stranger = NodeKey::from_seed([42; 32]);
        assert!(!host.evidence_ok(&ev(&stranger, &chain, Some([1; 32]), Some([2; 32])), 2));
        let mut typ = good.clone();
        typ.vote_type = "precommit".into();
        assert!(!host.evidence_ok(&typ, 2), "signed as prevotes, claimed as precommits");
    }

    #[test]
    fn genesis_sets_and_validators_hash() {
        let dir = tempfile::tempdir().unwrap();
        let host = host(dir.path());
        let s1 = host.set_at(1).unwrap();
        let s2 = host.set_at(2).unwrap();
        assert_eq!(s1.validators.len(), 1);
        assert_eq!(s1.hash(), s2.hash());
        assert!(host.set_at(3).is_err(), "no set is recorded beyond the next two heights");
        let b = host.build_block().unwrap();
        assert_eq!(b.header.validators_hash, s1.hash());
        assert_eq!(b.header.evidence_hash, [0; 32]);
        assert!(host.validate(&b, &host.me).unwrap());
    }

    #[test]
    fn certificate_roundtrip() {
        let c = Commit {
            height: 5,
            round: 1,
            block_hash: [7; 32],
            signatures: vec![CommitSig {
                validator_address: hex::encode_upper([1u8; 20]),
                signature: b64(&[2u8; 64]),
            }],
        };
        let cert = cert_from_commit(&c).unwrap();
        let back = CommitCertificate {
            height: cert.height,
            round: cert.round,
            value_id: cert.value_id,
            commit_signatures: cert
                .commit_signatures
                .iter()
                .map(|s| CommitSignature::new(s.address, s.signature))
                .collect(),
        };
        assert_eq!(commit_from_cert(&back), c);
    }
}
