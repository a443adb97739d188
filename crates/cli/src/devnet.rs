//! `dcloud devnet`: a one-command local network (chain part): funded `alice`, `bob`,
//! `provider` and `validator` keys in the test keyring, and a solo validator node.

use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context as _};
use clap::Args;
use dcloud_crypto::keyring::{Keyring, KeyringBackend};
use dcloud_node::{NodeConfig, RunningNode};
use dcloud_types::{Coin, Coins, DENOM_ACT, DENOM_AKT};
use serde::Serialize;

use crate::ctx::{default_home, Ctx};
use crate::node::{init_logging, run_until_signal, NodeFlags};

/// The devnet's chain id.
pub(crate) const CHAIN_ID: &str = "dcloud-devnet-1";
/// The funded keys.
pub(crate) const KEYS: [&str; 4] = ["alice", "bob", "provider", "validator"];
/// uakt given to each key.
const FUND_AKT: u128 = 1_000_000_000_000;
/// uact given to each key.
const FUND_ACT: u128 = 1_000_000_000;
/// uakt seeded into the BME vault at genesis: collateral for the genesis ACT.
const VAULT_AKT: u128 = 8_000_000_000;

#[derive(Debug, Args)]
pub(crate) struct DevnetArgs {
    /// Delete the devnet's chain data, keys and config first and start from a fresh genesis.
    #[arg(long)]
    reset: bool,
    /// Do not run a provider (the provider is not part of dcloud yet: this is the default).
    #[arg(long)]
    no_provider: bool,
    /// AKT/USD price feeder run by the validator (an authorised oracle source):
    /// `fixed:PRICE`, `file:PATH` (re-read every tick), `sim:START` (a random walk) or `off`.
    #[arg(long, default_value = "fixed:1.50")]
    price_feed: crate::feeder::PriceFeed,
    /// How often the feeder submits a price.
    #[arg(long, default_value = "5s", value_parser = crate::node::parse_duration)]
    price_interval: Duration,
    #[command(flatten)]
    flags: NodeFlags,
}

#[derive(Debug, Serialize)]
struct DevKey {
    name: String,
    address: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    mnemonic: Option<String>,
}

#[derive(Debug, Serialize)]
struct DevnetInfo {
    chain_id: String,
    home: String,
    rpc: String,
    api: String,
    created: bool,
    keys: Vec<DevKey>,
}

fn reset(home: &Path) -> anyhow::Result<()> {
    for sub in ["config", "data", "keyring-test"] {
        let p = home.join(sub);
        if p.exists() {
            std::fs::remove_dir_all(&p)
                .with_context(|| format!("cannot remove {}", p.display()))?;
        }
    }
    Ok(())
}

fn step(msg: &str) {
    eprintln!("» {msg}");
}

pub(crate) async fn run(ctx: &Ctx, a: DevnetArgs) -> anyhow::Result<()> {
    let home = ctx.home.clone().unwrap_or_else(|| default_home(".dcloud-devnet"));
    if a.reset {
        step(&format!("resetting {}", home.display()));
        reset(&home)?;
    }
    let gpath = dcloud_node::genesis_path(&home);
    let created = !gpath.exists();
    let keyring = Keyring::open(&home.join("keyring-test"), KeyringBackend::Test)?;
    let mut keys = Vec::new();
    if created {
        step(&format!("creating devnet home {} (chain-id {CHAIN_ID})", home.display()));
        dcloud_node::init_home(&home, "validator", CHAIN_ID, true)?;
        let mut genesis = crate::genesis::load(&gpath)?;
        let funds =
            Coins::from_coins([Coin::new(FUND_AKT, DENOM_AKT), Coin::new(FUND_ACT, DENOM_ACT)])?;
        for name in KEYS {
            let (info, mnemonic) = match keyring.get(name) {
                Ok(info) => (info, None),
                Err(_) => {
                    let (info, m) = keyring.add(name, None)?;
                    (info, Some(m))
                }
            };
            crate::genesis::add_balance(&mut genesis, &info.address, &funds)?;
            keys.push(DevKey { name: name.into(), address: info.address.to_string(), mnemonic });
        }
        oracle_and_bme_genesis(&mut genesis, &keyring, &a.price_feed)?;
        crate::genesis::save(&gpath, &genesis)?;
    } else {
        step(&format!("reusing devnet home {} (pass --reset to start over)", home.display()));
        let genesis = crate::genesis::load(&gpath)?;
        if genesis.chain_id != CHAIN_ID {
            bail!(
                "{} holds chain {:?}, not a devnet: use another --home or pass --reset",
                home.display(),
                genesis.chain_id
            );
        }
        for name in KEYS {
            if let Ok(info) = keyring.get(name) {
                keys.push(DevKey {
                    name: name.into(),
                    address: info.address.to_string(),
                    mnemonic: None,
                });
            }
        }
    }
    let mut cfg = NodeConfig::load(&home)?;
    if created && a.flags.block_time.is_none() {
        cfg.block_time = Duration::from_secs(1);
    }
    a.flags.apply(&mut cfg);
    // Remember the flags so that `dcloud node start --home …` restarts the same devnet.
    cfg.save()?;
    step("starting the validator node");
    init_logging("warn");
    let node = RunningNode::start(cfg).await.context("cannot start the devnet node")?;
    if a.price_feed != crate::feeder::PriceFeed::Off {
        let key = keyring.signing_key("validator")?;
        step(&format!("price feeder: {:?} every {:?}", a.price_feed, a.price_interval));
        tokio::spawn(crate::feeder::run(
            format!("http://{}", node.rpc_addr),
            key,
            CHAIN_ID.into(),
            a.price_feed.clone(),
            a.price_interval,
        ));
    }
    let info = DevnetInfo {
        chain_id: CHAIN_ID.into(),
        home: home.display().to_string(),
        rpc: format!("http://{}", node.rpc_addr),
        api: format!("http://{}", node.api_addr),
        created,
        keys,
    };
    if ctx.output.is_json() {
        println!("{}", serde_json::to_string(&info)?);
    } else {
        print_banner(&info, a.no_provider);
    }
    run_until_signal(node).await
}

