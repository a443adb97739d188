//! `dcloud tx oracle …`, `dcloud tx bme …`, `dcloud query oracle …`, `dcloud query bme …`:
//! the AKT/USD price and Burn-Mint Equilibrium (AKT ↔ ACT through the vault).

use anyhow::bail;
use clap::Subcommand;
use dcloud_client::bme as cb;
use dcloud_client::RpcClient;
use dcloud_types::{DENOM_ACT, DENOM_AKT};

use crate::common::{send, TxFlags};
use crate::ctx::Ctx;
use crate::output::print_json;

/// `tx oracle …`.
#[derive(Debug, Subcommand)]
pub(crate) enum OracleTx {
    /// Publish the AKT/USD price as an authorised source: `dcloud tx oracle submit-price 0.4625`.
    SubmitPrice {
        /// Decimal price in USD per AKT (at most 18 decimals).
        price: String,
        /// Observation time in ms since the Unix epoch [default: the block time].
        #[arg(long, default_value_t = 0)]
        timestamp_ms: u64,
        /// Signing key (name or address): an authorised source.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        common: TxFlags,
    },
}

/// `tx bme …`.
#[derive(Debug, Subcommand)]
pub(crate) enum BmeTx {
    /// Convert AKT into ACT at the oracle price (queued; executed at the next mint epoch):
    /// `dcloud tx bme mint-act 100000000uakt --from alice`.
    MintAct {
        /// AKT to convert, in uakt (e.g. `100000000uakt` = 100 AKT).
        amount: String,
        /// Signing key (name or address); receives the ACT.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        common: TxFlags,
    },
    /// Convert ACT back into AKT at the oracle price (queued; executed at the next burn epoch):
    /// `dcloud tx bme burn-act 5000000uact --from provider`.
    BurnAct {
        /// ACT to convert, in uact.
        amount: String,
        /// Signing key (name or address); receives the AKT.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        common: TxFlags,
    },
    /// Add AKT collateral to the vault (the BME authority only, from its own account).
    FundVault {
        /// AKT, in uakt.
        amount: String,
        /// Signing key: the BME authority.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        common: TxFlags,
    },
}

/// `query oracle …`.
#[derive(Debug, Subcommand)]
pub(crate) enum OracleQuery {
    /// The AKT/USD price: health, TWAP and each source's latest observation.
    Price,
    /// Oracle params (sources, staleness, TWAP window, deviation limit).
    Params,
}

