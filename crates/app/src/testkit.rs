//! A test harness for the state machine: a chain with funded accounts, a tx builder that
//! tracks account numbers and sequences, and a block runner that goes through
//! `prepare_proposal` → `process_proposal` → `finalize_block` → `commit` and checks every
//! invariant on the committed state after every block.
//!
//! Enabled by the `test-utils` feature (and in this crate's unit tests). Panics on any
//! unexpected failure: it is for tests only.
//!
//! ```
//! use dcloud_app::testkit::{TestChain, TestConfig};
//! let mut chain = TestChain::new(TestConfig::default());
//! let bob = chain.address(1);
//! let tx = chain.send(0, &bob, &[(10, "uakt")]);
//! let res = chain.deliver_block(vec![tx]);
//! assert_eq!(res.tx_results[0].code, 0, "{}", res.tx_results[0].log);
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use base64::Engine;
use dcloud_crypto::ed25519::NodeKey;
use dcloud_crypto::secp256k1::SigningKey;
use dcloud_proto::cosmos::cosmos::bank::v1beta1::{Input, MsgMultiSend, Output};
use dcloud_proto::cosmos::cosmos::base::v1beta1::Coin as ProtoCoin;
use dcloud_proto::{Msg, SignerData, TxBuilder};
use dcloud_store::{Store, StoreOptions};
use dcloud_types::{AccAddress, Coins, DENOM_ACT, DENOM_AKT};

use crate::genesis::{AppGenesis, ConsensusParams};
use crate::modules::auth::{self, Account, AuthGenesis, AuthParams};
use crate::modules::bank::{self, BankGenesis, BankParams, GenesisBalance, RawCoin};
use crate::modules::consensus::Validator;
use crate::{
    check_all_invariants, App, BlockInfo, CheckTxKind, CheckTxResponse, FinalizeResponse, Genesis,
    QueryResponse,
};

/// Chain id of test chains.
pub const CHAIN_ID: &str = "dcloud-test-1";
/// Block time of the genesis, ms since the epoch; block `h` has time `GENESIS_TIME_MS + h * 1000`.
pub const GENESIS_TIME_MS: u64 = 1_700_000_000_000;
/// Milliseconds between test blocks.
pub const BLOCK_INTERVAL_MS: u64 = 1_000;
/// Default gas limit of harness txs.
pub const DEFAULT_GAS: u64 = 200_000;
/// Default fee (uakt) of harness txs: exactly the minimum at the default gas price 0.025.
pub const DEFAULT_FEE: u128 = 5_000;
/// Seed of the test validator's ed25519 key.
pub const VALIDATOR_SEED: [u8; 32] = [0xAB; 32];

/// How to build a test chain.
#[derive(Debug, Clone)]
pub struct TestConfig {
    /// Chain id.
    pub chain_id: String,
    /// Number of funded accounts (indices `0..funded`).
    pub funded: usize,
    /// Number of extra keys that have no account in genesis (indices `funded..funded+unfunded`).
    pub unfunded: usize,
    /// Genesis uakt of every funded account.
    pub uakt: u128,
    /// Genesis uact of every funded account.
    pub uact: u128,
    /// `auth.params.min_gas_price`.
    pub min_gas_price: String,
    /// Bank params.
    pub bank_params: BankParams,
    /// Auth params other than the gas price (which `min_gas_price` overrides).
    pub auth_params: AuthParams,
    /// Oracle genesis (None: defaults, no sources).
    pub oracle: Option<crate::modules::oracle::OracleGenesis>,
    /// BME params (None: defaults).
    pub bme: Option<crate::modules::bme::BmeParams>,
    /// Staking genesis (None: a proof-of-authority chain with the fixed test validator;
    /// Some: proof of stake, whose active set replaces it; see [`staking::genesis`]).
    pub staking: Option<crate::modules::staking::StakingGenesis>,
    /// Mint genesis (with staking; None: defaults).
    pub mint: Option<crate::modules::mint::MintGenesis>,
    /// Distribution params (with staking; None: defaults).
    pub distribution: Option<crate::modules::distribution::DistributionParams>,
    /// Gov genesis (None: defaults).
    pub gov: Option<crate::modules::gov::GovGenesis>,
    /// Slashing params (with staking; None: defaults).
    pub slashing: Option<crate::modules::slashing::SlashingParams>,
}

impl Default for TestConfig {
    fn default() -> Self {
        Self {
            chain_id: CHAIN_ID.into(),
            funded: 4,
            unfunded: 1,
            uakt: 1_000_000_000,
            uact: 500_000_000,
            min_gas_price: "0.025".into(),
            bank_params: BankParams::default(),
            auth_params: AuthParams::default(),
            oracle: None,
            bme: None,
            staking: None,
            mint: None,
            distribution: None,
            gov: None,
            slashing: None,
        }
    }
}

/// The deterministic secp256k1 key of test account `i`.
pub fn account_key(i: usize) -> SigningKey {
    let b = u8::try_from(i + 1).expect("at most 255 test accounts");
    SigningKey::from_bytes(&[b; 32]).expect("valid secret")
}

/// The address of test account `i`.
pub fn account_address(i: usize) -> AccAddress {
    account_key(i).public_key().address()
}

/// The test validator's key.
pub fn validator_key() -> NodeKey {
    NodeKey::from_seed(VALIDATOR_SEED)
}

/// The genesis validator entry of an ed25519 key (power 10).
pub fn validator_entry(key: &NodeKey) -> Validator {
    Validator {
        address: hex::encode_upper(key.address()),
        pub_key: base64::engine::general_purpose::STANDARD.encode(key.public_key()),
        power: 10,
        name: "validator".into(),
    }
}

/// The address of the fee collector module account.
pub fn fee_collector() -> AccAddress {
    auth::module_address(auth::FEE_COLLECTOR)
}

/// A proto coin with a raw amount string (for malformed-amount tests).
pub fn proto_coin(amount: &str, denom: &str) -> ProtoCoin {
    ProtoCoin { denom: denom.into(), amount: amount.into() }
}

