//! `dcloud init` and `dcloud node start`.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use dcloud_node::{NodeConfig, RunningNode};

use dcloud_cli::args::{parse_addr, parse_duration};
use dcloud_cli::output::print_json;
use dcloud_cli::process::{init_logging, shutdown_signal};
use dcloud_cli::Ctx;

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// This node's name.
    moniker: String,
    /// Replace an existing genesis and wipe the chain data.
    #[arg(long)]
    overwrite: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum NodeCmd {
    /// Run the node in the foreground until Ctrl-C.
    Start(StartArgs),
}

/// Flags that override `config.toml`.
#[derive(Debug, Args, Default, Clone)]
pub(crate) struct NodeFlags {
    /// Longest time between blocks, e.g. `500ms`, `1s`.
    #[arg(long, value_parser = parse_duration)]
    pub block_time: Option<Duration>,
    /// Check all invariants after every block (halts on a broken one).
    #[arg(long)]
    pub check_invariants: bool,
    /// JSON-RPC listen address, e.g. `127.0.0.1:26657`.
    #[arg(long = "rpc.laddr", value_parser = parse_addr)]
    pub rpc_laddr: Option<SocketAddr>,
    /// REST API listen address, e.g. `127.0.0.1:1317`.
    #[arg(long = "api.laddr", value_parser = parse_addr)]
    pub api_laddr: Option<SocketAddr>,
    /// Consensus driver: `solo` (one validator) or `bft` (Malachite with peers).
    #[arg(long = "consensus.driver", value_parser = ["solo", "bft"])]
    pub driver: Option<String>,
    /// P2P listen address (multiaddr), e.g. `/ip4/0.0.0.0/tcp/26656` (bft).
    #[arg(long = "p2p.laddr")]
    pub p2p_laddr: Option<String>,
    /// Peers to stay connected to, comma-separated multiaddrs, e.g.
    /// `/ip4/10.0.0.1/tcp/26656,/ip4/10.0.0.2/tcp/26656` (replaces the config's list).
    #[arg(long = "p2p.persistent_peers", value_delimiter = ',')]
    pub persistent_peers: Option<Vec<String>>,
    /// Peers' JSON-RPC URLs for tx gossip, comma-separated (replaces the config's list).
    #[arg(long = "p2p.peer_rpc", value_delimiter = ',')]
    pub peer_rpc: Option<Vec<String>>,
    /// A P2P identity key file apart from the node key (relative to the home).
    #[arg(long = "p2p.key_file")]
    pub p2p_key_file: Option<String>,
    /// gRPC listen address (Cosmos SDK query services), e.g. `127.0.0.1:9090`.
    #[arg(long = "grpc.laddr", value_parser = parse_addr)]
    pub grpc_laddr: Option<SocketAddr>,
}

impl NodeFlags {
    /// Applies the flags to a config.
    pub(crate) fn apply(&self, cfg: &mut NodeConfig) {
        if let Some(b) = self.block_time {
            cfg.block_time = b;
        }
        if self.check_invariants {
            cfg.check_invariants = true;
        }
        if let Some(a) = self.rpc_laddr {
            cfg.rpc_listen = a;
        }
        if let Some(a) = self.api_laddr {
            cfg.api_listen = a;
        }
        match self.driver.as_deref() {
            Some("bft") => cfg.consensus.driver = dcloud_node::DriverKind::Bft,
            Some("solo") => cfg.consensus.driver = dcloud_node::DriverKind::Solo,
            _ => {}
        }
        if let Some(l) = &self.p2p_laddr {
            cfg.p2p.listen = l.clone();
        }
        if let Some(p) = &self.persistent_peers {
            cfg.p2p.persistent_peers = p.iter().filter(|s| !s.is_empty()).cloned().collect();
        }
        if let Some(p) = &self.peer_rpc {
            cfg.p2p.peer_rpc = p.iter().filter(|s| !s.is_empty()).cloned().collect();
        }
        if let Some(k) = &self.p2p_key_file {
            cfg.p2p.key_file = k.clone();
        }
        if let Some(a) = self.grpc_laddr {
            cfg.grpc_listen = Some(a);
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct StartArgs {
    #[command(flatten)]
    flags: NodeFlags,
}

pub(crate) fn init(ctx: &Ctx, a: InitArgs) -> anyhow::Result<()> {
    let home = ctx.home();
    let chain_id = ctx.chain_id.clone().ok_or_else(|| {
        anyhow::anyhow!(
            "--chain-id is required, e.g. `dcloud init {} --chain-id dcloud-1`",
            a.moniker
        )
    })?;
    let out = dcloud_node::init_home(&home, &a.moniker, &chain_id, a.overwrite)?;
    if ctx.output.is_json() {
        print_json(&serde_json::json!({
            "moniker": a.moniker,
            "chain_id": chain_id,
            "home": home,
            "validator_address": out.node_key_address,
            "genesis_file": out.genesis_path,
        }))?;
    } else {
        println!("initialised {} for chain {chain_id}", home.display());
        println!("  validator: {}", out.node_key_address);
        println!("  genesis:   {}", out.genesis_path.display());
        println!("next: fund accounts with `dcloud genesis add-account ADDRESS COINS`, then `dcloud node start`");
    }
    Ok(())
}

pub(crate) async fn run(ctx: &Ctx, cmd: NodeCmd) -> anyhow::Result<()> {
    match cmd {
        NodeCmd::Start(a) => start(ctx, a).await,
    }
}

async fn start(ctx: &Ctx, a: StartArgs) -> anyhow::Result<()> {
    let home = ctx.home();
    if !dcloud_node::genesis_path(&home).exists() {
        anyhow::bail!(
            "{} is not a dcloud home (no config/genesis.json): run `dcloud init MONIKER --chain-id ID` or `dcloud devnet`",
            home.display()
        );
    }
    let mut cfg = NodeConfig::load(&home)?;
    a.flags.apply(&mut cfg);
    init_logging("info");
    let node = RunningNode::start(cfg).await.context("cannot start the node")?;
    if ctx.output.is_json() {
        print_json(&serde_json::json!({
            "rpc": format!("http://{}", node.rpc_addr),
            "api": format!("http://{}", node.api_addr),
            "home": home,
        }))?;
    } else {
        println!(
            "node running: RPC http://{}  API http://{}  (Ctrl-C to stop)",
            node.rpc_addr, node.api_addr
        );
    }
    run_until_signal(node).await
}

/// Waits for Ctrl-C / SIGTERM (then shuts down cleanly) or for the chain to halt.
pub(crate) async fn run_until_signal(mut node: RunningNode) -> anyhow::Result<()> {
    let halted = tokio::select! {
        r = node.wait() => Some(r),
        _ = shutdown_signal() => None,
    };
    match halted {
        Some(r) => {
            r.context("the node stopped")?;
            Ok(())
        }
        None => {
            eprintln!("stopping…");
            node.shutdown().await.context("error while stopping")?;
            eprintln!("stopped cleanly");
            Ok(())
        }
    }
}
