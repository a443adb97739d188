//! `dcloud testnet --validators N --dir DIR`: an N-validator BFT network on this machine.
//!
//! Writes one home per node (`DIR/node0` …) sharing one genesis: N validators with a staking
//! genesis (equal self-delegations, as the devnet's single validator), a funded operator
//! key per validator and a funded `user` key in `DIR/keyring-test`; distinct loopback ports
//! per node (`base + 10·i`: RPC, +1 REST, +2 P2P); every node lists all others as
//! persistent peers and as tx-gossip targets. Then starts every node as a child process
//! (`dcloud node start --home DIR/nodeI`, logs in `DIR/nodeI/node.log`), prints each RPC URL
//! and stops them all on Ctrl-C. `--init-only` writes the homes without starting them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context as _};
use clap::Args;
use dcloud_app::modules::bank::{GenesisBalance, RawCoin};
use dcloud_app::modules::consensus::Validator;
use dcloud_app::modules::staking;
use dcloud_crypto::keyring::{Keyring, KeyringBackend};
use dcloud_node::{DriverKind, NodeConfig};
use dcloud_types::{Coin, Coins, DENOM_ACT, DENOM_AKT};

use dcloud_cli::Ctx;

/// Funds of every genesis account.
const FUND_AKT: u128 = 1_000_000_000_000;
const FUND_ACT: u128 = 1_000_000_000;
/// Each validator's self-delegation (equal voting power).
const SELF_DELEGATION: u128 = 1_000_000_000;

/// Arguments of `dcloud testnet`.
#[derive(Debug, Args)]
pub(crate) struct TestnetArgs {
    /// Number of validators.
    #[arg(long, default_value_t = 4)]
    validators: usize,
    /// Directory for the node homes (reused when it already holds a testnet).
    #[arg(long, default_value = "./testnet")]
    dir: PathBuf,
    /// First port; node i uses base+10·i (RPC), +1 (REST), +2 (P2P).
    #[arg(long, default_value_t = 26700)]
    base_port: u16,
    /// Chain id.
    #[arg(long, default_value = "dcloud-testnet-1")]
    chain_id: String,
    /// Target time between blocks.
    #[arg(long, default_value = "1s", value_parser = dcloud_cli::args::parse_duration)]
    block_time: Duration,
    /// Delete DIR first.
    #[arg(long)]
    reset: bool,
    /// Write the homes, do not start the nodes.
    #[arg(long)]
    init_only: bool,
}

fn node_home(dir: &Path, i: usize) -> PathBuf {
    dir.join(format!("node{i}"))
}

