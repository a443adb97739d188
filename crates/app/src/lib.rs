//! The dcloud application: a deterministic state machine behind an ABCI-2.0-shaped interface.
//!
//! A consensus driver (today `solo`, later Malachite BFT) hosts it through
//! [`App::init_chain`], [`App::check_tx`], [`App::prepare_proposal`],
//! [`App::process_proposal`], [`App::finalize_block`], [`App::commit`] and [`App::query`].
//! The app does no I/O besides its [`Store`], reads no clock (block time comes in
//! [`BlockInfo`]), uses no randomness, floats or hash-map iteration.
//!
//! Tx pipeline: decode (size-limited) → stateless message checks → ante (memo, timeout,
//! signer = sender, account, pubkey, sequence, gas for size and signature, minimum fee,
//! signature, fee deduction, sequence bump) → messages in a nested overlay with a gas meter.
//! A failing message or out-of-gas reverts the messages but keeps the ante (fee charged,
//! sequence used), as the Cosmos SDK does.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

mod ante;
/// The state machine's error type (now in `dcloud-chain`).
pub mod error {
    pub use dcloud_chain::error::*;
}
pub mod gas;
pub mod genesis;
/// The chain modules (now the `dcloud-chain` crate).
pub use dcloud_chain as modules;
mod msgs;
pub mod query;
#[cfg(any(test, feature = "test-utils"))]
pub mod testkit;
pub mod types;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use dcloud_proto::DecodedTx;
use dcloud_store::{Overlay, PreparedCommit, Snapshot, StateRead, StateWrite, Store};
use parking_lot::{Mutex, RwLock};
use rayon::prelude::*;

pub use dcloud_chain::AppError;
pub use genesis::Genesis;
pub use types::*;

use crate::gas::{GasMeter, GasState};

const CHAIN_ID_KEY: &[u8] = b"\xF0chain_id";
const CONSENSUS_PARAMS_KEY: &[u8] = b"\xF0consensus_params";
const SIG_CACHE_MAX: usize = 200_000;

struct Pending {
    prepared: PreparedCommit,
}

/// Verified (tx hash, account number) pairs. A hash set is allowed here: it is only probed,
/// never iterated, so its order cannot reach state.
#[allow(clippy::disallowed_types)]
type SigCache = std::collections::HashSet<([u8; 32], u64)>;

/// The application. Cheap to share (`Arc<App>`); methods take `&self` and lock inside.
pub struct App {
    store: Arc<Store>,
    chain_id: RwLock<String>,
    check: Mutex<Overlay<Snapshot>>,
    pending: Mutex<Option<Pending>>,
    /// (tx hash, account number) pairs whose signature verified. Signature validity is a
    /// pure function of those bytes, so caching it cannot change results.
    sig_cache: Mutex<SigCache>,
    check_invariants: AtomicBool,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("chain_id", &*self.chain_id.read()).finish_non_exhaustive()
    }
}

impl App {
    /// Opens the app over a store (fresh or already initialised).
    pub fn new(store: Arc<Store>) -> Result<Self, AppError> {
        let latest = store.latest();
        let chain_id = match latest.get(CHAIN_ID_KEY)? {
            Some(b) => {
                String::from_utf8(b).map_err(|_| AppError::ChainState("bad chain id".into()))?
            }
            None => String::new(),
        };
        Ok(Self {
            check: Mutex::new(Overlay::new(latest)),
            store,
            chain_id: RwLock::new(chain_id),
            pending: Mutex::new(None),
            sig_cache: Mutex::new(SigCache::default()),
            check_invariants: AtomicBool::new(false),
        })
    }

    /// Runs all module invariants after every block (halts with an error if one breaks).
    pub fn set_check_invariants(&self, on: bool) {
        self.check_invariants.store(on, Ordering::Relaxed);
    }

    /// The store (for the block store's side table and proofs).
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// Chain id, height and app hash of the last commit.
    pub fn info(&self) -> Result<AppInfo, AppError> {
        let last_height = self.store.latest_version();
        let last_app_hash = match last_height {
            Some(v) => self.store.root_hash(v)?,
            None => [0; 32],
        };
        Ok(AppInfo { last_height, last_app_hash, chain_id: self.chain_id.read().clone() })
    }

    /// Block limits from genesis.
    pub fn consensus_params(&self) -> Result<genesis::ConsensusParams, AppError> {
        match self.store.latest().get(CONSENSUS_PARAMS_KEY)? {
            Some(b) => serde_json::from_slice(&b)
                .map_err(|e| AppError::ChainState(format!("consensus params: {e}"))),
            None => Ok(genesis::ConsensusParams::default()),
        }
    }

