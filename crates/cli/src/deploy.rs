//! The tenant flow: `dcloud deploy` (validate → deployment → bids → lease → manifest →
//! running services) and `dcloud lease status|logs|events|shell|close`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _};
use clap::{Args, Subcommand};
use dcloud_client::market::{self as mk, BidRef, Filter};
use dcloud_client::tenant::api::{LeaseStatus, LogOptions};
use dcloud_client::tenant::LeaseId;
use dcloud_client::tenant::{Auth, ProviderClient};
use dcloud_client::{RpcClient, TxOptions, TxSender};
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
    #[arg(long, default_value = "120s", value_parser = crate::node::parse_duration)]
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

/// The tenant's authentication to providers: its client certificate (created and published
/// on first use) or a JWT.
async fn tenant_auth(
    ctx: &Ctx,
    client: &RpcClient,
    key: &SigningKey,
    jwt: bool,
    extra_msgs: &mut Vec<Msg>,
) -> anyhow::Result<Auth> {
    if jwt {
        return Ok(Auth::Jwt { key: key.clone() });
    }
    let owner = key.public_key().address();
    let (cert_pem, key_pem, publish) =
        crate::registry::ensure_client_cert(ctx, client, &owner).await?;
    if let Some(m) = publish {
        step(ctx, "publishing your client certificate on chain (first use)");
        extra_msgs.push(m);
    }
    Ok(Auth::Mtls { cert_pem, key_pem })
}

async fn send_tx(
    ctx: &Ctx,
    client: &RpcClient,
    key: &SigningKey,
    msgs: &[Msg],
    yes: bool,
    summary: &str,
) -> anyhow::Result<dcloud_client::TxOutcome> {
    let opts = TxOptions { chain_id: ctx.chain_id.clone(), ..TxOptions::default() };
    let sender = TxSender::new(client, key);
    let tx = sender.prepare(msgs, &opts).await?;
    crate::tx::confirm(yes, &tx, summary)?;
    let out = dcloud_client::broadcast(client, &tx, opts.mode, opts.wait).await?;
    if out.code != 0 {
        bail!("{} (tx {} failed, code {} {})", out.log, out.hash, out.code, out.codespace);
    }
    Ok(out)
}

