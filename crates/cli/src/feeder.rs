//! The devnet's built-in AKT/USD price feeder: the validator key, an authorised oracle
//! source, submits a price every interval from a configurable source.
//!
//! Sources (`--price-feed`): `fixed:1.50` (a constant), `file:PATH` (the decimal in a file,
//! re-read every tick: edit it to move the price), `sim:1.50` (a simulated path: a
//! deterministic random walk from 1.50, at most ±1 % per tick, kept within ×0.1–×10 of the
//! start), or `off` (submit by hand with `dcloud tx oracle submit-price`).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, bail};
use dcloud_client::{BroadcastMode, GasSetting, RpcClient, TxOptions};
use dcloud_crypto::secp256k1::SigningKey;

use crate::common::submit_unattended;

/// Where the feeder reads prices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PriceFeed {
    /// No feeder.
    Off,
    /// A constant decimal.
    Fixed(String),
    /// A file holding a decimal.
    File(PathBuf),
    /// A random walk from a start price, in micro-USD.
    Sim(u128),
}

impl std::str::FromStr for PriceFeed {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> anyhow::Result<Self> {
        let check = |p: &str| -> anyhow::Result<u128> {
            let v = dcloud_chain::auth::parse_decimal_micro(p)
                .map_err(|e| anyhow!("price feed {s:?}: {e}"))?;
            if v == 0 {
                bail!("price feed {s:?}: the price must be positive");
            }
            Ok(v)
        };
        match s.split_once(':') {
            _ if s == "off" => Ok(Self::Off),
            Some(("fixed", p)) => {
                check(p)?;
                Ok(Self::Fixed(p.to_string()))
            }
            Some(("file", p)) if !p.is_empty() => Ok(Self::File(PathBuf::from(p))),
            Some(("sim", p)) => Ok(Self::Sim(check(p)?)),
            _ => bail!("unknown price feed {s:?}: use fixed:PRICE, file:PATH, sim:START or off"),
        }
    }
}

/// Formats micro-USD as a decimal.
fn micro(v: u128) -> String {
    format!("{}.{:06}", v / 1_000_000, v % 1_000_000)
}

impl PriceFeed {
    /// The price to put in genesis (the feed's first value; files default to 1.50).
    pub fn initial(&self) -> String {
        match self {
            Self::Fixed(p) => p.clone(),
            Self::Sim(start) => micro(*start),
            Self::File(path) => std::fs::read_to_string(path)
                .ok()
                .map(|s| s.trim().to_string())
                .filter(|s| dcloud_chain::escrow::parse_dec18(s).is_ok_and(|v| v > 0))
                .unwrap_or_else(|| "1.50".into()),
            Self::Off => "1.50".into(),
        }
    }
}

/// Runs forever: one price submission per `interval`; failures are reported and retried
/// at the next tick.
pub async fn run(
    rpc: String,
    key: SigningKey,
    chain_id: String,
    feed: PriceFeed,
    interval: Duration,
) {
    let Ok(client) = RpcClient::new(&rpc) else {
        eprintln!("price feeder: bad RPC address {rpc}");
        return;
    };
    let source = key.public_key().address();
    let mut walk = Walk::new(&feed);
    let mut ticker = tokio::time::interval(interval);
    loop {
        ticker.tick().await;
        let price = match &feed {
            PriceFeed::Off => return,
            PriceFeed::Fixed(p) => p.clone(),
            PriceFeed::File(path) => match std::fs::read_to_string(path) {
                Ok(s) => s.trim().to_string(),
                Err(e) => {
                    eprintln!("price feeder: cannot read {}: {e}", path.display());
                    continue;
                }
            },
            PriceFeed::Sim(start) => walk.step(*start),
        };
        let msg = match dcloud_client::bme::submit_price(&source, &price, 0) {
            Ok(m) => m,
            Err(e) => {
                eprintln!("price feeder: {e}");
                continue;
            }
        };
        let opts = TxOptions {
            chain_id: Some(chain_id.clone()),
            gas: GasSetting::Auto { adjustment: 1.5 },
            mode: BroadcastMode::Sync,
            ..TxOptions::default()
        };
        if let Err(e) = submit_unattended(&client, &key, &[msg], &opts).await {
            eprintln!("price feeder: submitting {price}: {e}");
        }
    }
}

/// The simulated price path: a deterministic xorshift random walk, at most ±1 % a tick.
struct Walk {
    /// The last price, in micro-USD.
    current: u128,
    /// The generator's state.
    rng: u64,
}

impl Walk {
    fn new(feed: &PriceFeed) -> Self {
        let current = match feed {
            PriceFeed::Sim(s) => *s,
            _ => 0,
        };
        Self { current, rng: 0x2545_F491_4F6C_DD1Du64 }
    }

    /// The next price, kept within ×0.1–×10 of `start`.
    fn step(&mut self, start: u128) -> String {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        let step = i128::from((self.rng % 201) as i16) - 100; // ±100 = ±1 %
        let next = (self.current as i128) * (10_000 + step) / 10_000;
        self.current = (next.max(0) as u128).clamp(start / 10, start * 10).max(1);
        micro(self.current)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feeds_parse() {
        assert_eq!("off".parse::<PriceFeed>().unwrap(), PriceFeed::Off);
        assert_eq!("fixed:1.5".parse::<PriceFeed>().unwrap(), PriceFeed::Fixed("1.5".into()));
        assert_eq!("sim:2".parse::<PriceFeed>().unwrap(), PriceFeed::Sim(2_000_000));
        assert_eq!("sim:2".parse::<PriceFeed>().unwrap().initial(), "2.000000");
        assert!("fixed:0".parse::<PriceFeed>().is_err());
        assert!("fixed:x".parse::<PriceFeed>().is_err());
        assert!("file:".parse::<PriceFeed>().is_err());
        assert!("pyth".parse::<PriceFeed>().is_err());
    }
}
