//! The records the oracle stores: observations ([`PriceEntry`]), aggregates ([`Aggregate`])
//! and the evaluated [`OracleState`] with its [`Health`].

use dcloud_types::AccAddress;
use serde::{Deserialize, Serialize};

/// Health of the aggregated price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    /// Enough fresh sources that agree: the price is usable.
    Healthy,
    /// Fewer fresh sources than `min_price_sources`.
    Stale,
    /// The fresh sources disagree by more than `max_price_deviation_bps`.
    Deviation,
}

impl std::fmt::Display for Health {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Health::Healthy => "healthy",
            Health::Stale => "stale",
            Health::Deviation => "deviation",
        })
    }
}

/// One observation of one source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceEntry {
    /// The source.
    pub source: AccAddress,
    /// Price, atto-USD per AKT.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub price_atto: u128,
    /// Observation time (ms).
    pub timestamp_ms: u64,
    /// Height of the block that included it (0 = genesis).
    pub height: u64,
}

/// An aggregate over the fresh sources at one height.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aggregate {
    /// Mean of the sources' TWAPs (atto-USD).
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub twap_atto: u128,
    /// Median of the sources' TWAPs.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub median_atto: u128,
    /// Lowest TWAP.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub min_atto: u128,
    /// Highest TWAP.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub max_atto: u128,
    /// `(max − min) × 10^4 / min`.
    pub deviation_bps: u64,
    /// Fresh sources counted.
    pub fresh_sources: u32,
    /// Height of the evaluation.
    pub height: u64,
    /// Block time of the evaluation (ms).
    pub time_ms: u64,
}

/// The oracle's evaluated state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OracleState {
    /// Current health.
    pub health: Health,
    /// The latest aggregate (whatever its health); None when no source is fresh.
    pub last: Option<Aggregate>,
    /// The latest healthy aggregate; its TWAP is the price while health is healthy.
    pub price: Option<Aggregate>,
}

impl Default for OracleState {
    fn default() -> Self {
        Self { health: Health::Stale, last: None, price: None }
    }
}

/// The `/oracle/price` answer.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct OraclePrice {
    /// `akt`.
    pub denom: String,
    /// `usd`.
    pub base_denom: String,
    /// `healthy`, `stale` or `deviation`.
    pub health: super::Health,
    /// The usable price (the healthy TWAP), decimal; absent unless healthy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<String>,
    /// The last healthy aggregate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub twap: Option<super::Aggregate>,
    /// The latest aggregate, whatever its health.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<super::Aggregate>,
    /// Every authorised source and its latest observation.
    pub sources: Vec<SourcePrice>,
}

/// An observation, with the price as a decimal.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PriceView {
    /// Decimal price (18 decimals).
    pub price: String,
    /// Observation time (ms).
    pub timestamp_ms: u64,
    /// Height of the block that included it.
    pub height: u64,
}

/// One source in the `/oracle/price` answer.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SourcePrice {
    /// The source.
    pub source: String,
    /// Its latest observation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest: Option<PriceView>,
}
