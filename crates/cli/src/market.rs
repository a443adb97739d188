//! `dcloud tx deployment|market …` and `dcloud query deployment|market|escrow …`.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail};
use clap::{Args, Subcommand};
use dcloud_chain::deployment::Deployment;
use dcloud_chain::escrow::fmt_dec18;
use dcloud_client::market::{self as mk, BidRef, Filter};
use dcloud_proto::dcloud::deployment as pb;
use dcloud_proto::Msg;
use dcloud_types::AccAddress;

use dcloud_client::RpcClient;

use crate::common::{AtHeight, TxFlags};
use crate::ctx::Ctx;
use crate::output::print_json;

/// `--auction`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum AuctionArg {
    /// The chain leases the lowest bid when the bid window closes.
    Lowest,
    /// You pick a bid with `dcloud tx market lease create`.
    Manual,
}

impl AuctionArg {
    pub(crate) fn to_pb(self) -> pb::Auction {
        match self {
            Self::Lowest => pb::Auction::Lowest,
            Self::Manual => pb::Auction::Manual,
        }
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum DeploymentTx {
    /// Create a deployment from an SDL file (validated first); prints its dseq.
    Create(CreateDeployment),
    /// Replace the deployment's manifest hash with that of a new SDL.
    Update {
        /// The new SDL file.
        sdl: PathBuf,
        #[command(flatten)]
        id: OwnDeployment,
        #[command(flatten)]
        common: TxFlags,
    },
    /// Add funds to a deployment's escrow account: your own (default) or anyone's (`--owner`);
    /// `--sources grant` draws on deposit grants given to you (`tx authz grant`). Unused funds
    /// return to whoever paid them when the deployment closes.
    /// `uakt` on a `uact` deployment is its AKT fallback: it pays the providers only while the
    /// BME is halted, and what is left is refunded on close.
    Deposit {
        /// Amount, e.g. `1000000uact` (or `1000000uakt` as the AKT fallback).
        amount: String,
        #[command(flatten)]
        id: OwnDeployment,
        /// The deployment's owner (address or key name) [default: the signer].
        #[arg(long)]
        owner: Option<String>,
        /// Where the funds come from, in order: `balance`, `grant` or `balance,grant`.
        #[arg(long, default_value = "balance")]
        sources: String,
        #[command(flatten)]
        common: TxFlags,
    },
    /// Close the deployment: its leases, orders and bids close; the rest of the deposit returns.
    Close {
        #[command(flatten)]
        id: OwnDeployment,
        #[command(flatten)]
        common: TxFlags,
    },
    /// Pause, start or close one group.
    #[command(subcommand)]
    Group(GroupTx),
}

/// Flags of `tx deployment create`.
#[derive(Debug, Args)]
pub(crate) struct CreateDeployment {
    /// The SDL file.
    sdl: PathBuf,
    /// Owner: key name or address in the keyring.
    #[arg(long)]
    from: String,
    /// Escrow deposit, in the SDL's price denom, e.g. `5000000uact`.
    #[arg(long)]
    deposit: String,
    /// Deployment sequence [default: the latest block height].
    #[arg(long)]
    dseq: Option<u64>,
    /// How orders become leases.
    #[arg(long, value_enum, default_value_t = AuctionArg::Lowest)]
    auction: AuctionArg,
    /// Bid window in blocks for `lowest` [default: the chain's param].
    #[arg(long)]
    bid_window: Option<u64>,
    /// Where the deposit comes from, in order: `balance`, `grant` (deposit grants given to
    /// you, `tx authz grant`) or `grant,balance`.
    #[arg(long, default_value = "balance")]
    sources: String,
    #[command(flatten)]
    common: TxFlags,
}

/// `--from KEY --dseq N`: a deployment of the signer.
#[derive(Debug, Args, Clone)]
pub(crate) struct OwnDeployment {
    /// Owner: key name or address in the keyring.
    #[arg(long)]
    from: String,
    /// Deployment sequence.
    #[arg(long)]
    dseq: u64,
}

/// `--from KEY --dseq N --gseq N`.
#[derive(Debug, Args, Clone)]
pub(crate) struct OwnGroup {
    #[command(flatten)]
    dep: OwnDeployment,
    /// Group sequence.
    #[arg(long, default_value_t = 1)]
    gseq: u32,
}

#[derive(Debug, Subcommand)]
pub(crate) enum GroupTx {
    /// Pause a group: its order, bids and lease close.
    Pause {
        #[command(flatten)]
        id: OwnGroup,
        #[command(flatten)]
        common: TxFlags,
    },
    /// Start a paused (or bidless) group again: a new order.
    Start {
        #[command(flatten)]
        id: OwnGroup,
        #[command(flatten)]
        common: TxFlags,
    },
    /// Close a group for good.
    Close {
        #[command(flatten)]
        id: OwnGroup,
        #[command(flatten)]
        common: TxFlags,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum MarketTx {
    /// Bids (signed by the provider).
    #[command(subcommand)]
    Bid(BidTx),
    /// Leases.
    #[command(subcommand)]
    Lease(LeaseTx),
}

/// `--owner A --dseq N --gseq N --oseq N`: an order.
#[derive(Debug, Args, Clone)]
pub(crate) struct OrderArgs {
    /// Deployment owner: address or key name.
    #[arg(long)]
    owner: String,
    /// Deployment sequence.
    #[arg(long)]
    dseq: u64,
    /// Group sequence.
    #[arg(long, default_value_t = 1)]
    gseq: u32,
    /// Order sequence.
    #[arg(long, default_value_t = 1)]
    oseq: u32,
}

/// `--dseq N --gseq N --oseq N --provider P`: a lease of the signer's deployment.
#[derive(Debug, Args, Clone)]
pub(crate) struct OwnLeaseArgs {
    /// Owner: key name or address in the keyring.
    #[arg(long)]
    from: String,
    /// Deployment sequence.
    #[arg(long)]
    dseq: u64,
    /// Group sequence.
    #[arg(long, default_value_t = 1)]
    gseq: u32,
    /// Order sequence.
    #[arg(long, default_value_t = 1)]
    oseq: u32,
    /// Provider: address or key name.
    #[arg(long)]
    provider: String,
}

#[derive(Debug, Subcommand)]
pub(crate) enum BidTx {
    /// Bid on an open order.
    Create(CreateBid),
    /// Withdraw a bid (or end its active lease).
    Close {
        #[command(flatten)]
        order: OrderArgs,
        /// Provider: key name or address in the keyring.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        common: TxFlags,
    },
}

/// Flags of `tx market bid create`.
#[derive(Debug, Args)]
pub(crate) struct CreateBid {
    #[command(flatten)]
    order: OrderArgs,
    /// Provider: key name or address in the keyring.
    #[arg(long)]
    from: String,
    /// Price per block, e.g. `20uact` or `0.5uact` (at most the order's max price).
    #[arg(long)]
    price: String,
    /// Deposit locked while the bid is open [default: the chain's minimum, in the price's denom].
    #[arg(long)]
    deposit: Option<String>,
    /// Reclamation window to offer, e.g. `24h` (required when the deployment asks for one).
    #[arg(long, value_parser = parse_window)]
    reclamation_window: Option<u64>,
    /// Where the deposit comes from, in order: `balance`, `grant` (bid-scoped deposit
    /// grants given to you, `tx authz grant --scope bid`) or `grant,balance`.
    #[arg(long, default_value = "balance")]
    sources: String,
    #[command(flatten)]
    common: TxFlags,
}

#[derive(Debug, Subcommand)]
pub(crate) enum LeaseTx {
    /// Accept a bid (tenant).
    Create {
        #[command(flatten)]
        id: OwnLeaseArgs,
        #[command(flatten)]
        common: TxFlags,
    },
    /// Start reclaiming a lease that has a reclamation window (provider); once the window has
    /// passed, `tx market bid close` ends it.
    StartReclaim {
        #[command(flatten)]
        order: OrderArgs,
        /// Provider: key name or address in the keyring.
        #[arg(long)]
        from: String,
        /// Why (shown to the tenant).
        #[arg(long, default_value = "")]
        reason: String,
        #[command(flatten)]
        common: TxFlags,
    },
    /// Withdraw what a lease earned (provider).
    Withdraw {
        #[command(flatten)]
        order: OrderArgs,
        /// Provider: key name or address in the keyring.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        common: TxFlags,
    },
    /// Close a lease (tenant).
    Close {
        #[command(flatten)]
        id: OwnLeaseArgs,
        #[command(flatten)]
        common: TxFlags,
    },
}

/// Filters of `query market … list`.
#[derive(Debug, Args, Clone)]
pub(crate) struct ListFlags {
    /// Deployment owner: address or key name.
    #[arg(long)]
    owner: Option<String>,
    /// Deployment sequence.
    #[arg(long)]
    dseq: Option<u64>,
    /// Provider: address or key name.
    #[arg(long)]
    provider: Option<String>,
    /// State (orders: open|active|closed; bids: open|active|lost|closed; leases:
    /// active|insufficient_funds|closed).
    #[arg(long)]
    state: Option<String>,
    /// Page size.
    #[arg(long)]
    limit: Option<usize>,
    /// Cursor: the `next` of the previous page.
    #[arg(long)]
    page_key: Option<String>,
    #[command(flatten)]
    at: AtHeight,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DeploymentQuery {
    /// List deployments.
    List {
        /// Owner: address or key name.
        #[arg(long)]
        owner: Option<String>,
        /// `active` or `closed`.
        #[arg(long)]
        state: Option<String>,
        /// Page size.
        #[arg(long)]
        limit: Option<usize>,
        #[command(flatten)]
        at: AtHeight,
    },
    /// One deployment with its groups and escrow account.
    Get {
        /// Owner: address or key name.
        #[arg(long)]
        owner: String,
        /// Deployment sequence.
        #[arg(long)]
        dseq: u64,
        #[command(flatten)]
        at: AtHeight,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum MarketQuery {
    /// Orders.
    #[command(subcommand)]
    Order(ListOnly),
    /// Bids.
    #[command(subcommand)]
    Bid(ListOnly),
    /// Leases.
    #[command(subcommand)]
    Lease(ListOnly),
}

#[derive(Debug, Subcommand)]
pub(crate) enum ListOnly {
    /// List, with optional filters.
    List(ListFlags),
}

#[derive(Debug, Subcommand)]
pub(crate) enum EscrowQuery {
    /// A deployment's escrow account.
    Account {
        /// Owner: address or key name.
        #[arg(long)]
        owner: String,
        /// Deployment sequence.
        #[arg(long)]
        dseq: u64,
        #[command(flatten)]
        at: AtHeight,
    },
    /// How many blocks the deployment's escrow lasts at the current rate.
    BlocksRemaining {
        /// Owner: address or key name.
        #[arg(long)]
        owner: String,
        /// Deployment sequence.
        #[arg(long)]
        dseq: u64,
        #[command(flatten)]
        at: AtHeight,
    },
}

// ------------------------------------------------------------------ tx

/// Reads and validates an SDL file; warnings go to stderr.
pub(crate) fn load_sdl(path: &Path) -> anyhow::Result<mk::Sdl> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow!("cannot read SDL file {}: {e}", path.display()))?;
    let sdl = mk::parse_sdl(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    // What the chain would refuse (e.g. auditors that are not addresses), before signing.
    mk::groups_from_sdl(&sdl).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    for w in sdl.warnings() {
        eprintln!("warning: {}: {w}", path.display());
    }
    Ok(sdl)
}

pub(crate) async fn run_deployment_tx(ctx: &Ctx, cmd: DeploymentTx) -> anyhow::Result<()> {
    match cmd {
        DeploymentTx::Create(c) => create_deployment(ctx, c).await,
        DeploymentTx::Update { sdl, id, common } => update_deployment(ctx, &sdl, id, common).await,
        DeploymentTx::Deposit { amount, id, owner, sources, common } => {
            deposit_deployment(ctx, &amount, id, owner, &sources, common).await
        }
        DeploymentTx::Close { id, common } => close_deployment(ctx, id, common).await,
        DeploymentTx::Group(g) => group_tx(ctx, g).await,
    }
}

async fn create_deployment(ctx: &Ctx, c: CreateDeployment) -> anyhow::Result<()> {
    let CreateDeployment { sdl, from, deposit, dseq, auction, bid_window, sources, common } = c;
    let parsed = load_sdl(&sdl)?;
    let deposit = mk::parse_coin(&deposit, "--deposit")?;
    let sources = dcloud_client::authz::parse_sources(&sources)
        .map_err(|e| anyhow::anyhow!("invalid --sources: {e}"))?;
    if dseq == Some(0) {
        bail!("--dseq must be > 0");
    }
    // Bad flags fail before the key is unlocked.
    common.options(ctx)?;
    let key = ctx.signing_key(&from)?;
    let owner = key.public_key().address();
    let dseq = match dseq {
        Some(d) => d,
        None => ctx.client()?.latest_height().await?.max(1),
    };
    let msg = mk::create_deployment(
        &owner,
        dseq,
        &parsed,
        deposit.clone(),
        auction.to_pb(),
        bid_window.unwrap_or(0),
    )?;
    let msg = match msg {
        Msg::CreateDeployment(mut m) => {
            m.deposit_sources = sources.iter().map(|s| *s as i32).collect();
            Msg::CreateDeployment(m)
        }
        other => other,
    };
    let price = parsed
        .max_price_per_block()
        .map(|p| format!(", max price {p} per block"))
        .unwrap_or_default();
    let summary = format!(
        "create deployment {owner}/{dseq} from {} ({} group(s){price}), deposit {}{}",
        sdl.display(),
        parsed.groups().len(),
        deposit.amount,
        deposit.denom
    );
    let extra = serde_json::json!({"owner": owner.to_string(), "dseq": dseq});
    send(ctx, &key, &[msg], &common, &summary, extra).await
}

async fn update_deployment(
    ctx: &Ctx,
    sdl: &Path,
    id: OwnDeployment,
    common: TxFlags,
) -> anyhow::Result<()> {
    let parsed = load_sdl(sdl)?;
    let key = ctx.signing_key(&id.from)?;
    let owner = key.public_key().address();
    let msg = mk::update_deployment(&owner, id.dseq, &parsed);
    let summary = format!(
        "update deployment {owner}/{} to the manifest of {} ({})",
        id.dseq,
        sdl.display(),
        hex::encode(parsed.manifest_hash())
    );
    send(ctx, &key, &[msg], &common, &summary, dep_extra(&owner, id.dseq)).await
}

async fn deposit_deployment(
    ctx: &Ctx,
    amount: &str,
    id: OwnDeployment,
    owner: Option<String>,
    sources: &str,
    common: TxFlags,
) -> anyhow::Result<()> {
    let coin = mk::parse_coin(amount, "amount")?;
    let sources = dcloud_client::authz::parse_sources(sources)
        .map_err(|e| anyhow::anyhow!("invalid --sources: {e}"))?;
    let key = ctx.signing_key(&id.from)?;
    let depositor = key.public_key().address();
    let owner = match owner {
        Some(o) => ctx.resolve_address(&o, "--owner")?,
        None => depositor.clone(),
    };
    let from_grant = if sources.contains(&dcloud_proto::dcloud::escrow::DepositSource::Grant) {
        " (drawing on deposit grants)"
    } else {
        ""
    };
    let summary = format!(
        "deposit {}{} into deployment {owner}/{}{from_grant}",
        coin.amount, coin.denom, id.dseq
    );
    let msg =
        dcloud_client::authz::deposit_deployment_from(&owner, id.dseq, coin, &depositor, &sources);
    send(ctx, &key, &[msg], &common, &summary, dep_extra(&owner, id.dseq)).await
}

async fn close_deployment(ctx: &Ctx, id: OwnDeployment, common: TxFlags) -> anyhow::Result<()> {
    let key = ctx.signing_key(&id.from)?;
    let owner = key.public_key().address();
    let summary = format!("close deployment {owner}/{}", id.dseq);
    let msg = mk::close_deployment(&owner, id.dseq);
    send(ctx, &key, &[msg], &common, &summary, dep_extra(&owner, id.dseq)).await
}

async fn group_tx(ctx: &Ctx, g: GroupTx) -> anyhow::Result<()> {
    let (verb, id, common, make): (_, _, _, fn(&AccAddress, u64, u32) -> Msg) = match g {
        GroupTx::Pause { id, common } => ("pause", id, common, mk::pause_group),
        GroupTx::Start { id, common } => ("start", id, common, mk::start_group),
        GroupTx::Close { id, common } => ("close", id, common, mk::close_group),
    };
    let key = ctx.signing_key(&id.dep.from)?;
    let owner = key.public_key().address();
    let summary = format!("{verb} group {owner}/{}/{}", id.dep.dseq, id.gseq);
    let msg = make(&owner, id.dep.dseq, id.gseq);
    let mut extra = dep_extra(&owner, id.dep.dseq);
    extra["gseq"] = id.gseq.into();
    send(ctx, &key, &[msg], &common, &summary, extra).await
}

fn dep_extra(owner: &AccAddress, dseq: u64) -> serde_json::Value {
    serde_json::json!({"owner": owner.to_string(), "dseq": dseq})
}

fn bid_extra(b: &BidRef) -> serde_json::Value {
    serde_json::json!({
        "owner": b.owner.to_string(), "dseq": b.dseq, "gseq": b.gseq, "oseq": b.oseq,
        "provider": b.provider.to_string(),
    })
}

fn bid_label(b: &BidRef) -> String {
    format!("{}/{}/{}/{}/{}", b.owner, b.dseq, b.gseq, b.oseq, b.provider)
}

impl OrderArgs {
    fn bid(&self, ctx: &Ctx, provider: AccAddress) -> anyhow::Result<BidRef> {
        Ok(BidRef {
            owner: ctx.resolve_address(&self.owner, "--owner")?,
            dseq: check_seq(self.dseq, "--dseq")?,
            gseq: check_seq(self.gseq, "--gseq")?,
            oseq: check_seq(self.oseq, "--oseq")?,
            provider,
        })
    }
}

impl OwnLeaseArgs {
    fn bid(&self, ctx: &Ctx, owner: AccAddress) -> anyhow::Result<BidRef> {
        Ok(BidRef {
            owner,
            dseq: check_seq(self.dseq, "--dseq")?,
            gseq: check_seq(self.gseq, "--gseq")?,
            oseq: check_seq(self.oseq, "--oseq")?,
            provider: ctx.resolve_address(&self.provider, "--provider")?,
        })
    }
}

fn check_seq<T: PartialEq + Default>(v: T, flag: &str) -> anyhow::Result<T> {
    if v == T::default() {
        bail!("{flag} must be > 0");
    }
    Ok(v)
}

/// A reclamation window in whole seconds, from a duration such as `24h`.
fn parse_window(s: &str) -> Result<u64, String> {
    let d = humantime::parse_duration(s)
        .map_err(|e| format!("invalid window {s:?} ({e}); use e.g. 1h or 24h"))?;
    if d.as_secs() == 0 {
        return Err(format!("window {s:?} is shorter than a second"));
    }
    Ok(d.as_secs())
}

pub(crate) async fn run_market_tx(ctx: &Ctx, cmd: MarketTx) -> anyhow::Result<()> {
    match cmd {
        MarketTx::Bid(BidTx::Create(c)) => create_bid(ctx, c).await,
        MarketTx::Bid(BidTx::Close { order, from, common }) => {
            let key = ctx.signing_key(&from)?;
            let b = order.bid(ctx, key.public_key().address())?;
            let summary = format!("close bid {}", bid_label(&b));
            send(ctx, &key, &[mk::close_bid(&b)], &common, &summary, bid_extra(&b)).await
        }
        MarketTx::Lease(LeaseTx::Create { id, common }) => {
            let key = ctx.signing_key(&id.from)?;
            let b = id.bid(ctx, key.public_key().address())?;
            let summary = format!("create lease {}", bid_label(&b));
            send(ctx, &key, &[mk::create_lease(&b)], &common, &summary, bid_extra(&b)).await
        }
        MarketTx::Lease(LeaseTx::StartReclaim { order, from, reason, common }) => {
            let key = ctx.signing_key(&from)?;
            let b = order.bid(ctx, key.public_key().address())?;
            let summary = format!("start reclaiming lease {}", bid_label(&b));
            let msg = mk::start_reclaim(&b, &reason);
            send(ctx, &key, &[msg], &common, &summary, bid_extra(&b)).await
        }
        MarketTx::Lease(LeaseTx::Withdraw { order, from, common }) => {
            let key = ctx.signing_key(&from)?;
            let b = order.bid(ctx, key.public_key().address())?;
            let summary = format!("withdraw lease earnings {}", bid_label(&b));
            send(ctx, &key, &[mk::withdraw_lease(&b)], &common, &summary, bid_extra(&b)).await
        }
        MarketTx::Lease(LeaseTx::Close { id, common }) => {
            let key = ctx.signing_key(&id.from)?;
            let b = id.bid(ctx, key.public_key().address())?;
            let summary = format!("close lease {}", bid_label(&b));
            send(ctx, &key, &[mk::close_lease(&b)], &common, &summary, bid_extra(&b)).await
        }
    }
}

async fn create_bid(ctx: &Ctx, c: CreateBid) -> anyhow::Result<()> {
    let CreateBid { order, from, price, deposit, reclamation_window, sources, common } = c;
    let sources = dcloud_client::authz::parse_sources(&sources)
        .map_err(|e| anyhow::anyhow!("invalid --sources: {e}"))?;
    let price = mk::parse_dec_coin(&price, "--price")?;
    let deposit = deposit.map(|d| mk::parse_coin(&d, "--deposit")).transpose()?;
    let key = ctx.signing_key(&from)?;
    let b = order.bid(ctx, key.public_key().address())?;
    let deposit = match deposit {
        Some(d) => d,
        None => {
            let p = mk::market_params(&ctx.client()?, 0).await?;
            let min = p
                .bid_min_deposits
                .iter()
                .find(|(d, _)| *d == price.denom)
                .or_else(|| p.bid_min_deposits.first())
                .ok_or_else(|| anyhow!("the chain lists no bid deposit denom: pass --deposit"))?;
            pb::Coin { denom: min.0.clone(), amount: min.1.to_string() }
        }
    };
    let summary = format!(
        "bid {}{} per block on order {}/{}/{}/{} as {}, deposit {}{}",
        price.amount,
        price.denom,
        b.owner,
        b.dseq,
        b.gseq,
        b.oseq,
        b.provider,
        deposit.amount,
        deposit.denom
    );
    let mut msg =
        mk::create_bid_with_reclamation(&b, price, deposit, reclamation_window.unwrap_or(0));
    if let dcloud_proto::Msg::CreateBid(m) = &mut msg {
        m.deposit_sources = sources.iter().map(|s| *s as i32).collect();
    }
    send(ctx, &key, &[msg], &common, &summary, bid_extra(&b)).await
}

/// Sends through the CLI's one tx path, printing `extra` (ids) with the outcome.
async fn send(
    ctx: &Ctx,
    key: &dcloud_crypto::secp256k1::SigningKey,
    msgs: &[Msg],
    flags: &TxFlags,
    summary: &str,
    extra: serde_json::Value,
) -> anyhow::Result<()> {
    let opts = flags.options(ctx)?;
    crate::common::send_with(ctx, key, msgs, &opts, flags.yes, summary, &extra).await
}

// ------------------------------------------------------------------ queries

fn opt_addr(ctx: &Ctx, s: &Option<String>, role: &str) -> anyhow::Result<Option<String>> {
    s.as_deref().map(|s| ctx.resolve_address(s, role).map(|a| a.to_string())).transpose()
}

/// The JSON name of a state / kind (`active`, `insufficient_funds`, `manual`).
fn name<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => "?".into(),
    }
}

fn coin_str(amount: u128, denom: &str) -> String {
    format!("{amount}{denom}")
}

fn print_deployment_line(d: &Deployment) {
    let groups: Vec<String> =
        d.groups.iter().map(|g| format!("{}:{}", g.gseq, name(&g.state))).collect();
    println!(
        "{}/{}  {}  auction {}  created {}  groups [{}]",
        d.owner,
        d.dseq,
        name(&d.state),
        name(&d.auction),
        d.created_at,
        groups.join(" ")
    );
}

pub(crate) async fn run_deployment_query(ctx: &Ctx, cmd: DeploymentQuery) -> anyhow::Result<()> {
    let client = ctx.client()?;
    match cmd {
        DeploymentQuery::List { owner, state, limit, at } => {
            list_deployments(ctx, &client, owner, state, limit, at).await
        }
        DeploymentQuery::Get { owner, dseq, at } => {
            get_deployment(ctx, &client, &owner, dseq, at).await
        }
    }
}

async fn list_deployments(
    ctx: &Ctx,
    client: &RpcClient,
    owner: Option<String>,
    state: Option<String>,
    limit: Option<usize>,
    at: AtHeight,
) -> anyhow::Result<()> {
    let f = Filter {
        owner: opt_addr(ctx, &owner, "--owner")?,
        state: state.map(|s| s.to_lowercase()),
        limit,
        ..Default::default()
    };
    let list = mk::deployments(client, &f, at.height).await?;
    if ctx.output.is_json() {
        return print_json(&serde_json::json!({"deployments": list}));
    }
    if list.is_empty() {
        println!("no deployments");
    }
    for d in &list {
        print_deployment_line(d);
    }
    Ok(())
}

async fn get_deployment(
    ctx: &Ctx,
    client: &RpcClient,
    owner: &str,
    dseq: u64,
    at: AtHeight,
) -> anyhow::Result<()> {
    let owner = ctx.resolve_address(owner, "--owner")?;
    let info = mk::deployment(client, &owner, dseq, at.height).await?;
    if ctx.output.is_json() {
        return print_json(&info);
    }
    let d = &info.deployment;
    println!("owner: {}", d.owner);
    println!("dseq: {}", d.dseq);
    println!("state: {}", name(&d.state));
    println!("auction: {} (bid window {} blocks)", name(&d.auction), d.bid_window);
    println!("hash: {}", d.hash);
    println!("created at: {}", d.created_at);
    let a = &info.escrow_account;
    println!(
        "escrow: balance {}  deposited {}  paid {}  refunded {}",
        coin_str(a.balance, &a.denom),
        coin_str(a.deposited, &a.denom),
        coin_str(a.transferred, &a.denom),
        coin_str(a.refunded, &a.denom)
    );
    match info.blocks_remaining {
        Some(b) => println!("blocks remaining: {b}"),
        None => println!("blocks remaining: unlimited (no active lease)"),
    }
    println!("groups:");
    for g in &d.groups {
        println!(
            "  {} {:?} {}: {} unit(s), max price {}{} per block, order {}",
            g.gseq,
            g.spec.name,
            name(&g.state),
            g.spec.resources.len(),
            fmt_dec18(g.spec.max_price_atto),
            g.spec.denom,
            g.oseq
        );
    }
    Ok(())
}

pub(crate) async fn run_market_query(ctx: &Ctx, cmd: MarketQuery) -> anyhow::Result<()> {
    let client = ctx.client()?;
    let (what, ListOnly::List(l)) = match cmd {
        MarketQuery::Order(l) => ("orders", l),
        MarketQuery::Bid(l) => ("bids", l),
        MarketQuery::Lease(l) => ("leases", l),
    };
    if what == "orders" && l.provider.is_some() {
        bail!("orders have no provider: drop --provider (it filters bids and leases)");
    }
    let f = Filter {
        owner: opt_addr(ctx, &l.owner, "--owner")?,
        dseq: l.dseq,
        provider: opt_addr(ctx, &l.provider, "--provider")?,
        state: l.state.map(|s| s.to_lowercase()),
        limit: l.limit,
        start_after: l.page_key.map(serde_json::Value::String),
    };
    let h = l.at.height;
    match what {
        "orders" => print_orders(ctx, &client, &f, h).await,
        "bids" => print_bids(ctx, &client, &f, h).await,
        _ => print_leases(ctx, &client, &f, h).await,
    }
}

async fn print_orders(ctx: &Ctx, client: &RpcClient, f: &Filter, h: u64) -> anyhow::Result<()> {
    let p = mk::orders(client, f, h).await?;
    if ctx.output.is_json() {
        return print_json(&p);
    }
    for o in &p.items {
        println!(
            "{}/{}/{}/{}  {}  max {}{}  bids {}  window ends {}  times out {}",
            o.owner,
            o.dseq,
            o.gseq,
            o.oseq,
            name(&o.state),
            fmt_dec18(o.max_price_atto),
            o.denom,
            o.bids,
            o.window_end,
            o.timeout_at
        );
    }
    print_next(p.items.is_empty(), &p.next);
    Ok(())
}

async fn print_bids(ctx: &Ctx, client: &RpcClient, f: &Filter, h: u64) -> anyhow::Result<()> {
    let p = mk::bids(client, f, h).await?;
    if ctx.output.is_json() {
        return print_json(&p);
    }
    for b in &p.items {
        println!(
            "{}/{}/{}/{}/{}  {}  price {}{}  deposit {}",
            b.owner,
            b.dseq,
            b.gseq,
            b.oseq,
            b.provider,
            name(&b.state),
            fmt_dec18(b.price_atto),
            b.denom,
            coin_str(b.deposit, &b.deposit_denom)
        );
    }
    print_next(p.items.is_empty(), &p.next);
    Ok(())
}

async fn print_leases(ctx: &Ctx, client: &RpcClient, f: &Filter, h: u64) -> anyhow::Result<()> {
    let p = mk::leases(client, f, h).await?;
    if ctx.output.is_json() {
        return print_json(&p);
    }
    for x in &p.items {
        println!(
            "{}/{}/{}/{}/{}  {}  price {}{}  since {}  paid {}",
            x.owner,
            x.dseq,
            x.gseq,
            x.oseq,
            x.provider,
            name(&x.state),
            fmt_dec18(x.price_atto),
            x.denom,
            x.created_at,
            coin_str(x.paid, &x.denom)
        );
    }
    print_next(p.items.is_empty(), &p.next);
    Ok(())
}

fn print_next(empty: bool, next: &Option<String>) {
    if empty {
        println!("none");
    }
    if let Some(n) = next {
        println!("more: --page-key {n}");
    }
}

pub(crate) async fn run_escrow_query(ctx: &Ctx, cmd: EscrowQuery) -> anyhow::Result<()> {
    let client = ctx.client()?;
    match cmd {
        EscrowQuery::Account { owner, dseq, at } => {
            let owner = ctx.resolve_address(&owner, "--owner")?;
            let a = mk::escrow_account(&client, &owner, dseq, at.height).await?;
            if ctx.output.is_json() {
                return print_json(&a);
            }
            println!("id: {}", a.id);
            println!("state: {}", name(&a.state));
            println!("balance: {}", coin_str(a.balance, &a.denom));
            println!("deposited: {}", coin_str(a.deposited, &a.denom));
            println!("paid: {}", coin_str(a.transferred, &a.denom));
            println!("refunded: {}", coin_str(a.refunded, &a.denom));
            println!("rate per block: {}{}", fmt_dec18(a.rate_atto), a.denom);
            println!("settled at: {}", a.settled_at);
        }
        EscrowQuery::BlocksRemaining { owner, dseq, at } => {
            let owner = ctx.resolve_address(&owner, "--owner")?;
            let r = mk::blocks_remaining(&client, &owner, dseq, at.height).await?;
            if ctx.output.is_json() {
                return print_json(&r);
            }
            match (r.blocks_remaining, r.exhausted_at) {
                (Some(b), Some(e)) => println!(
                    "{b} blocks remaining at height {} (funds run out at height {e}; balance {}{}, {}{} per block)",
                    r.height, r.balance, r.denom, r.rate_per_block, r.denom
                ),
                _ => println!(
                    "no active lease: balance {}{} is not being spent (height {})",
                    r.balance, r.denom, r.height
                ),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct T {
        #[command(subcommand)]
        cmd: Sub,
    }

    #[derive(Debug, Subcommand)]
    enum Sub {
        #[command(subcommand)]
        Deployment(DeploymentTx),
        #[command(subcommand)]
        Market(MarketTx),
        #[command(subcommand)]
        QDeployment(DeploymentQuery),
        #[command(subcommand)]
        QMarket(MarketQuery),
        #[command(subcommand)]
        QEscrow(EscrowQuery),
    }

    fn parse(args: &[&str]) -> Result<Sub, clap::Error> {
        let mut v = vec!["t"];
        v.extend_from_slice(args);
        T::try_parse_from(v).map(|t| t.cmd)
    }

    #[test]
    fn deployment_create_parses_with_defaults() {
        let c = parse(&["deployment", "create", "x.yaml", "--from", "alice", "--deposit", "5uact"])
            .unwrap();
        let Sub::Deployment(DeploymentTx::Create(CreateDeployment {
            sdl,
            from,
            deposit,
            dseq,
            auction,
            bid_window,
            ..
        })) = c
        else {
            panic!("{c:?}")
        };
        assert_eq!(sdl, PathBuf::from("x.yaml"));
        assert_eq!((from.as_str(), deposit.as_str()), ("alice", "5uact"));
        assert_eq!((dseq, auction, bid_window), (None, AuctionArg::Lowest, None));

        let c = parse(&[
            "deployment",
            "create",
            "x.yaml",
            "--from",
            "alice",
            "--deposit",
            "5uact",
            "--dseq",
            "9",
            "--auction",
            "manual",
            "--bid-window",
            "3",
            "-y",
        ])
        .unwrap();
        let Sub::Deployment(DeploymentTx::Create(CreateDeployment {
            dseq,
            auction,
            bid_window,
            ..
        })) = c
        else {
            panic!()
        };
        assert_eq!((dseq, auction, bid_window), (Some(9), AuctionArg::Manual, Some(3)));
        assert!(parse(&[
            "deployment",
            "create",
            "x.yaml",
            "--from",
            "a",
            "--deposit",
            "5uact",
            "--auction",
            "highest"
        ])
        .is_err());
        assert!(
            parse(&["deployment", "create", "x.yaml", "--from", "a"]).is_err(),
            "--deposit is required"
        );
    }

    #[test]
    fn deployment_and_group_commands_parse() {
        assert!(parse(&["deployment", "update", "x.yaml", "--from", "a", "--dseq", "3"]).is_ok());
        let c = parse(&["deployment", "deposit", "5uact", "--from", "a", "--dseq", "3"]).unwrap();
        let Sub::Deployment(DeploymentTx::Deposit { owner, sources, .. }) = c else { panic!() };
        assert_eq!((owner, sources.as_str()), (None, "balance"));
        let c = parse(&[
            "deployment",
            "deposit",
            "5uact",
            "--from",
            "a",
            "--dseq",
            "3",
            "--owner",
            "bob",
            "--sources",
            "grant,balance",
        ])
        .unwrap();
        let Sub::Deployment(DeploymentTx::Deposit { owner, sources, .. }) = c else { panic!() };
        assert_eq!((owner.as_deref(), sources.as_str()), (Some("bob"), "grant,balance"));
        assert!(parse(&["deployment", "close", "--from", "a", "--dseq", "3"]).is_ok());
        assert!(parse(&["deployment", "close", "--from", "a"]).is_err(), "--dseq is required");
        let c = parse(&["deployment", "group", "pause", "--from", "a", "--dseq", "3"]).unwrap();
        let Sub::Deployment(DeploymentTx::Group(GroupTx::Pause { id, .. })) = c else { panic!() };
        assert_eq!((id.dep.dseq, id.gseq), (3, 1));
        assert!(parse(&[
            "deployment",
            "group",
            "start",
            "--from",
            "a",
            "--dseq",
            "3",
            "--gseq",
            "2"
        ])
        .is_ok());
        assert!(parse(&["deployment", "group", "close", "--from", "a", "--dseq", "3"]).is_ok());
    }

    #[test]
    fn market_commands_parse() {
        let c = parse(&[
            "market", "bid", "create", "--owner", "akash1x", "--dseq", "5", "--gseq", "2",
            "--oseq", "3", "--price", "0.5uact", "--from", "provider",
        ])
        .unwrap();
        let Sub::Market(MarketTx::Bid(BidTx::Create(CreateBid { order, price, deposit, .. }))) = c
        else {
            panic!()
        };
        assert_eq!((order.dseq, order.gseq, order.oseq), (5, 2, 3));
        assert_eq!((price.as_str(), deposit), ("0.5uact", None));
        assert!(
            parse(&["market", "bid", "create", "--owner", "a", "--dseq", "5", "--from", "p"])
                .is_err(),
            "--price is required"
        );
        assert!(parse(&["market", "bid", "close", "--owner", "a", "--dseq", "5", "--from", "p"])
            .is_ok());
        let c = parse(&[
            "market",
            "bid",
            "create",
            "--owner",
            "a",
            "--dseq",
            "5",
            "--price",
            "1uact",
            "--from",
            "p",
            "--reclamation-window",
            "2h",
            "--sources",
            "grant,balance",
        ])
        .unwrap();
        let Sub::Market(MarketTx::Bid(BidTx::Create(CreateBid {
            reclamation_window,
            sources,
            ..
        }))) = c
        else {
            panic!()
        };
        assert_eq!(reclamation_window, Some(7200));
        assert_eq!(sources, "grant,balance");
        assert!(parse(&[
            "market",
            "bid",
            "create",
            "--owner",
            "a",
            "--dseq",
            "5",
            "--price",
            "1uact",
            "--from",
            "p",
            "--reclamation-window",
            "soon",
        ])
        .is_err());
        let c = parse(&[
            "market",
            "lease",
            "start-reclaim",
            "--owner",
            "a",
            "--dseq",
            "5",
            "--from",
            "p",
            "--reason",
            "maintenance",
        ])
        .unwrap();
        let Sub::Market(MarketTx::Lease(LeaseTx::StartReclaim { reason, .. })) = c else {
            panic!()
        };
        assert_eq!(reason, "maintenance");
        let c = parse(&[
            "market",
            "lease",
            "create",
            "--dseq",
            "5",
            "--provider",
            "p",
            "--from",
            "alice",
        ])
        .unwrap();
        let Sub::Market(MarketTx::Lease(LeaseTx::Create { id, .. })) = c else { panic!() };
        assert_eq!((id.dseq, id.gseq, id.oseq, id.provider.as_str()), (5, 1, 1, "p"));
        assert!(parse(&[
            "market", "lease", "withdraw", "--owner", "a", "--dseq", "5", "--from", "p"
        ])
        .is_ok());
        assert!(parse(&[
            "market",
            "lease",
            "close",
            "--dseq",
            "5",
            "--provider",
            "p",
            "--from",
            "a"
        ])
        .is_ok());
        assert!(
            parse(&["market", "lease", "close", "--dseq", "5", "--from", "a"]).is_err(),
            "--provider is required"
        );
    }

    #[test]
    fn queries_parse_with_height() {
        let c = parse(&["q-deployment", "get", "--owner", "a", "--dseq", "4", "--height", "12"])
            .unwrap();
        let Sub::QDeployment(DeploymentQuery::Get { at, .. }) = c else { panic!() };
        assert_eq!(at.height, 12);
        assert!(parse(&["q-deployment", "list", "--owner", "a", "--state", "active"]).is_ok());
        let c = parse(&[
            "q-market",
            "bid",
            "list",
            "--owner",
            "a",
            "--dseq",
            "4",
            "--provider",
            "p",
            "--state",
            "open",
            "--height",
            "7",
        ])
        .unwrap();
        let Sub::QMarket(MarketQuery::Bid(ListOnly::List(l))) = c else { panic!() };
        assert_eq!((l.dseq, l.at.height, l.state.as_deref()), (Some(4), 7, Some("open")));
        assert!(parse(&["q-market", "order", "list"]).is_ok());
        assert!(parse(&["q-market", "lease", "list", "--provider", "p"]).is_ok());
        assert!(parse(&["q-escrow", "account", "--owner", "a", "--dseq", "4"]).is_ok());
        assert!(parse(&[
            "q-escrow",
            "blocks-remaining",
            "--owner",
            "a",
            "--dseq",
            "4",
            "--height",
            "3"
        ])
        .is_ok());
        assert!(parse(&["q-escrow", "blocks-remaining", "--owner", "a"]).is_err());
    }

    #[test]
    fn zero_sequences_are_refused() {
        assert!(check_seq(0u64, "--dseq").unwrap_err().to_string().contains("--dseq must be > 0"));
        assert_eq!(check_seq(3u32, "--gseq").unwrap(), 3);
    }
}