    /// The current validator set.
    pub fn validators(&self) -> Result<Vec<modules::consensus::Validator>, AppError> {
        modules::consensus::validators(&self.store.latest())
    }

    /// Writes the genesis state as version 0 and returns the app hash.
    pub fn init_chain(&self, g: &Genesis) -> Result<[u8; 32], AppError> {
        let problems = g.validate();
        if !problems.is_empty() {
            return Err(AppError::InvalidGenesis(problems));
        }
        if g.initial_height != 1 {
            return Err(AppError::InvalidGenesis(vec![
                "initial_height other than 1 is not supported yet".into(),
            ]));
        }
        if self.store.latest_version().is_some() {
            return Err(AppError::ChainState("chain already initialised".into()));
        }
        let mut delta = Overlay::new(self.store.latest());
        delta.put(CHAIN_ID_KEY.to_vec(), g.chain_id.as_bytes().to_vec());
        let cp = serde_json::to_vec(&g.consensus_params)
            .map_err(|e| AppError::InvalidRequest(e.to_string()))?;
        delta.put(CONSENSUS_PARAMS_KEY.to_vec(), cp);
        modules::consensus::set_validators(&mut delta, &g.validators)?;
        modules::init_genesis(&mut delta, &g.app_state)?;
        if g.app_state.staking.is_some() {
            // The staking active set is the consensus set; a genesis that also lists
            // validators must list the same keys.
            if !g.validators.is_empty() {
                let want: std::collections::BTreeSet<&str> =
                    g.validators.iter().map(|v| v.pub_key.as_str()).collect();
                let set = modules::consensus::validators(&delta)?;
                let have: std::collections::BTreeSet<&str> =
                    set.iter().map(|v| v.pub_key.as_str()).collect();
                if want != have {
                    return Err(AppError::InvalidGenesis(vec![
                        "validators: the keys differ from the staking genesis validators' active set".into(),
                    ]));
                }
            }
        }
        check_all_invariants(&delta)?;
        let prepared = self.store.prepare_commit(delta.changes())?;
        let root = prepared.root_hash();
        self.store.commit(prepared, vec![(b"genesis".to_vec(), Some(g.to_json().into_bytes()))])?;
        *self.chain_id.write() = g.chain_id.clone();
        self.reset_check_state();
        Ok(root)
    }

    fn reset_check_state(&self) {
        *self.check.lock() = Overlay::new(self.store.latest());
    }

    /// Mempool admission: decode, stateless checks, ante (signature, sequence, fee) against
    /// the check state, which then reflects the tx (so the sender's next tx needs sequence+1).
    pub fn check_tx(&self, raw: &[u8], kind: CheckTxKind) -> CheckTxResponse {
        self.check_tx_with(raw, kind, |_| Ok(()))
    }

    /// Like [`App::check_tx`], and on success calls `admit` while still holding the
    /// check-state lock (the node inserts into its mempool there). If `admit` refuses with
    /// `(code, log)`, the tx's effects on the check state are dropped. This keeps the check
    /// state and the mempool in step even while a block commits and re-checks concurrently.
    pub fn check_tx_with(
        &self,
        raw: &[u8],
        kind: CheckTxKind,
        admit: impl FnOnce(&CheckTxResponse) -> Result<(), (u32, String)>,
    ) -> CheckTxResponse {
        let hash = dcloud_types::sha256(raw);
        let resp = CheckTxResponse { hash: hex::encode_upper(hash), ..Default::default() };
        let tx = match DecodedTx::decode(raw) {
            Ok(t) => t,
            Err(e) => return fail_check(resp, &tx_decode_error(e)),
        };
        let chain_id = self.chain_id.read().clone();
        // Verify the signature before taking the lock, so admissions verify in parallel.
        if kind == CheckTxKind::New {
            if let Some(pk) = &tx.pubkey {
                let state = self.store.latest();
                if let Ok(Some(acc)) = signer_account(&state, &tx) {
                    if ante::verify_signature(pk, &tx, &chain_id, acc.account_number).is_ok() {
                        self.cache_sig(tx.hash, acc.account_number);
                    }
                }
            }
        }
        let mut check = self.check.lock();
        let (mut resp, changes) = self.check_locked(&check, &tx, resp, &chain_id);
        if let Some(changes) = changes {
            // The ante's changes reach the check state only once the tx is admitted.
            match admit(&resp) {
                Ok(()) => check.apply(changes),
                Err((code, log)) => {
                    resp.code = code;
                    resp.codespace = "mempool".into();
                    resp.log = log;
                }
            }
        }
        resp
    }

