//! Signing and broadcasting txs: [`TxSender`] and [`sign_and_broadcast`].
//!
//! Steps: look up the signer's account number and sequence, pick the gas limit (fixed, or
//! simulated through `/app/simulate` and multiplied by an adjustment), pick the fee (given,
//! or `ceil(gas × min_gas_price)` from the chain's auth params), sign with SIGN_MODE_DIRECT,
//! broadcast, and (by default) wait until the tx is in a block. A non-zero result code at any
//! stage is a [`ClientError::TxFailed`].

use std::time::Duration;

use dcloud_crypto::secp256k1::SigningKey;
use dcloud_proto::{Msg, SignerData, TxBuilder};
use dcloud_types::{AccAddress, Coins, Event, DENOM_AKT};
use serde::{Deserialize, Serialize};

use crate::{ClientError, RpcClient};

/// The default gas adjustment applied to simulated gas.
pub const DEFAULT_GAS_ADJUSTMENT: f64 = 1.3;
/// The default gas limit when neither `auto` nor a number is asked for.
pub const DEFAULT_GAS_LIMIT: u64 = 200_000;
/// How long [`BroadcastMode::Commit`] waits for inclusion by default.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(30);

/// How the gas limit is chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GasSetting {
    /// Simulate, then multiply the gas used by `adjustment`.
    Auto {
        /// Safety factor, e.g. 1.3.
        adjustment: f64,
    },
    /// A fixed limit.
    Fixed(u64),
}

impl Default for GasSetting {
    fn default() -> Self {
        Self::Auto { adjustment: DEFAULT_GAS_ADJUSTMENT }
    }
}

impl std::str::FromStr for GasSetting {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s.eq_ignore_ascii_case("auto") {
            return Ok(Self::default());
        }
        match s.parse::<u64>() {
            Ok(0) => Err("gas limit must be positive".into()),
            Ok(n) => Ok(Self::Fixed(n)),
            Err(_) => Err(format!("invalid gas {s:?}: expected `auto` or a positive integer")),
        }
    }
}

/// When broadcasting returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BroadcastMode {
    /// After check_tx: the tx is in the mempool.
    Sync,
    /// After the tx is in a block (polls `tx` by hash).
    #[default]
    Commit,
}

impl std::str::FromStr for BroadcastMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "sync" | "async" => Ok(Self::Sync),
            "commit" | "block" => Ok(Self::Commit),
            _ => Err(format!("invalid broadcast mode {s:?}: expected sync or commit")),
        }
    }
}

/// Everything about a tx except its messages and signer.
#[derive(Debug, Clone)]
pub struct TxOptions {
    /// Chain id to sign for; `None` = ask the node.
    pub chain_id: Option<String>,
    /// Gas limit choice.
    pub gas: GasSetting,
    /// Fee (uakt only); `None` = computed from the chain's minimum gas price.
    pub fees: Option<Coins>,
    /// Memo.
    pub memo: String,
    /// Timeout height (0 = none).
    pub timeout_height: u64,
    /// When to return.
    pub mode: BroadcastMode,
    /// How long to wait for inclusion in commit mode.
    pub wait: Duration,
}

impl Default for TxOptions {
    fn default() -> Self {
        Self {
            chain_id: None,
            gas: GasSetting::default(),
            fees: None,
            memo: String::new(),
            timeout_height: 0,
            mode: BroadcastMode::Commit,
            wait: DEFAULT_WAIT,
        }
    }
}

/// A signed tx, ready to broadcast.
#[derive(Debug, Clone)]
pub struct PreparedTx {
    /// Raw TxRaw bytes.
    pub raw: Vec<u8>,
    /// Hash (hex upper).
    pub hash: String,
    /// Signer.
    pub signer: AccAddress,
    /// Chain id signed for.
    pub chain_id: String,
    /// Account number signed with.
    pub account_number: u64,
    /// Sequence signed with.
    pub sequence: u64,
    /// Gas limit.
    pub gas_limit: u64,
    /// Fee.
    pub fee: Coins,
}

