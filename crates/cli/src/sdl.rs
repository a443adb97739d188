//! `dcloud sdl validate|show FILE`: check an SDL file, show its groups and prices.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context as _};
use clap::Subcommand;
use dcloud_sdl::{monthly_price, DecCoin, Sdl};
use serde_json::json;

use crate::ctx::Ctx;
use crate::output::print_json;
use crate::process::Reported;

/// The block time assumed for monthly prices unless `--block-time` says otherwise.
pub(crate) const DEFAULT_BLOCK_TIME_MS: u64 = 6_000;

#[derive(Debug, Subcommand)]
pub(crate) enum SdlCmd {
    /// Check an SDL file: every error with its path, line and column; warnings too.
    Validate {
        /// The SDL (YAML) file.
        file: PathBuf,
    },
    /// Show the deployment groups, resources and max prices per block and per month.
    Show {
        /// The SDL (YAML) file.
        file: PathBuf,
        /// Block time for the monthly estimate, e.g. `6s` or `500ms`.
        #[arg(long, value_parser = crate::args::parse_duration)]
        block_time: Option<std::time::Duration>,
    },
}

fn load(path: &Path, ctx: &Ctx) -> anyhow::Result<Sdl> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    match dcloud_sdl::parse(&text) {
        Ok(s) => Ok(s),
        Err(errs) => {
            if ctx.output.is_json() {
                let list: Vec<String> = errs.0.iter().map(|e| e.to_string()).collect();
                print_json(&json!({"file": path, "valid": false, "errors": list}))?;
            } else {
                eprintln!(
                    "error: {} is not a valid SDL ({} problems):",
                    path.display(),
                    errs.0.len()
                );
                for e in &errs.0 {
                    eprintln!("  {e}");
                }
            }
            Err(Reported(1).into())
        }
    }
}

fn month(p: &DecCoin, block_time_ms: u64) -> anyhow::Result<DecCoin> {
    monthly_price(p, block_time_ms).ok_or_else(|| anyhow!("monthly price of {p} overflows"))
}

/// Runs `sdl …`.
pub(crate) fn run(ctx: &Ctx, cmd: SdlCmd) -> anyhow::Result<()> {
    match cmd {
        SdlCmd::Validate { file } => validate(ctx, &file),
        SdlCmd::Show { file, block_time } => show(ctx, &file, block_time),
    }
}

fn validate(ctx: &Ctx, file: &Path) -> anyhow::Result<()> {
    let sdl = load(file, ctx)?;
    let warnings: Vec<String> = sdl.warnings().iter().map(|w| w.to_string()).collect();
    if ctx.output.is_json() {
        print_json(&json!({
            "file": file, "valid": true, "version": sdl.version().as_str(),
            "groups": sdl.groups().len(), "warnings": warnings,
        }))?;
    } else {
        for w in &warnings {
            eprintln!("warning: {w}");
        }
        println!("{}: valid SDL ({} groups)", file.display(), sdl.groups().len());
    }
    Ok(())
}

fn show(ctx: &Ctx, file: &Path, block_time: Option<std::time::Duration>) -> anyhow::Result<()> {
    let bt = match block_time {
        Some(d) => u64::try_from(d.as_millis()).unwrap_or(u64::MAX),
        None => DEFAULT_BLOCK_TIME_MS,
    };
    if bt == 0 {
        anyhow::bail!("--block-time must be positive");
    }
    let sdl = load(file, ctx)?;
    let prices: BTreeMap<String, DecCoin> = sdl.group_prices_per_block().into_iter().collect();
    let total = sdl.max_price_per_block();
    let hash = hex::encode(sdl.manifest_hash());
    if ctx.output.is_json() {
        let mut groups = Vec::new();
        for g in sdl.groups() {
            let per_block = prices.get(&g.name);
            groups.push(json!({
                "name": g.name,
                "requirements": g.requirements,
                "resources": g.resources,
                "price_per_block": per_block.map(|p| p.to_string()),
                "price_per_month": per_block.map(|p| month(p, bt)).transpose()?.map(|p| p.to_string()),
            }));
        }
        return print_json(&json!({
            "file": file,
            "version": sdl.version().as_str(),
            "block_time_ms": bt,
            "manifest_hash": hash,
            "groups": groups,
            "price_per_block": total.as_ref().map(|p| p.to_string()),
            "price_per_month": total.as_ref().map(|p| month(p, bt)).transpose()?.map(|p| p.to_string()),
        }));
    }
    for w in sdl.warnings() {
        eprintln!("warning: {w}");
    }
    print_groups(&sdl, &prices, total, bt)?;
    println!("manifest hash: {hash} (the provider checks the manifest it receives against it)");
    Ok(())
}

/// The text form of `sdl show`: each group's units and prices, then the total.
fn print_groups(
    sdl: &Sdl,
    prices: &BTreeMap<String, DecCoin>,
    total: Option<DecCoin>,
    bt: u64,
) -> anyhow::Result<()> {
    for g in sdl.groups() {
        println!("group {}", g.name);
        for u in &g.resources {
            let r = &u.resource;
            let storage: Vec<String> =
                r.storage.iter().map(|s| format!("{}={}B", s.name, s.quantity.0)).collect();
            println!(
                "  {} × cpu {}m, memory {}B, storage [{}], gpu {}, max {} per block",
                u.count,
                r.cpu.units.0,
                r.memory.quantity.0,
                storage.join(", "),
                r.gpu.units.0,
                u.price
            );
        }
        if let Some(p) = prices.get(&g.name) {
            println!("  max price: {p} per block, {} per month", month(p, bt)?);
        }
    }
    if let Some(p) = total {
        println!(
            "total max price: {p} per block, {} per month (30 days at {bt} ms blocks)",
            month(&p, bt)?
        );
    }
    Ok(())
}