    /// Runs the stateless checks and the ante against the check state; on success also
    /// returns the changes for the caller to apply.
    fn check_locked(
        &self,
        check: &Overlay<Snapshot>,
        tx: &DecodedTx,
        mut resp: CheckTxResponse,
        chain_id: &str,
    ) -> (CheckTxResponse, Option<dcloud_store::Changes>) {
        resp.gas_wanted = tx.gas_limit;
        resp.sequence = tx.sequence;
        if let Err(e) = msgs::validate_basic(tx) {
            return (fail_check(resp, &e), None);
        }
        let height = self.store.latest_version().unwrap_or(0) + 1;
        let meter = GasMeter::new(tx.gas_limit);
        let mut ovl = GasState::new(Overlay::new(check), &meter);
        let ctx = ante::AnteCtx { chain_id, height, simulate: false, app: self };
        match ante::run(&mut ovl, tx, &meter, &ctx) {
            Ok(out) => {
                resp.sender = out.signer.to_string();
                (resp, Some(ovl.into_inner().into_changes()))
            }
            Err(e) => {
                resp.sender =
                    tx.msgs.first().and_then(|m| m.signers().first().cloned()).unwrap_or_default();
                (fail_check(resp, &e), None)
            }
        }
    }

    fn cache_sig(&self, hash: [u8; 32], account_number: u64) {
        let mut c = self.sig_cache.lock();
        if c.len() >= SIG_CACHE_MAX {
            c.clear();
        }
        c.insert((hash, account_number));
    }

    fn sig_cached(&self, hash: [u8; 32], account_number: u64) -> bool {
        self.sig_cache.lock().contains(&(hash, account_number))
    }

    /// Picks txs for a block from mempool candidates: in order, skipping undecodable ones,
    /// within the byte and gas limits.
    pub fn prepare_proposal(&self, txs: Vec<Vec<u8>>) -> Result<Vec<Vec<u8>>, AppError> {
        let cp = self.consensus_params()?;
        let mut out = Vec::new();
        let (mut bytes, mut gas) = (0u64, 0u64);
        for raw in txs {
            let Ok(tx) = DecodedTx::decode(&raw) else { continue };
            if bytes + raw.len() as u64 > cp.max_block_bytes {
                break;
            }
            if cp.max_block_gas > 0 && gas.saturating_add(tx.gas_limit) > cp.max_block_gas {
                break;
            }
            bytes += raw.len() as u64;
            gas = gas.saturating_add(tx.gas_limit);
            out.push(raw);
        }
        Ok(out)
    }

    /// Validates a proposed block's txs: every tx decodes, and limits hold.
    pub fn process_proposal(&self, txs: &[Vec<u8>]) -> Result<bool, AppError> {
        let cp = self.consensus_params()?;
        let mut bytes = 0u64;
        let mut gas = 0u64;
        for raw in txs {
            let Ok(tx) = DecodedTx::decode(raw) else { return Ok(false) };
            bytes += raw.len() as u64;
            gas = gas.saturating_add(tx.gas_limit);
        }
        Ok(bytes <= cp.max_block_bytes && (cp.max_block_gas == 0 || gas <= cp.max_block_gas))
    }

