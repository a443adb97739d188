//! `dcloud console`: serves the web console (explorer and wallet, built from `web/` and
//! embedded in the binary) and proxies the node's JSON-RPC and REST for it
//! (`dcloud-console`). Runs until Ctrl-C.

use anyhow::Context as _;
use clap::Args;
use dcloud_cli::Ctx;

/// The console's default listen address.
pub(crate) const DEFAULT_LISTEN: &str = "127.0.0.1:8800";

#[derive(Debug, Args)]
pub(crate) struct ConsoleArgs {
    /// Where the console listens (open http://ADDR/ in a browser).
    #[arg(long, default_value = DEFAULT_LISTEN, value_parser = dcloud_cli::args::parse_addr)]
    listen: std::net::SocketAddr,
    /// The node's REST API [default: the --node host, port 1317].
    #[arg(long)]
    rest: Option<String>,
}

pub(crate) async fn run(ctx: &Ctx, a: ConsoleArgs) -> anyhow::Result<()> {
    let rest = a.rest.unwrap_or_else(|| dcloud_console::default_rest_for(&ctx.node));
    let c = dcloud_console::start(dcloud_console::ConsoleConfig {
        rpc: ctx.node.clone(),
        rest: rest.clone(),
        listen: a.listen,
        faucet: None,
    })
    .await
    .context("cannot start the console")?;
    if ctx.output.is_json() {
        println!(
            "{}",
            serde_json::json!({
                "url": format!("http://{}/", c.addr),
                "rpc": ctx.node,
                "rest": rest,
                "embedded": dcloud_console::embedded(),
            })
        );
    } else {
        println!("dcloud console: http://{}/ (node RPC {}, REST {rest})", c.addr, ctx.node);
        if !dcloud_console::embedded() {
            println!("  this dcloud was built without the web app: run `cd web && npm ci && npm run build`, then rebuild dcloud");
        }
        println!("Press Ctrl-C to stop.");
    }
    tokio::select! {
        r = c.task => match r {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(anyhow::Error::new(e).context("the console server stopped")),
            Err(e) => Err(anyhow::anyhow!("the console server stopped: {e}")),
        },
        _ = dcloud_cli::process::shutdown_signal() => Ok(()),
    }
}
