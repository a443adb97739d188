//! What every command area shares: the tx flags and the one tx send path ([`submit`]),
//! the `--height` flag. Kept apart from the area modules so that they import it and not
//! each other.

use std::time::Duration;

use anyhow::bail;
use clap::Args;
use dcloud_client::{
    BroadcastMode, ClientError, GasSetting, PreparedTx, RpcClient, TxOptions, TxOutcome, TxSender,
};
use dcloud_crypto::secp256k1::SigningKey;
use dcloud_proto::Msg;
use dcloud_types::Coins;

use crate::ctx::{read_stdin_line, Ctx};
use crate::output::{print_json, stdin_is_tty, with_spinner};

/// `--height H`.
#[derive(Debug, Args, Clone, Copy)]
pub(crate) struct AtHeight {
    /// Answer from this height [default: latest].
    #[arg(long, default_value_t = 0)]
    pub(crate) height: u64,
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
    #[arg(long, default_value = "30s", value_parser = crate::args::parse_duration)]
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

/// The one tx path: prepares (account, gas, fee, signature), asks for confirmation on a
/// terminal unless `yes`, broadcasts and waits. A failed tx is the client's
/// [`ClientError::TxFailed`] (one wording); with `-o json` its record (merged with `extra`)
/// is printed on stdout first.
pub(crate) async fn submit(
    ctx: &Ctx,
    key: &SigningKey,
    msgs: &[Msg],
    opts: &TxOptions,
    yes: bool,
    summary: &str,
    extra: &serde_json::Value,
) -> anyhow::Result<TxOutcome> {
    let client = ctx.client()?;
    let r = prepare_and_broadcast(&client, key, msgs, opts, Some((yes, summary))).await;
    match r {
        Ok(out) => Ok(out),
        Err(ClientError::TxFailed { code, codespace, log, hash, height }) => {
            if ctx.output.is_json() {
                let mut v = serde_json::json!({
                    "hash": hash, "height": height, "code": code, "codespace": codespace, "log": log,
                });
                merge(&mut v, extra);
                print_json(&v)?;
            }
            Err(ClientError::TxFailed { code, codespace, log, hash, height }.into())
        }
        Err(e) => Err(e.into()),
    }
}

/// [`submit`] for senders in the background (the devnet's price feeder): no prompt, no
/// progress spinner, nothing printed; the same preparation, broadcast and errors.
pub(crate) async fn submit_unattended(
    client: &RpcClient,
    key: &SigningKey,
    msgs: &[Msg],
    opts: &TxOptions,
) -> Result<TxOutcome, ClientError> {
    prepare_and_broadcast(client, key, msgs, opts, None).await
}

/// Prepares (account, gas, fee, signature) and broadcasts. With `prompt` (`yes`, summary)
/// it shows progress and asks for confirmation (see [`confirm`]).
async fn prepare_and_broadcast(
    client: &RpcClient,
    key: &SigningKey,
    msgs: &[Msg],
    opts: &TxOptions,
    prompt: Option<(bool, &str)>,
) -> Result<TxOutcome, ClientError> {
    let sender = TxSender::new(client, key);
    let prepare = sender.prepare(msgs, opts);
    let tx: PreparedTx = match prompt {
        Some(_) => with_spinner("preparing tx…", prepare).await?,
        None => prepare.await?,
    };
    let broadcast = dcloud_client::broadcast(client, &tx, opts.mode, opts.wait);
    match prompt {
        Some((yes, summary)) => {
            confirm(yes, &tx, summary).map_err(|e| ClientError::InvalidInput(format!("{e:#}")))?;
            with_spinner("waiting for the tx to be included in a block…", broadcast).await
        }
        None => broadcast.await,
    }
}

/// [`submit`], then prints the outcome (with `extra` merged in).
pub(crate) async fn send_with(
    ctx: &Ctx,
    key: &SigningKey,
    msgs: &[Msg],
    opts: &TxOptions,
    yes: bool,
    summary: &str,
    extra: &serde_json::Value,
) -> anyhow::Result<()> {
    let out = submit(ctx, key, msgs, opts, yes, summary, extra).await?;
    if ctx.output.is_json() {
        let mut v = serde_json::to_value(&out)?;
        merge(&mut v, extra);
        return print_json(&v);
    }
    if let Some(o) = extra.as_object() {
        for (k, v) in o {
            match v {
                serde_json::Value::String(s) => println!("{k}: {s}"),
                other => println!("{k}: {other}"),
            }
        }
    }
    print_outcome(ctx, &out)
}

/// [`send_with`] without extra fields.
pub(crate) async fn send(
    ctx: &Ctx,
    key: &SigningKey,
    msgs: &[Msg],
    opts: &TxOptions,
    flags: &TxFlags,
    summary: &str,
) -> anyhow::Result<()> {
    send_with(ctx, key, msgs, opts, flags.yes, summary, &serde_json::Value::Null).await
}

fn merge(v: &mut serde_json::Value, extra: &serde_json::Value) {
    if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
        for (k, x) in e {
            o.insert(k.clone(), x.clone());
        }
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
