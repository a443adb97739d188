//! Mint (Cosmos `x/mint`): every block, inflation moves toward the bonded-ratio goal,
//!
//! ```text
//! change/year = (1 − bonded_ratio / goal_bonded) × inflation_rate_change
//! inflation   = clamp(inflation + change/year / blocks_per_year, inflation_min, inflation_max)
//! annual      = inflation × supply(uakt)
//! minted      = floor(annual / blocks_per_year)   → fee collector
//! ```
//!
//! in 18-decimal fixed point (signed where the change is negative), rounding toward zero.
//! Runs only on a proof-of-stake chain (staking enabled). Layout: `0x6A` → minter.

mod module;
pub mod query;
pub use module::MintModule;

use dcloud_store::{StateRead, StateWrite};
use dcloud_types::{Coin, Coins, Event, DENOM_AKT};
use serde::{Deserialize, Serialize};

use super::dec::{self, dec_str, get_json, mul_div_floor, put_json, ATTO};
use super::{auth, bank, get_params, set_params, staking, BlockCtx};
use crate::AppError;

/// The module name (also its module account).
pub const NAME: &str = "mint";
const MINTER: &[u8] = &[0x6A];

/// Mint parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MintParams {
    /// The minted denom.
    pub mint_denom: String,
    /// Maximum yearly change of the inflation rate (SDK 13%).
    #[serde(with = "dec_str")]
    pub inflation_rate_change: u128,
    /// Ceiling (Akash mainnet band since 2025: 8%).
    #[serde(with = "dec_str")]
    pub inflation_max: u128,
    /// Floor (Akash: 4%).
    #[serde(with = "dec_str")]
    pub inflation_min: u128,
    /// Bonded ratio the inflation steers toward (SDK 67%).
    #[serde(with = "dec_str")]
    pub goal_bonded: u128,
    /// Blocks per year (6 s blocks: 5,256,000).
    pub blocks_per_year: u64,
}

impl Default for MintParams {
    fn default() -> Self {
        Self {
            mint_denom: DENOM_AKT.into(),
            inflation_rate_change: ATTO * 13 / 100,
            inflation_max: ATTO * 8 / 100,
            inflation_min: ATTO * 4 / 100,
            goal_bonded: ATTO * 67 / 100,
            blocks_per_year: 5_256_000,
        }
    }
}

impl MintParams {
    /// Every problem, prefixed with `at`.
    pub fn validate(&self, at: &str) -> Vec<String> {
        let mut e = Vec::new();
        if self.mint_denom != DENOM_AKT {
            e.push(format!("{at}.mint_denom must be {DENOM_AKT}"));
        }
        if self.inflation_max > ATTO || self.inflation_min > self.inflation_max {
            e.push(format!("{at}: need inflation_min ≤ inflation_max ≤ 1"));
        }
        if self.inflation_rate_change > ATTO {
            e.push(format!("{at}.inflation_rate_change must be at most 1"));
        }
        if self.goal_bonded == 0 || self.goal_bonded > ATTO {
            e.push(format!("{at}.goal_bonded must be in (0, 1]"));
        }
        if self.blocks_per_year == 0 {
            e.push(format!("{at}.blocks_per_year must be positive"));
        }
        e
    }
}

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

/// `app_state.mint`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MintGenesis {
    /// Params.
    #[serde(default)]
    pub params: MintParams,
    /// Initial minter (inflation).
    #[serde(default)]
    pub minter: Minter,
}

/// Params.
pub fn params(state: &dyn StateRead) -> Result<MintParams, AppError> {
    get_params(state, NAME)
}

/// The minter.
pub fn minter(state: &dyn StateRead) -> Result<Minter, AppError> {
    Ok(get_json(state, MINTER, "minter")?.unwrap_or_default())
}

/// Σ uakt minted by this module (for supply accounting).
pub fn total_minted(state: &dyn StateRead) -> Result<u128, AppError> {
    minter(state).map(|m| m.total_minted)
}

/// Writes genesis.
pub fn init_genesis(state: &mut dyn StateWrite, g: &MintGenesis) -> Result<(), AppError> {
    set_params(state, NAME, &g.params)?;
    put_json(state, MINTER.to_vec(), &g.minter)
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

/// Begin block: updates inflation and annual provisions, mints this block's provision into
/// the fee collector.
pub fn begin_block(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let _ = ctx;
    if !staking::enabled(state)? {
        return Ok(());
    }
    let p = params(state)?;
    let mut m = minter(state)?;
    let supply = bank::supply_of(state, &p.mint_denom)?;
    let bonded = staking::bonded_tokens(state)?;
    let ratio = if supply == 0 { 0 } else { mul_div_floor(bonded, ATTO, supply)? };
    m.inflation = next_inflation(&p, m.inflation, ratio)?;
    m.annual_provisions = m
        .inflation
        .checked_mul(supply)
        .ok_or_else(|| AppError::InvalidRequest("annual provisions overflow".into()))?;
    let per_block = m.annual_provisions / ATTO / u128::from(p.blocks_per_year);
    if per_block > 0 {
        let coins = Coins::from_coins(vec![Coin::new(per_block, p.mint_denom.clone())])?;
        bank::mint(state, NAME, &coins, events)?;
        bank::transfer(
            state,
            &auth::module_address(NAME),
            &auth::module_address(auth::FEE_COLLECTOR),
            &coins,
            events,
        )?;
        m.total_minted = dec::add(m.total_minted, per_block)?;
    }
    events.push(
        Event::new("mint")
            .attr("bonded_ratio", dec::fmt_dec18(ratio))
            .attr("inflation", dec::fmt_dec18(m.inflation))
            .attr("annual_provisions", dec::fmt_dec18(m.annual_provisions))
            .attr("amount", per_block),
    );
    put_json(state, MINTER.to_vec(), &m)
}

/// Invariants: the mint module account holds nothing between blocks; inflation is within
/// the band.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    if !staking::enabled(state)? {
        return Ok(());
    }
    let p = params(state)?;
    let m = minter(state)?;
    if bank::balance(state, &auth::module_address(NAME), &p.mint_denom)? != 0 {
        return Err(AppError::Invariant("mint: the module account keeps minted coins".into()));
    }
    if m.total_minted > 0 && (m.inflation < p.inflation_min || m.inflation > p.inflation_max) {
        return Err(AppError::Invariant("mint: inflation outside its band".into()));
    }
    Ok(())
}
