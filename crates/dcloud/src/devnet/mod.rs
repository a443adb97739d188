//! `dcloud devnet`: a one-command local network: funded `alice`, `bob`, `provider` and
//! `validator` keys in the test keyring, a solo validator node, and a provider running
//! containers on the local engine (Docker or Podman; a Podman API service is started if
//! Podman is installed but not serving). Without any engine the chain still runs and the
//! devnet says what to install.

use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context as _};
use clap::Args;
use dcloud_app::AppError;
use dcloud_crypto::keyring::{Keyring, KeyringBackend};
use dcloud_node::{NodeConfig, NodeError, RunningNode};
use dcloud_store::StoreError::Layout;
use dcloud_types::{Coin, Coins, DENOM_ACT, DENOM_AKT};
use serde::Serialize;

use dcloud_provider::cluster::engine::Engine;
use dcloud_provider::daemon::service::RunningProvider;

use crate::node::{run_until_signal, NodeFlags};
use dcloud_cli::ctx::default_home;
use dcloud_cli::process::init_logging;
use dcloud_cli::Ctx;

/// The devnet's chain id.
pub(crate) const CHAIN_ID: &str = "dcloud-devnet-1";
/// The funded keys.
pub(crate) const KEYS: [&str; 4] = ["alice", "bob", "provider", "validator"];
/// uakt given to each key.
const FUND_AKT: u128 = 1_000_000_000_000;
/// uact given to each key.
const FUND_ACT: u128 = 1_000_000_000;
/// The key the console's faucet pays from.
const FAUCET_KEY: &str = "bob";
/// uakt the faucet sends per request (100 AKT; ACT cannot be sent: it is minted from AKT).
const FAUCET_AKT: u128 = 100_000_000;

#[derive(Debug, Args)]
pub(crate) struct DevnetArgs {
    /// Delete the devnet's chain data, keys and config first and start from a fresh genesis.
    #[arg(long)]
    reset: bool,
    /// Do not run a provider (its config is still written to HOME/provider.yaml, for
    /// `dcloud provider run --config HOME/provider.yaml`).
    #[arg(long)]
    no_provider: bool,
    /// The provider's gateway (HTTPS) listen address.
    #[arg(long = "provider.gateway-laddr", default_value = "127.0.0.1:8443", value_parser = dcloud_cli::args::parse_addr)]
    gateway_laddr: std::net::SocketAddr,
    /// The provider's ingress (HTTP) listen address.
    #[arg(long = "provider.ingress-laddr", default_value = "127.0.0.1:8080", value_parser = dcloud_cli::args::parse_addr)]
    ingress_laddr: std::net::SocketAddr,
    /// Where the web console listens (`off`: no console).
    #[arg(long = "console.laddr", default_value = crate::console::DEFAULT_LISTEN, value_parser = parse_console_addr)]
    console_laddr: ConsoleAddr,
    /// AKT/USD price feeder run by the validator (an authorised oracle source):
    /// `fixed:PRICE`, `file:PATH` (re-read every tick), `sim:START` (a random walk) or `off`.
    #[arg(long, default_value = "fixed:1.50")]
    price_feed: dcloud_cli::feeder::PriceFeed,
    /// How often the feeder submits a price.
    #[arg(long, default_value = "5s", value_parser = dcloud_cli::args::parse_duration)]
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
    /// gRPC endpoint (Cosmos SDK query services), when it listens.
    #[serde(skip_serializing_if = "Option::is_none")]
    grpc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    console: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    console_problem: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    provider: Option<ProviderInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    provider_problem: Option<String>,
    created: bool,
    keys: Vec<DevKey>,
}

#[derive(Debug, Serialize)]
struct ProviderInfo {
    address: String,
    gateway: String,
    ingress: String,
    engine: String,
    image: String,
}

/// The image the devnet builds from the host's static busybox (no registry needed);
/// `examples/hello.yaml` runs it.
pub(crate) const HELLO_IMAGE: &str = "localhost/dcloud/hello:1";

