//! The minter's record and the pure inflation step.

use serde::{Deserialize, Serialize};

use super::MintParams;
use crate::dec::{dec_str, mul_div_floor, ATTO};
use crate::AppError;

/// The module name (also its module account).
pub const NAME: &str = "mint";

/// The minter's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Minter {
    /// Current yearly inflation rate.
    #[serde(with = "dec_str")]
    pub inflation: u128,
    /// Current annual provisions (18-decimal uakt).
    #[serde(with = "dec_str")]
    pub annual_provisions: u128,
    /// Σ uakt minted so far.
    #[serde(with = "dcloud_types::coin::amount_str", default)]
    pub total_minted: u128,
}

impl Default for Minter {
    fn default() -> Self {
        Self { inflation: ATTO * 8 / 100, annual_provisions: 0, total_minted: 0 }
    }
}

/// The next inflation rate for a bonded ratio (both 18-decimal).
pub fn next_inflation(p: &MintParams, current: u128, bonded_ratio: u128) -> Result<u128, AppError> {
    let to_i = |v: u128| {
        i128::try_from(v).map_err(|_| AppError::InvalidRequest("decimal out of range".into()))
    };
    let ratio_over_goal = to_i(mul_div_floor(bonded_ratio, ATTO, p.goal_bonded)?)?;
    let one_minus = to_i(ATTO)? - ratio_over_goal;
    // |one_minus| ≤ 1/goal ≤ 10^18·10^18/… fits: both factors ≤ ~1.5·10^18 and 10^18.
    let per_year = one_minus
        .checked_mul(to_i(p.inflation_rate_change)?)
        .ok_or_else(|| AppError::InvalidRequest("inflation change overflows".into()))?
        / to_i(ATTO)?;
    let per_block = per_year / i128::from(p.blocks_per_year);
    let next = (to_i(current)? + per_block).max(0);
    let next = u128::try_from(next).unwrap_or(0);
    Ok(next.clamp(p.inflation_min, p.inflation_max))
}

/// The `/mint/inflation` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InflationView {
    /// Yearly inflation rate (decimal).
    pub inflation: String,
    /// Annual provisions (decimal uakt).
    pub annual_provisions: String,
    /// Bonded tokens / supply (decimal).
    pub bonded_ratio: String,
    /// Σ uakt minted.
    #[serde(with = "dcloud_types::coin::amount_str")]
    pub total_minted: u128,
}
