//! `dcloud query …` and `dcloud status`.

use anyhow::{anyhow, bail};
use base64::Engine;
use clap::Subcommand;
use dcloud_client::rpc::parse_height;
use dcloud_client::rpc_types::TxResponse;
use dcloud_proto::{DecodedTx, Msg};

use crate::common::AtHeight;
use crate::ctx::Ctx;
use crate::output::print_json;

#[derive(Debug, Subcommand)]
pub(crate) enum QueryCmd {
    /// Bank balances and supply.
    #[command(subcommand)]
    Bank(BankQuery),
    /// Accounts.
    #[command(subcommand)]
    Auth(AuthQuery),
    /// Registered providers.
    #[command(subcommand)]
    Provider(crate::registry::ProviderQuery),
    /// Audited provider attributes.
    #[command(subcommand)]
    Audit(crate::registry::AuditQuery),
    /// Published certificates.
    #[command(subcommand)]
    Cert(crate::registry::CertQuery),
    /// Deployments (with their groups and escrow).
    #[command(subcommand)]
    Deployment(crate::market::DeploymentQuery),
    /// Orders, bids and leases.
    #[command(subcommand)]
    Market(crate::market::MarketQuery),
    /// Escrow accounts.
    #[command(subcommand)]
    Escrow(crate::market::EscrowQuery),
    /// The AKT/USD price oracle.
    #[command(subcommand)]
    Oracle(crate::bme::OracleQuery),
    /// Burn-Mint Equilibrium: vault, params, circuit breaker, ledger.
    #[command(subcommand)]
    Bme(crate::bme::BmeQuery),
    /// Staking: validators, delegations, pool, params.
    #[command(subcommand)]
    Staking(crate::staking::StakingQuery),
    /// Distribution: rewards, commission, community pool, params.
    #[command(subcommand)]
    Distribution(crate::staking::DistributionQuery),
    /// Governance: proposals, tallies, params.
    #[command(subcommand)]
    Gov(crate::gov::GovQuery),
    /// Mint: inflation and params.
    #[command(subcommand)]
    Mint(crate::staking::MintQuery),
    /// Slashing: params and validators' signing infos.
    #[command(subcommand)]
    Slashing(crate::staking::SlashingQuery),
    /// Authz: deposit grants.
    #[command(subcommand)]
    Authz(crate::authz::AuthzQuery),
    /// A tx by hash.
    Tx {
        /// Tx hash (64 hex characters).
        hash: String,
    },
    /// A block (latest if no height).
    Block {
        /// Height.
        height: Option<u64>,
    },
    /// Search txs by events, e.g. `--query "transfer.recipient='akash1…'"`.
    Txs {
        /// Event query: `type.key='value'` conditions joined by AND.
        #[arg(long)]
        query: String,
        /// Page (from 1).
        #[arg(long, default_value_t = 1)]
        page: u32,
        /// Results per page (max 100).
        #[arg(long, default_value_t = 30)]
        limit: u32,
        /// Newest first.
        #[arg(long)]
        desc: bool,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum BankQuery {
    /// All balances of an account.
    Balances {
        /// akash1… address or key name.
        address: String,
        #[command(flatten)]
        at: crate::common::AtHeight,
    },
    /// Total supply of every denom.
    Total,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AuthQuery {
    /// An account: number, sequence, public key.
    Account {
        /// akash1… address or key name.
        address: String,
    },
}

pub(crate) async fn run(ctx: &Ctx, cmd: QueryCmd) -> anyhow::Result<()> {
    match cmd {
        QueryCmd::Provider(c) => crate::registry::provider_query(ctx, c).await,
        QueryCmd::Audit(c) => crate::registry::audit_query(ctx, c).await,
        QueryCmd::Cert(c) => crate::registry::cert_query(ctx, c).await,
        QueryCmd::Deployment(c) => crate::market::run_deployment_query(ctx, c).await,
        QueryCmd::Market(c) => crate::market::run_market_query(ctx, c).await,
        QueryCmd::Escrow(c) => crate::market::run_escrow_query(ctx, c).await,
        QueryCmd::Oracle(c) => crate::bme::oracle_query(ctx, c).await,
        QueryCmd::Bme(c) => crate::bme::bme_query(ctx, c).await,
        QueryCmd::Staking(c) => crate::staking::staking_query(ctx, c).await,
        QueryCmd::Distribution(c) => crate::staking::distribution_query(ctx, c).await,
        QueryCmd::Gov(c) => crate::gov::gov_query(ctx, c).await,
        QueryCmd::Mint(c) => crate::staking::mint_query(ctx, c).await,
        QueryCmd::Slashing(c) => crate::staking::slashing_query(ctx, c).await,
        QueryCmd::Authz(c) => crate::authz::authz_query(ctx, c).await,
        QueryCmd::Bank(BankQuery::Balances { address, at }) => {
            bank_balances(ctx, &address, at).await
        }
        QueryCmd::Bank(BankQuery::Total) => bank_total(ctx).await,
        QueryCmd::Auth(AuthQuery::Account { address }) => auth_account(ctx, &address).await,
        QueryCmd::Tx { hash } => tx(ctx, &hash).await,
        QueryCmd::Block { height } => block(ctx, height).await,
        QueryCmd::Txs { query, page, limit, desc } => txs(ctx, &query, page, limit, desc).await,
    }
}

async fn bank_balances(ctx: &Ctx, address: &str, at: AtHeight) -> anyhow::Result<()> {
    let addr = ctx.resolve_address(address, "address")?;
    let req = serde_json::Value::String(addr.to_string());
    let coins: dcloud_types::Coins =
        dcloud_client::market::query_json_at(&ctx.client()?, "/bank/balances", &req, at.height)
            .await?;
    if ctx.output.is_json() {
        print_json(&serde_json::json!({"address": addr, "balances": coins}))?;
    } else if coins.is_empty() {
        println!("{addr} has no balances");
    } else {
        for c in coins.iter() {
            println!("{c}");
        }
    }
    Ok(())
}

async fn bank_total(ctx: &Ctx) -> anyhow::Result<()> {
    let coins = ctx.client()?.supply().await?;
    if ctx.output.is_json() {
        print_json(&serde_json::json!({"supply": coins}))?;
    } else {
        for c in coins.iter() {
            println!("{c}");
        }
    }
    Ok(())
}

async fn auth_account(ctx: &Ctx, address: &str) -> anyhow::Result<()> {
    let addr = ctx.resolve_address(address, "address")?;
    let acc = ctx
        .client()?
        .account(&addr)
        .await?
        .ok_or_else(|| anyhow!("account {addr} not found: it has never received coins"))?;
    if ctx.output.is_json() {
        print_json(&acc)?;
    } else {
        println!("address: {}", acc.address);
        println!("account_number: {}", acc.account_number);
        println!("sequence: {}", acc.sequence);
        println!("pub_key: {}", acc.pub_key.as_deref().unwrap_or("none (no tx sent yet)"));
        if let Some(m) = &acc.module {
            println!("module: {m}");
        }
    }
    Ok(())
}

async fn tx(ctx: &Ctx, hash: &str) -> anyhow::Result<()> {
    let client = ctx.client()?;
    let h = dcloud_client::rpc::normalize_hash(hash)?;
    let t = client
        .find_tx(&h)
        .await?
        .ok_or_else(|| anyhow!("tx {h} not found (not yet in a block, or unknown)"))?;
    if ctx.output.is_json() {
        print_json(&t)?;
    } else {
        print_tx_text(&t);
    }
    Ok(())
}

async fn block(ctx: &Ctx, height: Option<u64>) -> anyhow::Result<()> {
    let b = ctx.client()?.block(height).await?;
    if ctx.output.is_json() {
        print_json(&b)?;
    } else {
        let h = &b.block.header;
        println!("height: {}", h.height);
        println!("hash: {}", b.block_id.hash);
        println!("time: {}", format_ms(h.time_ms));
        println!("chain_id: {}", h.chain_id);
        println!("txs: {}", b.block.txs.len());
        println!("app_hash: {}", hex::encode_upper(h.app_hash));
        println!("proposer: {}", h.proposer_address);
        for tx in &b.block.txs {
            println!("  tx {}", hex::encode_upper(dcloud_types::sha256(tx)));
        }
    }
    Ok(())
}

async fn txs(ctx: &Ctx, query: &str, page: u32, limit: u32, desc: bool) -> anyhow::Result<()> {
    if page == 0 {
        bail!("--page starts at 1");
    }
    let r = ctx
        .client()?
        .tx_search(query, page, limit.clamp(1, 100), if desc { "desc" } else { "asc" })
        .await?;
    if ctx.output.is_json() {
        print_json(&r)?;
    } else {
        println!("total: {}", r.total_count);
        for t in &r.txs {
            println!("{:>8}  {}  code {}", t.height, t.hash, t.tx_result.code);
        }
    }
    Ok(())
}

fn format_ms(ms: u64) -> String {
    humantime::format_rfc3339_millis(std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms))
        .to_string()
}

fn print_tx_text(t: &TxResponse) {
    println!("txhash: {}", t.hash);
    println!("height: {}", t.height);
    println!("code: {}", t.tx_result.code);
    if t.tx_result.code != 0 {
        println!("codespace: {}", t.tx_result.codespace);
        println!("log: {}", t.tx_result.log);
    }
    println!("gas used/wanted: {}/{}", t.tx_result.gas_used, t.tx_result.gas_wanted);
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(&t.tx)
        .ok()
        .and_then(|raw| DecodedTx::decode(&raw).ok());
    if let Some(tx) = decoded {
        if !tx.body.memo.is_empty() {
            println!("memo: {}", tx.body.memo);
        }
        let fee: Vec<String> = tx.fee.iter().map(|c| format!("{}{}", c.amount, c.denom)).collect();
        println!("fee: {}", if fee.is_empty() { "none".into() } else { fee.join(",") });
        println!("messages:");
        for m in &tx.msgs {
            match m {
                Msg::Send(s) => {
                    let amt: Vec<String> =
                        s.amount.iter().map(|c| format!("{}{}", c.amount, c.denom)).collect();
                    println!(
                        "  - {}: {} → {}: {}",
                        m.type_url(),
                        s.from_address,
                        s.to_address,
                        amt.join(",")
                    );
                }
                other => println!("  - {}", other.type_url()),
            }
        }
    }
}

pub(crate) async fn status(ctx: &Ctx) -> anyhow::Result<()> {
    let s = ctx.client()?.status().await?;
    if ctx.output.is_json() {
        return print_json(&s);
    }
    let height = parse_height(&s.sync_info.latest_block_height)?;
    println!("chain-id: {}", s.node_info.network);
    println!("moniker: {}", s.node_info.moniker);
    println!("latest height: {height} at {}", s.sync_info.latest_block_time);
    println!("latest app hash: {}", s.sync_info.latest_app_hash);
    println!("validator: {} (power {})", s.validator_info.address, s.validator_info.voting_power);
    println!(
        "version: {} (consensus {}, CometBFT RPC {})",
        s.node_info.dcloud_version, s.node_info.consensus, s.node_info.version
    );
    Ok(())
}
