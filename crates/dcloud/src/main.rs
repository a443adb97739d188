//! `dcloud`: the one command-line tool for dcloud (ADR 0003). This binary only wires: the
//! tenant, provider and key commands come from `dcloud-cli`; `init`, `genesis`, `node`,
//! `devnet` and `console` (here) call `dcloud-node`, `dcloud-testkit`, `dcloud-provider` and
//! `dcloud-console`. Errors are one line on stderr and a non-zero exit code.

mod console;
mod devnet;
mod genesis;
mod node;
mod testnet;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use dcloud_cli::{one_line, Ctx, KeyringKind, Output, Reported};

/// dcloud: a decentralized cloud chain (Akash-style). Run `dcloud devnet` to start a local network.
#[derive(Debug, Parser)]
#[command(name = "dcloud", version, about, propagate_version = true)]
struct Cli {
    /// Node home directory [default: ~/.dcloud; `devnet`: ~/.dcloud-devnet].
    #[arg(long, global = true, env = "DCLOUD_HOME")]
    home: Option<PathBuf>,
    /// RPC address of the node to talk to.
    #[arg(long, global = true, env = "DCLOUD_NODE", default_value = dcloud_client::DEFAULT_NODE)]
    node: String,
    /// Chain id to sign for [default: asked from the node].
    #[arg(long, global = true, env = "DCLOUD_CHAIN_ID")]
    chain_id: Option<String>,
    /// Output format.
    #[arg(short, long, global = true, value_enum, default_value_t = Output::Text)]
    output: Output,
    /// Keyring backend: `file` (encrypted; passphrase from DCLOUD_KEYRING_PASSPHRASE or a
    /// prompt) or `test` (plain text, devnets only).
    #[arg(long, global = true, value_enum, env = "DCLOUD_KEYRING_BACKEND", default_value_t = KeyringKind::File)]
    keyring_backend: KeyringKind,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a node home: config, validator key and a genesis file.
    Init(node::InitArgs),
    /// Build and check the genesis file.
    #[command(subcommand)]
    Genesis(genesis::GenesisCmd),
    /// Run a node.
    #[command(subcommand)]
    Node(node::NodeCmd),
    /// One-command local network: funded keys and a validator node.
    Devnet(devnet::DevnetArgs),
    /// Serve the web console (explorer, wallet) for a node: `dcloud console --node URL`.
    Console(console::ConsoleArgs),
    /// Run an N-validator BFT network on this machine (one home and process per node).
    Testnet(testnet::TestnetArgs),
    #[command(flatten)]
    Tools(dcloud_cli::Command),
}

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let loc = info.location().map(|l| format!(" at {l}")).unwrap_or_default();
        eprintln!("error: internal error{loc}: {msg} (this is a bug in dcloud, please report it)");
    }));
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(run(cli));
    // Do not wait for lingering background tasks (e.g. an idle HTTP connection).
    rt.shutdown_timeout(std::time::Duration::from_secs(2));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(Reported(code)) = e.downcast_ref::<Reported>() {
                return ExitCode::from(*code);
            }
            eprintln!("error: {}", one_line(&format!("{e:#}")));
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let ctx = Ctx {
        home: cli.home,
        node: cli.node,
        chain_id: cli.chain_id,
        output: cli.output,
        keyring_backend: cli.keyring_backend,
    };
    match cli.command {
        Command::Init(a) => node::init(&ctx, a),
        Command::Genesis(c) => genesis::run(&ctx, c),
        Command::Node(c) => node::run(&ctx, c).await,
        Command::Devnet(a) => devnet::run(&ctx, a).await,
        Command::Testnet(a) => testnet::run(&ctx, a).await,
        Command::Console(a) => console::run(&ctx, a).await,
        Command::Tools(c) => dcloud_cli::run(&ctx, c).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