/// How long each phase of `dcloud deploy` took (milliseconds since the command started).
#[derive(Debug, Default, Serialize)]
struct Timings {
    /// The deployment tx is in a block.
    deployment_tx_ms: u64,
    /// The first bid was seen.
    first_bid_ms: Option<u64>,
    /// Every group had a lease.
    lease_ms: Option<u64>,
    /// Every provider accepted the manifest.
    manifest_ms: u64,
    /// Every service had all replicas available.
    running_ms: u64,
    /// Blocks between the order's creation and the first bid's.
    order_to_bid_blocks: Option<u64>,
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

fn lease_id(l: &dcloud_app::modules::market::Lease) -> LeaseId {
    LeaseId {
        owner: l.owner.clone(),
        dseq: l.dseq,
        gseq: l.gseq,
        oseq: l.oseq,
        provider: l.provider.clone(),
    }
}

async fn active_leases(
    client: &RpcClient,
    owner: &AccAddress,
    dseq: u64,
) -> anyhow::Result<Vec<dcloud_app::modules::market::Lease>> {
    let f = Filter {
        owner: Some(owner.to_string()),
        dseq: Some(dseq),
        state: Some("active".into()),
        limit: Some(1000),
        ..Filter::default()
    };
    Ok(mk::leases(client, &f, 0).await?.items)
}

/// A client for the provider of `lease`, pinned to its on-chain certificates.
async fn provider_client(
    client: &RpcClient,
    provider: &AccAddress,
    auth: &Auth,
) -> anyhow::Result<ProviderClient> {
    let p = client
        .provider(provider)
        .await?
        .ok_or_else(|| anyhow!("provider {provider} is not registered on chain"))?;
    let certs = client
        .certificates(&dcloud_app::modules::cert::CertFilter {
            owner: Some(provider.to_string()),
            ..Default::default()
        })
        .await?
        .into_iter()
        .filter(|c| c.state == dcloud_app::modules::cert::CertState::Valid)
        .map(|c| c.cert)
        .collect::<Vec<_>>();
    if certs.is_empty() {
        bail!("provider {provider} has published no valid certificate: cannot authenticate it");
    }
    ProviderClient::new(&p.host_uri, provider.clone(), &certs, auth.clone())
        .with_context(|| format!("provider {provider} at {}", p.host_uri))
}

/// The provider's ingress port when it is not the HTTP default (devnets use 8080).
async fn ingress_port(pc: &ProviderClient) -> Option<u16> {
    let st = pc.provider_status().await.ok()?;
    let p = st["ingress"]["port"].as_u64()? as u16;
    (p != 80 && p != 0).then_some(p)
}

fn price_str(l: &dcloud_app::modules::market::Lease) -> String {
    format!("{}{}", dcloud_provider::service::atto_to_decimal(l.price_atto), l.denom)
}

/// `dcloud deploy`.
pub(crate) async fn deploy(ctx: &Ctx, a: DeployArgs) -> anyhow::Result<()> {
    let sdl = crate::market::load_sdl(&a.sdl)?;
    let client = ctx.client()?;
    let key = ctx.signing_key(&a.from)?;
    let owner = key.public_key().address();
    let started = Instant::now();
    let ms = move || started.elapsed().as_millis() as u64;
    let mut timings = Timings::default();
    let deadline = Instant::now() + a.wait;
    let mut msgs = Vec::new();
    let auth = tenant_auth(ctx, &client, &key, a.jwt, &mut msgs).await?;
    let manifest = sdl.manifest();

    let (dseq, created) = match a.dseq {
        Some(dseq) => {
            let info = mk::deployment(&client, &owner, dseq, 0)
                .await
                .with_context(|| format!("deployment {owner}/{dseq}"))?;
            if hex::encode(sdl.manifest_hash()) != info.deployment.hash {
                step(ctx, &format!("updating deployment {dseq} to the new manifest"));
                msgs.push(mk::update_deployment(&owner, dseq, &sdl));
            }
            if !msgs.is_empty() {
                send_tx(
                    ctx,
                    &client,
                    &key,
                    &msgs,
                    a.yes,
                    &format!("update deployment {owner}/{dseq}"),
                )
                .await?;
            }
            (dseq, false)
        }
        None => {
            let denom = sdl
                .max_price_per_block()
                .map(|p| p.denom.clone())
                .unwrap_or_else(|| dcloud_types::DENOM_ACT.to_string());
            let deposit = match &a.deposit {
                Some(d) => mk::parse_coin(d, "--deposit")?,
                None => mk::parse_coin(&format!("5000000{denom}"), "--deposit")?,
            };
            let dseq = client.latest_height().await?.max(1);
            msgs.push(mk::create_deployment(
                &owner,
                dseq,
                &sdl,
                deposit.clone(),
                a.auto_accept.to_pb(),
                a.bid_window.unwrap_or(0),
            )?);
            step(
                ctx,
                &format!(
                    "creating deployment {dseq} ({} group(s), deposit {}{})",
                    sdl.groups().len(),
                    deposit.amount,
                    deposit.denom
                ),
            );
            let out = send_tx(
                ctx,
                &client,
                &key,
                &msgs,
                a.yes,
                &format!("create deployment {owner}/{dseq}"),
            )
            .await?;
            step(ctx, &format!("deployment created in block {}", out.height.unwrap_or(0)));
            timings.deployment_tx_ms = ms();
            (dseq, true)
        }
    };

    let groups = sdl.groups().len();
    let leases = if created {
        let (leases, first_bid, order_to_bid) = wait_for_leases(
            ctx,
            &client,
            &key,
            &owner,
            dseq,
            groups,
            a.auto_accept,
            a.yes,
            deadline,
        )
        .await?;
        timings.first_bid_ms = first_bid.map(|t| t.duration_since(started).as_millis() as u64);
        timings.order_to_bid_blocks = order_to_bid;
        timings.lease_ms = Some(ms());
        leases
    } else {
        active_leases(&client, &owner, dseq).await?
    };
    if leases.is_empty() {
        bail!("deployment {dseq} has no active lease");
    }

    // Send the manifest to every provider holding a lease (once per provider).
    let mut providers: Vec<AccAddress> = leases.iter().map(|l| l.provider.clone()).collect();
    providers.sort();
    providers.dedup();
    for p in &providers {
        step(ctx, &format!("sending the manifest to {p}"));
        let pc = provider_client(&client, p, &auth).await?;
        let mut delay = Duration::from_millis(300);
        loop {
            match pc.send_manifest(dseq, &manifest).await {
                Ok(()) => break,
                Err(e) if Instant::now() + delay < deadline && e.is_retryable() => {
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(3));
                }
                Err(e) => return Err(anyhow!("provider {p} refused the manifest: {e}")),
            }
        }
    }