/// What happened to a broadcast tx.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxOutcome {
    /// Tx hash (hex upper).
    pub hash: String,
    /// Height of the including block (None in sync mode).
    pub height: Option<u64>,
    /// 0 = success.
    pub code: u32,
    /// Codespace of a failure.
    pub codespace: String,
    /// Error text.
    pub log: String,
    /// Gas limit.
    pub gas_wanted: u64,
    /// Gas charged (0 in sync mode).
    pub gas_used: u64,
    /// Events (empty in sync mode).
    pub events: Vec<Event>,
}

/// Signs txs for one key against one node.
#[derive(Debug)]
pub struct TxSender<'a> {
    client: &'a RpcClient,
    key: &'a SigningKey,
}

impl<'a> TxSender<'a> {
    /// A sender for `key` through `client`.
    pub fn new(client: &'a RpcClient, key: &'a SigningKey) -> Self {
        Self { client, key }
    }

    /// The signer's address.
    pub fn address(&self) -> AccAddress {
        self.key.public_key().address()
    }

    /// Looks up the account, chooses gas and fee, and signs.
    pub async fn prepare(&self, msgs: &[Msg], opts: &TxOptions) -> Result<PreparedTx, ClientError> {
        if msgs.is_empty() {
            return Err(ClientError::InvalidInput("a tx needs at least one message".into()));
        }
        let signer = self.address();
        let chain_id = match &opts.chain_id {
            Some(c) => c.clone(),
            None => self.client.chain_id().await?,
        };
        let account = self.client.account(&signer).await?.ok_or_else(|| {
            ClientError::InvalidInput(format!(
                "account {signer} does not exist on chain {chain_id}: send it some uakt first"
            ))
        })?;
        let signer_data = SignerData {
            chain_id: chain_id.clone(),
            account_number: account.account_number,
            sequence: account.sequence,
            pubkey: self.key.public_key().to_bytes().to_vec(),
        };
        let fee_given = match &opts.fees {
            Some(f) => Some(uakt_only(f)?),
            None => None,
        };
        let mut builder =
            TxBuilder::new().memo(opts.memo.clone()).timeout_height(opts.timeout_height);
        for m in msgs {
            builder = builder.msg(m);
        }
        let gas_limit = match opts.gas {
            GasSetting::Fixed(g) => g,
            GasSetting::Auto { adjustment } => {
                // Simulate with a fee of the same shape so the fee transfer is metered too.
                let sim_fee = fee_given.unwrap_or(1);
                let raw = self.sign(builder.clone().fee(sim_fee, DENOM_AKT, 0), &signer_data)?;
                let r = self.client.simulate(&raw).await?;
                if r.code != 0 {
                    return Err(ClientError::TxFailed {
                        code: r.code,
                        codespace: r.codespace,
                        log: format!("simulation failed: {}", r.log),
                        hash: hex::encode_upper(dcloud_types::sha256(&raw)),
                        height: None,
                    });
                }
                let adj =
                    if adjustment.is_finite() && adjustment >= 1.0 { adjustment } else { 1.0 };
                ((r.gas_used as f64) * adj).ceil() as u64
            }
        };
        let fee = match fee_given {
            Some(f) => f,
            None => {
                let params = self.client.auth_params().await?;
                params.min_fee(gas_limit).map_err(|e| ClientError::Decode {
                    what: "auth params".into(),
                    reason: e.to_string(),
                })?
            }
        };
        let raw = self.sign(builder.fee(fee, DENOM_AKT, gas_limit), &signer_data)?;
        Ok(PreparedTx {
            hash: hex::encode_upper(dcloud_types::sha256(&raw)),
            raw,
            signer,
            chain_id,
            account_number: account.account_number,
            sequence: account.sequence,
            gas_limit,
            fee: if fee == 0 { Coins::new() } else { Coins::one(fee, DENOM_AKT) },
        })
    }

