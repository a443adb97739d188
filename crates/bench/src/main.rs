//! `dcloud-bench`: measures, in one run on this machine,
//! (a) raw secp256k1 signature verification rate on all cores,
//! (b) end-to-end throughput of signed bank sends: admission (`check_tx`, signatures verified
//!     in parallel as concurrent RPC requests would be) → mempool → solo driver
//!     (`prepare/process/finalize_block` → atomic commit of state + block + tx index) →
//!     mempool recheck,
//! (c) their ratio (goal: (b) ≥ 30% of (a)),
//! (d) finalize and commit time of a block of 10,000 sends,
//! (e) peak RSS.
//!
//! Run: `cargo run --release -p dcloud-bench` (env `BENCH_SENDERS`, default 10000; each
//! sender sends `BENCH_TXS_PER_SENDER` txs, default 2).

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use base64::Engine;
use dcloud_app::modules::bank::{GenesisBalance, RawCoin};
use dcloud_app::modules::consensus::Validator;
use dcloud_app::{App, CheckTxKind, Genesis};
use dcloud_consensus::{Mempool, SoloConfig, SoloDriver};
use dcloud_crypto::ed25519::NodeKey;
use dcloud_crypto::secp256k1::{PublicKey, SigningKey};
use dcloud_proto::{msg_send, SignerData, TxBuilder};
use dcloud_store::{Store, StoreOptions};
use rayon::prelude::*;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn peak_rss_mib() -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() -> anyhow::Result<()> {
    let senders = env_usize("BENCH_SENDERS", 10_000);
    let per_sender = env_usize("BENCH_TXS_PER_SENDER", 2);
    let total = senders * per_sender;
    let cores = rayon::current_num_threads();
    println!("dcloud-bench: {senders} senders x {per_sender} txs = {total} signed MsgSend txs, {cores} cores");

    // Keys and genesis.
    let keys: Vec<SigningKey> = (0..senders)
        .into_par_iter()
        .map(|i| {
            let seed = dcloud_types::sha256(&(i as u64 + 1).to_be_bytes());
            SigningKey::from_bytes(&seed).context("key")
        })
        .collect::<anyhow::Result<_>>()?;
    let addrs: Vec<String> =
        keys.par_iter().map(|k| k.public_key().address().to_string()).collect();
    let node_key = NodeKey::from_seed([42; 32]);
    let genesis = Genesis {
        chain_id: "bench-1".into(),
        genesis_time: String::new(),
        initial_height: 1,
        consensus_params: Default::default(),
        validators: vec![Validator {
            address: dcloud_types_hex(&node_key.address()),
            pub_key: base64::engine::general_purpose::STANDARD.encode(node_key.public_key()),
            power: 10,
            name: "bench".into(),
        }],
        app_state: {
            let mut a = dcloud_app::genesis::AppGenesis::default();
            a.bank.balances = addrs
                .iter()
                .map(|ad| GenesisBalance {
                    address: ad.clone(),
                    coins: vec![RawCoin { denom: "uakt".into(), amount: "100000000000".into() }],
                })
                .collect();
            a
        },
    };
    let dir = tempfile::tempdir()?;
    let store = Arc::new(Store::open(&dir.path().join("state.redb"), StoreOptions::default())?);
    let app = Arc::new(App::new(store.clone())?);
    let t = Instant::now();
    app.init_chain(&genesis)?;
    println!("genesis with {senders} funded accounts: {:.2} s", t.elapsed().as_secs_f64());

    // Account numbers: module accounts come first, then genesis balances in order.
    let acc_numbers: Vec<u64> = addrs
        .par_iter()
        .map(|a| {
            let q = app.query("/auth/account", a.as_bytes(), 0, false)?;
            let v: serde_json::Value = serde_json::from_slice(&q.value)?;
            v["account_number"].as_u64().context("account number")
        })
        .collect::<anyhow::Result<_>>()?;

    // Sign (client side, not measured as chain work).
    let t = Instant::now();
    // One extra wave (the next sequence of every sender) for the single 10,000-send block of (d).
    let mut waves: Vec<Vec<Vec<u8>>> = (0..=per_sender as u64)
        .map(|seq| {
            (0..senders)
                .into_par_iter()
                .map(|i| {
                    let to = &addrs[(i + 1) % senders];
                    let signer = SignerData {
                        chain_id: "bench-1".into(),
                        account_number: acc_numbers[i],
                        sequence: seq,
                        pubkey: keys[i].public_key().to_bytes().to_vec(),
                    };
                    TxBuilder::new()
                        .msg(&msg_send(&addrs[i], to, 1000, "uakt"))
                        .fee(5000, "uakt", 200_000)
                        .sign(&signer, |d| keys[i].sign(d))
                        .context("sign")
                })
                .collect::<anyhow::Result<Vec<_>>>()
        })
        .collect::<anyhow::Result<_>>()?;
    println!("signed {total} txs in {:.2} s (client side)", t.elapsed().as_secs_f64());

    let block_wave = waves.pop().unwrap_or_default();

    // (a) raw verification rate on all cores.
    let items: Vec<(PublicKey, Vec<u8>, Vec<u8>)> = waves[0]
        .par_iter()
        .enumerate()
        .map(|(i, raw)| {
            let tx = dcloud_proto::DecodedTx::decode(raw).context("decode")?;
            let pk = keys[i].public_key();
            Ok((pk, tx.sign_bytes("bench-1", acc_numbers[i]), tx.signature))
        })
        .collect::<anyhow::Result<_>>()?;
    let t = Instant::now();
    let rounds = 3;
    for _ in 0..rounds {
        let ok = items.par_iter().filter(|(pk, msg, sig)| pk.verify(msg, sig).is_ok()).count();
        anyhow::ensure!(ok == items.len(), "verification failed");
    }
    let verify_rate = (items.len() * rounds) as f64 / t.elapsed().as_secs_f64();
    println!("(a) raw secp256k1 verify (SHA-256 + ECDSA), {cores} cores: {verify_rate:.0} sig/s");

    // (b) end to end.
    let mempool = Arc::new(Mempool::new(total + 10, usize::MAX / 2));
    let driver = SoloDriver::new(
        app.clone(),
        mempool.clone(),
        node_key,
        SoloConfig { max_block_txs: 10_000, ..SoloConfig::default() },
    )?;
    // Submission runs concurrently with block production, as in the node: a submitter
    // admits txs on all cores (like concurrent RPC requests) while the driver makes a block
    // whenever txs wait and the last block is at least 100 ms old.
    let mut now_ms = 1_700_000_000_000u64;
    let t = Instant::now();
    let rejected = std::sync::atomic::AtomicUsize::new(0);
    let admit_secs = std::sync::Mutex::new(0.0f64);
    let mut block_stats = Vec::new();
    std::thread::scope(|scope| -> anyhow::Result<()> {
        // The submitter gets its own pool, as the node's RPC handlers run on their own threads
        // (not on the rayon pool that `finalize_block` verifies signatures with).
        let rpc_pool = rayon::ThreadPoolBuilder::new().num_threads(cores).build()?;
        let (waves, rejected, mempool, app, admit_secs) =
            (&waves, &rejected, &mempool, &app, &admit_secs);
        scope.spawn(move || {
            let ta = Instant::now();
            for wave in waves {
                rpc_pool.install(|| {
                    wave.par_iter().for_each(|raw| {
                        let r = app.check_tx_with(raw, CheckTxKind::New, |_| {
                            mempool.insert(raw.clone()).map_err(|e| (e.code(), e.to_string()))
                        });
                        if r.code != 0 {
                            rejected.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                    })
                });
            }
            if let Ok(mut a) = admit_secs.lock() {
                *a = ta.elapsed().as_secs_f64();
            }
        });
        let mut committed = 0usize;
        let mut last_block = Instant::now();
        while committed + rejected.load(std::sync::atomic::Ordering::Relaxed) < total {
            let since = last_block.elapsed();
            if mempool.is_empty() || since < std::time::Duration::from_millis(100) {
                std::thread::sleep(std::time::Duration::from_millis(2));
                continue;
            }
            now_ms += 1000;
            last_block = Instant::now();
            let cb = driver.produce_block(now_ms)?;
            let failed = cb.results.tx_results.iter().filter(|r| r.code != 0).count();
            anyhow::ensure!(failed == 0, "{failed} txs failed in block {}", cb.block.header.height);
            committed += cb.block.txs.len();
            if std::env::var("BENCH_VERBOSE").is_ok() {
                println!(
                    "  block {}: {} txs, finalize+commit+recheck {:.0} ms, store commit {:.0} ms",
                    cb.block.header.height,
                    cb.block.txs.len(),
                    cb.exec_time.as_secs_f64() * 1000.0,
                    cb.commit_time.as_secs_f64() * 1000.0
                );
            }
            block_stats.push((cb.block.txs.len(), cb.exec_time, cb.commit_time));
        }
        Ok(())
    })?;
    let rejected = rejected.into_inner();
    anyhow::ensure!(rejected == 0, "{rejected} txs rejected at admission");
    let admit_time = admit_secs.into_inner().unwrap_or(0.0);
    let e2e = total as f64 / t.elapsed().as_secs_f64();
    println!(
        "(b) end-to-end signed sends (check_tx -> mempool -> finalize -> commit -> recheck): {e2e:.0} tx/s \
         ({} blocks; submission took {:.2} s of {:.2} s)",
        block_stats.len(),
        admit_time,
        t.elapsed().as_secs_f64()
    );
    println!("(c) ratio (b)/(a): {:.1}% (goal >= 30%)", 100.0 * e2e / verify_rate);
    // (d) one block of 10,000 sends: admit them all, then make a single block.
    block_wave.par_iter().for_each(|raw| {
        let _ = app.check_tx_with(raw, CheckTxKind::New, |_| {
            mempool.insert(raw.clone()).map_err(|e| (e.code(), e.to_string()))
        });
    });
    let cb = driver.produce_block(now_ms + 1000)?;
    let failed = cb.results.tx_results.iter().filter(|r| r.code != 0).count();
    anyhow::ensure!(failed == 0, "{failed} txs failed in the (d) block");
    println!(
        "(d) one block of {} sends: finalize + commit + mempool recheck {:.0} ms, of which the \
         atomic store commit (state + block + tx index) {:.0} ms",
        cb.block.txs.len(),
        cb.exec_time.as_secs_f64() * 1000.0,
        cb.commit_time.as_secs_f64() * 1000.0
    );
    app.check_invariants_now()?;
    println!("(e) peak RSS: {:.0} MiB", peak_rss_mib());
    println!("state db on disk: {:.1} MiB", store.disk_size() as f64 / (1024.0 * 1024.0));
    Ok(())
}

fn dcloud_types_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}
