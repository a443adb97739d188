//! Property tests: random blocks of valid and invalid sends among a few accounts
//! * match a simple model of balances, fees, sequences and result codes (and the harness
//!   checks every invariant after every block);
//! * are deterministic: two fresh chains on separate file-backed stores fed the same blocks
//!   agree on the app hash at every height.

use std::sync::Arc;

use dcloud_app::testkit::{fee_collector, raw_send, TestChain, TestConfig, TxOpts, DEFAULT_FEE};
use dcloud_store::{Store, StoreOptions};
use dcloud_types::{DENOM_ACT, DENOM_AKT};
use proptest::prelude::*;

const FUNDED: usize = 5;
/// Key 5 starts without an account and may receive; key 6 never has one.
const NEWBIE: usize = 5;
const STRANGER: usize = 6;
const KEYS: usize = 7;
const UAKT: u128 = 60_000;
const UACT: u128 = 1_000;
const OOG_FEE: u128 = 1_000;
const OOG_GAS: u64 = 30_000;

#[derive(Debug, Clone)]
enum Op {
    Send { from: usize, to: usize, amount: u128, act: bool },
    MultiSend { from: usize, to: [usize; 2], amount: u128 },
    BadSignature { from: usize },
    FutureSequence { from: usize },
    ZeroAmount { from: usize, to: usize },
    LowFee { from: usize },
    OutOfGas { from: usize, to: usize },
    UnknownSender { to: usize },
}

fn op() -> impl Strategy<Value = Op> {
    let from = 0..FUNDED;
    let to = 0..=NEWBIE;
    prop_oneof![
        6 => (from.clone(), to.clone(), 1..40_000u128, any::<bool>())
            .prop_map(|(from, to, amount, act)| Op::Send { from, to, amount: if act { amount % 1_500 + 1 } else { amount }, act }),
        2 => (from.clone(), to.clone(), to.clone(), 1..20_000u128)
            .prop_map(|(from, a, b, amount)| Op::MultiSend { from, to: [a, b], amount }),
        1 => from.clone().prop_map(|from| Op::BadSignature { from }),
        1 => from.clone().prop_map(|from| Op::FutureSequence { from }),
        1 => (from.clone(), to.clone()).prop_map(|(from, to)| Op::ZeroAmount { from, to }),
        1 => from.clone().prop_map(|from| Op::LowFee { from }),
        1 => (from, to.clone()).prop_map(|(from, to)| Op::OutOfGas { from, to }),
        1 => to.prop_map(|to| Op::UnknownSender { to }),
    ]
}

fn blocks() -> impl Strategy<Value = Vec<Vec<Op>>> {
    prop::collection::vec(prop::collection::vec(op(), 0..8), 1..6)
}

/// Expected balances (uakt, uact), sequences and account existence per key.
#[derive(Debug, Clone)]
struct Model {
    bal: Vec<[u128; 2]>,
    seq: Vec<u64>,
    exists: Vec<bool>,
    fees: u128,
}

impl Model {
    fn new() -> Self {
        let mut bal = vec![[0, 0]; KEYS];
        for b in bal.iter_mut().take(FUNDED) {
            *b = [UAKT, UACT];
        }
        let exists = (0..KEYS).map(|i| i < FUNDED).collect();
        Self { bal, seq: vec![0; KEYS], exists, fees: 0 }
    }

    /// The ante: account, then fee. Returns the failure code.
    fn ante(&mut self, from: usize, fee: u128) -> Result<(), u32> {
        if !self.exists[from] {
            return Err(9);
        }
        if self.bal[from][0] < fee {
            return Err(5);
        }
        self.bal[from][0] -= fee;
        self.fees += fee;
        self.seq[from] += 1;
        Ok(())
    }

    /// Moves all `outs` from `from` or none of them. Returns the code.
    fn transfer(&mut self, from: usize, outs: &[(usize, usize, u128)]) -> u32 {
        let mut next = self.clone();
        for &(to, d, amount) in outs {
            if next.bal[from][d] < amount {
                return 5;
            }
            next.bal[from][d] -= amount;
            next.bal[to][d] += amount;
            next.exists[to] = true;
        }
        *self = next;
        0
    }

    /// Applies `op` and returns the code the chain must give it.
    fn apply(&mut self, op: &Op) -> u32 {
        match *op {
            Op::Send { from, to, amount, act } => match self.ante(from, DEFAULT_FEE) {
                Err(c) => c,
                // ACT is non-transferable: the send fails (code 22) after the fee is paid.
                Ok(()) if act => 22,
                Ok(()) => self.transfer(from, &[(to, 0, amount)]),
            },
            Op::MultiSend { from, to, amount } => match self.ante(from, DEFAULT_FEE) {
                Err(c) => c,
                Ok(()) => self.transfer(from, &[(to[0], 0, amount), (to[1], 0, amount + 1)]),
            },
            Op::BadSignature { from } => {
                if self.exists[from] {
                    4
                } else {
                    9
                }
            }
            Op::FutureSequence { from } => {
                if self.exists[from] {
                    32
                } else {
                    9
                }
            }
            Op::ZeroAmount { .. } => 10,
            Op::LowFee { from } => {
                if self.exists[from] {
                    13
                } else {
                    9
                }
            }
            Op::OutOfGas { from, .. } => match self.ante(from, OOG_FEE) {
                Err(c) => c,
                Ok(()) => 11,
            },
            Op::UnknownSender { .. } => 9,
        }
    }
}