fn reset(home: &Path) -> anyhow::Result<()> {
    for sub in ["config", "data", "keyring-test", "provider", "certs"] {
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
    // The old provider's address: its containers are removed once an engine is found.
    let mut old_provider = None;
    if a.reset {
        old_provider = Keyring::open(&home.join("keyring-test"), KeyringBackend::Test)
            .ok()
            .and_then(|k| k.get("provider").ok())
            .map(|i| i.address.to_string());
        step(&format!("resetting {}", home.display()));
        reset(&home)?;
    }
    let gpath = dcloud_node::genesis_path(&home);
    let created = !gpath.exists();
    let keyring = Keyring::open(&home.join("keyring-test"), KeyringBackend::Test)?;
    let keys = if created {
        create_home(&home, &gpath, &keyring, &a.price_feed)?
    } else {
        reuse_home(&home, &gpath, &keyring)?
    };
    let node = start_node(&home, created, &a).await?;
    let rpc = format!("http://{}", node.rpc_addr);
    if a.price_feed != dcloud_cli::feeder::PriceFeed::Off {
        let key = keyring.signing_key("validator")?;
        step(&format!("price feeder: {:?} every {:?}", a.price_feed, a.price_interval));
        tokio::spawn(dcloud_cli::feeder::run(
            format!("http://{}", node.rpc_addr),
            key,
            CHAIN_ID.into(),
            a.price_feed.clone(),
            a.price_interval,
        ));
    }
    let mut info = DevnetInfo {
        chain_id: CHAIN_ID.into(),
        home: home.display().to_string(),
        rpc: rpc.clone(),
        api: format!("http://{}", node.api_addr),
        grpc: node.grpc_addr.map(|a| format!("http://{a}")),
        console: None,
        console_problem: None,
        provider: None,
        provider_problem: None,
        created,
        keys,
    };
    if let ConsoleAddr(Some(listen)) = a.console_laddr {
        // The faucet pays from bob (alice is the examples' tenant, the validator feeds prices).
        let faucet = keyring.signing_key(FAUCET_KEY).ok().map(|key| dcloud_console::Faucet {
            key,
            amounts: vec![(FAUCET_AKT, DENOM_AKT.into())],
        });
        let cfg = dcloud_console::ConsoleConfig {
            rpc: rpc.clone(),
            rest: info.api.clone(),
            listen,
            faucet,
        };
        match dcloud_console::start(cfg).await {
            Ok(c) => info.console = Some(format!("http://{}/", c.addr)),
            Err(e) => {
                info.console_problem = Some(format!("{e} (pass --console.laddr ADDR or off)"))
            }
        }
    }
    let (engine, provider) =
        provide(ctx, &home, &a, &rpc, old_provider.as_deref(), &mut info).await?;
    if ctx.output.is_json() {
        println!("{}", serde_json::to_string(&info)?);
    } else {
        print_banner(&info, a.no_provider);
    }
    let r = run_until_signal(node).await;
    if let Some(p) = provider {
        p.shutdown();
    }
    drop(engine);
    r
}

/// A fresh devnet home: node home, keys (created where missing, with their mnemonics),
/// and a genesis funding every key, with the oracle, BME and staking set up.
fn create_home(
    home: &Path,
    gpath: &Path,
    keyring: &Keyring,
    price_feed: &dcloud_cli::feeder::PriceFeed,
) -> anyhow::Result<Vec<DevKey>> {
    step(&format!("creating devnet home {} (chain-id {CHAIN_ID})", home.display()));
    dcloud_node::init_home(home, "validator", CHAIN_ID, true)?;
    let mut genesis = crate::genesis::load(gpath)?;
    let funds =
        Coins::from_coins([Coin::new(FUND_AKT, DENOM_AKT), Coin::new(FUND_ACT, DENOM_ACT)])?;
    let mut keys = Vec::new();
    for name in KEYS {
        let (info, mnemonic) = match keyring.get(name) {
            Ok(info) => (info, None),
            Err(_) => {
                let (info, m) = keyring.add(name, None)?;
                (info, Some(m))
            }
        };
        dcloud_testkit::add_balance(&mut genesis, &info.address, &funds)?;
        keys.push(DevKey { name: name.into(), address: info.address.to_string(), mnemonic });
    }
    let operator = keyring.get("validator")?.address;
    dcloud_testkit::devnet::oracle_and_bme(&mut genesis, &operator, &price_feed.initial())?;
    dcloud_testkit::devnet::staking(&mut genesis, &operator)?;
    dcloud_testkit::devnet::governance(&mut genesis)?;
    crate::genesis::save(gpath, &genesis)?;
    Ok(keys)
}

/// An existing devnet home (refused if its genesis is another chain's): its keys.
fn reuse_home(home: &Path, gpath: &Path, keyring: &Keyring) -> anyhow::Result<Vec<DevKey>> {
    step(&format!("reusing devnet home {} (pass --reset to start over)", home.display()));
    let genesis = crate::genesis::load(gpath)?;
    if genesis.chain_id != CHAIN_ID {
        bail!(
            "{} holds chain {:?}, not a devnet: use another --home or pass --reset",
            home.display(),
            genesis.chain_id
        );
    }
    let mut keys = Vec::new();
    for name in KEYS {
        if let Ok(info) = keyring.get(name) {
            keys.push(DevKey {
                name: name.into(),
                address: info.address.to_string(),
                mnemonic: None,
            });
        }
    }
    Ok(keys)
}

/// Starts the validator node with the devnet's flags (saved, so that `dcloud node start`
/// restarts the same devnet).
async fn start_node(home: &Path, created: bool, a: &DevnetArgs) -> anyhow::Result<RunningNode> {
    let mut cfg = NodeConfig::load(home)?;
    if created && a.flags.block_time.is_none() {
        cfg.block_time = Duration::from_secs(1);
    }
    a.flags.apply(&mut cfg);
    // gRPC on the SDK's port unless told otherwise; a devnet beside another one (or any
    // process on 9090) runs without it (the summary then shows no gRPC line).
    let default_grpc: std::net::SocketAddr = ([127, 0, 0, 1], 9090).into();
    if a.flags.grpc_laddr.is_none() && cfg.grpc_listen.is_none_or(|g| g == default_grpc) {
        cfg.grpc_listen = Some(default_grpc);
        cfg.grpc_best_effort = true;
    }
    // Remember the flags so that `dcloud node start --home …` restarts the same devnet.
    cfg.save()?;
    step("starting the validator node");
    init_logging("warn");
    RunningNode::start(cfg).await.map_err(|e| {
        // A home written by an older build (another store layout): say how to start over.
        let old_layout = matches!(
            &e,
            NodeError::Store(Layout { .. }) | NodeError::App(AppError::Store(Layout { .. }))
        );
        let hint = if old_layout {
            " (this devnet home was written by an older dcloud: `dcloud devnet --reset` starts a fresh one)"
        } else {
            ""
        };
        anyhow::Error::new(e).context(format!("cannot start the devnet node{hint}"))
    })
}

/// The provider: its config always (HOME/provider.yaml); the engine and the daemon unless
/// `--no-provider`. What went wrong lands in `info.provider_problem`.
async fn provide(
    ctx: &Ctx,
    home: &Path,
    a: &DevnetArgs,
    rpc: &str,
    old_provider: Option<&str>,
    info: &mut DevnetInfo,
) -> anyhow::Result<(Option<Engine>, Option<RunningProvider>)> {
    let mut engine = None;
    if !a.no_provider {
        step("looking for a container engine");
        match dcloud_provider::cluster::engine::ensure(&home.join("engine")).await {
            Ok(e) => {
                if let Some(old) = old_provider {
                    remove_old_workloads(&e.docker_host, old).await;
                }
                engine = Some(e)
            }
            Err(e) => info.provider_problem = Some(e.to_string()),
        }
    }
    let docker_host = engine.as_ref().map(|e| e.docker_host.clone());
    let yaml = dcloud_cli::provider::devnet_config(
        home,
        rpc,
        docker_host.as_deref(),
        a.gateway_laddr,
        a.ingress_laddr,
    );
    let ypath = home.join("provider.yaml");
    std::fs::write(&ypath, &yaml).with_context(|| format!("cannot write {}", ypath.display()))?;
    let mut provider = None;
    if let Some(e) = &engine {
        step(&format!("container engine: {} ({})", e.docker_host, e.source));
        match start_provider(ctx, &ypath, &yaml, &e.docker_host).await {
            Ok((p, image)) => {
                info.provider = Some(ProviderInfo {
                    address: p.address.to_string(),
                    gateway: format!("https://localhost:{}", p.gateway_addr.port()),
                    ingress: format!("http://{}", p.ingress_addr),
                    engine: e.docker_host.clone(),
                    image,
                });
                provider = Some(p);
            }
            Err(err) => info.provider_problem = Some(format!("{err:#}")),
        }
    }
    Ok((engine, provider))
}

/// Tears down the containers a reset devnet's provider left behind.
async fn remove_old_workloads(docker_host: &str, provider: &str) {
    use dcloud_provider::cluster::{Backend, BackendSettings};
    let settings = BackendSettings::new("localhost", "localhost", provider);
    let Ok(b) =
        dcloud_provider::cluster::docker::DockerBackend::connect(settings, Some(docker_host)).await
    else {
        return;
    };
    if let Ok(leases) = b.list().await {
        if !leases.is_empty() {
            step(&format!("removing {} workload(s) of the previous devnet", leases.len()));
        }
        for (lease, _) in leases {
            let _ = b.teardown(&lease).await;
        }
    }
}

/// Builds the hello image (when the host has a static busybox) and starts the provider.
async fn start_provider(
    ctx: &Ctx,
    ypath: &Path,
    yaml: &str,
    docker_host: &str,
) -> anyhow::Result<(dcloud_provider::daemon::service::RunningProvider, String)> {
    let image = if dcloud_provider::cluster::testimage::busybox_image_supported() {
        let docker = dcloud_provider::cluster::engine::connect(docker_host)
            .ok_or_else(|| anyhow::anyhow!("cannot use the engine at {docker_host}"))?;
        step(&format!("building the example image {HELLO_IMAGE} from /bin/busybox"));
        dcloud_provider::cluster::testimage::ensure_busybox_image(&docker, HELLO_IMAGE).await?;
        HELLO_IMAGE.to_string()
    } else {
        format!("(not built: no static /bin/busybox; install busybox-static for {HELLO_IMAGE})")
    };
    let mut cfg = dcloud_provider::daemon::config::ProviderConfig::from_yaml(
        yaml,
        &ypath.display().to_string(),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    cfg.expand_paths();
    step("starting the provider");
    let p = dcloud_cli::provider::start(ctx, cfg).await?;
    Ok((p, image))
}

fn print_banner(info: &DevnetInfo, no_provider: bool) {
    println!();
    println!("dcloud devnet is running (chain-id {})", info.chain_id);
    println!("  RPC:  {}", info.rpc);
    println!("  API:  {}", info.api);
    if let Some(g) = &info.grpc {
        println!("  gRPC: {g}");
    }
    println!("  home: {}", info.home);
    match (&info.console, &info.console_problem) {
        (Some(url), _) if dcloud_console::embedded() => println!("  console: {url}"),
        (Some(url), _) => println!(
            "  console: {url} (built without the web app: `cd web && npm ci && npm run build`, then rebuild dcloud)"
        ),
        (None, Some(why)) => println!("  console: not running: {why}"),
        (None, None) => {}
    }
    match (&info.provider, &info.provider_problem) {
        (Some(p), _) => {
            println!("  provider: {} (gateway {}, ingress {})", p.address, p.gateway, p.ingress);
            println!("            containers on {}; example image {}", p.engine, p.image);
        }
        (None, Some(why)) => println!("  provider: not running: {why}"),
        (None, None) if no_provider => println!(
            "  provider: not started (--no-provider); run it with `dcloud provider run --config {}/provider.yaml`",
            info.home
        ),
        (None, None) => {}
    }
    println!(
        "  periods: unbonding {} min, gov deposit {} min, gov voting {} min",
        dcloud_testkit::devnet::DEVNET_UNBONDING_MS / 60_000,
        dcloud_testkit::devnet::DEVNET_GOV_PERIOD_MS / 60_000,
        dcloud_testkit::devnet::DEVNET_GOV_PERIOD_MS / 60_000
    );
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
    if let Some(p) = &info.provider {
        println!("  dcloud deploy examples/hello.yaml --from alice -y");
        println!("  curl -H 'Host: <uri printed by deploy>' {}/", p.ingress);
    }
    println!("  dcloud query oracle price");
    println!("  dcloud tx bme mint-act 100000000uakt --from alice -y   # 100 AKT → ACT at the next epoch");
    println!("  dcloud query bme vault-state");
    println!();
    println!(
        "Press Ctrl-C to stop. Restart later with the same command (state is kept) or --reset."
    );
}

/// `--console.laddr`: an address, or `off` (None).
#[derive(Debug, Clone, Copy)]
struct ConsoleAddr(Option<std::net::SocketAddr>);

fn parse_console_addr(s: &str) -> Result<ConsoleAddr, String> {
    if s.eq_ignore_ascii_case("off") {
        return Ok(ConsoleAddr(None));
    }
    dcloud_cli::args::parse_addr(s).map(|a| ConsoleAddr(Some(a)))
}

fn shell_quote(s: &str) -> String {
    if s.bytes().all(|b| b.is_ascii_alphanumeric() || b"/._-~".contains(&b)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
