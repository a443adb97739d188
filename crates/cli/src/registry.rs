//! Provider, audit and certificate commands: `tx provider|audit|cert …` and
//! `query provider|audit|cert …`.

use dcloud_client::market::query_json_at;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context as _};
use clap::Subcommand;
use dcloud_chain::cert::{CertFilter, Certificate};
use dcloud_proto::dcloud::audit::{MsgDeleteProviderAttributes, MsgSignProviderAttributes};
use dcloud_proto::dcloud::cert::{CertificateId, MsgCreateCertificate, MsgRevokeCertificate};
use dcloud_proto::dcloud::provider::{
    Attribute, MsgCreateProvider, MsgUpdateProvider, ProviderInfo,
};
use dcloud_proto::Msg;
use dcloud_types::AccAddress;
use serde::Deserialize;

use crate::common::{send, TxFlags};
use crate::ctx::Ctx;
use crate::output::print_json;

/// `tx provider …`.
#[derive(Debug, Subcommand)]
pub(crate) enum ProviderTx {
    /// Register the `--from` key as a provider, from a YAML file (host, attributes, info).
    Create {
        /// provider.yaml: `host: https://…`, `attributes: [{key, value}]`, `info: {email, website}`.
        file: PathBuf,
        /// Signing key (name or address): the provider's account.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        common: TxFlags,
    },
    /// Replace the provider's host, attributes and info with those of a YAML file.
    Update {
        /// provider.yaml (same shape as for create).
        file: PathBuf,
        /// Signing key (name or address): the provider's account.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        common: TxFlags,
    },
}

/// `tx audit …`.
#[derive(Debug, Subcommand)]
pub(crate) enum AuditTx {
    /// Signed provider attributes.
    #[command(subcommand)]
    Attr(AuditAttrTx),
}

/// `tx audit attr …`.
#[derive(Debug, Subcommand)]
pub(crate) enum AuditAttrTx {
    /// Sign attributes of a provider as the `--from` auditor: `PROVIDER KEY VALUE [KEY VALUE…]`.
    Create {
        /// The provider (address or key name).
        provider: String,
        /// Key/value pairs.
        #[arg(required = true, num_args = 2..)]
        pairs: Vec<String>,
        /// Signing key: the auditor.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        common: TxFlags,
    },
    /// Withdraw signed attributes: `PROVIDER [KEY…]` (no key withdraws all).
    Delete {
        /// The provider (address or key name).
        provider: String,
        /// Keys to withdraw.
        keys: Vec<String>,
        /// Signing key: the auditor.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        common: TxFlags,
    },
}

/// `tx cert …`.
#[derive(Debug, Subcommand)]
pub(crate) enum CertTx {
    /// Create an ECDSA P-256 key and a self-signed certificate with CN = the key's address,
    /// stored under `<home>/certs/<address>.pem` and `.key` (mode 0600).
    #[command(subcommand)]
    Generate(CertGenerate),
    /// Publish the `--from` key's generated certificate on chain.
    Publish {
        /// Signing key (name or address): the certificate's owner.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        common: TxFlags,
    },
    /// Revoke a certificate of the `--from` key (default: the locally generated one).
    Revoke {
        /// Serial (decimal) of the certificate to revoke.
        #[arg(long)]
        serial: Option<String>,
        /// Signing key (name or address): the certificate's owner.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        common: TxFlags,
    },
}

/// `tx cert generate …`.
#[derive(Debug, Subcommand)]
pub(crate) enum CertGenerate {
    /// A client certificate (tenant side of mTLS).
    Client {
        /// Key (name or address) whose address becomes the CN.
        #[arg(long)]
        from: String,
        /// Replace existing files.
        #[arg(long)]
        overwrite: bool,
    },
}

/// `query provider …`.
#[derive(Debug, Subcommand)]
pub(crate) enum ProviderQuery {
    /// All registered providers.
    List {
        /// Most providers to show.
        #[arg(long, default_value_t = 100)]
        limit: usize,
        #[command(flatten)]
        at: crate::common::AtHeight,
    },
    /// One provider.
    Get {
        /// Provider address or key name.
        address: String,
        #[command(flatten)]
        at: crate::common::AtHeight,
    },
}

/// `query audit …`.
#[derive(Debug, Subcommand)]
pub(crate) enum AuditQuery {
    /// Signed attributes, by provider and/or auditor.
    List {
        /// Only records on this provider.
        #[arg(long)]
        provider: Option<String>,
        /// Only records by this auditor.
        #[arg(long)]
        auditor: Option<String>,
        #[command(flatten)]
        at: crate::common::AtHeight,
    },
}