    /// Executes a block. The resulting state is held until [`App::commit`].
    pub fn finalize_block(
        &self,
        block: &BlockInfo,
        txs: &[Vec<u8>],
    ) -> Result<FinalizeResponse, AppError> {
        let mut pending = self.pending.lock();
        if pending.is_some() {
            return Err(AppError::ChainState("previous block not committed yet".into()));
        }
        let latest = self
            .store
            .latest_version()
            .ok_or_else(|| AppError::ChainState("chain not initialised (no genesis)".into()))?;
        if block.height != latest + 1 {
            return Err(AppError::ChainState(format!(
                "block height {} does not follow committed height {latest}",
                block.height
            )));
        }
        let chain_id = self.chain_id.read().clone();
        let base = self.store.latest();
        // Verify all signatures in parallel first; sequential execution then hits the cache.
        let decoded: Vec<Result<DecodedTx, AppError>> = txs
            .par_iter()
            .map(|raw| {
                let tx = DecodedTx::decode(raw).map_err(tx_decode_error)?;
                if let (Some(pk), Ok(Some(acc))) = (&tx.pubkey, signer_account(&base, &tx)) {
                    if !self.sig_cached(tx.hash, acc.account_number)
                        && ante::verify_signature(pk, &tx, &chain_id, acc.account_number).is_ok()
                    {
                        self.cache_sig(tx.hash, acc.account_number);
                    }
                }
                Ok(tx)
            })
            .collect();
        let mut delta = Overlay::new(base);
        let bctx = modules::BlockCtx { height: block.height, time_ms: block.time_ms };
        let mut events = Vec::new();
        let set_before = modules::consensus::validators(&delta)?;
        let evidence = modules::BlockEvidence {
            last_commit: &block.last_commit,
            misbehavior: &block.misbehavior,
        };
        modules::pre_block(&mut delta, &bctx, &evidence, &mut events)?;
        modules::begin_block(&mut delta, &bctx, &mut events)?;
        let mut results = Vec::with_capacity(txs.len());
        for tx in decoded {
            results.push(match tx {
                Ok(tx) => self.deliver_tx(&mut delta, &tx, &chain_id, &bctx),
                Err(e) => error_result(&e, 0, 0),
            });
        }
        modules::end_block(&mut delta, &bctx, &mut events)?;
        let validator_updates =
            modules::consensus::updates(&set_before, &modules::consensus::validators(&delta)?);
        if self.check_invariants.load(Ordering::Relaxed) {
            check_all_invariants(&delta)?;
        }
        let prepared = self.store.prepare_commit(delta.changes())?;
        let app_hash = prepared.root_hash();
        *pending = Some(Pending { prepared });
        Ok(FinalizeResponse { tx_results: results, events, validator_updates, app_hash })
    }

    fn deliver_tx(
        &self,
        delta: &mut Overlay<Snapshot>,
        tx: &DecodedTx,
        chain_id: &str,
        bctx: &modules::BlockCtx,
    ) -> TxResult {
        let height = bctx.height;
        if let Err(e) = msgs::validate_basic(tx) {
            return error_result(&e, tx.gas_limit, 0);
        }
        let meter = GasMeter::new(tx.gas_limit);
        let ctx = ante::AnteCtx { chain_id, height, simulate: false, app: self };
        let mut ante_state = GasState::new(Overlay::new(&*delta), &meter);
        let ante_out = match ante::run(&mut ante_state, tx, &meter, &ctx) {
            Ok(o) => o,
            Err(e) => return error_result(&e, tx.gas_limit, meter.used_capped()),
        };
        let ante_ovl = ante_state.into_inner();
        let mut events = ante_out.events;
        let msg_changes = {
            let mut msg_state = GasState::new(Overlay::new(&ante_ovl), &meter);
            let mut msg_events = Vec::new();
            match msgs::deliver_all(&mut msg_state, tx, bctx, &mut msg_events) {
                Ok(()) if !meter.is_out() => {
                    events.extend(msg_events);
                    Ok(msg_state.into_inner().into_changes())
                }
                Err(e) if !meter.is_out() => Err(e),
                _ => Err(AppError::OutOfGas { limit: meter.limit(), used: meter.used() }),
            }
        };
        delta.apply(ante_ovl.into_changes());
        match msg_changes {
            Ok(ch) => {
                delta.apply(ch);
                TxResult {
                    code: 0,
                    codespace: String::new(),
                    log: String::new(),
                    gas_wanted: tx.gas_limit,
                    gas_used: meter.used_capped(),
                    events,
                }
            }
            Err(e) => {
                let mut r = error_result(&e, tx.gas_limit, meter.used_capped());
                r.events = events; // the fee was still charged
                r
            }
        }
    }

    /// Simulates a tx against the latest state: gas used and result, nothing kept.
    pub fn simulate(&self, raw: &[u8]) -> TxResult {
        let tx = match DecodedTx::decode(raw) {
            Ok(t) => t,
            Err(e) => return error_result(&tx_decode_error(e), 0, 0),
        };
        if let Err(e) = msgs::validate_basic(&tx) {
            return error_result(&e, 0, 0);
        }
        let chain_id = self.chain_id.read().clone();
        let height = self.store.latest_version().unwrap_or(0) + 1;
        let base = self.store.latest();
        let meter = GasMeter::new(u64::MAX / 2);
        let ctx = ante::AnteCtx { chain_id: &chain_id, height, simulate: true, app: self };
        let mut st = GasState::new(Overlay::new(&base), &meter);
        let mut events = Vec::new();
        let r = ante::run(&mut st, &tx, &meter, &ctx).and_then(|o| {
            events.extend(o.events);
            let bctx = modules::BlockCtx { height, time_ms: 0 };
            msgs::deliver_all(&mut st, &tx, &bctx, &mut events)
        });
        match r {
            Ok(()) => TxResult {
                gas_wanted: tx.gas_limit,
                gas_used: meter.used(),
                events,
                ..Default::default()
            },
            Err(e) => error_result(&e, tx.gas_limit, meter.used()),
        }
    }

