//! The tenant flow: `dcloud deploy` (validate → deployment → bids → lease → manifest →
//! running services) and `dcloud lease status|logs|events|shell|close`.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, bail};
use clap::{Args, Subcommand};
use dcloud_chain::market::Lease;
use dcloud_client::market::{self as mk, BidRef};
use dcloud_client::tenant::api::{LeaseStatus, LogOptions};
use dcloud_client::tenant::deploy::{
    self as flow, active_leases, lease_id, provider_client, Auction, DeployEvent, DeployObserver,
    DeployRequest,
};
use dcloud_client::tenant::{atto_to_decimal, Auth};
use dcloud_client::{PreparedTx, RpcClient, TxOptions};
use dcloud_crypto::secp256k1::SigningKey;
use dcloud_proto::Msg;
use dcloud_types::AccAddress;
use futures::StreamExt;
use serde::Serialize;

use crate::ctx::Ctx;
use crate::market::AuctionArg;
use crate::output::print_json;

#[derive(Debug, Args)]
pub(crate) struct DeployArgs {
    /// The SDL file.
    sdl: PathBuf,
    /// Tenant key (name or address).
    #[arg(long, env = "DCLOUD_FROM")]
    from: String,
    /// Escrow deposit, e.g. `5000000uact` [default: 5 ACT or 5 AKT in the SDL's price denom].
    #[arg(long)]
    deposit: Option<String>,
    /// `lowest`: the chain leases the lowest bid when the bid window closes; `manual`: this
    /// command accepts the lowest bid itself after the window.
    #[arg(long, value_enum, default_value_t = AuctionArg::Lowest)]
    auto_accept: AuctionArg,
    /// Bid window in blocks [default: the chain's].
    #[arg(long)]
    bid_window: Option<u64>,
    /// Update this existing deployment instead of creating one.
    #[arg(long)]
    dseq: Option<u64>,
    /// How long to wait for bids, the lease and running services.
    #[arg(long, default_value = "120s", value_parser = crate::args::parse_duration)]
    wait: Duration,
    /// Authenticate to providers with a JWT signed by the account key instead of the
    /// mutual-TLS client certificate.
    #[arg(long)]
    jwt: bool,
    /// Skip the confirmation prompt.
    #[arg(short = 'y', long)]
    yes: bool,
}

#[derive(Debug, Args)]
pub(crate) struct LeaseSel {
    /// Deployment sequence.
    #[arg(long)]
    dseq: u64,
    /// Only this group.
    #[arg(long)]
    gseq: Option<u32>,
    /// Only this order.
    #[arg(long)]
    oseq: Option<u32>,
    /// Only the lease with this provider.
    #[arg(long)]
    provider: Option<String>,
    /// Tenant key (name or address).
    #[arg(long, env = "DCLOUD_FROM")]
    from: String,
    /// Authenticate with a JWT instead of the client certificate.
    #[arg(long)]
    jwt: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum LeaseCmd {
    /// Services, replicas, URIs and forwarded ports of the deployment's leases.
    Status {
        #[command(flatten)]
        sel: LeaseSel,
    },
    /// Logs of the lease's services.
    Logs {
        #[command(flatten)]
        sel: LeaseSel,
        /// Only these services (comma-separated).
        #[arg(long, value_delimiter = ',')]
        service: Vec<String>,
        /// Keep streaming.
        #[arg(long, short = 'f')]
        follow: bool,
        /// Only the last N lines per replica.
        #[arg(long)]
        tail: Option<u64>,
    },
    /// Container events of the lease.
    Events {
        #[command(flatten)]
        sel: LeaseSel,
        /// Only these services (comma-separated).
        #[arg(long, value_delimiter = ',')]
        service: Vec<String>,
        /// Keep streaming.
        #[arg(long, short = 'f')]
        follow: bool,
    },
    /// Run a command in a service replica: `dcloud lease shell --dseq N --service web -- ls /`.
    Shell {
        #[command(flatten)]
        sel: LeaseSel,
        /// Service.
        #[arg(long)]
        service: String,
        /// Replica index.
        #[arg(long, default_value_t = 0)]
        replica: u32,
        /// Allocate a terminal (default: when stdin is a terminal).
        #[arg(long)]
        tty: bool,
        /// The command and its arguments.
        #[arg(last = true, required = true)]
        cmd: Vec<String>,
    },
    /// Close the deployment's leases (all of them: the whole deployment closes and the rest
    /// of the escrow is refunded; with --gseq/--oseq only that lease closes).
    Close {
        #[command(flatten)]
        sel: LeaseSel,
        /// Skip the confirmation prompt.
        #[arg(short = 'y', long)]
        yes: bool,
    },
}

fn step(ctx: &Ctx, msg: &str) {
    if !ctx.output.is_json() {
        eprintln!("» {msg}");
    }
}

/// Prints the deploy flow's progress (not with `-o json`) and asks before each tx.
struct Progress<'a> {
    ctx: &'a Ctx,
    yes: bool,
}