/// A `MsgSend` with raw coin strings.
pub fn raw_send(from: &str, to: &str, coins: &[(&str, &str)]) -> Msg {
    Msg::Send(dcloud_proto::cosmos::cosmos::bank::v1beta1::MsgSend {
        from_address: from.into(),
        to_address: to.into(),
        amount: coins.iter().map(|(a, d)| proto_coin(a, d)).collect(),
    })
}

fn coins_proto(coins: &[(u128, &str)]) -> Vec<ProtoCoin> {
    coins.iter().map(|(a, d)| proto_coin(&a.to_string(), d)).collect()
}

/// `MsgCreateProvider` of key `owner` (`attrs` as given, info empty).
pub fn create_provider_msg(owner: &AccAddress, host_uri: &str, attrs: &[(&str, &str)]) -> Msg {
    Msg::CreateProvider(dcloud_proto::dcloud::provider::MsgCreateProvider {
        owner: owner.to_string(),
        host_uri: host_uri.into(),
        attributes: pb_attrs(attrs),
        info: None,
    })
}

/// `MsgUpdateProvider` of `owner`.
pub fn update_provider_msg(owner: &AccAddress, host_uri: &str, attrs: &[(&str, &str)]) -> Msg {
    Msg::UpdateProvider(dcloud_proto::dcloud::provider::MsgUpdateProvider {
        owner: owner.to_string(),
        host_uri: host_uri.into(),
        attributes: pb_attrs(attrs),
        info: None,
    })
}

/// Proto attributes from pairs.
pub fn pb_attrs(attrs: &[(&str, &str)]) -> Vec<dcloud_proto::dcloud::provider::Attribute> {
    attrs
        .iter()
        .map(|(k, v)| dcloud_proto::dcloud::provider::Attribute {
            key: (*k).into(),
            value: (*v).into(),
        })
        .collect()
}

/// `MsgSignProviderAttributes`: `auditor` signs `attrs` of `provider`.
pub fn sign_attributes_msg(
    auditor: &AccAddress,
    provider: &AccAddress,
    attrs: &[(&str, &str)],
) -> Msg {
    Msg::SignProviderAttributes(dcloud_proto::dcloud::audit::MsgSignProviderAttributes {
        owner: provider.to_string(),
        auditor: auditor.to_string(),
        attributes: pb_attrs(attrs),
    })
}

/// `MsgDeleteProviderAttributes`: `auditor` withdraws `keys` (none: all) of `provider`.
pub fn delete_attributes_msg(auditor: &AccAddress, provider: &AccAddress, keys: &[&str]) -> Msg {
    Msg::DeleteProviderAttributes(dcloud_proto::dcloud::audit::MsgDeleteProviderAttributes {
        owner: provider.to_string(),
        auditor: auditor.to_string(),
        keys: keys.iter().map(|k| (*k).into()).collect(),
    })
}

/// `MsgCreateCertificate` of `owner` with PEM texts.
pub fn create_certificate_msg(owner: &AccAddress, cert_pem: &str, pubkey_pem: &str) -> Msg {
    Msg::CreateCertificate(dcloud_proto::dcloud::cert::MsgCreateCertificate {
        owner: owner.to_string(),
        cert: cert_pem.as_bytes().to_vec(),
        pubkey: pubkey_pem.as_bytes().to_vec(),
    })
}

/// `MsgRevokeCertificate` of (`owner`, `serial`).
pub fn revoke_certificate_msg(owner: &AccAddress, serial: &str) -> Msg {
    Msg::RevokeCertificate(dcloud_proto::dcloud::cert::MsgRevokeCertificate {
        id: Some(dcloud_proto::dcloud::cert::CertificateId {
            owner: owner.to_string(),
            serial: serial.into(),
        }),
    })
}

/// The genesis of a test chain: one validator, funded accounts with uakt and uact.
pub fn genesis(cfg: &TestConfig) -> Genesis {
    let balances = (0..cfg.funded)
        .map(|i| GenesisBalance {
            address: account_address(i).to_string(),
            coins: [(cfg.uact, DENOM_ACT), (cfg.uakt, DENOM_AKT)]
                .iter()
                .filter(|(a, _)| *a > 0)
                .map(|(a, d)| RawCoin::from(&dcloud_types::Coin::new(*a, *d)))
                .collect(),
        })
        .collect();
    Genesis {
        chain_id: cfg.chain_id.clone(),
        genesis_time: "2023-11-14T22:13:20Z".into(),
        initial_height: 1,
        consensus_params: ConsensusParams::default(),
        validators: if cfg.staking.is_some() {
            Vec::new()
        } else {
            vec![validator_entry(&validator_key())]
        },
        app_state: AppGenesis {
            auth: AuthGenesis {
                params: AuthParams {
                    min_gas_price: cfg.min_gas_price.clone(),
                    ..cfg.auth_params.clone()
                },
                accounts: Vec::new(),
            },
            bank: BankGenesis { params: cfg.bank_params.clone(), balances, supply: Vec::new() },
            oracle: cfg.oracle.clone(),
            bme: cfg.bme.clone(),
            staking: cfg.staking.clone(),
            mint: cfg.mint.clone(),
            distribution: cfg.distribution.clone(),
            gov: cfg.gov.clone(),
            slashing: cfg.slashing.clone(),
            ..Default::default()
        },
    }
}

/// How to build one tx (defaults: the account's tracked sequence, default fee and gas).
#[derive(Debug, Clone)]
pub struct TxOpts {
    /// Fee amount.
    pub fee: u128,
    /// Fee denom.
    pub fee_denom: String,
    /// Gas limit.
    pub gas_limit: u64,
    /// Memo.
    pub memo: String,
    /// Timeout height (0 = none).
    pub timeout_height: u64,
    /// Sequence to sign with; `None` uses (and advances) the tracked sequence.
    pub sequence: Option<u64>,
    /// Account number to sign with; `None` uses the on-chain one.
    pub account_number: Option<u64>,
    /// Chain id to sign for; `None` uses the chain's.
    pub chain_id: Option<String>,
    /// Sign (and put the public key of) this key instead of the account's own.
    pub sign_with: Option<SigningKey>,
    /// Flip a bit of the signature after signing.
    pub tamper_signature: bool,
}