    /// Persists the finalized block atomically together with `aux` (the block store's
    /// records), then resets the check state. Returns the committed height.
    pub fn commit(&self, aux: Vec<(Vec<u8>, Option<Vec<u8>>)>) -> Result<u64, AppError> {
        self.commit_then(aux, |_| {})
    }

    /// Commits like [`App::commit`], then — holding the check-state lock, so no new tx is
    /// admitted against a half-updated check state — hands `recheck` a function that
    /// re-checks a pending tx against the fresh check state (true = still valid). The node
    /// runs its mempool update there.
    pub fn commit_then(
        &self,
        aux: Vec<(Vec<u8>, Option<Vec<u8>>)>,
        recheck: impl FnOnce(&mut dyn FnMut(&[u8]) -> bool),
    ) -> Result<u64, AppError> {
        let p = self
            .pending
            .lock()
            .take()
            .ok_or_else(|| AppError::ChainState("nothing to commit".into()))?;
        // The store commit runs without the check lock, so admissions continue meanwhile
        // (against the pre-commit check state; they are in the mempool, so the recheck below
        // re-applies them). Reset + recheck are atomic with respect to admissions.
        let v = self.store.commit(p.prepared, aux)?;
        let mut check = self.check.lock();
        *check = Overlay::new(self.store.latest());
        let chain_id = self.chain_id.read().clone();
        let mut f = |raw: &[u8]| -> bool {
            let Ok(tx) = DecodedTx::decode(raw) else { return false };
            match self.check_locked(&check, &tx, CheckTxResponse::default(), &chain_id) {
                (_, Some(changes)) => {
                    check.apply(changes);
                    true
                }
                _ => false,
            }
        };
        recheck(&mut f);
        Ok(v)
    }

    /// Drops a finalized but uncommitted block (e.g. consensus moved to another round).
    pub fn abort_pending(&self) {
        self.pending.lock().take();
    }

    /// Answers a query at `height` (0 = latest). See [`query`] for paths.
    pub fn query(
        &self,
        path: &str,
        data: &[u8],
        height: u64,
        prove: bool,
    ) -> Result<QueryResponse, AppError> {
        query::route(self, path, data, height, prove)
    }

    /// Tests only: writes state directly (outside any block) as a new committed version,
    /// e.g. providers and audits before their messages exist, or params. Returns the height.
    #[cfg(any(test, feature = "test-utils"))]
    pub fn commit_state_for_tests(
        &self,
        f: impl FnOnce(&mut Overlay<Snapshot>) -> Result<(), AppError>,
    ) -> Result<u64, AppError> {
        let mut delta = Overlay::new(self.store.latest());
        f(&mut delta)?;
        let prepared = self.store.prepare_commit(delta.changes())?;
        let v = self.store.commit(prepared, Vec::new())?;
        self.reset_check_state();
        Ok(v)
    }

    /// Runs every module invariant against the latest committed state.
    pub fn check_invariants_now(&self) -> Result<(), AppError> {
        check_all_invariants(&self.store.latest())
    }
}

fn signer_account(
    state: &dyn StateRead,
    tx: &DecodedTx,
) -> Result<Option<modules::auth::Account>, AppError> {
    let signer = tx.msgs.first().and_then(|m| m.signers().into_iter().next()).unwrap_or_default();
    let Ok(addr) = signer.parse() else { return Ok(None) };
    modules::auth::get_account(state, &addr)
}

/// Runs every module's invariants.
pub fn check_all_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    modules::check_invariants(state)
}

fn tx_decode_error(e: dcloud_proto::TxDecodeError) -> AppError {
    match e {
        dcloud_proto::TxDecodeError::TooLarge { .. } => AppError::TxTooLarge(e.to_string()),
        dcloud_proto::TxDecodeError::UnknownMessage(_) => AppError::UnknownRequest(e.to_string()),
        other => AppError::TxDecode(other.to_string()),
    }
}

fn error_result(e: &AppError, gas_wanted: u64, gas_used: u64) -> TxResult {
    TxResult {
        code: e.code(),
        codespace: e.codespace().to_string(),
        log: e.to_string(),
        gas_wanted,
        gas_used,
        events: Vec::new(),
    }
}

fn fail_check(mut resp: CheckTxResponse, e: &AppError) -> CheckTxResponse {
    resp.code = e.code();
    resp.codespace = e.codespace().to_string();
    resp.log = e.to_string();
    resp
}
