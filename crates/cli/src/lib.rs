//! The `dcloud` commands a tenant, a provider or a delegator uses: keys, txs and queries for
//! every module, `deploy` and `lease`, `sdl`, `provider run|init`. Each area is one module
//! holding its clap definitions, a call into the library that does the work
//! (`dcloud-client`, `dcloud-provider`, `dcloud-sdl`) and the printing. Nothing here links the
//! chain's state machine, the store or consensus (the binary crate `dcloud` adds `node`,
//! `init`, `genesis` and `devnet`).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

mod authz;
mod bme;
mod chaininfo;
mod common;
mod deploy;
mod gov;
mod keys;
mod market;
mod query;
mod registry;
mod sdl;
mod shell;
mod staking;
mod tx;

pub mod args;
pub mod ctx;
pub mod feeder;
pub mod output;
pub mod process;
pub mod provider;

use clap::Subcommand;

pub use ctx::{Ctx, KeyringKind};
pub use output::Output;
pub use process::{one_line, Reported};

/// The commands of this crate (the binary adds the chain-side ones beside them). The
/// argument types stay private: the binary only parses a `Command` and hands it to [`run`].
#[derive(Debug, Subcommand)]
#[allow(private_interfaces)]
pub enum Command {
    /// Manage keys in the keyring.
    #[command(subcommand)]
    Keys(keys::KeysCmd),
    /// Sign and broadcast transactions.
    #[command(subcommand)]
    Tx(tx::TxCmd),
    /// Query chain state, blocks and txs.
    #[command(subcommand, alias = "q")]
    Query(query::QueryCmd),
    /// Show the node's status (chain id, latest height, validator).
    Status,
    /// Print the chain's description for wallets: the object Keplr's
    /// `experimentalSuggestChain` takes (RPC, REST, coin type, prefixes, currencies).
    ChainInfo(chaininfo::ChainInfoArgs),
    /// Validate and inspect SDL files.
    #[command(subcommand)]
    Sdl(sdl::SdlCmd),
    /// Deploy an SDL in one command: deployment, auction, lease, manifest, running services.
    Deploy(deploy::DeployArgs),
    /// Talk to the provider of a lease: status, logs, events, shell; close it.
    #[command(subcommand)]
    Lease(deploy::LeaseCmd),
    /// Run a provider: `dcloud provider run --config provider.yaml`.
    #[command(subcommand)]
    Provider(provider::ProviderCmd),
}

/// Runs one of this crate's commands.
pub async fn run(ctx: &Ctx, cmd: Command) -> anyhow::Result<()> {
    match cmd {
        Command::Keys(c) => keys::run(ctx, c),
        Command::Tx(c) => tx::run(ctx, c).await,
        Command::Query(c) => query::run(ctx, c).await,
        Command::Status => query::status(ctx).await,
        Command::ChainInfo(a) => chaininfo::run(ctx, a).await,
        Command::Sdl(c) => sdl::run(ctx, c),
        Command::Deploy(a) => deploy::deploy(ctx, a).await,
        Command::Lease(c) => deploy::lease(ctx, c).await,
        Command::Provider(c) => provider::run(ctx, c).await,
    }
}