impl Default for TxOpts {
    fn default() -> Self {
        Self {
            fee: DEFAULT_FEE,
            fee_denom: DENOM_AKT.into(),
            gas_limit: DEFAULT_GAS,
            memo: String::new(),
            timeout_height: 0,
            sequence: None,
            account_number: None,
            chain_id: None,
            sign_with: None,
            tamper_signature: false,
        }
    }
}

/// Everything a test can observe about committed state: app hash, height, every key's
/// balances and account, the fee collector's balances.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateSummary {
    /// Height.
    pub height: u64,
    /// App hash.
    pub app_hash: [u8; 32],
    /// Per key: balances and account (None if it has none).
    pub accounts: Vec<(Coins, Option<Account>)>,
    /// The fee collector's balances.
    pub fee_collector: Coins,
    /// Total supply.
    pub supply: Coins,
}

/// A key the harness signs with.
#[derive(Debug, Clone)]
pub struct TestAccount {
    /// The key.
    pub key: SigningKey,
    /// Its address.
    pub address: AccAddress,
    /// The next sequence the harness will sign with.
    pub next_sequence: u64,
}

/// A single-validator chain over an in-memory or file-backed store.
pub struct TestChain {
    app: Arc<App>,
    /// The genesis it started from.
    pub genesis: Genesis,
    /// Every key (funded first, then unfunded).
    pub accounts: Vec<TestAccount>,
    height: u64,
    genesis_supply: Coins,
    check_invariants: bool,
    /// Consensus addresses (hex) reported as not having signed the previous block.
    pub absent_signers: std::collections::BTreeSet<String>,
    /// Evidence handed to the next block (then cleared).
    pub misbehavior: Vec<crate::Misbehavior>,
    /// Every block delivered since [`TestChain::start_recording`], when recording.
    recording: Option<Vec<RecordedBlock>>,
}

/// One block as a driver handed it to the app, and what the app answered: enough to replay
/// the block on another build and compare (see `crates/app/tests/replay.rs`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RecordedBlock {
    /// The block info given to `finalize_block`.
    pub info: BlockInfo,
    /// The block's txs, hex.
    pub txs: Vec<String>,
    /// The committed app hash, hex.
    pub app_hash: String,
    /// SHA-256 (hex) of the JSON of the whole `FinalizeResponse` (tx results with codes,
    /// logs, gas and events; block events; validator updates).
    pub response_sha256: String,
}

impl RecordedBlock {
    /// The digest recorded for a block's response.
    pub fn digest(resp: &FinalizeResponse) -> String {
        hex::encode(dcloud_types::sha256(&serde_json::to_vec(resp).expect("response JSON")))
    }
}

impl std::fmt::Debug for TestChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestChain").field("height", &self.height).finish_non_exhaustive()
    }
}

impl TestChain {
    /// A fresh chain over an in-memory store.
    pub fn new(cfg: TestConfig) -> Self {
        let store = Store::in_memory(StoreOptions::default()).expect("in-memory store");
        Self::with_store(cfg, Arc::new(store))
    }

    /// A fresh chain over `store` (which must be empty): runs `init_chain`.
    pub fn with_store(cfg: TestConfig, store: Arc<Store>) -> Self {
        let g = genesis(&cfg);
        let app = Arc::new(App::new(store).expect("app"));
        app.set_check_invariants(true);
        let root = app.init_chain(&g).expect("init_chain");
        assert_eq!(app.info().unwrap().last_app_hash, root, "genesis root is the app hash");
        let chain = Self::from_app(cfg, g, app);
        chain.assert_invariants();
        chain
    }

    /// Reopens a chain over a store that already holds it (no `init_chain`); sequences
    /// are read back from state.
    pub fn reopen(cfg: TestConfig, store: Arc<Store>) -> Self {
        let g = genesis(&cfg);
        let app = Arc::new(App::new(store).expect("app"));
        app.set_check_invariants(true);
        let mut chain = Self::from_app(cfg, g, app);
        chain.height = chain.app.info().unwrap().last_height.expect("an initialised store");
        chain.resync_sequences();
        chain.assert_invariants();
        chain
    }

    fn from_app(cfg: TestConfig, g: Genesis, app: Arc<App>) -> Self {
        let accounts = (0..cfg.funded + cfg.unfunded)
            .map(|i| TestAccount {
                key: account_key(i),
                address: account_address(i),
                next_sequence: 0,
            })
            .collect();
        let genesis_supply = bank::total_supply(&app.store().latest()).unwrap();
        Self {
            app,
            genesis: g,
            accounts,
            height: 0,
            genesis_supply,
            check_invariants: true,
            absent_signers: Default::default(),
            misbehavior: Vec::new(),
            recording: None,
        }
    }

    /// Starts recording every block delivered from now on.
    pub fn start_recording(&mut self) {
        self.recording = Some(Vec::new());
    }

    /// The blocks recorded since [`TestChain::start_recording`] (recording stops).
    pub fn take_recording(&mut self) -> Vec<RecordedBlock> {
        self.recording.take().unwrap_or_default()
    }

    /// The app.
    pub fn app(&self) -> &Arc<App> {
        &self.app
    }

    /// The store.
    pub fn store(&self) -> &Arc<Store> {
        self.app.store()
    }

    /// Chain id.
    pub fn chain_id(&self) -> &str {
        &self.genesis.chain_id
    }

    /// Last committed height (0 = genesis only).
    pub fn height(&self) -> u64 {
        self.height
    }

    /// The address of key `i`.
    pub fn address(&self, i: usize) -> AccAddress {
        self.accounts[i].address.clone()
    }