    fn sign(&self, builder: TxBuilder, signer: &SignerData) -> Result<Vec<u8>, ClientError> {
        builder
            .sign(signer, |doc| self.key.sign(doc))
            .map_err(|e| ClientError::InvalidInput(e.to_string()))
    }

    /// Prepares, signs and broadcasts.
    pub async fn send(&self, msgs: &[Msg], opts: &TxOptions) -> Result<TxOutcome, ClientError> {
        let tx = self.prepare(msgs, opts).await?;
        broadcast(self.client, &tx, opts.mode, opts.wait).await
    }
}

/// Broadcasts a prepared tx. In [`BroadcastMode::Commit`] waits up to `wait` for its block.
pub async fn broadcast(
    client: &RpcClient,
    tx: &PreparedTx,
    mode: BroadcastMode,
    wait: Duration,
) -> Result<TxOutcome, ClientError> {
    let r = client.broadcast_tx_sync(&tx.raw).await?;
    if r.code != 0 {
        return Err(ClientError::TxFailed {
            code: r.code,
            codespace: r.codespace,
            log: r.log,
            hash: if r.hash.is_empty() { tx.hash.clone() } else { r.hash },
            height: None,
        });
    }
    if mode == BroadcastMode::Sync {
        return Ok(TxOutcome {
            hash: tx.hash.clone(),
            height: None,
            code: 0,
            codespace: String::new(),
            log: String::new(),
            gas_wanted: tx.gas_limit,
            gas_used: 0,
            events: Vec::new(),
        });
    }
    let rec = client.wait_for_tx(&tx.hash, wait).await?;
    let res = rec.tx_result;
    if res.code != 0 {
        return Err(ClientError::TxFailed {
            code: res.code,
            codespace: res.codespace,
            log: res.log,
            hash: rec.hash,
            height: Some(rec.height),
        });
    }
    Ok(TxOutcome {
        hash: rec.hash,
        height: Some(rec.height),
        code: 0,
        codespace: res.codespace,
        log: res.log,
        gas_wanted: res.gas_wanted,
        gas_used: res.gas_used,
        events: res.events,
    })
}

/// Signs `msgs` with `key` and broadcasts them per `opts`.
pub async fn sign_and_broadcast(
    client: &RpcClient,
    key: &SigningKey,
    msgs: &[Msg],
    opts: &TxOptions,
) -> Result<TxOutcome, ClientError> {
    TxSender::new(client, key).send(msgs, opts).await
}

fn uakt_only(fees: &Coins) -> Result<u128, ClientError> {
    if let Some(c) = fees.iter().find(|c| c.denom != DENOM_AKT) {
        return Err(ClientError::InvalidInput(format!(
            "fees must be paid in {DENOM_AKT}, got {}",
            c.denom
        )));
    }
    Ok(fees.amount_of(DENOM_AKT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gas_and_mode_parse() {
        assert_eq!("auto".parse::<GasSetting>().unwrap(), GasSetting::default());
        assert_eq!("5000".parse::<GasSetting>().unwrap(), GasSetting::Fixed(5000));
        assert!("0".parse::<GasSetting>().is_err());
        assert!("lots".parse::<GasSetting>().is_err());
        assert_eq!("sync".parse::<BroadcastMode>().unwrap(), BroadcastMode::Sync);
        assert_eq!("commit".parse::<BroadcastMode>().unwrap(), BroadcastMode::Commit);
        assert!("later".parse::<BroadcastMode>().is_err());
    }

    #[test]
    fn fees_must_be_uakt() {
        assert_eq!(uakt_only(&"5uakt".parse().unwrap()).unwrap(), 5);
        assert!(uakt_only(&"5uact".parse().unwrap()).is_err());
    }
}
