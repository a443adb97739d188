//! `dcloud tx authz …`, `dcloud query authz …`: deposit grants.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, bail};
use clap::Subcommand;
use dcloud_client::authz as ca;
use dcloud_types::Coins;

use crate::common::AtHeight;
use crate::common::{send, TxFlags};
use crate::ctx::Ctx;
use crate::output::print_json;

/// `tx authz …`.
#[derive(Debug, Subcommand)]
pub(crate) enum AuthzTx {
    /// Let GRANTEE deposit your funds into escrow accounts:
    /// `dcloud tx authz grant akash1… deposit --spend-limit 5000000uact --from alice`.
    Grant {
        /// Who may spend: address or key name.
        grantee: String,
        /// The authorization: `deposit` (the only kind supported).
        kind: String,
        /// The most the grantee may deposit, e.g. `5000000uact`.
        #[arg(long)]
        spend_limit: String,
        /// Escrow accounts it may fund: `deployment`, `bid` or both (comma-separated).
        #[arg(long, default_value = "deployment")]
        scope: String,
        /// When the grant ends: Unix seconds, or a duration from now (e.g. `30days`)
        /// [default: never].
        #[arg(long)]
        expiration: Option<String>,
        /// Signing key: the granter.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        common: TxFlags,
    },
    /// Revoke your deposit grant to GRANTEE.
    Revoke {
        /// Address or key name.
        grantee: String,
        /// The authorization: `deposit`.
        #[arg(default_value = "deposit")]
        kind: String,
        /// Signing key: the granter.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        common: TxFlags,
    },
}

/// `query authz …`.
#[derive(Debug, Subcommand)]
pub(crate) enum AuthzQuery {
    /// Deposit grants, by granter and/or grantee.
    Grants {
        /// Only grants given by this address or key.
        #[arg(long)]
        granter: Option<String>,
        /// Only grants given to this address or key.
        #[arg(long)]
        grantee: Option<String>,
        #[command(flatten)]
        at: AtHeight,
    },
}

fn check_kind(kind: &str) -> anyhow::Result<()> {
    if kind != "deposit" {
        bail!("unsupported authorization {kind:?}: only `deposit` grants exist");
    }
    Ok(())
}

/// Unix seconds from `s`: a number as is, otherwise a duration from now.
fn parse_expiration(s: &str, now: SystemTime) -> anyhow::Result<i64> {
    if let Ok(secs) = s.trim().parse::<i64>() {
        return Ok(secs);
    }
    let d = humantime::parse_duration(s.trim()).map_err(|e| {
        anyhow!("invalid --expiration {s:?} ({e}): use Unix seconds or a duration like 30days")
    })?;
    let at = now
        .checked_add(d)
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .unwrap_or(Duration::ZERO);
    i64::try_from(at.as_secs()).map_err(|_| anyhow!("--expiration {s:?} is too far ahead"))
}

pub(crate) async fn authz_tx(ctx: &Ctx, cmd: AuthzTx) -> anyhow::Result<()> {
    match cmd {
        AuthzTx::Grant { grantee, kind, spend_limit, scope, expiration, from, common } => {
            check_kind(&kind)?;
            let limit: Coins = spend_limit
                .parse()
                .map_err(|e| anyhow!("invalid --spend-limit {spend_limit:?}: {e}"))?;
            if limit.is_empty() {
                bail!("--spend-limit must be positive");
            }
            let scopes = scope
                .split(',')
                .map(|s| ca::parse_scope(s).map_err(|e| anyhow!(e)))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let expiration =
                expiration.map(|e| parse_expiration(&e, SystemTime::now())).transpose()?;
            let grantee = ctx.resolve_address(&grantee, "grantee")?;
            let opts = common.options(ctx)?;
            let key = ctx.signing_key(&from)?;
            let granter = key.public_key().address();
            let summary = format!(
                "let {grantee} deposit up to {limit} of {granter}'s funds{}",
                expiration.map(|e| format!(" until Unix time {e}")).unwrap_or_default()
            );
            let msg = ca::grant_deposit(&granter, &grantee, &limit, &scopes, expiration);
            send(ctx, &key, &[msg], &opts, &common, &summary).await
        }
        AuthzTx::Revoke { grantee, kind, from, common } => {
            check_kind(&kind)?;
            let grantee = ctx.resolve_address(&grantee, "grantee")?;
            let opts = common.options(ctx)?;
            let key = ctx.signing_key(&from)?;
            let granter = key.public_key().address();
            let summary = format!("revoke the deposit grant from {granter} to {grantee}");
            send(ctx, &key, &[ca::revoke_deposit(&granter, &grantee)], &opts, &common, &summary)
                .await
        }
    }
}