impl DeployObserver for Progress<'_> {
    fn event(&mut self, event: DeployEvent) {
        let ctx = self.ctx;
        let line = match event {
            DeployEvent::PublishingClientCert => {
                "publishing your client certificate on chain (first use)".to_string()
            }
            DeployEvent::UpdatingDeployment { dseq } => {
                format!("updating deployment {dseq} to the new manifest")
            }
            DeployEvent::CreatingDeployment { dseq, groups, deposit_amount, deposit_denom } => {
                format!("creating deployment {dseq} ({groups} group(s), deposit {deposit_amount}{deposit_denom})")
            }
            DeployEvent::DeploymentCreated { height } => {
                format!("deployment created in block {height}")
            }
            DeployEvent::WaitingForBids => "waiting for bids".to_string(),
            DeployEvent::BidSeen { gseq, provider, price_atto, denom } => {
                if !ctx.output.is_json() {
                    eprintln!(
                        "  bid  group {gseq}  provider {provider}  {}{denom} per block",
                        atto_to_decimal(price_atto)
                    );
                }
                return;
            }
            DeployEvent::AcceptingBids { groups } => {
                format!("accepting the lowest bid of {groups} group(s)")
            }
            DeployEvent::LeaseWon { lease: l } => format!(
                "lease {}/{}/{} won by {} at {}",
                l.dseq,
                l.gseq,
                l.oseq,
                l.provider,
                price_str(&l)
            ),
            DeployEvent::SendingManifest { provider } => {
                format!("sending the manifest to {provider}")
            }
            DeployEvent::WaitingForServices => "waiting for the services to run".to_string(),
        };
        step(ctx, &line);
    }

    fn confirm(&mut self, tx: &PreparedTx, summary: &str) -> Result<(), String> {
        crate::common::confirm(self.yes, tx, summary).map_err(|e| format!("{e:#}"))
    }
}

/// The tenant's authentication to providers: its client certificate (created on first
/// use; the message that publishes it is returned when it is not on chain yet) or a JWT.
async fn tenant_auth(
    ctx: &Ctx,
    client: &RpcClient,
    key: &SigningKey,
    jwt: bool,
) -> anyhow::Result<(Auth, Option<Msg>)> {
    if jwt {
        return Ok((Auth::Jwt { key: key.clone() }, None));
    }
    let owner = key.public_key().address();
    let c = crate::registry::ensure_client_cert(ctx, client, &owner).await?;
    Ok((Auth::Mtls { cert_pem: c.cert_pem, key_pem: c.key_pem }, c.publish))
}

#[derive(Debug, Serialize)]
struct LeaseOut {
    /// Port of the provider's ingress when it is not 80 (for printing URLs).
    #[serde(skip)]
    ingress_port: Option<u16>,
    owner: String,
    dseq: u64,
    gseq: u32,
    oseq: u32,
    provider: String,
    price: String,
    status: Option<LeaseStatus>,
}

impl LeaseOut {
    fn new(l: &Lease, status: LeaseStatus, ingress_port: Option<u16>) -> Self {
        Self {
            owner: l.owner.to_string(),
            dseq: l.dseq,
            gseq: l.gseq,
            oseq: l.oseq,
            provider: l.provider.to_string(),
            price: price_str(l),
            status: Some(status),
            ingress_port,
        }
    }
}

fn price_str(l: &Lease) -> String {
    format!("{}{}", atto_to_decimal(l.price_atto), l.denom)
}