/// The devnet's oracle and BME: the `validator` key is the price source and the BME
/// authority, the genesis price is the feed's first value, prices stay fresh for 120
/// blocks (a 5 s feeder has slack), and the vault holds AKT backing the genesis ACT.
fn oracle_and_bme_genesis(
    genesis: &mut dcloud_app::Genesis,
    keyring: &Keyring,
    feed: &crate::feeder::PriceFeed,
) -> anyhow::Result<()> {
    use dcloud_app::modules::{bme, oracle};
    let validator = keyring.get("validator")?.address.to_string();
    genesis.app_state.oracle = Some(oracle::OracleGenesis {
        params: oracle::OracleParams {
            sources: vec![validator.clone()],
            max_price_staleness_blocks: 120,
            ..oracle::OracleParams::default()
        },
        prices: vec![oracle::GenesisPrice { source: validator.clone(), price: feed.initial() }],
    });
    genesis.app_state.bme =
        Some(bme::BmeParams { authority: validator, ..bme::BmeParams::default() });
    crate::genesis::add_balance(genesis, &bme::vault_address(), &Coins::one(VAULT_AKT, DENOM_AKT))?;
    let problems = genesis.validate();
    if !problems.is_empty() {
        bail!("devnet genesis is invalid:\n  - {}", problems.join("\n  - "));
    }
    Ok(())
}

fn print_banner(info: &DevnetInfo, no_provider: bool) {
    println!();
    println!("dcloud devnet is running (chain-id {})", info.chain_id);
    println!("  RPC:  {}", info.rpc);
    println!("  API:  {}", info.api);
    println!("  home: {}", info.home);
    if !no_provider {
        println!("  provider: not part of dcloud yet (nothing to start)");
    }
    println!();
    println!(
        "Keys (test keyring, each funded with {FUND_AKT}{DENOM_AKT} and {FUND_ACT}{DENOM_ACT}):"
    );
    for k in &info.keys {
        println!("  {:<10} {}", k.name, k.address);
        if let Some(m) = &k.mnemonic {
            println!("             mnemonic: {m}");
        }
    }
    println!();
    println!("Try, in another terminal:");
    println!(
        "  export DCLOUD_HOME={} DCLOUD_KEYRING_BACKEND=test DCLOUD_NODE={}",
        shell_quote(&info.home),
        info.rpc
    );
    println!("  dcloud status");
    println!("  dcloud query bank balances bob");
    println!("  dcloud tx bank send alice bob 1000000uakt -y");
    println!("  dcloud query oracle price");
    println!("  dcloud tx bme mint-act 100000000uakt --from alice -y   # 100 AKT → ACT at the next epoch");
    println!("  dcloud query bme vault-state");
    println!();
    println!(
        "Press Ctrl-C to stop. Restart later with the same command (state is kept) or --reset."
    );
}

fn shell_quote(s: &str) -> String {
    if s.bytes().all(|b| b.is_ascii_alphanumeric() || b"/._-~".contains(&b)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