    /// The committed account of `addr`.
    pub fn account(&self, addr: &AccAddress) -> Option<Account> {
        auth::get_account(&self.store().latest(), addr).unwrap()
    }

    /// The committed sequence of key `i` (0 if it has no account).
    pub fn sequence(&self, i: usize) -> u64 {
        self.account(&self.accounts[i].address).map_or(0, |a| a.sequence)
    }

    /// Sets every tracked sequence to the committed one.
    pub fn resync_sequences(&mut self) {
        for i in 0..self.accounts.len() {
            self.accounts[i].next_sequence = self.sequence(i);
        }
    }

    /// Committed balance.
    pub fn balance(&self, addr: &AccAddress, denom: &str) -> u128 {
        bank::balance(&self.store().latest(), addr, denom).unwrap()
    }

    /// Committed balances.
    pub fn balances(&self, addr: &AccAddress) -> Coins {
        bank::balances(&self.store().latest(), addr).unwrap()
    }

    /// Committed total supply.
    pub fn supply(&self) -> Coins {
        bank::total_supply(&self.store().latest()).unwrap()
    }

    /// A summary of the committed state, to compare before and after.
    pub fn summary(&self) -> StateSummary {
        StateSummary {
            height: self.height,
            app_hash: self.app_hash(),
            accounts: self
                .accounts
                .iter()
                .map(|a| (self.balances(&a.address), self.account(&a.address)))
                .collect(),
            fee_collector: self.balances(&fee_collector()),
            supply: self.supply(),
        }
    }

    /// Every committed key/value under a one-byte module prefix (e.g. `0x30` providers),
    /// to show a failed tx changed nothing there.
    pub fn prefix_dump(&self, prefix: u8) -> Vec<(Vec<u8>, Vec<u8>)> {
        use dcloud_store::StateRead;
        self.store().latest().prefix_range(&[prefix], None, usize::MAX).unwrap()
    }

    /// The app hash of the last commit.
    pub fn app_hash(&self) -> [u8; 32] {
        self.app.info().unwrap().last_app_hash
    }

    /// `check_tx` of a new tx.
    pub fn check_tx(&self, raw: &[u8]) -> CheckTxResponse {
        self.app.check_tx(raw, CheckTxKind::New)
    }

    /// A query that must succeed.
    pub fn query(&self, path: &str, data: &[u8], height: u64, prove: bool) -> QueryResponse {
        self.app.query(path, data, height, prove).unwrap_or_else(|e| panic!("query {path}: {e}"))
    }

    /// Signer data for key `i` with the tracked sequence.
    pub fn signer(&self, i: usize) -> SignerData {
        let a = &self.accounts[i];
        SignerData {
            chain_id: self.chain_id().to_string(),
            account_number: self.account(&a.address).map_or(0, |acc| acc.account_number),
            sequence: a.next_sequence,
            pubkey: a.key.public_key().to_bytes().to_vec(),
        }
    }

    /// A signed tx of `msgs` from key `from` with default fee and gas; advances its sequence.
    pub fn tx(&mut self, from: usize, msgs: Vec<Msg>) -> Vec<u8> {
        self.tx_with(from, msgs, &TxOpts::default())
    }

    /// A signed tx with options. Advances the tracked sequence unless `opts.sequence` is set.
    pub fn tx_with(&mut self, from: usize, msgs: Vec<Msg>, opts: &TxOpts) -> Vec<u8> {
        let mut signer = self.signer(from);
        if let Some(s) = opts.sequence {
            signer.sequence = s;
        } else {
            self.accounts[from].next_sequence += 1;
        }
        if let Some(n) = opts.account_number {
            signer.account_number = n;
        }
        if let Some(c) = &opts.chain_id {
            signer.chain_id = c.clone();
        }
        let key = opts.sign_with.clone().unwrap_or_else(|| self.accounts[from].key.clone());
        signer.pubkey = key.public_key().to_bytes().to_vec();
        let mut b = TxBuilder::new()
            .memo(opts.memo.clone())
            .timeout_height(opts.timeout_height)
            .fee(opts.fee, &opts.fee_denom, opts.gas_limit);
        for m in &msgs {
            b = b.msg(m);
        }
        let tamper = opts.tamper_signature;
        b.sign(&signer, |doc| {
            let mut sig = key.sign(doc);
            if tamper {
                sig[10] ^= 0x01;
            }
            sig
        })
        .expect("tx builds")
    }

    /// A signed `MsgSend` of `coins` from key `from` to `to`; advances the sequence.
    pub fn send(&mut self, from: usize, to: impl ToString, coins: &[(u128, &str)]) -> Vec<u8> {
        self.send_with(from, to, coins, &TxOpts::default())
    }

    /// A signed `MsgSend` with options.
    pub fn send_with(
        &mut self,
        from: usize,
        to: impl ToString,
        coins: &[(u128, &str)],
        opts: &TxOpts,
    ) -> Vec<u8> {
        let msg = Msg::Send(dcloud_proto::cosmos::cosmos::bank::v1beta1::MsgSend {
            from_address: self.accounts[from].address.to_string(),
            to_address: to.to_string(),
            amount: coins_proto(coins),
        });
        self.tx_with(from, vec![msg], opts)
    }

    /// A `MsgMultiSend` from key `from` (one input: the sum of the outputs).
    pub fn multi_send_msg(&self, from: usize, outputs: &[(AccAddress, Vec<(u128, &str)>)]) -> Msg {
        let mut total = Coins::new();
        for (_, c) in outputs {
            let coins =
                Coins::from_coins(c.iter().map(|(a, d)| dcloud_types::Coin::new(*a, *d))).unwrap();
            total = total.checked_add(&coins).unwrap();
        }
        Msg::MultiSend(MsgMultiSend {
            inputs: vec![Input {
                address: self.accounts[from].address.to_string(),
                coins: total.iter().map(|c| proto_coin(&c.amount.to_string(), &c.denom)).collect(),
            }],
            outputs: outputs
                .iter()
                .map(|(a, c)| Output { address: a.to_string(), coins: coins_proto(c) })
                .collect(),
        })
    }

