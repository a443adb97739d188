//! The devnet faucet behind `POST /api/faucet {"address": "akash1…"}`: sends a fixed amount
//! from a devnet key, one request at a time (one sequence), at most once per address per
//! [`COOLDOWN`]. Only a console started with a [`Faucet`] (the devnet's) serves it.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use dcloud_client::tx::{GasSetting, TxOptions, TxSender};
use dcloud_client::RpcClient;
use dcloud_crypto::secp256k1::SigningKey;
use dcloud_proto::msg_send;
use dcloud_types::AccAddress;

/// How long an address waits between two faucet requests.
pub const COOLDOWN: Duration = Duration::from_secs(30);
/// Gas limit of a faucet tx (two sends).
const GAS: u64 = 300_000;

/// A faucet: the key that pays and what each request gets.
pub struct Faucet {
    /// The paying key.
    pub key: SigningKey,
    /// What one request sends: (amount, denom).
    pub amounts: Vec<(u128, String)>,
}

impl std::fmt::Debug for Faucet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Faucet")
            .field("from", &self.key.public_key().address().to_string())
            .field("amounts", &self.amounts)
            .finish()
    }
}

/// Why a faucet request was not served.
#[derive(Debug, thiserror::Error)]
pub enum FaucetError {
    /// Not an account address.
    #[error("{0:?} is not an akash1… account address")]
    BadAddress(String),
    /// Asked again too soon.
    #[error("this address was funded {0} s ago: wait {1} s before asking again")]
    TooSoon(u64, u64),
    /// The send failed.
    #[error("the faucet's transaction failed: {0}")]
    Send(String),
}

/// The faucet's state: the key, and when each address was last funded.
pub(crate) struct FaucetState {
    faucet: Faucet,
    last: tokio::sync::Mutex<BTreeMap<String, Instant>>,
}

/// The result of a served request.
#[derive(Debug, serde::Serialize)]
pub(crate) struct Funded {
    pub hash: String,
    pub height: Option<u64>,
    pub amounts: Vec<String>,
}

impl FaucetState {
    pub(crate) fn new(faucet: Faucet) -> Self {
        Self { faucet, last: tokio::sync::Mutex::new(BTreeMap::new()) }
    }

    /// Sends the faucet's amounts to `address` (requests queue on the lock: one sequence).
    pub(crate) async fn fund(&self, rpc: &str, address: &str) -> Result<Funded, FaucetError> {
        let to: AccAddress =
            address.trim().parse().map_err(|_| FaucetError::BadAddress(address.into()))?;
        let to = to.to_string();
        let mut last = self.last.lock().await;
        if let Some(t) = last.get(&to) {
            let ago = t.elapsed();
            if ago < COOLDOWN {
                return Err(FaucetError::TooSoon(ago.as_secs(), (COOLDOWN - ago).as_secs().max(1)));
            }
        }
        let client = RpcClient::new(rpc).map_err(|e| FaucetError::Send(e.to_string()))?;
        let sender = TxSender::new(&client, &self.faucet.key);
        let from = sender.address().to_string();
        let msgs: Vec<_> =
            self.faucet.amounts.iter().map(|(a, d)| msg_send(&from, &to, *a, d)).collect();
        let opts = TxOptions { gas: GasSetting::Fixed(GAS), ..TxOptions::default() };
        let out = sender.send(&msgs, &opts).await.map_err(|e| FaucetError::Send(e.to_string()))?;
        if out.code != 0 {
            return Err(FaucetError::Send(out.log));
        }
        last.insert(to, Instant::now());
        Ok(Funded {
            hash: out.hash,
            height: out.height,
            amounts: self.faucet.amounts.iter().map(|(a, d)| format!("{a}{d}")).collect(),
        })
    }
}
