//! `dcloud chain-info`: the object Keplr's `window.keplr.experimentalSuggestChain` takes
//! (and Leap's, which reads the same shape), built from the node the CLI points at: its
//! chain id, its RPC and REST URLs, `akash` bech32 prefixes, BIP44 coin type 118, the uakt
//! and uact currencies, uakt as fee and stake currency with gas price steps from the
//! chain's minimum gas price.

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use crate::output::print_json;
use crate::Ctx;

/// `dcloud chain-info` flags.
#[derive(Debug, Args)]
pub(crate) struct ChainInfoArgs {
    /// The REST (LCD) URL wallets should use; default: the node's host on port 1317.
    #[arg(long)]
    rest: Option<String>,
    /// The RPC URL wallets should use; default: `--node`.
    #[arg(long)]
    rpc: Option<String>,
    /// The display name; default: "dcloud (<chain id>)".
    #[arg(long)]
    chain_name: Option<String>,
}

/// A currency as Keplr describes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Currency {
    /// Display denom (`AKT`).
    pub coin_denom: String,
    /// Base denom (`uakt`).
    pub coin_minimal_denom: String,
    /// Display exponent (6).
    pub coin_decimals: u8,
    /// Gas prices per unit of gas (fee currencies only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gas_price_step: Option<GasPriceStep>,
}

/// Low / average / high gas prices.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GasPriceStep {
    /// The chain's minimum.
    pub low: f64,
    /// 1.5 × the minimum.
    pub average: f64,
    /// 2 × the minimum.
    pub high: f64,
}

/// `bip44`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bip44 {
    /// 118 (the Cosmos coin type; dcloud keys derive m/44'/118'/0'/0/0).
    pub coin_type: u32,
}

/// `bech32Config`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bech32Config {
    /// `akash`.
    pub bech32_prefix_acc_addr: String,
    /// `akashpub`.
    pub bech32_prefix_acc_pub: String,
    /// `akashvaloper`.
    pub bech32_prefix_val_addr: String,
    /// `akashvaloperpub`.
    pub bech32_prefix_val_pub: String,
    /// `akashvalcons`.
    pub bech32_prefix_cons_addr: String,
    /// `akashvalconspub`.
    pub bech32_prefix_cons_pub: String,
}

/// The `ChainInfo` object of Keplr's `experimentalSuggestChain`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainInfo {
    /// Chain id.
    pub chain_id: String,
    /// Display name.
    pub chain_name: String,
    /// CometBFT RPC URL.
    pub rpc: String,
    /// REST (LCD) URL.
    pub rest: String,
    /// Key derivation.
    pub bip44: Bip44,
    /// Address prefixes.
    pub bech32_config: Bech32Config,
    /// Every currency of the chain.
    pub currencies: Vec<Currency>,
    /// What fees are paid in.
    pub fee_currencies: Vec<Currency>,
    /// What is staked.
    pub stake_currency: Currency,
    /// Keplr features (none needed).
    pub features: Vec<String>,
}

fn currency(display: &str, base: &str, step: Option<GasPriceStep>) -> Currency {
    Currency {
        coin_denom: display.into(),
        coin_minimal_denom: base.into(),
        coin_decimals: 6,
        gas_price_step: step,
    }
}

/// The chain info for `chain_id` at `rpc` / `rest`, with gas price steps from the chain's
/// minimum gas price (uakt per gas unit).
pub fn chain_info(
    chain_id: &str,
    chain_name: Option<&str>,
    rpc: &str,
    rest: &str,
    min_gas_price: f64,
) -> ChainInfo {
    let p = "akash";
    let step = GasPriceStep {
        low: min_gas_price,
        average: min_gas_price * 1.5,
        high: min_gas_price * 2.0,
    };
    let akt = currency("AKT", "uakt", None);
    ChainInfo {
        chain_id: chain_id.into(),
        chain_name: chain_name.map_or_else(|| format!("dcloud ({chain_id})"), str::to_string),
        rpc: rpc.trim_end_matches('/').into(),
        rest: rest.trim_end_matches('/').into(),
        bip44: Bip44 { coin_type: 118 },
        bech32_config: Bech32Config {
            bech32_prefix_acc_addr: p.into(),
            bech32_prefix_acc_pub: format!("{p}pub"),
            bech32_prefix_val_addr: format!("{p}valoper"),
            bech32_prefix_val_pub: format!("{p}valoperpub"),
            bech32_prefix_cons_addr: format!("{p}valcons"),
            bech32_prefix_cons_pub: format!("{p}valconspub"),
        },
        currencies: vec![akt.clone(), currency("ACT", "uact", None)],
        fee_currencies: vec![currency("AKT", "uakt", Some(step))],
        stake_currency: akt,
        features: vec![],
    }
}

/// The REST URL beside an RPC URL: same scheme and host, port 1317.
fn default_rest(rpc: &str) -> String {
    let (scheme, rest) = rpc.split_once("://").unwrap_or(("http", rpc));
    let host = rest.split(['/', '?']).next().unwrap_or(rest);
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host,
    };
    format!("{scheme}://{host}:1317")
}

pub(crate) async fn run(ctx: &Ctx, a: ChainInfoArgs) -> anyhow::Result<()> {
    let client = ctx.client()?;
    let status = client.status().await?;
    let params = client.auth_params().await?;
    let min: f64 = params
        .min_gas_price
        .parse()
        .with_context(|| format!("the chain's min gas price {:?}", params.min_gas_price))?;
    let rpc = a.rpc.unwrap_or_else(|| client.url().to_string());
    let rest = a.rest.unwrap_or_else(|| default_rest(&rpc));
    print_json(&chain_info(&status.node_info.network, a.chain_name.as_deref(), &rpc, &rest, min))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keplr_shape() {
        let ci = chain_info("dcloud-1", None, "http://n:26657/", "http://n:1317", 0.025);
        let j = serde_json::to_value(&ci).unwrap();
        assert_eq!(j["chainId"], "dcloud-1");
        assert_eq!(j["chainName"], "dcloud (dcloud-1)");
        assert_eq!(j["rpc"], "http://n:26657");
        assert_eq!(j["bip44"]["coinType"], 118);
        assert_eq!(j["bech32Config"]["bech32PrefixValAddr"], "akashvaloper");
        assert_eq!(j["bech32Config"]["bech32PrefixConsPub"], "akashvalconspub");
        assert_eq!(j["currencies"][1]["coinMinimalDenom"], "uact");
        assert_eq!(j["currencies"][0]["coinDecimals"], 6);
        assert!(j["currencies"][0].get("gasPriceStep").is_none());
        assert_eq!(j["feeCurrencies"][0]["gasPriceStep"]["low"], 0.025);
        assert_eq!(j["feeCurrencies"][0]["gasPriceStep"]["high"], 0.05);
        assert_eq!(j["stakeCurrency"]["coinDenom"], "AKT");
    }

    #[test]
    fn rest_defaults_beside_the_rpc() {
        assert_eq!(default_rest("http://10.0.0.1:26657"), "http://10.0.0.1:1317");
        assert_eq!(default_rest("https://rpc.example.com/"), "https://rpc.example.com:1317");
    }
}
