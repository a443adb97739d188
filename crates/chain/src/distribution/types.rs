//! The distribution module's records: per-validator rewards, historical ratios, delegation
//! starting info, the fee pool and slash events, and its names.

use serde::{Deserialize, Serialize};

use crate::dec::dec_str;

/// The module name.
pub const NAME: &str = "distribution";
/// The module account holding undistributed rewards.
pub const MODULE_ACCOUNT: &str = "distribution";
/// The community pool's module account.
pub const COMMUNITY_POOL: &str = "community_pool";

/// A validator's distribution record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidatorDist {
    /// Rewards allocated and not yet withdrawn (commission included).
    #[serde(with = "dec_str")]
    pub outstanding: u128,
    /// Accumulated commission.
    #[serde(with = "dec_str")]
    pub commission: u128,
    /// Delegator rewards of the current period.
    #[serde(with = "dec_str")]
    pub current_rewards: u128,
    /// The current period.
    pub current_period: u64,
}

/// Cumulative reward per token up to the end of a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Historical {
    /// Σ reward/token of all periods up to this one.
    #[serde(with = "dec_str")]
    pub cumulative_ratio: u128,
    /// Delegations (and the validator's current period) referring to it.
    pub reference_count: u32,
}

/// Where a delegation's rewards start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartingInfo {
    /// The period ended when it started.
    pub previous_period: u64,
    /// Its tokens then.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub stake: u128,
    /// Height.
    pub height: u64,
}

/// Module-wide totals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeePool {
    /// The community pool's sub-micro remainder (kept in the module account).
    #[serde(with = "dec_str")]
    pub community_remainder: u128,
    /// Σ allocated to validators.
    #[serde(with = "dec_str")]
    pub total_allocated: u128,
    /// Σ taken out of validators' outstanding (paid, or sent to the community pool).
    #[serde(with = "dec_str")]
    pub total_released: u128,
    /// Σ micro-units paid to delegators and validators.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub total_paid: u128,
    /// Σ micro-units sent to the community pool.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub total_to_community: u128,
}

/// A validator slash event: the period it ended and the share of tokens slashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlashEvent {
    /// The validator period the slash ended.
    pub period: u64,
    /// Share of the validator's tokens slashed (18-decimal, rounded up).
    #[serde(with = "dec_str")]
    pub fraction: u128,
    /// Height of the slash.
    pub height: u64,
}

/// One validator's pending rewards for a delegator.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RewardView {
    /// Operator.
    pub validator_address: String,
    /// Pending rewards (decimal uakt; the payout is this rounded down).
    pub reward: String,
}

/// The `/distribution/rewards` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RewardsView {
    /// Per validator.
    pub rewards: Vec<RewardView>,
    /// Sum (decimal uakt).
    pub total: String,
}
