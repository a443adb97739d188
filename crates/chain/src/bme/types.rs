//! The records BME stores: the circuit-breaker status, running totals, queued, executed and
//! cancelled conversion requests.

use dcloud_types::{AccAddress, Coin, Coins};
use serde::{Deserialize, Serialize};

/// Circuit-breaker status (ordered: a larger value is more restrictive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MintStatus {
    /// Never evaluated.
    Unspecified,
    /// CR above the warning threshold: mints every `min_epoch_blocks`.
    Healthy,
    /// CR in the warning band: mints with backed-off epochs.
    Warning,
    /// CR at or below the halt threshold: no mints; burns allowed.
    HaltCr,
    /// No usable oracle price: nothing converts.
    HaltOracle,
}

impl std::fmt::Display for MintStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            MintStatus::Unspecified => "mint_status_unspecified",
            MintStatus::Healthy => "mint_status_healthy",
            MintStatus::Warning => "mint_status_warning",
            MintStatus::HaltCr => "mint_status_halt_cr",
            MintStatus::HaltOracle => "mint_status_halt_oracle",
        })
    }
}

/// The circuit breaker and epoch schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BmeStatus {
    /// Current status.
    pub status: MintStatus,
    /// The status before the last change.
    pub previous_status: MintStatus,
    /// Blocks between mint batches at the current CR.
    pub epoch_height_diff: u64,
    /// Height of the next mint batch.
    pub next_mint_epoch: u64,
    /// Height of the next burn batch.
    pub next_burn_epoch: u64,
    /// Last evaluated collateral ratio in bp (None: no ACT outstanding, or no price).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collateral_ratio_bps: Option<u128>,
}

/// Running totals (all micro-units, per denom).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Bank supply at genesis.
    pub genesis_supply: Coins,
    /// Coins bank-minted by BME (uact by mints, uakt for burns beyond the credits).
    pub total_minted: Coins,
    /// Coins bank-burned by BME (uact).
    pub total_burned: Coins,
    /// AKT taken out of circulation by mints, handed back by burns before minting new AKT.
    pub remint_credits: Coins,
    /// Coins of queued requests (held by the vault).
    pub pending: Coins,
    /// Spreads kept by the vault.
    pub spread_collected: Coins,
    /// Coins in the vault at genesis plus `MsgFundVault` (collateral without credits).
    pub vault_funded: Coins,
}

/// The id of a request: (height, sequence within the block) plus its route and source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordId {
    /// Burned denom.
    pub denom: String,
    /// Minted denom.
    pub to_denom: String,
    /// Requester.
    pub source: AccAddress,
    /// Height of the request.
    pub height: u64,
    /// Sequence within that block (from 0).
    pub sequence: u64,
}

/// A queued request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingRecord {
    /// Id.
    pub id: RecordId,
    /// Owner (paid in).
    pub owner: AccAddress,
    /// Recipient (= owner).
    pub to: AccAddress,
    /// Coins held by the vault for it.
    pub coins_to_burn: Coin,
    /// Denom to mint.
    pub denom_to_mint: String,
    /// Failed attempts so far (retriable errors).
    pub attempts: u32,
}

/// An executed conversion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerRecord {
    /// Id.
    pub id: RecordId,
    /// Owner.
    pub owner: AccAddress,
    /// Recipient.
    pub to: AccAddress,
    /// What was taken from the owner.
    pub burned: Coin,
    /// The conversion output before the spread.
    pub minted: Coin,
    /// What the recipient received (`minted − spread`).
    pub paid: Coin,
    /// Spread kept by the vault.
    pub spread: Coin,
    /// AKT price used (decimal, USD).
    pub price: String,
    /// Remint credits added (AKT→ACT: the AKT paid in).
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub remint_credit_accrued: u128,
    /// Remint credits used (ACT→AKT).
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub remint_credit_issued: u128,
    /// Coins bank-minted (AKT→ACT: `minted`; ACT→AKT: the part of `minted` not covered by
    /// credits).
    pub bank_minted: Coin,
    /// Coins bank-burned (ACT→AKT: the uact; AKT→ACT: none, the AKT stays in the vault).
    pub bank_burned: Coin,
    /// Height of execution.
    pub executed_height: u64,
}

/// Why a request was cancelled (its coins refunded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelReason {
    /// Unclassified.
    Unknown,
    /// The output rounds to zero.
    Epsilon,
    /// No usable price.
    ZeroPrice,
    /// Funds missing.
    InsufficientFunds,
    /// Not a uakt↔uact route.
    InvalidDenom,
    /// Zero or malformed amount.
    InvalidAmount,
    /// Output below `min_mint`.
    MinimumMint,
    /// Minting failed.
    MintFailed,
    /// Burning failed.
    BurnFailed,
    /// Retriable failures exhausted `max_pending_attempts`.
    MaxAttempts,
}

/// A cancelled request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CanceledRecord {
    /// Id.
    pub id: RecordId,
    /// Owner (refunded).
    pub owner: AccAddress,
    /// Recipient.
    pub to: AccAddress,
    /// The refunded coins.
    pub coins_to_burn: Coin,
    /// Denom that would have been minted.
    pub denom_to_mint: String,
    /// Why.
    pub cancel_reason: CancelReason,
    /// The last error.
    pub error: String,
    /// Attempts made.
    pub attempts: u32,
    /// Height of cancellation.
    pub canceled_height: u64,
}

/// `/bme/ledger` request.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct LedgerQuery {
    /// Only this owner's records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// At most this many of each kind (the latest; default 100, max 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

/// The `bme/vault-state` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VaultState {
    /// The vault's balances.
    pub vault: Coins,
    /// ACT outside the vault: supply − the vault's own uact.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub outstanding_act: u128,
    /// Coins minted by BME.
    pub total_minted: Coins,
    /// Coins burned by BME.
    pub total_burned: Coins,
    /// Remint credits.
    pub remint_credits: Coins,
    /// Coins of queued requests.
    pub pending: Coins,
    /// Spreads kept.
    pub spread_collected: Coins,
    /// Collateral without credits (genesis vault + `MsgFundVault`).
    pub vault_funded: Coins,
}

/// The `bme/status` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusView {
    /// Status.
    pub status: MintStatus,
    /// Previous status.
    pub previous_status: MintStatus,
    /// Collateral ratio as a decimal (`"inf"` without ACT outstanding, `"unknown"` without price).
    pub collateral_ratio: String,
    /// Whether mints are accepted.
    pub mints_allowed: bool,
    /// Whether burns (refunds into AKT) are accepted.
    pub refunds_allowed: bool,
    /// Current mint epoch length.
    pub epoch_height_diff: u64,
    /// Next mint batch.
    pub next_mint_epoch: u64,
    /// Next burn batch.
    pub next_burn_epoch: u64,
}