    timings.manifest_ms = ms();
    // Wait until every service of every lease has all its replicas available.
    step(ctx, "waiting for the services to run");
    let mut out = Vec::new();
    for l in &leases {
        let id = lease_id(l);
        let pc = provider_client(&client, &l.provider, &auth).await?;
        let status = loop {
            let st = pc.lease_status(&id).await;
            if let Ok(st) = &st {
                let ready = !st.services.is_empty()
                    && st.services.values().all(|s| s.available >= s.total && s.total > 0);
                if ready {
                    break st.clone();
                }
            }
            if Instant::now() >= deadline {
                bail!(
                    "lease {}/{}/{} on {} is not running after {:?}: {}",
                    l.dseq,
                    l.gseq,
                    l.oseq,
                    l.provider,
                    a.wait,
                    match st {
                        Ok(s) => serde_json::to_string(&s).unwrap_or_default(),
                        Err(e) => e.to_string(),
                    }
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        out.push(LeaseOut {
            owner: owner.to_string(),
            dseq,
            gseq: l.gseq,
            oseq: l.oseq,
            provider: l.provider.to_string(),
            price: price_str(l),
            status: Some(status),
            ingress_port: ingress_port(&pc).await,
        });
    }
    timings.running_ms = ms();
    if ctx.output.is_json() {
        return print_json(&serde_json::json!({
            "owner": owner.to_string(), "dseq": dseq, "leases": out, "timings": timings,
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
            for (name, s) in &st.services {
                println!("  service {name}: {}/{} available", s.available, s.total);
                for u in &s.uris {
                    match l.ingress_port {
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
    }
}

/// Shows bids as they arrive and returns once every group has a lease.
#[allow(clippy::too_many_arguments)]
async fn wait_for_leases(
    ctx: &Ctx,
    client: &RpcClient,
    key: &SigningKey,
    owner: &AccAddress,
    dseq: u64,
    groups: usize,
    auction: AuctionArg,
    yes: bool,
    deadline: Instant,
) -> anyhow::Result<(Vec<dcloud_app::modules::market::Lease>, Option<Instant>, Option<u64>)> {
    step(ctx, "waiting for bids");
    let mut seen = BTreeMap::new();
    let mut first_bid: Option<Instant> = None;
    let mut order_to_bid = None;
    let (window_end, order_created) = {
        let f = Filter { owner: Some(owner.to_string()), dseq: Some(dseq), ..Filter::default() };
        let orders = mk::orders(client, &f, 0).await?.items;
        (
            orders.iter().map(|o| o.window_end).max().unwrap_or(0),
            orders.iter().map(|o| o.created_at).min().unwrap_or(0),
        )
    };
    loop {
        let f = Filter { owner: Some(owner.to_string()), dseq: Some(dseq), ..Filter::default() };
        let bids = mk::bids(client, &f, 0).await?.items;
        for b in &bids {
            let k = (b.gseq, b.oseq, b.provider.to_string());
            if seen.insert(k, ()).is_none() {
                if first_bid.is_none() {
                    first_bid = Some(Instant::now());
                    order_to_bid = Some(b.created_at.saturating_sub(order_created));
                }
                if !ctx.output.is_json() {
                    eprintln!(
                        "  bid  group {}  provider {}  {}{} per block",
                        b.gseq,
                        b.provider,
                        dcloud_provider::service::atto_to_decimal(b.price_atto),
                        b.denom
                    );
                }
            }
        }
        let leases = active_leases(client, owner, dseq).await?;
        let mut gseqs: Vec<u32> = leases.iter().map(|l| l.gseq).collect();
        gseqs.dedup();
        if gseqs.len() >= groups {
            for l in &leases {
                step(
                    ctx,
                    &format!(
                        "lease {}/{}/{} won by {} at {}",
                        l.dseq,
                        l.gseq,
                        l.oseq,
                        l.provider,
                        price_str(l)
                    ),
                );
            }
            return Ok((leases, first_bid, order_to_bid));
        }
        let height = client.latest_height().await?;
        if auction == AuctionArg::Manual && height > window_end {
            // Accept the lowest open bid of every group without a lease.
            let mut msgs = Vec::new();
            let mut best: BTreeMap<(u32, u32), &dcloud_app::modules::market::Bid> = BTreeMap::new();
            for b in bids.iter().filter(|b| format!("{:?}", b.state).eq_ignore_ascii_case("open")) {
                if gseqs.contains(&b.gseq) {
                    continue;
                }
                let e = best.entry((b.gseq, b.oseq)).or_insert(b);
                if b.price_atto < e.price_atto {
                    *e = b;
                }
            }
            for b in best.values() {
                msgs.push(mk::create_lease(&BidRef {
                    owner: b.owner.clone(),
                    dseq: b.dseq,
                    gseq: b.gseq,
                    oseq: b.oseq,
                    provider: b.provider.clone(),
                }));
            }
            if !msgs.is_empty() {
                step(ctx, &format!("accepting the lowest bid of {} group(s)", msgs.len()));
                send_tx(ctx, client, key, &msgs, yes, "create lease(s)").await?;
                continue;
            }
        }
        if Instant::now() >= deadline {
            bail!(
                "no lease for every group of deployment {dseq} in time ({} bid(s) seen); check `dcloud query market order list --owner {owner}`",
                seen.len()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `dcloud lease …`.
pub(crate) async fn lease(ctx: &Ctx, cmd: LeaseCmd) -> anyhow::Result<()> {
    let client = ctx.client()?;
    let sel = match &cmd {
        LeaseCmd::Status { sel }
        | LeaseCmd::Logs { sel, .. }
        | LeaseCmd::Events { sel, .. }
        | LeaseCmd::Shell { sel, .. }
        | LeaseCmd::Close { sel, .. } => sel,
    };
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
    let mut none = Vec::new();
    let auth = if sel.jwt {
        Auth::Jwt { key: key.clone() }
    } else {
        tenant_auth(ctx, &client, &key, false, &mut none).await?
    };
    if !none.is_empty() {
        bail!("your client certificate is not published on chain: run `dcloud tx cert publish --from {}` (or use --jwt)", sel.from);
    }
    match cmd {
        LeaseCmd::Status { .. } => {
            let mut out = Vec::new();
            for l in &leases {
                let pc = provider_client(&client, &l.provider, &auth).await?;
                let status = pc
                    .lease_status(&lease_id(l))
                    .await
                    .map_err(|e| anyhow!("{}: {e}", l.provider))?;
                out.push(LeaseOut {
                    owner: owner.to_string(),
                    dseq: l.dseq,
                    gseq: l.gseq,
                    oseq: l.oseq,
                    provider: l.provider.to_string(),
                    price: price_str(l),
                    status: Some(status),
                    ingress_port: ingress_port(&pc).await,
                });
            }
            if ctx.output.is_json() {
                return print_json(&serde_json::json!({"leases": out}));
            }
            print_leases(&out);
            Ok(())
        }
        LeaseCmd::Logs { service, follow, tail, .. } => {
            let opts = LogOptions { services: service, follow, tail };
            let mut streams = futures::stream::SelectAll::new();
            for l in &leases {
                let pc = provider_client(&client, &l.provider, &auth).await?;
                streams.push(
                    pc.logs(&lease_id(l), &opts)
                        .await
                        .map_err(|e| anyhow!("{}: {e}", l.provider))?,
                );
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
        LeaseCmd::Events { service, follow, .. } => {
            let opts = LogOptions { services: service, follow, tail: None };
            for l in &leases {
                let pc = provider_client(&client, &l.provider, &auth).await?;
                let mut s = pc
                    .events(&lease_id(l), &opts)
                    .await
                    .map_err(|e| anyhow!("{}: {e}", l.provider))?;
                while let Some(ev) = s.next().await {
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
        LeaseCmd::Shell { service, replica, tty, cmd, .. } => {
            let l = leases.iter().find(|_| true).ok_or_else(|| anyhow!("no lease"))?;
            let pc = provider_client(&client, &l.provider, &auth).await?;
            let code = crate::shell::run(&pc, &lease_id(l), &service, replica, cmd, tty).await?;
            if code != 0 {
                return Err(crate::Reported(code.clamp(1, 255) as u8).into());
            }
            Ok(())
        }
        LeaseCmd::Close { yes, .. } => {
            let whole = sel.gseq.is_none() && sel.oseq.is_none() && sel.provider.is_none();
            let msgs: Vec<Msg> = if whole {
                vec![mk::close_deployment(&owner, sel.dseq)]
            } else {
                leases
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
            let out = send_tx(ctx, &client, &key, &msgs, yes, &what).await?;
            if ctx.output.is_json() {
                return print_json(
                    &serde_json::json!({"dseq": sel.dseq, "hash": out.hash, "height": out.height, "closed_deployment": whole}),
                );
            }
            println!("{what}: done in block {} (tx {})", out.height.unwrap_or(0), out.hash);
            Ok(())
        }
    }
}