    /// Runs a block through prepare → process → finalize → commit, then checks every
    /// invariant. Panics if `prepare_proposal` drops a tx or `process_proposal` refuses.
    pub fn deliver_block(&mut self, txs: Vec<Vec<u8>>) -> FinalizeResponse {
        let n = txs.len();
        let prepared = self.app.prepare_proposal(txs).expect("prepare_proposal");
        assert_eq!(prepared.len(), n, "prepare_proposal dropped txs");
        assert!(self.app.process_proposal(&prepared).expect("process_proposal"));
        self.finalize_and_commit(&prepared)
    }

    /// Finalizes and commits `txs` as given, without prepare/process (a block as a faulty
    /// proposer could make it); checks invariants.
    pub fn deliver_block_unchecked(&mut self, txs: Vec<Vec<u8>>) -> FinalizeResponse {
        self.finalize_and_commit(&txs)
    }

    /// The block info of the next block.
    pub fn next_block_info(&self) -> BlockInfo {
        let height = self.height + 1;
        BlockInfo {
            height,
            time_ms: GENESIS_TIME_MS + height * BLOCK_INTERVAL_MS,
            proposer: hex::encode_upper(validator_key().address()),
            // As the solo driver: every validator of the set, signed unless marked absent.
            last_commit: if height > 1 {
                self.app
                    .validators()
                    .unwrap()
                    .into_iter()
                    .map(|v| crate::VoteInfo {
                        signed: !self.absent_signers.contains(&v.address),
                        validator_address: v.address,
                        power: v.power,
                    })
                    .collect()
            } else {
                Vec::new()
            },
            misbehavior: Vec::new(),
        }
    }

    fn finalize_and_commit(&mut self, txs: &[Vec<u8>]) -> FinalizeResponse {
        let mut info = self.next_block_info();
        info.misbehavior = std::mem::take(&mut self.misbehavior);
        let resp = self.app.finalize_block(&info, txs).expect("finalize_block");
        assert_eq!(resp.tx_results.len(), txs.len(), "one result per tx");
        let h = self.app.commit(Vec::new()).expect("commit");
        assert_eq!(h, info.height, "committed height");
        self.height = h;
        assert_eq!(self.app_hash(), resp.app_hash, "finalize's app hash is the committed root");
        assert_eq!(self.store().root_hash(h).unwrap(), resp.app_hash);
        if let Some(rec) = &mut self.recording {
            rec.push(RecordedBlock {
                info: info.clone(),
                txs: txs.iter().map(hex::encode).collect(),
                app_hash: hex::encode(resp.app_hash),
                response_sha256: RecordedBlock::digest(&resp),
            });
        }
        self.assert_invariants();
        self.resync_sequences();
        resp
    }

    /// Catches up with blocks committed by someone else (a consensus driver): height and
    /// sequences from the store, then checks every invariant.
    pub fn sync(&mut self) {
        self.height = self.app.info().unwrap().last_height.expect("initialised");
        self.resync_sequences();
        self.assert_invariants();
    }

    /// Turns the after-every-block invariant checks on or off (benchmarks with huge states).
    pub fn set_check_invariants(&mut self, on: bool) {
        self.check_invariants = on;
        self.app.set_check_invariants(on);
    }

    /// Checks every module invariant on the committed state, and that the supply of every
    /// denom equals the genesis supply plus what BME and mint minted minus what BME, gov
    /// (vetoed deposits) and slashing burned (nothing else mints or burns).
    pub fn assert_invariants(&self) {
        if !self.check_invariants {
            return;
        }
        let latest = self.store().latest();
        if let Err(e) = check_all_invariants(&latest) {
            panic!("invariant broken at height {}: {e}", self.height);
        }
        let t = crate::modules::bme::totals(&latest).unwrap();
        let inflation = crate::modules::mint::total_minted(&latest).unwrap();
        let inflation = if inflation > 0 {
            Coins::from_coins(vec![dcloud_types::Coin::new(inflation, DENOM_AKT)]).unwrap()
        } else {
            Coins::new()
        };
        let expected = self
            .genesis_supply
            .checked_add(&t.total_minted)
            .and_then(|s| s.checked_add(&inflation))
            .and_then(|s| s.checked_sub(&t.total_burned))
            .and_then(|s| {
                let g = crate::modules::gov::total_burned(&latest).unwrap()
                    + crate::modules::staking::total_slashed(&latest).unwrap();
                if g == 0 {
                    return Ok(s);
                }
                s.checked_sub(&Coins::from_coins(vec![dcloud_types::Coin::new(g, DENOM_AKT)])?)
            })
            .expect("supply arithmetic");
        assert_eq!(self.supply(), expected, "total supply ≠ genesis + minted − burned");
    }
}

// ---------------------------------------------------------------------------------------
// Market helpers: providers, audits, params, deployment / bid / lease messages, state reads.

/// Builders of market messages and readers of market state.
pub mod market {
    use dcloud_proto::dcloud::deployment as dpb;
    use dcloud_proto::dcloud::market as mpb;
    use dcloud_proto::Msg;
    use dcloud_types::AccAddress;

    use super::{proto_coin, TestChain};
    use crate::modules::deployment::{self, Deployment};
    use crate::modules::escrow::{self, Account};
    use crate::modules::market::{self as mk, Bid, Lease, Order};
    use crate::modules::provider::{self, Attribute, Provider};
    use crate::modules::{audit, set_params};

    /// Market keys and values, the escrow module's and the community pool's balances.
    pub type MarketSnapshot = (Vec<(Vec<u8>, Vec<u8>)>, dcloud_types::Coins, dcloud_types::Coins);

    /// Gas limit of harness market txs (closing a deployment rewrites several records).
    pub const MARKET_GAS: u64 = 2_000_000;
    /// Fee of harness market txs: the minimum at the default gas price.
    pub const MARKET_FEE: u128 = 50_000;