/// `query cert …`.
#[derive(Debug, Subcommand)]
pub(crate) enum CertQuery {
    /// Published certificates.
    List {
        /// Only this owner's (address or key name).
        #[arg(long)]
        owner: Option<String>,
        /// Only `valid` or `revoked`.
        #[arg(long)]
        state: Option<String>,
        /// Only this serial.
        #[arg(long)]
        serial: Option<String>,
        #[command(flatten)]
        at: crate::common::AtHeight,
    },
}

/// provider.yaml.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProviderFile {
    host: String,
    #[serde(default)]
    attributes: Vec<KeyValue>,
    #[serde(default)]
    info: Option<InfoFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyValue {
    key: String,
    value: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InfoFile {
    #[serde(default)]
    email: String,
    #[serde(default)]
    website: String,
}

fn read_provider_file(path: &Path) -> anyhow::Result<ProviderFile> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_yaml::from_str(&text).map_err(|e| {
        anyhow!(
            "{}: {e} (expected `host: https://…`, `attributes: [{{key, value}}]`, `info: {{email, website}}`)",
            path.display()
        )
    })
}

fn provider_parts(f: ProviderFile) -> (String, Vec<Attribute>, Option<ProviderInfo>) {
    let attrs =
        f.attributes.into_iter().map(|a| Attribute { key: a.key, value: a.value }).collect();
    let info = f.info.map(|i| ProviderInfo { email: i.email, website: i.website });
    (f.host, attrs, info)
}

/// Runs `tx provider …`.
pub(crate) async fn provider_tx(ctx: &Ctx, cmd: ProviderTx) -> anyhow::Result<()> {
    let (file, from, common, create) = match cmd {
        ProviderTx::Create { file, from, common } => (file, from, common, true),
        ProviderTx::Update { file, from, common } => (file, from, common, false),
    };
    let (host_uri, attributes, info) = provider_parts(read_provider_file(&file)?);
    let opts = common.options(ctx)?;
    let key = ctx.signing_key(&from)?;
    let owner = key.public_key().address().to_string();
    let (msg, verb) = if create {
        (
            Msg::CreateProvider(MsgCreateProvider {
                owner: owner.clone(),
                host_uri,
                attributes,
                info,
            }),
            "register",
        )
    } else {
        (
            Msg::UpdateProvider(MsgUpdateProvider {
                owner: owner.clone(),
                host_uri,
                attributes,
                info,
            }),
            "update",
        )
    };
    send(ctx, &key, &[msg], &opts, &common, &format!("{verb} provider {owner}")).await
}

/// Runs `tx audit …`.
pub(crate) async fn audit_tx(ctx: &Ctx, cmd: AuditTx) -> anyhow::Result<()> {
    match cmd {
        AuditTx::Attr(AuditAttrTx::Create { provider, pairs, from, common }) => {
            if pairs.len() % 2 != 0 {
                bail!("give attributes as KEY VALUE pairs; {:?} has no value", pairs.last());
            }
            let provider = ctx.resolve_address(&provider, "provider")?;
            let opts = common.options(ctx)?;
            let key = ctx.signing_key(&from)?;
            let auditor = key.public_key().address().to_string();
            let attributes = pairs
                .chunks(2)
                .map(|p| Attribute { key: p[0].clone(), value: p[1].clone() })
                .collect();
            let msg = Msg::SignProviderAttributes(MsgSignProviderAttributes {
                owner: provider.to_string(),
                auditor: auditor.clone(),
                attributes,
            });
            let summary = format!("sign attributes of provider {provider} as auditor {auditor}");
            send(ctx, &key, &[msg], &opts, &common, &summary).await
        }
        AuditTx::Attr(AuditAttrTx::Delete { provider, keys, from, common }) => {
            let provider = ctx.resolve_address(&provider, "provider")?;
            let opts = common.options(ctx)?;
            let key = ctx.signing_key(&from)?;
            let auditor = key.public_key().address().to_string();
            let msg = Msg::DeleteProviderAttributes(MsgDeleteProviderAttributes {
                owner: provider.to_string(),
                auditor: auditor.clone(),
                keys,
            });
            let summary =
                format!("withdraw attributes of provider {provider} as auditor {auditor}");
            send(ctx, &key, &[msg], &opts, &common, &summary).await
        }
    }
}

fn cert_paths(ctx: &Ctx, addr: &AccAddress) -> (PathBuf, PathBuf) {
    let dir = ctx.home().join("certs");
    (dir.join(format!("{addr}.pem")), dir.join(format!("{addr}.key")))
}

