//! `dcloud provider run|init`: the provider daemon.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context as _};
use clap::{Args, Subcommand};
use dcloud_provider::daemon::config::{example, BackendConfig, ExampleBackend, ProviderConfig};

use crate::ctx::{Ctx, KeyringKind};

#[derive(Debug, Subcommand)]
pub(crate) enum ProviderCmd {
    /// Run the provider daemon: watch orders, bid, deploy manifests, serve tenants.
    Run(RunArgs),
    /// Write a commented example provider.yaml.
    Init {
        /// Where to write it.
        #[arg(default_value = "provider.yaml")]
        path: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
        /// Where leases run: this host's Docker / Podman, or a Kubernetes cluster.
        #[arg(long, value_enum, default_value_t = InitBackend::Docker)]
        backend: InitBackend,
    },
}

/// `dcloud provider init --backend`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum InitBackend {
    /// Docker or Podman on this host.
    Docker,
    /// A Kubernetes cluster (kubeconfig).
    Kubernetes,
}

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The config file (see `dcloud provider init`).
    #[arg(long, env = "DCLOUD_PROVIDER_CONFIG", default_value = "provider.yaml")]
    config: PathBuf,
    /// Provider key (overrides `from`).
    #[arg(long)]
    from: Option<String>,
    /// Gateway listen address (overrides `gateway.listen`).
    #[arg(long)]
    gateway_listen: Option<SocketAddr>,
    /// Ingress listen address (overrides `ingress.listen`).
    #[arg(long)]
    ingress_listen: Option<SocketAddr>,
    /// Public URL of the gateway, registered on chain (overrides `host_uri`).
    #[arg(long)]
    host_uri: Option<String>,
    /// Container engine, e.g. `unix:///run/podman/podman.sock` (overrides `backend.docker_host`).
    #[arg(long)]
    docker_host: Option<String>,
    /// State directory (overrides `state_dir`).
    #[arg(long)]
    state_dir: Option<PathBuf>,
}

/// Loads a provider config and applies the command-line overrides.
pub(crate) fn load_config(a: &RunArgs) -> anyhow::Result<ProviderConfig> {
    let mut cfg = ProviderConfig::load(&a.config).map_err(|e| anyhow!("{e}"))?;
    if let Some(f) = &a.from {
        cfg.from = f.clone();
    }
    if let Some(l) = a.gateway_listen {
        cfg.gateway.listen = l;
    }
    if let Some(l) = a.ingress_listen {
        cfg.ingress.listen = l;
    }
    if let Some(h) = &a.host_uri {
        cfg.host_uri = h.clone();
    }
    if let Some(d) = &a.docker_host {
        cfg.backend = BackendConfig::Docker { docker_host: Some(d.clone()) };
    }
    if let Some(s) = &a.state_dir {
        cfg.state_dir = s.clone();
    }
    cfg.expand_paths();
    cfg.validate().map_err(|p| anyhow!("{}: {}", a.config.display(), p.join("; ")))?;
    Ok(cfg)
}

/// The context the provider's key lives in: the config's keyring home/backend win.
fn key_ctx(ctx: &Ctx, cfg: &ProviderConfig) -> anyhow::Result<Ctx> {
    let mut c = ctx.clone();
    if let Some(h) = &cfg.home {
        c.home = Some(h.clone());
    }
    match cfg.keyring_backend.as_deref() {
        None => {}
        Some("test") => c.keyring_backend = KeyringKind::Test,
        Some("file") => c.keyring_backend = KeyringKind::File,
        Some(other) => bail!("keyring_backend {other:?}: expected test or file"),
    }
    if c.node == dcloud_client::DEFAULT_NODE {
        c.node = cfg.node.clone();
    }
    if c.chain_id.is_none() {
        c.chain_id = cfg.chain_id.clone();
    }
    Ok(c)
}