    /// An attribute.
    pub fn attr(k: &str, v: &str) -> Attribute {
        Attribute { key: k.into(), value: v.into() }
    }

    /// A resource unit: `cpu` millicores, `mem` bytes, one volume of `storage` bytes.
    pub fn unit(
        cpu: u64,
        mem: u64,
        storage: u64,
        count: u32,
        price: &str,
        denom: &str,
    ) -> dpb::ResourceUnit {
        dpb::ResourceUnit {
            resources: Some(dpb::Resources {
                cpu_millis: cpu,
                memory_bytes: mem,
                storage: vec![dpb::Storage {
                    name: "default".into(),
                    bytes: storage,
                    attributes: vec![],
                }],
                gpu_units: 0,
                gpu_attributes: vec![],
                endpoints: vec![dpb::Endpoint { kind: 0, sequence_number: 0 }],
            }),
            count,
            price: Some(dpb::DecCoin { denom: denom.into(), amount: price.into() }),
        }
    }

    /// A one-unit group (1 CPU, 512 MiB, 1 GiB) at `price` uact per block.
    pub fn group(name: &str, price: &str) -> dpb::GroupSpec {
        dpb::GroupSpec {
            name: name.into(),
            requirements: None,
            resources: vec![unit(1_000, 512 << 20, 1 << 30, 1, price, "uact")],
        }
    }

    /// A group requiring `attrs` and the given auditors.
    pub fn group_with(
        name: &str,
        price: &str,
        attrs: &[Attribute],
        all_of: &[AccAddress],
        any_of: &[AccAddress],
    ) -> dpb::GroupSpec {
        let mut g = group(name, price);
        g.requirements = Some(dpb::PlacementRequirements {
            signed_by: Some(dpb::SignedBy {
                all_of: all_of.iter().map(|a| a.to_string()).collect(),
                any_of: any_of.iter().map(|a| a.to_string()).collect(),
            }),
            attributes: attrs
                .iter()
                .map(|a| dpb::Attribute { key: a.key.clone(), value: a.value.clone() })
                .collect(),
        });
        g
    }

    /// `MsgCreateDeployment`.
    pub fn create_deployment(
        owner: &AccAddress,
        dseq: u64,
        groups: Vec<dpb::GroupSpec>,
        deposit: u128,
        denom: &str,
        auction: dpb::Auction,
    ) -> Msg {
        Msg::CreateDeployment(dpb::MsgCreateDeployment {
            id: Some(dpb::DeploymentId { owner: owner.to_string(), dseq }),
            groups,
            hash: vec![7; 32],
            deposit: Some(proto_coin(&deposit.to_string(), denom)),
            auction: auction as i32,
            bid_window: 0,
            reclamation_min_window_s: 0,
            deposit_sources: Vec::new(),
        })
    }

    /// A deployment id.
    pub fn dep_id(owner: &AccAddress, dseq: u64) -> Option<dpb::DeploymentId> {
        Some(dpb::DeploymentId { owner: owner.to_string(), dseq })
    }

    /// A group id.
    pub fn group_id(owner: &AccAddress, dseq: u64, gseq: u32) -> Option<dpb::GroupId> {
        Some(dpb::GroupId { owner: owner.to_string(), dseq, gseq })
    }

    /// `MsgCreateBid` on order (owner, dseq, gseq, oseq).
    #[allow(clippy::too_many_arguments)]
    pub fn create_bid(
        provider: &AccAddress,
        owner: &AccAddress,
        dseq: u64,
        gseq: u32,
        oseq: u32,
        price: &str,
        denom: &str,
        deposit: u128,
    ) -> Msg {
        Msg::CreateBid(mpb::MsgCreateBid {
            order_id: Some(mpb::OrderId { owner: owner.to_string(), dseq, gseq, oseq }),
            provider: provider.to_string(),
            price: Some(mpb::DecCoin { denom: denom.into(), amount: price.into() }),
            deposit: Some(proto_coin(&deposit.to_string(), "uact")),
            reclamation_window_s: 0,
            deposit_sources: Vec::new(),
        })
    }

    /// A bid / lease id.
    pub fn bid_id(
        owner: &AccAddress,
        dseq: u64,
        gseq: u32,
        oseq: u32,
        provider: &AccAddress,
    ) -> Option<mpb::BidId> {
        Some(mpb::BidId {
            owner: owner.to_string(),
            dseq,
            gseq,
            oseq,
            provider: provider.to_string(),
        })
    }

    /// The binary id of a bid / lease.
    pub fn bid_key(
        owner: &AccAddress,
        dseq: u64,
        gseq: u32,
        oseq: u32,
        provider: &AccAddress,
    ) -> Vec<u8> {
        mk::bid_id(&mk::order_id(owner, dseq, gseq, oseq), provider)
    }

    impl TestChain {
        /// Writes state directly as a new committed version (not a block); checks invariants.
        pub fn write_state(
            &mut self,
            f: impl FnOnce(
                &mut dcloud_store::Overlay<dcloud_store::Snapshot>,
            ) -> Result<(), crate::AppError>,
        ) {
            let h = self.app.commit_state_for_tests(f).expect("commit state");
            self.height = h;
            self.assert_invariants();
        }