/// `query bme …`.
#[derive(Debug, Subcommand)]
pub(crate) enum BmeQuery {
    /// Vault balances, outstanding ACT, totals minted/burned, remint credits, pending.
    VaultState,
    /// BME params (thresholds, epochs, spreads, minimum mint).
    Params,
    /// Circuit breaker: status, collateral ratio, whether mints and burns are allowed.
    Status,
    /// Requests: pending, executed and cancelled (with reasons).
    Ledger {
        /// Only this owner's requests (address or key name).
        #[arg(long)]
        owner: Option<String>,
        /// At most this many of each kind (the latest).
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
}

pub(crate) async fn oracle_tx(ctx: &Ctx, cmd: OracleTx) -> anyhow::Result<()> {
    let OracleTx::SubmitPrice { price, timestamp_ms, from, common } = cmd;
    let opts = common.options(ctx)?;
    let key = ctx.signing_key(&from)?;
    let source = key.public_key().address();
    let msg = cb::submit_price(&source, &price, timestamp_ms)?;
    send(ctx, &key, &[msg], &opts, &common, &format!("submit AKT/USD price {price} as {source}"))
        .await
}

pub(crate) async fn bme_tx(ctx: &Ctx, cmd: BmeTx) -> anyhow::Result<()> {
    let (amount, from, common, kind) = match cmd {
        BmeTx::MintAct { amount, from, common } => (amount, from, common, 0),
        BmeTx::BurnAct { amount, from, common } => (amount, from, common, 1),
        BmeTx::FundVault { amount, from, common } => (amount, from, common, 2),
    };
    let opts = common.options(ctx)?;
    let key = ctx.signing_key(&from)?;
    let owner = key.public_key().address();
    let (msg, summary) = match kind {
        0 => {
            let c = cb::parse_amount(&amount, DENOM_AKT)?;
            (cb::mint_act(&owner, &c), format!("convert {c} into ACT for {owner}"))
        }
        1 => {
            let c = cb::parse_amount(&amount, DENOM_ACT)?;
            (cb::burn_act(&owner, &c), format!("convert {c} into AKT for {owner}"))
        }
        _ => {
            let c = cb::parse_amount(&amount, DENOM_AKT)?;
            (cb::fund_vault(&owner, &c), format!("fund the BME vault with {c} from {owner}"))
        }
    };
    send(ctx, &key, &[msg], &opts, &common, &summary).await?;
    if kind < 2 && !ctx.output.is_json() {
        eprintln!(
            "queued: the conversion runs at the next {} epoch (see `dcloud query bme ledger --owner {owner}`)",
            if kind == 0 { "mint" } else { "burn" }
        );
    }
    Ok(())
}

pub(crate) async fn oracle_query(ctx: &Ctx, cmd: OracleQuery) -> anyhow::Result<()> {
    let client = ctx.client()?;
    match cmd {
        OracleQuery::Price => {
            let p = cb::oracle_price(&client, 0).await?;
            if ctx.output.is_json() {
                return print_json(&p);
            }
            println!("pair: {}/{}", p.denom, p.base_denom);
            println!("health: {}", p.health);
            println!("price: {}", p.price.as_deref().unwrap_or("unavailable"));
            if let Some(a) = &p.last {
                println!(
                    "last aggregate: height {}  sources {}  deviation {} bp",
                    a.height, a.fresh_sources, a.deviation_bps
                );
            }
            for s in &p.sources {
                match &s.latest {
                    Some(l) => println!(
                        "  {}  {} (height {}, time {} ms)",
                        s.source, l.price, l.height, l.timestamp_ms
                    ),
                    None => println!("  {}  no price yet", s.source),
                }
            }
        }
        OracleQuery::Params => {
            let p = cb::oracle_params(&client, 0).await?;
            if ctx.output.is_json() {
                return print_json(&p);
            }
            println!(
                "sources: {}",
                if p.sources.is_empty() { "none".into() } else { p.sources.join(", ") }
            );
            println!("min_price_sources: {}", p.min_price_sources);
            println!("max_price_staleness_blocks: {}", p.max_price_staleness_blocks);
            println!("twap_window_ms: {}", p.twap_window_ms);
            println!("max_price_deviation_bps: {}", p.max_price_deviation_bps);
            println!("max_future_time_drift_ms: {}", p.max_future_time_drift_ms);
        }
    }
    Ok(())
}

pub(crate) async fn bme_query(ctx: &Ctx, cmd: BmeQuery) -> anyhow::Result<()> {
    let client = ctx.client()?;
    match cmd {
        BmeQuery::VaultState => vault_state(ctx, &client).await,
        BmeQuery::Params => params(ctx, &client).await,
        BmeQuery::Status => status(ctx, &client).await,
        BmeQuery::Ledger { owner, limit } => ledger(ctx, &client, owner, limit).await,
    }
}

async fn vault_state(ctx: &Ctx, client: &RpcClient) -> anyhow::Result<()> {
    let v = cb::vault_state(client, 0).await?;
    if ctx.output.is_json() {
        return print_json(&v);
    }
    println!("vault: {}", or_none(&v.vault.to_string()));
    println!("outstanding ACT: {}{DENOM_ACT}", v.outstanding_act);
    println!("total minted: {}", or_none(&v.total_minted.to_string()));
    println!("total burned: {}", or_none(&v.total_burned.to_string()));
    println!("remint credits: {}", or_none(&v.remint_credits.to_string()));
    println!("pending: {}", or_none(&v.pending.to_string()));
    println!("spreads kept: {}", or_none(&v.spread_collected.to_string()));
    println!("funded: {}", or_none(&v.vault_funded.to_string()));
    Ok(())
}

async fn params(ctx: &Ctx, client: &RpcClient) -> anyhow::Result<()> {
    let p = cb::params(client, 0).await?;
    if ctx.output.is_json() {
        return print_json(&p);
    }
    println!("circuit_breaker_warn_threshold: {} bp", p.circuit_breaker_warn_threshold);
    println!("circuit_breaker_halt_threshold: {} bp", p.circuit_breaker_halt_threshold);
    println!("recovery_band_bps: {} bp", p.recovery_band_bps);
    println!("min_epoch_blocks: {}", p.min_epoch_blocks);
    println!("epoch_blocks_backoff_percent: {}", p.epoch_blocks_backoff_percent);
    println!("mint_spread_bps: {}", p.mint_spread_bps);
    println!("settle_spread_bps: {}", p.settle_spread_bps);
    println!("max_endblocker_records: {}", p.max_endblocker_records);
    let mins: Vec<String> = p.min_mint.iter().map(|(d, a)| format!("{a}{d}")).collect();
    println!("min_mint: {}", or_none(&mins.join(",")));
    println!("max_pending_attempts: {}", p.max_pending_attempts);
    println!("authority: {}", or_none(&p.authority));
    println!("act_market: {}", p.act_market);
    Ok(())
}

async fn status(ctx: &Ctx, client: &RpcClient) -> anyhow::Result<()> {
    let s = cb::status(client, 0).await?;
    if ctx.output.is_json() {
        return print_json(&s);
    }
    println!("status: {}", s.status);
    println!("collateral ratio: {}", s.collateral_ratio);
    println!("mints allowed: {}", s.mints_allowed);
    println!("refunds allowed: {}", s.refunds_allowed);
    println!(
        "epoch: every {} blocks (next mint at {}, next burn at {})",
        s.epoch_height_diff, s.next_mint_epoch, s.next_burn_epoch
    );
    Ok(())
}

async fn ledger(
    ctx: &Ctx,
    client: &RpcClient,
    owner: Option<String>,
    limit: usize,
) -> anyhow::Result<()> {
    if limit == 0 {
        bail!("--limit must be positive");
    }
    let owner = owner.map(|o| ctx.resolve_address(&o, "owner")).transpose()?;
    let l = cb::ledger(client, owner.as_ref(), limit.min(1000), 0).await?;
    if ctx.output.is_json() {
        return print_json(&l);
    }
    let show = |title: &str, key: &str, f: &dyn Fn(&serde_json::Value) -> String| {
        let items = l[key].as_array().cloned().unwrap_or_default();
        println!("{title} ({}):", items.len());
        for r in &items {
            println!("  {}", f(r));
        }
    };
    let id = |r: &serde_json::Value| format!("{}/{}", r["id"]["height"], r["id"]["sequence"]);
    let coin = |c: &serde_json::Value| {
        format!("{}{}", c["amount"].as_str().unwrap_or("?"), c["denom"].as_str().unwrap_or(""))
    };
    show("pending", "pending", &|r| {
        format!(
            "{}  {} -> {}  attempts {}",
            id(r),
            coin(&r["coins_to_burn"]),
            r["denom_to_mint"].as_str().unwrap_or(""),
            r["attempts"]
        )
    });
    show("executed", "executed", &|r| {
        format!(
            "{}  {} -> {} (spread {}) at {} USD/AKT, height {}",
            id(r),
            coin(&r["burned"]),
            coin(&r["paid"]),
            coin(&r["spread"]),
            r["price"].as_str().unwrap_or(""),
            r["executed_height"]
        )
    });
    show("cancelled", "canceled", &|r| {
        format!(
            "{}  {} refunded: {} ({})",
            id(r),
            coin(&r["coins_to_burn"]),
            r["cancel_reason"].as_str().unwrap_or(""),
            r["error"].as_str().unwrap_or("")
        )
    });
    Ok(())
}

fn or_none(s: &str) -> &str {
    if s.is_empty() {
        "none"
    } else {
        s
    }
}