/// `dcloud deploy`.
pub(crate) async fn deploy(ctx: &Ctx, a: DeployArgs) -> anyhow::Result<()> {
    let sdl = crate::market::load_sdl(&a.sdl)?;
    let client = ctx.client()?;
    let key = ctx.signing_key(&a.from)?;
    let (auth, publish_cert) = tenant_auth(ctx, &client, &key, a.jwt).await?;
    let deposit = a.deposit.as_deref().map(|d| mk::parse_coin(d, "--deposit")).transpose()?;
    let req = DeployRequest {
        sdl: &sdl,
        deposit,
        auction: match a.auto_accept {
            AuctionArg::Lowest => Auction::Lowest,
            AuctionArg::Manual => Auction::Manual,
        },
        bid_window: a.bid_window.unwrap_or(0),
        dseq: a.dseq,
        wait: a.wait,
        auth,
        publish_cert,
        chain_id: ctx.chain_id.clone(),
    };
    let done = match flow::deploy(&client, &key, req, &mut Progress { ctx, yes: a.yes }).await {
        Ok(d) => d,
        Err(e @ flow::DeployError::WorkloadFailed { dseq, .. }) => anyhow::bail!(
            "{e}\nnext: fix the SDL and update the deployment: dcloud deploy {} --dseq {dseq} --from {}\n  \
             or stop paying for it: dcloud lease close --dseq {dseq} --from {}\n  \
             (dcloud lease status --dseq {dseq} --from {} shows the failure)",
            a.sdl.display(),
            a.from,
            a.from,
            a.from
        ),
        Err(e) => return Err(e.into()),
    };
    let out: Vec<LeaseOut> = done
        .leases
        .iter()
        .map(|r| LeaseOut::new(&r.lease, r.status.clone(), r.ingress_port))
        .collect();
    let (dseq, timings) = (done.dseq, &done.timings);
    if ctx.output.is_json() {
        return print_json(&serde_json::json!({
            "owner": done.owner.to_string(), "dseq": dseq, "leases": out, "timings": timings,
        }));
    }
    println!("deployment {dseq} is running ({:.1} s)", timings.running_ms as f64 / 1000.0);
    print_leases(&out);
    println!();
    println!("next: dcloud lease status --dseq {dseq} --from {}", a.from);
    println!("      dcloud lease logs --dseq {dseq} --from {} --follow", a.from);
    println!("      dcloud lease close --dseq {dseq} --from {}", a.from);
    Ok(())
}

fn print_leases(out: &[LeaseOut]) {
    for l in out {
        println!(
            "lease {}/{}/{} provider {} price {} per block",
            l.dseq, l.gseq, l.oseq, l.provider, l.price
        );
        if let Some(st) = &l.status {
            print_status(st, l.ingress_port);
        }
    }
}

fn print_status(st: &LeaseStatus, ingress_port: Option<u16>) {
    for (name, s) in &st.services {
        println!("  service {name}: {}/{} available", s.available, s.total);
        for u in &s.uris {
            match ingress_port {
                Some(p) => println!("    http://{u}:{p}/"),
                None => println!("    http://{u}/"),
            }
        }
    }
    for (name, ports) in &st.forwarded_ports {
        for p in ports {
            println!(
                "  service {name}: {}:{} → port {} ({})",
                p.host, p.external_port, p.port, p.proto
            );
        }
    }
    for e in &st.errors {
        println!("  error: {e}");
    }
}

/// What every `dcloud lease …` command starts from: the selected leases and the
/// authentication to their providers.
struct Selected {
    client: RpcClient,
    key: SigningKey,
    owner: AccAddress,
    leases: Vec<Lease>,
    auth: Auth,
}

async fn select(ctx: &Ctx, sel: &LeaseSel) -> anyhow::Result<Selected> {
    let client = ctx.client()?;
    let key = ctx.signing_key(&sel.from)?;
    let owner = key.public_key().address();
    let provider_filter = match &sel.provider {
        Some(p) => Some(ctx.resolve_address(p, "--provider")?),
        None => None,
    };
    let leases: Vec<_> = active_leases(&client, &owner, sel.dseq)
        .await?
        .into_iter()
        .filter(|l| sel.gseq.is_none_or(|g| g == l.gseq))
        .filter(|l| sel.oseq.is_none_or(|o| o == l.oseq))
        .filter(|l| provider_filter.as_ref().is_none_or(|p| *p == l.provider))
        .collect();
    if leases.is_empty() {
        bail!("no active lease for deployment {owner}/{} matches", sel.dseq);
    }
    let (auth, publish) = tenant_auth(ctx, &client, &key, sel.jwt).await?;
    if publish.is_some() {
        bail!("your client certificate is not published on chain: run `dcloud tx cert publish --from {}` (or use --jwt)", sel.from);
    }
    Ok(Selected { client, key, owner, leases, auth })
}