        /// Benchmarks: writes `n` active leases directly (deployment `first_dseq..` of key
        /// `tenant`, one group at 1 uact per block with a deposit lasting ~10^12 blocks, a
        /// manual bid of key `provider`, its lease), `per_commit` per committed version.
        pub fn populate_leases(
            &mut self,
            tenant: usize,
            provider: usize,
            first_dseq: u64,
            n: u64,
            per_commit: u64,
        ) {
            let (t, p) = (self.address(tenant), self.address(provider));
            let mut done = 0;
            while done < n {
                let k = per_commit.min(n - done);
                let ctx = crate::modules::BlockCtx { height: self.height + 1, time_ms: 0 };
                let start = first_dseq + done;
                let h = self
                    .app
                    .commit_state_for_tests(|s| {
                        let mut ev = Vec::new();
                        for dseq in start..start + k {
                            let d = create_deployment(
                                &t,
                                dseq,
                                vec![group("web", "1")],
                                1_000_000_000_000 + u128::from(dseq),
                                "uact",
                                dpb::Auction::Manual,
                            );
                            deployment::deliver(s, &d, &ctx, &mut ev)?;
                            let b = create_bid(&p, &t, dseq, 1, 1, "1", "uact", 500_000);
                            mk::deliver(s, &b, &ctx, &mut ev)?;
                            let l = Msg::CreateLease(mpb::MsgCreateLease {
                                bid_id: bid_id(&t, dseq, 1, 1, &p),
                            });
                            mk::deliver(s, &l, &ctx, &mut ev)?;
                            ev.clear();
                        }
                        Ok(())
                    })
                    .expect("populate");
                self.height = h;
                done += k;
            }
        }

        /// Registers key `i` as a provider with `attrs`.
        pub fn register_provider(&mut self, i: usize, attrs: &[Attribute]) {
            let p = Provider {
                owner: self.address(i),
                host_uri: format!("https://provider{i}.example.com:8443"),
                attributes: attrs.to_vec(),
                info: Default::default(),
            };
            self.write_state(|s| provider::set_provider(s, &p));
        }

        /// Auditor key `auditor` signs `attrs` of provider key `provider`.
        pub fn sign_attributes(&mut self, provider: usize, auditor: usize, attrs: &[Attribute]) {
            let (p, a) = (self.address(provider), self.address(auditor));
            self.write_state(|s| audit::set_signed_attributes(s, &p, &a, attrs));
        }

        /// Sets a module's params.
        pub fn set_module_params<T: serde::Serialize>(&mut self, module: &str, params: &T) {
            self.write_state(|s| set_params(s, module, params));
        }

        /// A signed tx of market messages: gas [`MARKET_GAS`] at the minimum fee.
        pub fn market_tx(&mut self, from: usize, msgs: Vec<Msg>) -> Vec<u8> {
            let opts =
                super::TxOpts { gas_limit: MARKET_GAS, fee: MARKET_FEE, ..Default::default() };
            self.tx_with(from, msgs, &opts)
        }

        /// Delivers one market tx from key `from` in its own block; returns its result.
        pub fn exec(&mut self, from: usize, msgs: Vec<Msg>) -> crate::TxResult {
            let tx = self.market_tx(from, msgs);
            self.deliver_block(vec![tx]).tx_results.remove(0)
        }

        /// Empty blocks until height `h` is committed.
        pub fn advance_to(&mut self, h: u64) -> Vec<dcloud_types::Event> {
            let mut events = Vec::new();
            while self.height < h {
                events.extend(self.deliver_block(Vec::new()).events);
            }
            events
        }

        /// A committed deployment.
        pub fn deployment(&self, owner: &AccAddress, dseq: u64) -> Option<Deployment> {
            deployment::get(&self.store().latest(), owner, dseq).unwrap()
        }

        /// A committed order.
        pub fn order(&self, owner: &AccAddress, dseq: u64, gseq: u32, oseq: u32) -> Option<Order> {
            mk::get_order(&self.store().latest(), &mk::order_id(owner, dseq, gseq, oseq)).unwrap()
        }

        /// A committed bid.
        pub fn bid(
            &self,
            owner: &AccAddress,
            dseq: u64,
            gseq: u32,
            oseq: u32,
            p: &AccAddress,
        ) -> Option<Bid> {
            mk::get_bid(&self.store().latest(), &bid_key(owner, dseq, gseq, oseq, p)).unwrap()
        }

        /// A committed lease.
        pub fn lease(
            &self,
            owner: &AccAddress,
            dseq: u64,
            gseq: u32,
            oseq: u32,
            p: &AccAddress,
        ) -> Option<Lease> {
            mk::get_lease(&self.store().latest(), &bid_key(owner, dseq, gseq, oseq, p)).unwrap()
        }

        /// The committed escrow account of a deployment.
        pub fn escrow_account(&self, owner: &AccAddress, dseq: u64) -> Option<Account> {
            escrow::get_account(&self.store().latest(), &deployment::escrow_id(owner, dseq))
                .unwrap()
        }

        /// Every committed key/value of the deployment, market and escrow modules (their
        /// key prefixes, in byte order) plus the escrow and community pool balances.
        pub fn market_snapshot(&self) -> MarketSnapshot {
            let s = self.store().latest();
            let mut prefixes: Vec<u8> = [
                crate::modules::deployment::keys::PREFIXES,
                crate::modules::market::keys::PREFIXES,
                crate::modules::escrow::keys::PREFIXES,
            ]
            .concat();
            prefixes.sort_unstable();
            let mut kv = Vec::new();
            for p in prefixes {
                kv.extend(
                    dcloud_store::StateRead::prefix_range(&s, &[p], None, usize::MAX).unwrap(),
                );
            }
            (
                kv,
                self.balances(&crate::modules::auth::module_address(escrow::MODULE_ACCOUNT)),
                self.balances(&crate::modules::auth::module_address(escrow::COMMUNITY_POOL)),
            )
        }
    }
}

// ---------------------------------------------------------------------------------------
// Staking and distribution helpers.

/// Builders of staking and distribution messages, and a staking genesis.
pub mod staking {
    use dcloud_crypto::ed25519::NodeKey;
    use dcloud_proto::cosmos::cosmos::distribution::v1beta1 as dpb;
    use dcloud_proto::cosmos::cosmos::staking::v1beta1 as spb;
    use dcloud_proto::{Any, Message, Msg};
    use dcloud_types::{AccAddress, DENOM_AKT};

    use super::{account_address, proto_coin, VALIDATOR_SEED};
    use crate::modules::staking::{valoper, GenesisValidator, StakingGenesis, StakingParams};

    /// Gas of harness staking txs.
    pub const STAKING_GAS: u64 = 1_000_000;
    /// Fee of harness staking txs.
    pub const STAKING_FEE: u128 = 25_000;