/// Starts the daemon in this process.
pub async fn start(
    ctx: &Ctx,
    cfg: ProviderConfig,
) -> anyhow::Result<dcloud_provider::daemon::service::RunningProvider> {
    let kctx = key_ctx(ctx, &cfg)?;
    let key = kctx.signing_key(&cfg.from)?;
    let opts = dcloud_provider::daemon::service::StartOptions {
        key,
        node: kctx.node.clone(),
        chain_id: kctx.chain_id.clone(),
        state_dir: cfg.state_dir.clone(),
        config: cfg,
    };
    dcloud_provider::daemon::service::start(opts).await.map_err(|e| anyhow!("provider: {e}"))
}

pub(crate) async fn run(ctx: &Ctx, cmd: ProviderCmd) -> anyhow::Result<()> {
    match cmd {
        ProviderCmd::Init { path, force, backend } => init(&path, force, backend),
        ProviderCmd::Run(a) => {
            crate::process::init_logging("info");
            let cfg = load_config(&a)?;
            let p = start(ctx, cfg).await?;
            eprintln!(
                "provider {} running: gateway https://{} ingress http://{} (Ctrl-C to stop; containers keep running)",
                p.address, p.gateway_addr, p.ingress_addr
            );
            crate::process::shutdown_signal().await;
            p.shutdown();
            eprintln!("provider stopped");
            Ok(())
        }
    }
}

fn init(path: &Path, force: bool, backend: InitBackend) -> anyhow::Result<()> {
    if path.exists() && !force {
        bail!("{} already exists (pass --force to replace it)", path.display());
    }
    let text = example(match backend {
        InitBackend::Docker => ExampleBackend::Docker,
        InitBackend::Kubernetes => ExampleBackend::Kubernetes,
    });
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    println!("wrote {}: edit from, host_uri, attributes and pricing, then `dcloud provider run --config {}`", path.display(), path.display());
    Ok(())
}

/// The provider.yaml of a devnet.
pub fn devnet_config(
    home: &Path,
    node: &str,
    docker_host: Option<&str>,
    gateway: SocketAddr,
    ingress: SocketAddr,
) -> String {
    let docker = docker_host.map(|h| format!("\n  docker_host: {h}")).unwrap_or_default();
    format!(
        r#"# The devnet's provider (written by `dcloud devnet`; run it yourself with
# `dcloud provider run --config {cfg}` when the devnet was started with --no-provider).
from: provider
keyring_backend: test
home: {home}
node: {node}
host_uri: https://localhost:{gport}
attributes:
  - key: region
    value: devnet
  - key: host
    value: dcloud
info:
  email: devnet@dcloud.example
  website: https://dcloud.example
pricing:
  cpu: "0.004"
  memory: "0.002"
  storage:
    ephemeral: "0.00005"
    default: "0.0002"
  endpoint: "0.05"
capacity:
  detect: true
backend:
  kind: docker{docker}
ingress:
  domain: localhost
  listen: {ingress}
gateway:
  listen: {gateway}
public_hostname: localhost
bid_deposit: 500000uact
bid_timeout: 5m
manifest_timeout: 5m
withdraw_period: 1m
state_dir: {home}/provider
"#,
        cfg = home.join("provider.yaml").display(),
        home = home.display(),
        gport = gateway.port(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_writes_a_kubernetes_example_that_loads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("provider.yaml");
        init(&path, false, InitBackend::Kubernetes).unwrap();
        let cfg = ProviderConfig::load(&path).unwrap();
        assert!(matches!(cfg.backend, BackendConfig::Kubernetes(_)), "{:?}", cfg.backend);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("kind: kubernetes") && text.contains("# kubeconfig:"), "{text}");
        assert!(init(&path, false, InitBackend::Docker).is_err(), "no overwrite without --force");
        init(&path, true, InitBackend::Docker).unwrap();
        let cfg = ProviderConfig::load(&path).unwrap();
        assert_eq!(cfg.backend, BackendConfig::Docker { docker_host: None });
    }
}
