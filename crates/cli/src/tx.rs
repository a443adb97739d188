//! `dcloud tx …`: sign and broadcast.

use std::time::Duration;

use anyhow::bail;
use clap::{Args, Subcommand};
use dcloud_client::{
    BroadcastMode, ClientError, GasSetting, PreparedTx, TxOptions, TxOutcome, TxSender,
};
use dcloud_proto::cosmos::cosmos::bank::v1beta1::MsgSend;
use dcloud_proto::cosmos::cosmos::base::v1beta1::Coin as ProtoCoin;
use dcloud_proto::Msg;
use dcloud_types::Coins;

use crate::ctx::{read_stdin_line, Ctx};
use crate::output::{print_json, stdin_is_tty, with_spinner};

#[derive(Debug, Subcommand)]
pub(crate) enum TxCmd {
    /// Bank transactions.
    #[command(subcommand)]
    Bank(BankTx),
    /// Register or update a provider.
    #[command(subcommand)]
    Provider(crate::registry::ProviderTx),
    /// Sign or withdraw provider attributes as an auditor.
    #[command(subcommand)]
    Audit(crate::registry::AuditTx),
    /// Generate, publish and revoke mTLS certificates.
    #[command(subcommand)]
    Cert(crate::registry::CertTx),
    /// Deployments: create from an SDL, update, deposit, close; groups.
    #[command(subcommand)]
    Deployment(crate::market::DeploymentTx),
    /// Market: bids and leases.
    #[command(subcommand)]
    Market(crate::market::MarketTx),
    /// Oracle: publish the AKT/USD price (authorised sources).
    #[command(subcommand)]
    Oracle(crate::bme::OracleTx),
    /// Burn-Mint Equilibrium: convert AKT ↔ ACT.
    #[command(subcommand)]
    Bme(crate::bme::BmeTx),
    /// Staking: validators, delegations, unbonding, redelegation.
    #[command(subcommand)]
    Staking(crate::staking::StakingTx),
    /// Distribution: withdraw rewards and commission, withdraw address.
    #[command(subcommand)]
    Distribution(crate::staking::DistributionTx),
    /// Governance: proposals, deposits, votes.
    #[command(subcommand)]
    Gov(crate::gov::GovTx),
    /// Slashing: unjail a validator.
    #[command(subcommand)]
    Slashing(crate::staking::SlashingTx),
    /// Authz: deposit grants (let another account deposit your funds into escrow).
    #[command(subcommand)]
    Authz(crate::authz::AuthzTx),
}

#[derive(Debug, Subcommand)]
pub(crate) enum BankTx {
    /// Send coins: `dcloud tx bank send alice akash1… 1000uakt`.
    Send {
        /// Sender: key name or address in the keyring.
        from: String,
        /// Recipient: akash1… address or key name.
        to: String,
        /// Coins, e.g. `1000uakt` or `1000uakt,5uact`.
        #[arg(allow_hyphen_values = true)]
        amount: String,
        #[command(flatten)]
        common: TxFlags,
    },
}

/// Flags every tx command takes.
#[derive(Debug, Args, Clone)]
pub(crate) struct TxFlags {
    /// Fee, in uakt [default: gas × the chain's minimum gas price].
    #[arg(long)]
    fees: Option<String>,
    /// Gas limit: `auto` (simulate × --gas-adjustment) or a number.
    #[arg(long, default_value = "auto")]
    gas: GasSetting,
    /// Factor applied to simulated gas.
    #[arg(long, default_value_t = dcloud_client::tx::DEFAULT_GAS_ADJUSTMENT)]
    gas_adjustment: f64,
    /// Memo.
    #[arg(long, default_value = "")]
    memo: String,
    /// Block height after which the tx is invalid (0 = none).
    #[arg(long, default_value_t = 0)]
    timeout_height: u64,
    /// Skip the confirmation prompt.
    #[arg(short = 'y', long)]
    pub(crate) yes: bool,
    /// `commit`: wait until the tx is in a block; `sync`: return once it is in the mempool.
    #[arg(long, short = 'b', default_value = "commit")]
    broadcast_mode: BroadcastMode,
    /// How long to wait for inclusion in commit mode.
    #[arg(long, default_value = "30s", value_parser = crate::node::parse_duration)]
    wait: Duration,
}

impl TxFlags {
    pub(crate) fn options(&self, ctx: &Ctx) -> anyhow::Result<TxOptions> {
        let fees = match &self.fees {
            Some(f) => {
                Some(f.parse::<Coins>().map_err(|e| anyhow::anyhow!("invalid --fees: {e}"))?)
            }
            None => None,
        };
        let gas = match self.gas {
            GasSetting::Auto { .. } => {
                if !(1.0..=10.0).contains(&self.gas_adjustment) {
                    bail!("--gas-adjustment must be between 1 and 10");
                }
                GasSetting::Auto { adjustment: self.gas_adjustment }
            }
            g => g,
        };
        Ok(TxOptions {
            chain_id: ctx.chain_id.clone(),
            gas,
            fees,
            memo: self.memo.clone(),
            timeout_height: self.timeout_height,
            mode: self.broadcast_mode,
            wait: self.wait,
        })
    }
}