    /// The consensus key of validator number `n` (0 = the test validator key).
    pub fn consensus_key(n: u8) -> NodeKey {
        if n == 0 {
            NodeKey::from_seed(VALIDATOR_SEED)
        } else {
            NodeKey::from_seed([n; 32])
        }
    }

    /// The consensus address (hex) of validator number `n`.
    pub fn consensus_address(n: u8) -> String {
        hex::encode_upper(consensus_key(n).address())
    }

    /// The valoper address of test account `i`.
    pub fn val(i: usize) -> String {
        valoper(&account_address(i))
    }

    /// A staking genesis: validator `k` is operated by account `ops[k].0` with consensus key
    /// [`consensus_key`]`(k)` and self-delegation `ops[k].1`; commission 10% (max 20%,
    /// change 1%/day).
    pub fn genesis(ops: &[(usize, u128)], params: StakingParams) -> StakingGenesis {
        use base64::Engine;
        StakingGenesis {
            params,
            validators: ops
                .iter()
                .enumerate()
                .map(|(k, (i, amount))| GenesisValidator {
                    operator: account_address(*i).to_string(),
                    pub_key: base64::engine::general_purpose::STANDARD
                        .encode(consensus_key(k as u8).public_key()),
                    moniker: format!("val{k}"),
                    commission_rate: "0.1".into(),
                    commission_max_rate: "0.2".into(),
                    commission_max_change_rate: "0.01".into(),
                    self_delegation: *amount,
                })
                .collect(),
            delegations: Vec::new(),
        }
    }

    /// `MsgCreateValidator` by account `i` with consensus key `n`.
    pub fn create_validator(
        i: usize,
        n: u8,
        amount: u128,
        rate: &str,
        max_rate: &str,
        max_change: &str,
    ) -> Msg {
        let pk = dcloud_proto::cosmos::cosmos::crypto::ed25519::PubKey {
            key: consensus_key(n).public_key().to_vec(),
        };
        Msg::CreateValidator(spb::MsgCreateValidator {
            description: Some(spb::Description {
                moniker: format!("validator-{n}"),
                ..Default::default()
            }),
            commission: Some(spb::CommissionRates {
                rate: rate.into(),
                max_rate: max_rate.into(),
                max_change_rate: max_change.into(),
            }),
            min_self_delegation: "1".into(),
            validator_address: val(i),
            pubkey: Some(Any {
                type_url: dcloud_proto::ED25519_PUBKEY_URL.into(),
                value: pk.encode_to_vec(),
            }),
            value: Some(proto_coin(&amount.to_string(), DENOM_AKT)),
            ..Default::default()
        })
    }

    /// `MsgEditValidator` changing the commission rate.
    pub fn edit_commission(i: usize, rate: &str) -> Msg {
        Msg::EditValidator(spb::MsgEditValidator {
            description: None,
            validator_address: val(i),
            commission_rate: rate.into(),
            min_self_delegation: String::new(),
        })
    }

    /// `MsgDelegate`.
    pub fn delegate(del: &AccAddress, val_addr: &str, amount: u128) -> Msg {
        Msg::Delegate(spb::MsgDelegate {
            delegator_address: del.to_string(),
            validator_address: val_addr.into(),
            amount: Some(proto_coin(&amount.to_string(), DENOM_AKT)),
        })
    }

    /// `MsgUndelegate`.
    pub fn undelegate(del: &AccAddress, val_addr: &str, amount: u128) -> Msg {
        Msg::Undelegate(spb::MsgUndelegate {
            delegator_address: del.to_string(),
            validator_address: val_addr.into(),
            amount: Some(proto_coin(&amount.to_string(), DENOM_AKT)),
        })
    }

    /// `MsgCancelUnbondingDelegation` of the entry created at `height`.
    pub fn cancel_unbond(del: &AccAddress, val_addr: &str, amount: u128, height: u64) -> Msg {
        Msg::CancelUnbondingDelegation(spb::MsgCancelUnbondingDelegation {
            delegator_address: del.to_string(),
            validator_address: val_addr.into(),
            amount: Some(proto_coin(&amount.to_string(), DENOM_AKT)),
            creation_height: i64::try_from(height).unwrap_or(i64::MAX),
        })
    }

    /// `MsgFundCommunityPool` of `amount` `denom`.
    pub fn fund_community_pool(from: &AccAddress, amount: u128, denom: &str) -> Msg {
        Msg::FundCommunityPool(dpb::MsgFundCommunityPool {
            amount: vec![proto_coin(&amount.to_string(), denom)],
            depositor: from.to_string(),
        })
    }

    /// `MsgBeginRedelegate`.
    pub fn redelegate(del: &AccAddress, src: &str, dst: &str, amount: u128) -> Msg {
        Msg::BeginRedelegate(spb::MsgBeginRedelegate {
            delegator_address: del.to_string(),
            validator_src_address: src.into(),
            validator_dst_address: dst.into(),
            amount: Some(proto_coin(&amount.to_string(), DENOM_AKT)),
        })
    }

    /// `MsgWithdrawDelegatorReward`.
    pub fn withdraw_rewards(del: &AccAddress, val_addr: &str) -> Msg {
        Msg::WithdrawDelegatorReward(dpb::MsgWithdrawDelegatorReward {
            delegator_address: del.to_string(),
            validator_address: val_addr.into(),
        })
    }

    /// `MsgWithdrawValidatorCommission`.
    pub fn withdraw_commission(val_addr: &str) -> Msg {
        Msg::WithdrawValidatorCommission(dpb::MsgWithdrawValidatorCommission {
            validator_address: val_addr.into(),
        })
    }

    /// `MsgSetWithdrawAddress`.
    pub fn set_withdraw_address(del: &AccAddress, to: &AccAddress) -> Msg {
        Msg::SetWithdrawAddress(dpb::MsgSetWithdrawAddress {
            delegator_address: del.to_string(),
            withdraw_address: to.to_string(),
        })
    }
}