/// Builds the tx of `op`, signing with the sequence the model expects.
fn build(c: &mut TestChain, m: &Model, op: &Op) -> Vec<u8> {
    let addr = |c: &TestChain, i: usize| c.address(i);
    let opts = |from: usize| TxOpts { sequence: Some(m.seq[from]), ..Default::default() };
    match *op {
        Op::Send { from, to, amount, act } => {
            let d = if act { DENOM_ACT } else { DENOM_AKT };
            let to = addr(c, to);
            c.send_with(from, &to, &[(amount, d)], &opts(from))
        }
        Op::MultiSend { from, to, amount } => {
            let msg = c.multi_send_msg(
                from,
                &[
                    (addr(c, to[0]), vec![(amount, DENOM_AKT)]),
                    (addr(c, to[1]), vec![(amount + 1, DENOM_AKT)]),
                ],
            );
            c.tx_with(from, vec![msg], &opts(from))
        }
        Op::BadSignature { from } => {
            let to = addr(c, 0);
            c.send_with(
                from,
                &to,
                &[(1, DENOM_AKT)],
                &TxOpts { tamper_signature: true, ..opts(from) },
            )
        }
        Op::FutureSequence { from } => {
            let to = addr(c, 0);
            c.send_with(
                from,
                &to,
                &[(1, DENOM_AKT)],
                &TxOpts { sequence: Some(m.seq[from] + 1), ..opts(from) },
            )
        }
        Op::ZeroAmount { from, to } => {
            let (f, t) = (addr(c, from).to_string(), addr(c, to).to_string());
            c.tx_with(from, vec![raw_send(&f, &t, &[("0", DENOM_AKT)])], &opts(from))
        }
        Op::LowFee { from } => {
            let to = addr(c, 0);
            c.send_with(
                from,
                &to,
                &[(1, DENOM_AKT)],
                &TxOpts { fee: DEFAULT_FEE - 1, ..opts(from) },
            )
        }
        Op::OutOfGas { from, to } => {
            let to = addr(c, to);
            let o = TxOpts { fee: OOG_FEE, gas_limit: OOG_GAS, ..opts(from) };
            c.send_with(from, &to, &[(1, DENOM_AKT)], &o)
        }
        Op::UnknownSender { to } => {
            let to = addr(c, to);
            c.send_with(STRANGER, &to, &[(1, DENOM_AKT)], &opts(STRANGER))
        }
    }
}

fn config() -> TestConfig {
    TestConfig { funded: FUNDED, unfunded: 2, uakt: UAKT, uact: UACT, ..TestConfig::default() }
}

/// Runs `blocks` on every chain (txs built by the first), checking the first against the
/// model and every other against the first, block by block.
fn run(chains: &mut [TestChain], blocks: &[Vec<Op>]) -> Result<(), TestCaseError> {
    let mut m = Model::new();
    for (h, ops) in blocks.iter().enumerate() {
        let mut txs = Vec::new();
        let mut want = Vec::new();
        for op in ops {
            txs.push(build(&mut chains[0], &m, op));
            want.push(m.apply(op));
        }
        let results: Vec<_> = chains.iter_mut().map(|c| c.deliver_block(txs.clone())).collect();
        let codes: Vec<u32> = results[0].tx_results.iter().map(|r| r.code).collect();
        prop_assert_eq!(
            &codes,
            &want,
            "block {}: ops {:?}\nlogs {:?}",
            h + 1,
            ops,
            results[0].tx_results.iter().map(|r| &r.log).collect::<Vec<_>>()
        );
        for r in &results[1..] {
            prop_assert_eq!(r, &results[0], "results differ between chains at height {}", h + 1);
        }
        let c = &chains[0];
        for i in 0..KEYS {
            let a = c.address(i);
            prop_assert_eq!(c.balance(&a, DENOM_AKT), m.bal[i][0], "uakt of key {}", i);
            prop_assert_eq!(c.balance(&a, DENOM_ACT), m.bal[i][1], "uact of key {}", i);
            prop_assert_eq!(c.account(&a).is_some(), m.exists[i], "account of key {}", i);
            prop_assert_eq!(c.sequence(i), m.seq[i], "sequence of key {}", i);
        }
        prop_assert_eq!(c.balance(&fee_collector(), DENOM_AKT), m.fees);
        for other in &chains[1..] {
            prop_assert_eq!(other.height(), c.height());
            prop_assert_eq!(other.app_hash(), c.app_hash(), "app hash at height {}", h + 1);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn random_valid_and_invalid_sends_match_the_model_and_keep_the_invariants(blocks in blocks()) {
        let mut chains = [TestChain::new(config())];
        run(&mut chains, &blocks)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn two_fresh_chains_on_separate_stores_fed_the_same_blocks_agree_on_every_app_hash(blocks in blocks()) {
        let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
        let mut chains = dirs.each_ref().map(|d| {
            let store = Store::open(&d.path().join("state.redb"), StoreOptions::default()).unwrap();
            TestChain::with_store(config(), Arc::new(store))
        });
        prop_assert_eq!(chains[0].app_hash(), chains[1].app_hash(), "genesis app hash");
        run(&mut chains, &blocks)?;
    }
}
