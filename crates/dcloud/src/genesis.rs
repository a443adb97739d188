//! `dcloud genesis …`: add accounts, validate.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use clap::Subcommand;
use dcloud_app::Genesis;
use dcloud_types::Coins;

use dcloud_cli::output::print_json;
use dcloud_cli::{Ctx, Reported};

#[derive(Debug, Subcommand)]
pub(crate) enum GenesisCmd {
    /// Give an account coins in the genesis file (adds to an existing balance).
    AddAccount {
        /// An akash1… address or the name of a key in the keyring.
        address: String,
        /// Coins, e.g. `1000000uakt,500uact`.
        #[arg(allow_hyphen_values = true)]
        coins: String,
    },
    /// Check a genesis file and list every problem found (exit 1 if any).
    Validate {
        /// The file [default: <home>/config/genesis.json].
        file: Option<PathBuf>,
    },
}

/// Reads and parses a genesis file.
pub(crate) fn load(path: &Path) -> anyhow::Result<Genesis> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            anyhow::anyhow!("no genesis file at {} (run `dcloud init` first)", path.display())
        } else {
            anyhow::anyhow!("cannot read {}: {e}", path.display())
        }
    })?;
    Genesis::from_json(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Writes a genesis file atomically.
pub(crate) fn save(path: &Path, g: &Genesis) -> anyhow::Result<()> {
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, g.to_json()).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

pub(crate) fn run(ctx: &Ctx, cmd: GenesisCmd) -> anyhow::Result<()> {
    match cmd {
        GenesisCmd::AddAccount { address, coins } => {
            let addr = ctx.resolve_address(&address, "address")?;
            let coins: Coins = coins.parse().map_err(|e| anyhow::anyhow!("invalid coins: {e}"))?;
            if coins.is_empty() {
                bail!("invalid coins: give at least one coin, e.g. 1000000uakt");
            }
            let path = dcloud_node::genesis_path(&ctx.home());
            let mut g = load(&path)?;
            dcloud_testkit::add_balance(&mut g, &addr, &coins)?;
            save(&path, &g)?;
            if ctx.output.is_json() {
                print_json(&serde_json::json!({"address": addr, "added": coins}))?;
            } else {
                println!("added {coins} to {addr} in {}", path.display());
            }
            Ok(())
        }
        GenesisCmd::Validate { file } => {
            let path = file.unwrap_or_else(|| dcloud_node::genesis_path(&ctx.home()));
            let problems = match std::fs::read_to_string(&path) {
                Err(e) => vec![format!("cannot read {}: {e}", path.display())],
                Ok(text) => match Genesis::from_json(&text) {
                    Ok(g) => g.validate(),
                    Err(e) => vec![e],
                },
            };
            if ctx.output.is_json() {
                print_json(&serde_json::json!({
                    "file": path,
                    "valid": problems.is_empty(),
                    "problems": problems,
                }))?;
            } else if problems.is_empty() {
                println!("{} is a valid genesis file", path.display());
            } else {
                eprintln!(
                    "error: {} has {} problem{}:",
                    path.display(),
                    problems.len(),
                    if problems.len() == 1 { "" } else { "s" }
                );
                for p in &problems {
                    eprintln!("  - {p}");
                }
            }
            if problems.is_empty() {
                Ok(())
            } else {
                Err(Reported(1).into())
            }
        }
    }
}