/// Writes the homes and the shared genesis.
fn init(a: &TestnetArgs) -> anyhow::Result<()> {
    let n = a.validators;
    if n == 0 || n > 100 {
        bail!("--validators must be between 1 and 100");
    }
    if usize::from(a.base_port) + 10 * n > 65_000 {
        bail!("--base-port {} leaves no room for {n} nodes", a.base_port);
    }
    std::fs::create_dir_all(&a.dir)
        .with_context(|| format!("cannot create {}", a.dir.display()))?;
    let keyring = Keyring::open(&a.dir.join("keyring-test"), KeyringBackend::Test)?;
    let funds =
        Coins::from_coins([Coin::new(FUND_AKT, DENOM_AKT), Coin::new(FUND_ACT, DENOM_ACT)])?;
    let coins: Vec<RawCoin> = funds.iter().map(|c| RawCoin::from(&c)).collect();
    let mut validators = Vec::new();
    let mut staking_vals = Vec::new();
    let mut balances = Vec::new();
    for i in 0..n {
        let home = node_home(&a.dir, i);
        let out = dcloud_node::init_home(&home, &format!("node{i}"), &a.chain_id, true)?;
        let g = dcloud_app::Genesis::from_json(&std::fs::read_to_string(&out.genesis_path)?)
            .map_err(|e| anyhow::anyhow!("{}: {e}", out.genesis_path.display()))?;
        let v: Validator = g.validators.into_iter().next().context("init wrote no validator")?;
        let (info, _) = match keyring.get(&format!("validator{i}")) {
            Ok(info) => (info, None),
            Err(_) => keyring.add(&format!("validator{i}"), None).map(|(i, m)| (i, Some(m)))?,
        };
        balances.push(GenesisBalance { address: info.address.to_string(), coins: coins.clone() });
        staking_vals.push(staking::GenesisValidator {
            operator: info.address.to_string(),
            pub_key: v.pub_key.clone(),
            moniker: v.name.clone(),
            commission_rate: "0.1".into(),
            commission_max_rate: "0.2".into(),
            commission_max_change_rate: "0.01".into(),
            self_delegation: SELF_DELEGATION,
        });
        validators.push(v);
    }
    let user = match keyring.get("user") {
        Ok(info) => info,
        Err(_) => keyring.add("user", None)?.0,
    };
    balances.push(GenesisBalance { address: user.address.to_string(), coins });
    let mut genesis = dcloud_app::Genesis::from_json(&std::fs::read_to_string(
        dcloud_node::genesis_path(&node_home(&a.dir, 0)),
    )?)
    .map_err(|e| anyhow::anyhow!("genesis: {e}"))?;
    genesis.validators = validators;
    genesis.app_state.bank.balances = balances;
    genesis.app_state.staking = Some(staking::StakingGenesis {
        params: staking::StakingParams {
            unbonding_time_ms: 5 * 60 * 1000,
            ..staking::StakingParams::default()
        },
        validators: staking_vals,
        delegations: Vec::new(),
    });
    let problems = genesis.validate();
    if !problems.is_empty() {
        bail!("testnet genesis is invalid:\n  - {}", problems.join("\n  - "));
    }
    let gjson = genesis.to_json();
    let port = |i: usize, k: usize| usize::from(a.base_port) + 10 * i + k;
    for i in 0..n {
        let home = node_home(&a.dir, i);
        std::fs::write(dcloud_node::genesis_path(&home), &gjson)?;
        let mut cfg = NodeConfig::load(&home)?;
        cfg.rpc_listen = format!("127.0.0.1:{}", port(i, 0)).parse()?;
        cfg.api_listen = format!("127.0.0.1:{}", port(i, 1)).parse()?;
        cfg.grpc_listen = Some(format!("127.0.0.1:{}", port(i, 3)).parse()?);
        cfg.block_time = a.block_time;
        cfg.consensus.driver = DriverKind::Bft;
        cfg.p2p.listen = format!("/ip4/127.0.0.1/tcp/{}", port(i, 2));
        let others = (0..n).filter(|&j| j != i);
        cfg.p2p.persistent_peers =
            others.clone().map(|j| format!("/ip4/127.0.0.1/tcp/{}", port(j, 2))).collect();
        cfg.p2p.peer_rpc = others.map(|j| format!("http://127.0.0.1:{}", port(j, 0))).collect();
        cfg.save()?;
    }
    Ok(())
}

/// Runs `dcloud testnet`.
pub(crate) async fn run(_ctx: &Ctx, a: TestnetArgs) -> anyhow::Result<()> {
    if a.reset && a.dir.exists() {
        std::fs::remove_dir_all(&a.dir)
            .with_context(|| format!("cannot remove {}", a.dir.display()))?;
    }
    let existing =
        (0..a.validators).all(|i| dcloud_node::genesis_path(&node_home(&a.dir, i)).exists());
    if existing {
        eprintln!("reusing the testnet in {} (pass --reset to start over)", a.dir.display());
    } else {
        eprintln!("writing {} validator homes in {}", a.validators, a.dir.display());
        init(&a)?;
    }
    if a.init_only {
        for i in 0..a.validators {
            println!("node{i}: dcloud node start --home {}", node_home(&a.dir, i).display());
        }
        return Ok(());
    }
    let exe = std::env::current_exe().context("cannot find the dcloud executable")?;
    let mut children = Vec::new();
    for i in 0..a.validators {
        let home = node_home(&a.dir, i);
        let log = std::fs::File::create(home.join("node.log"))?;
        let child = tokio::process::Command::new(&exe)
            .args(["node", "start", "--home"])
            .arg(&home)
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("cannot start node{i}"))?;
        let cfg = NodeConfig::load(&home)?;
        println!(
            "node{i}: RPC http://{}  (log {})",
            cfg.rpc_listen,
            home.join("node.log").display()
        );
        children.push(child);
    }
    println!("{} validators running; Ctrl-C stops them all", a.validators);
    let mut exited = None;
    tokio::select! {
        _ = stop_signal() => {}
        r = wait_any(&mut children) => exited = Some(r),
    }
    for c in &children {
        if let Some(pid) = c.id() {
            let _ = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status();
        }
    }
    for c in &mut children {
        if tokio::time::timeout(Duration::from_secs(10), c.wait()).await.is_err() {
            let _ = c.kill().await;
        }
    }
    if let Some((i, status)) = exited {
        bail!("node{i} exited ({status}); see {}", node_home(&a.dir, i).join("node.log").display());
    }
    eprintln!("stopped");
    Ok(())
}

/// Ctrl-C or SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

async fn wait_any(children: &mut [tokio::process::Child]) -> (usize, String) {
    loop {
        for (i, c) in children.iter_mut().enumerate() {
            if let Ok(Some(s)) = c.try_wait() {
                return (i, s.to_string());
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