/// `dcloud lease …`.
pub(crate) async fn lease(ctx: &Ctx, cmd: LeaseCmd) -> anyhow::Result<()> {
    let sel = match &cmd {
        LeaseCmd::Status { sel }
        | LeaseCmd::Logs { sel, .. }
        | LeaseCmd::Events { sel, .. }
        | LeaseCmd::Shell { sel, .. }
        | LeaseCmd::Close { sel, .. } => sel,
    };
    let s = select(ctx, sel).await?;
    match cmd {
        LeaseCmd::Status { .. } => lease_status(ctx, &s).await,
        LeaseCmd::Logs { service, follow, tail, .. } => {
            lease_logs(ctx, &s, LogOptions { services: service, follow, tail }).await
        }
        LeaseCmd::Events { service, follow, .. } => {
            lease_events(ctx, &s, LogOptions { services: service, follow, tail: None }).await
        }
        LeaseCmd::Shell { service, replica, tty, cmd, .. } => {
            let l = s.leases.first().ok_or_else(|| anyhow!("no lease"))?;
            let pc = provider_client(&s.client, &l.provider, &s.auth).await?;
            let code = crate::shell::run(&pc, &lease_id(l), &service, replica, cmd, tty).await?;
            if code != 0 {
                return Err(crate::process::Reported(code.clamp(1, 255) as u8).into());
            }
            Ok(())
        }
        LeaseCmd::Close { yes, sel } => lease_close(ctx, &s, &sel, yes).await,
    }
}

async fn lease_status(ctx: &Ctx, s: &Selected) -> anyhow::Result<()> {
    let mut out = Vec::new();
    for l in &s.leases {
        let pc = provider_client(&s.client, &l.provider, &s.auth).await?;
        let status =
            pc.lease_status(&lease_id(l)).await.map_err(|e| anyhow!("{}: {e}", l.provider))?;
        out.push(LeaseOut::new(l, status, flow::ingress_port(&pc).await));
    }
    if ctx.output.is_json() {
        return print_json(&serde_json::json!({"leases": out}));
    }
    print_leases(&out);
    Ok(())
}

async fn lease_logs(ctx: &Ctx, s: &Selected, opts: LogOptions) -> anyhow::Result<()> {
    let mut streams = futures::stream::SelectAll::new();
    for l in &s.leases {
        let pc = provider_client(&s.client, &l.provider, &s.auth).await?;
        streams
            .push(pc.logs(&lease_id(l), &opts).await.map_err(|e| anyhow!("{}: {e}", l.provider))?);
    }
    while let Some(line) = streams.next().await {
        let line = line.map_err(|e| anyhow!("log stream: {e}"))?;
        if ctx.output.is_json() {
            println!("{}", serde_json::to_string(&line)?);
        } else {
            println!("[{}] {}", line.name, line.message);
        }
    }
    Ok(())
}

async fn lease_events(ctx: &Ctx, s: &Selected, opts: LogOptions) -> anyhow::Result<()> {
    for l in &s.leases {
        let pc = provider_client(&s.client, &l.provider, &s.auth).await?;
        let mut st =
            pc.events(&lease_id(l), &opts).await.map_err(|e| anyhow!("{}: {e}", l.provider))?;
        while let Some(ev) = st.next().await {
            let ev = ev.map_err(|e| anyhow!("event stream: {e}"))?;
            if ctx.output.is_json() {
                println!("{}", serde_json::to_string(&ev)?);
            } else {
                println!(
                    "{} {} {} {}: {}",
                    ev.kind, ev.object.kind, ev.object.name, ev.reason, ev.note
                );
            }
        }
    }
    Ok(())
}

async fn lease_close(ctx: &Ctx, s: &Selected, sel: &LeaseSel, yes: bool) -> anyhow::Result<()> {
    let owner = &s.owner;
    let whole = sel.gseq.is_none() && sel.oseq.is_none() && sel.provider.is_none();
    let msgs: Vec<Msg> = if whole {
        vec![mk::close_deployment(owner, sel.dseq)]
    } else {
        s.leases
            .iter()
            .map(|l| {
                mk::close_lease(&BidRef {
                    owner: l.owner.clone(),
                    dseq: l.dseq,
                    gseq: l.gseq,
                    oseq: l.oseq,
                    provider: l.provider.clone(),
                })
            })
            .collect()
    };
    let what = if whole {
        format!("close deployment {owner}/{}", sel.dseq)
    } else {
        format!("close {} lease(s) of deployment {}", msgs.len(), sel.dseq)
    };
    let opts = TxOptions { chain_id: ctx.chain_id.clone(), ..TxOptions::default() };
    let none = serde_json::Value::Null;
    let out = crate::common::submit(ctx, &s.key, &msgs, &opts, yes, &what, &none).await?;
    if ctx.output.is_json() {
        return print_json(
            &serde_json::json!({"dseq": sel.dseq, "hash": out.hash, "height": out.height, "closed_deployment": whole}),
        );
    }
    println!("{what}: done in block {} (tx {})", out.height.unwrap_or(0), out.hash);
    Ok(())
}