fn write_private(path: &Path, data: &[u8], overwrite: bool) -> anyhow::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut o = std::fs::OpenOptions::new();
    o.write(true);
    if overwrite {
        o.create(true).truncate(true);
    } else {
        o.create_new(true);
    }
    #[cfg(unix)]
    o.mode(0o600);
    let mut f = o.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            anyhow!("{} already exists (pass --overwrite to replace it)", path.display())
        } else {
            anyhow!("cannot write {}: {e}", path.display())
        }
    })?;
    f.write_all(data).with_context(|| format!("cannot write {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

fn public_key_pem(key: &p256::ecdsa::SigningKey) -> anyhow::Result<String> {
    dcloud_client::tenant::certs::public_key_pem(key).map_err(|e| anyhow!("{e}"))
}

fn load_local_cert(
    ctx: &Ctx,
    addr: &AccAddress,
) -> anyhow::Result<(String, p256::ecdsa::SigningKey)> {
    use p256::pkcs8::DecodePrivateKey;
    let (pem_path, key_path) = cert_paths(ctx, addr);
    let cert = std::fs::read_to_string(&pem_path).map_err(|e| {
        anyhow!(
            "cannot read {}: {e} (run `dcloud tx cert generate client --from …` first)",
            pem_path.display()
        )
    })?;
    let key_pem = std::fs::read_to_string(&key_path)
        .with_context(|| format!("cannot read {}", key_path.display()))?;
    let key = p256::ecdsa::SigningKey::from_pkcs8_pem(&key_pem)
        .map_err(|e| anyhow!("{} is not a PKCS#8 P-256 key: {e}", key_path.display()))?;
    Ok((cert, key))
}

fn local_serial(cert_pem: &str) -> anyhow::Result<String> {
    let (_, pem) = x509_parser::pem::parse_x509_pem(cert_pem.as_bytes())
        .map_err(|e| anyhow!("local certificate is not PEM: {e}"))?;
    let cert = pem.parse_x509().map_err(|e| anyhow!("local certificate: {e}"))?;
    Ok(cert.tbs_certificate.serial.to_string())
}

/// Runs `tx cert …`.
pub(crate) async fn cert_tx(ctx: &Ctx, cmd: CertTx) -> anyhow::Result<()> {
    match cmd {
        CertTx::Generate(CertGenerate::Client { from, overwrite }) => {
            let addr = ctx.resolve_address(&from, "key")?;
            let g = dcloud_client::tenant::certs::generate_client_cert(&addr)
                .map_err(|e| anyhow!("generating a client certificate: {e}"))?;
            let (cert, key_pem, serial) = (g.cert_pem, g.key_pem, g.serial);
            let (pem_path, key_path) = cert_paths(ctx, &addr);
            if let Some(dir) = pem_path.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            write_private(&key_path, key_pem.as_bytes(), overwrite)?;
            write_private(&pem_path, cert.as_bytes(), overwrite)?;
            if ctx.output.is_json() {
                print_json(&serde_json::json!({
                    "owner": addr.to_string(), "serial": serial.to_string(),
                    "cert": pem_path, "key": key_path,
                }))?;
            } else {
                println!("certificate: {}", pem_path.display());
                println!("key: {}", key_path.display());
                println!("serial: {serial}");
                println!("publish it with `dcloud tx cert publish --from {from}`");
            }
            Ok(())
        }
        CertTx::Publish { from, common } => {
            let opts = common.options(ctx)?;
            let signer = ctx.signing_key(&from)?;
            let owner = signer.public_key().address();
            let (cert, key) = load_local_cert(ctx, &owner)?;
            let msg = Msg::CreateCertificate(MsgCreateCertificate {
                owner: owner.to_string(),
                cert: cert.into_bytes(),
                pubkey: public_key_pem(&key)?.into_bytes(),
            });
            send(ctx, &signer, &[msg], &opts, &common, &format!("publish certificate of {owner}"))
                .await
        }
        CertTx::Revoke { serial, from, common } => {
            let opts = common.options(ctx)?;
            let signer = ctx.signing_key(&from)?;
            let owner = signer.public_key().address();
            let serial = match serial {
                Some(s) => s,
                None => local_serial(&load_local_cert(ctx, &owner)?.0)?,
            };
            let msg = Msg::RevokeCertificate(MsgRevokeCertificate {
                id: Some(CertificateId { owner: owner.to_string(), serial: serial.clone() }),
            });
            let summary = format!("revoke certificate {serial} of {owner}");
            send(ctx, &signer, &[msg], &opts, &common, &summary).await
        }
    }
}

/// Runs `query provider …`.
pub(crate) async fn provider_query(ctx: &Ctx, cmd: ProviderQuery) -> anyhow::Result<()> {
    let client = ctx.client()?;
    match cmd {
        ProviderQuery::List { limit, at } => {
            let req = serde_json::json!({"limit": limit.clamp(1, 1000)});
            let page: dcloud_chain::query_views::ProviderPage =
                query_json_at(&client, "/provider/list", &req, at.height).await?;
            if ctx.output.is_json() {
                return print_json(&page);
            }
            if page.providers.is_empty() {
                println!("no providers registered");
            }
            for p in &page.providers {
                println!("{}  {}", p.owner, p.host_uri);
            }
        }
        ProviderQuery::Get { address, at } => {
            let addr = ctx.resolve_address(&address, "provider")?;
            let req = serde_json::Value::String(addr.to_string());
            let p: dcloud_chain::provider::Provider =
                match query_json_at(&client, "/provider/get", &req, at.height).await {
                    Ok(p) => p,
                    Err(e) if e.is_not_found() => {
                        return Err(anyhow!("{addr} is not a registered provider"))
                    }
                    Err(e) => return Err(e.into()),
                };
            if ctx.output.is_json() {
                return print_json(&p);
            }
            println!("owner: {}", p.owner);
            println!("host_uri: {}", p.host_uri);
            println!("attributes:");
            for a in &p.attributes {
                println!("  {}: {}", a.key, a.value);
            }
            println!("email: {}", p.info.email);
            println!("website: {}", p.info.website);
        }
    }
    Ok(())
}

/// Runs `query audit …`.
pub(crate) async fn audit_query(ctx: &Ctx, cmd: AuditQuery) -> anyhow::Result<()> {
    let AuditQuery::List { provider, auditor, at } = cmd;
    let provider = provider.map(|p| ctx.resolve_address(&p, "provider")).transpose()?;
    let auditor = auditor.map(|a| ctx.resolve_address(&a, "auditor")).transpose()?;
    let req = serde_json::to_value(dcloud_chain::query_views::AuditListReq {
        provider: provider.map(|a| a.to_string()),
        auditor: auditor.map(|a| a.to_string()),
        limit: Some(1000),
    })?;
    let records: Vec<dcloud_chain::audit::AuditedAttributes> =
        query_json_at(&ctx.client()?, "/audit/list", &req, at.height).await?;
    if ctx.output.is_json() {
        return print_json(&records);
    }
    if records.is_empty() {
        println!("no signed attributes");
    }
    for r in &records {
        println!("provider {} audited by {}:", r.owner, r.auditor);
        for a in &r.attributes {
            println!("  {}: {}", a.key, a.value);
        }
    }
    Ok(())
}

/// Runs `query cert …`.
pub(crate) async fn cert_query(ctx: &Ctx, cmd: CertQuery) -> anyhow::Result<()> {
    let CertQuery::List { owner, state, serial, at } = cmd;
    let owner = owner.map(|o| ctx.resolve_address(&o, "owner")).transpose()?;
    let filter = CertFilter { owner: owner.map(|o| o.to_string()), state, serial };
    let req =
        serde_json::to_value(dcloud_chain::query_views::CertListReq { filter, limit: Some(1000) })?;
    let certs: Vec<Certificate> =
        query_json_at(&ctx.client()?, "/cert/list", &req, at.height).await?;
    if ctx.output.is_json() {
        return print_json(&certs);
    }
    if certs.is_empty() {
        println!("no certificates");
    }
    for c in &certs {
        let state = match c.state {
            dcloud_chain::cert::CertState::Valid => "valid",
            dcloud_chain::cert::CertState::Revoked => "revoked",
        };
        println!("{}  serial {}  {state}", c.owner, c.serial);
    }
    Ok(())
}

/// The tenant's client certificate for provider mTLS (under `<home>/certs`), created on
/// first use; see [`dcloud_client::tenant::cert::ensure_client_cert`].
pub(crate) async fn ensure_client_cert(
    ctx: &Ctx,
    client: &dcloud_client::RpcClient,
    owner: &AccAddress,
) -> anyhow::Result<dcloud_client::tenant::cert::ClientCert> {
    let (pem_path, key_path) = cert_paths(ctx, owner);
    Ok(dcloud_client::tenant::cert::ensure_client_cert(client, owner, &pem_path, &key_path).await?)
}