pub(crate) async fn run(ctx: &Ctx, cmd: TxCmd) -> anyhow::Result<()> {
    match cmd {
        TxCmd::Deployment(c) => crate::market::run_deployment_tx(ctx, c).await,
        TxCmd::Market(c) => crate::market::run_market_tx(ctx, c).await,
        TxCmd::Oracle(c) => crate::bme::oracle_tx(ctx, c).await,
        TxCmd::Bme(c) => crate::bme::bme_tx(ctx, c).await,
        TxCmd::Staking(c) => crate::staking::staking_tx(ctx, c).await,
        TxCmd::Distribution(c) => crate::staking::distribution_tx(ctx, c).await,
        TxCmd::Gov(c) => crate::gov::gov_tx(ctx, c).await,
        TxCmd::Slashing(c) => crate::staking::slashing_tx(ctx, c).await,
        TxCmd::Authz(c) => crate::authz::authz_tx(ctx, c).await,
        TxCmd::Bank(BankTx::Send { from, to, amount, common }) => {
            let coins: Coins =
                amount.parse().map_err(|e| anyhow::anyhow!("invalid amount {amount:?}: {e}"))?;
            if coins.is_empty() {
                bail!("invalid amount {amount:?}: give at least one coin, e.g. 1000uakt");
            }
            let to_addr = ctx.resolve_address(&to, "recipient")?;
            let opts = common.options(ctx)?;
            let key = ctx.signing_key(&from)?;
            let from_addr = key.public_key().address();
            let msg = Msg::Send(MsgSend {
                from_address: from_addr.to_string(),
                to_address: to_addr.to_string(),
                amount: coins
                    .iter()
                    .map(|c| ProtoCoin { denom: c.denom, amount: c.amount.to_string() })
                    .collect(),
            });
            let summary = format!("send {coins} from {from_addr} to {to_addr}");
            send(ctx, &key, &[msg], &opts, &common, &summary).await
        }
        TxCmd::Provider(c) => crate::registry::provider_tx(ctx, c).await,
        TxCmd::Audit(c) => crate::registry::audit_tx(ctx, c).await,
        TxCmd::Cert(c) => crate::registry::cert_tx(ctx, c).await,
    }
}

pub(crate) async fn send(
    ctx: &Ctx,
    key: &dcloud_crypto::secp256k1::SigningKey,
    msgs: &[Msg],
    opts: &TxOptions,
    flags: &TxFlags,
    summary: &str,
) -> anyhow::Result<()> {
    let client = ctx.client()?;
    let sender = TxSender::new(&client, key);
    let tx: PreparedTx = with_spinner("preparing tx…", sender.prepare(msgs, opts)).await?;
    confirm(flags.yes, &tx, summary)?;
    let r = with_spinner(
        "waiting for the tx to be included in a block…",
        dcloud_client::broadcast(&client, &tx, opts.mode, opts.wait),
    )
    .await;
    match r {
        Ok(out) => print_outcome(ctx, &out),
        Err(ClientError::TxFailed { code, codespace, log, hash, height }) => {
            if ctx.output.is_json() {
                print_json(&serde_json::json!({
                    "hash": hash, "height": height, "code": code, "codespace": codespace, "log": log,
                }))?;
            }
            let at = height.map(|h| format!(" in block {h}")).unwrap_or_default();
            bail!("tx {hash} failed{at} with code {code} ({codespace}): {log}")
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn print_outcome(ctx: &Ctx, out: &TxOutcome) -> anyhow::Result<()> {
    if ctx.output.is_json() {
        return print_json(out);
    }
    println!("txhash: {}", out.hash);
    match out.height {
        Some(h) => println!("height: {h}"),
        None => println!(
            "height: pending (broadcast mode sync; check with `dcloud query tx {}`)",
            out.hash
        ),
    }
    println!("code: {}", out.code);
    if out.height.is_some() {
        println!("gas used/wanted: {}/{}", out.gas_used, out.gas_wanted);
    }
    Ok(())
}

/// Shows what is about to be signed and asks for confirmation, on a terminal without `-y`.
pub(crate) fn confirm(yes: bool, tx: &PreparedTx, summary: &str) -> anyhow::Result<()> {
    if !yes && stdin_is_tty() {
        eprintln!(
            "{summary}\n  chain-id: {}  sequence: {}  gas: {}  fee: {}",
            tx.chain_id,
            tx.sequence,
            tx.gas_limit,
            if tx.fee.is_empty() { "none".to_string() } else { tx.fee.to_string() }
        );
        eprint!("confirm transaction before signing and broadcasting [y/N]: ");
        let answer = read_stdin_line("an answer")?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            bail!("transaction cancelled");
        }
    }
    Ok(())
}