pub(crate) async fn authz_query(ctx: &Ctx, cmd: AuthzQuery) -> anyhow::Result<()> {
    let AuthzQuery::Grants { granter, grantee, at } = cmd;
    let granter = granter.map(|g| ctx.resolve_address(&g, "granter")).transpose()?;
    let grantee = grantee.map(|g| ctx.resolve_address(&g, "grantee")).transpose()?;
    let grants = ca::grants(&ctx.client()?, granter.as_ref(), grantee.as_ref(), at.height).await?;
    if ctx.output.is_json() {
        return print_json(&serde_json::json!({ "grants": grants }));
    }
    if grants.is_empty() {
        println!("no grants");
    }
    for g in &grants {
        let scopes: Vec<String> =
            g.authorization.scopes.iter().map(|s| format!("{s:?}").to_lowercase()).collect();
        let expiry = match g.expiration_ms {
            Some(ms) => format!("expires at Unix time {}", ms / 1000),
            None => "no expiry".into(),
        };
        println!(
            "{} → {}: deposit up to {} ({}; {expiry})",
            g.granter,
            g.grantee,
            g.authorization.spend_limits,
            scopes.join(", ")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct T {
        #[command(subcommand)]
        cmd: Sub,
    }

    #[derive(Debug, clap::Subcommand)]
    enum Sub {
        #[command(subcommand)]
        Tx(AuthzTx),
        #[command(subcommand)]
        Q(AuthzQuery),
    }

    fn parse(args: &[&str]) -> Result<Sub, clap::Error> {
        let mut v = vec!["t"];
        v.extend_from_slice(args);
        T::try_parse_from(v).map(|t| t.cmd)
    }

    #[test]
    fn grant_revoke_and_grants_parse() {
        let c =
            parse(&["tx", "grant", "bob", "deposit", "--spend-limit", "5uact", "--from", "alice"])
                .unwrap();
        let Sub::Tx(AuthzTx::Grant { grantee, kind, spend_limit, scope, expiration, .. }) = c
        else {
            panic!()
        };
        assert_eq!(
            (grantee.as_str(), kind.as_str(), spend_limit.as_str(), scope.as_str(), expiration),
            ("bob", "deposit", "5uact", "deployment", None)
        );
        assert!(parse(&["tx", "grant", "bob", "deposit", "--from", "alice"]).is_err());
        let c = parse(&["tx", "revoke", "bob", "--from", "alice"]).unwrap();
        let Sub::Tx(AuthzTx::Revoke { kind, .. }) = c else { panic!() };
        assert_eq!(kind, "deposit");
        let c = parse(&["q", "grants", "--granter", "alice", "--height", "4"]).unwrap();
        let Sub::Q(AuthzQuery::Grants { granter, grantee, at }) = c else { panic!() };
        assert_eq!((granter.as_deref(), grantee, at.height), (Some("alice"), None, 4));
        assert!(check_kind("send").is_err());
    }

    #[test]
    fn expiration_is_unix_seconds_or_a_duration_from_now() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000);
        assert_eq!(parse_expiration("1700000000", now).unwrap(), 1_700_000_000);
        assert_eq!(parse_expiration("1h", now).unwrap(), 4_600);
        assert!(parse_expiration("tomorrow", now)
            .unwrap_err()
            .to_string()
            .contains("Unix seconds"));
    }
}
