//! `dcloud tx …`: sign and broadcast.

use anyhow::bail;
use clap::Subcommand;
use dcloud_proto::cosmos::cosmos::bank::v1beta1::MsgSend;
use dcloud_proto::cosmos::cosmos::base::v1beta1::Coin as ProtoCoin;
use dcloud_proto::Msg;
use dcloud_types::Coins;

use crate::common::{send, TxFlags};
use crate::ctx::Ctx;

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
