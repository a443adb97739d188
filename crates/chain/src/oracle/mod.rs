//! The oracle module: authorised sources publish the AKT/USD price; every end-block
//! aggregates it into a time-weighted average and a health verdict that the BME module reads.
//!
//! Prices are 18-decimal fixed point (`u128` atto-USD per AKT), never floats. Time is the
//! block time from `BlockInfo` (ms); staleness is counted in blocks.
//!
//! * A source's price is **fresh** while `height − submitted_height ≤ max_price_staleness_blocks`.
//! * A fresh source's **TWAP** is the average of its observations over
//!   `[now − twap_window_ms, now]`, each weighted by the milliseconds it was in force (the last
//!   observation before the window counts from the window start); `floor` of the weighted sum.
//!   If no observation was in force for a positive time (e.g. the only one is from this very
//!   block), the latest observation is the TWAP.
//! * The **aggregate** is the mean (floor) of the fresh sources' TWAPs; also min, max, median
//!   and `deviation_bps = floor((max − min) × 10^4 / min)`.
//! * **Health**: `stale` if fewer than `min_price_sources` sources are fresh, else
//!   `deviation` if `deviation_bps > max_price_deviation_bps`, else `healthy`. Only a healthy
//!   aggregate becomes the price ([`price`]); transitions emit `EventPriceHealthChanged`.
//!
//! State:
//! * `0x34 "state"` → [`OracleState`] (JSON): health, last aggregate, last healthy price;
//! * `0x35 ‖ len ‖ source ‖ time_ms ‖ seq` → [`PriceEntry`] (JSON): the observations still
//!   needed for the TWAP (older ones are pruned at end-block, keeping one before the window);
//! * `0x36 ‖ len ‖ source` → the source's latest [`PriceEntry`].

mod module;
pub mod query;
pub use module::OracleModule;

use dcloud_proto::dcloud::oracle::MsgSubmitPrice;
use dcloud_store::{StateRead, StateWrite};
use dcloud_types::{AccAddress, Event};
use serde::{Deserialize, Serialize};

use crate::escrow::{fmt_dec18, parse_dec18, ATTO};
use crate::AppError;
use crate::{get_params, set_params, BlockCtx};

/// The module name.
pub const NAME: &str = "oracle";
/// The priced asset (normalised from `uakt`).
pub const DENOM: &str = "akt";
/// The quote currency.
pub const BASE_DENOM: &str = "usd";
/// Largest accepted price: 10^12 USD per AKT (keeps every TWAP product inside `u128`).
pub const MAX_PRICE_ATTO: u128 = 1_000_000_000_000 * ATTO;
/// Largest TWAP window: one day.
pub const MAX_TWAP_WINDOW_MS: u64 = 86_400_000;

const STATE_KEY: &[u8] = b"\x34state";
const ENTRY: u8 = 0x35;
const LATEST: u8 = 0x36;

/// Oracle params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OracleParams {
    /// Authorised price sources (bech32 addresses).
    #[serde(default)]
    pub sources: Vec<String>,
    /// Fresh sources needed for a healthy price.
    pub min_price_sources: u32,
    /// A source's latest price is fresh for this many blocks after the block that included it.
    pub max_price_staleness_blocks: u64,
    /// TWAP window in milliseconds of block time.
    pub twap_window_ms: u64,
    /// Largest spread between the fresh sources' TWAPs, in basis points of the lowest.
    pub max_price_deviation_bps: u64,
    /// How far an observation's timestamp may be ahead of the block time (ms).
    pub max_future_time_drift_ms: u64,
}

impl Default for OracleParams {
    fn default() -> Self {
        Self {
            sources: Vec::new(),
            min_price_sources: 1,
            max_price_staleness_blocks: 30,
            twap_window_ms: 5_000,
            max_price_deviation_bps: 150,
            max_future_time_drift_ms: 10_000,
        }
    }
}

impl OracleParams {
    /// Every problem with these params (`prefix` names them in messages).
    pub fn validate(&self, prefix: &str) -> Vec<String> {
        let mut e = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for (i, s) in self.sources.iter().enumerate() {
            match s.parse::<AccAddress>() {
                Ok(a) => {
                    if !seen.insert(a) {
                        e.push(format!("{prefix}.sources[{i}]: duplicate source {s}"));
                    }
                }
                Err(err) => e.push(format!("{prefix}.sources[{i}]: {err}")),
            }
        }
        if self.min_price_sources == 0 {
            e.push(format!("{prefix}.min_price_sources must be at least 1"));
        } else if !self.sources.is_empty() && self.min_price_sources as usize > self.sources.len() {
            e.push(format!(
                "{prefix}.min_price_sources ({}) exceeds the number of sources ({})",
                self.min_price_sources,
                self.sources.len()
            ));
        }
        if self.max_price_staleness_blocks == 0 {
            e.push(format!("{prefix}.max_price_staleness_blocks must be at least 1"));
        }
        if self.twap_window_ms == 0 || self.twap_window_ms > MAX_TWAP_WINDOW_MS {
            e.push(format!("{prefix}.twap_window_ms must be in 1..={MAX_TWAP_WINDOW_MS}"));
        }
        if self.max_price_deviation_bps > 10_000 {
            e.push(format!("{prefix}.max_price_deviation_bps must be at most 10000"));
        }
        e
    }

    fn is_source(&self, a: &AccAddress) -> bool {
        self.sources.iter().any(|s| s.parse::<AccAddress>().is_ok_and(|x| &x == a))
    }
}

/// A price set at genesis (as if the source had submitted it in block 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenesisPrice {
    /// The source (must be listed in the params).
    pub source: String,
    /// Decimal price (≤ 18 decimals).
    pub price: String,
}

/// Genesis state of the oracle.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OracleGenesis {
    /// Params.
    #[serde(default)]
    pub params: OracleParams,
    /// Initial prices, at most one per source.
    #[serde(default)]
    pub prices: Vec<GenesisPrice>,
}

impl OracleGenesis {
    /// Every problem in the oracle genesis.
    pub fn validate(&self) -> Vec<String> {
        let mut e = self.params.validate("app_state.oracle.params");
        let mut seen = std::collections::BTreeSet::new();
        for (i, p) in self.prices.iter().enumerate() {
            match p.source.parse::<AccAddress>() {
                Ok(a) => {
                    if !self.params.is_source(&a) {
                        e.push(format!(
                            "app_state.oracle.prices[{i}]: {} is not an authorised source",
                            p.source
                        ));
                    }
                    if !seen.insert(a) {
                        e.push(format!(
                            "app_state.oracle.prices[{i}]: second price of {}",
                            p.source
                        ));
                    }
                }
                Err(err) => e.push(format!("app_state.oracle.prices[{i}]: {err}")),
            }
            if let Err(err) = check_price(&p.price) {
                e.push(format!("app_state.oracle.prices[{i}]: {err}"));
            }
        }
        e
    }
}

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

fn corrupt(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::ChainState(format!("corrupt oracle {what}: {e}"))
}

fn to_json<T: Serialize>(v: &T) -> Result<Vec<u8>, AppError> {
    serde_json::to_vec(v).map_err(|e| AppError::InvalidRequest(e.to_string()))
}

fn source_prefix(kind: u8, source: &AccAddress) -> Vec<u8> {
    let b = source.as_bytes();
    let mut k = Vec::with_capacity(2 + b.len() + 16);
    k.push(kind);
    k.push(b.len() as u8);
    k.extend_from_slice(b);
    k
}

fn entry_key(source: &AccAddress, time_ms: u64, height: u64) -> Vec<u8> {
    let mut k = source_prefix(ENTRY, source);
    k.extend_from_slice(&time_ms.to_be_bytes());
    k.extend_from_slice(&height.to_be_bytes());
    k
}

/// Params.
pub fn params(state: &dyn StateRead) -> Result<OracleParams, AppError> {
    get_params(state, NAME)
}

/// The evaluated state (health, aggregates).
pub fn oracle_state(state: &dyn StateRead) -> Result<OracleState, AppError> {
    match state.get(STATE_KEY)? {
        Some(b) => serde_json::from_slice(&b).map_err(|e| corrupt("state", e)),
        None => Ok(OracleState::default()),
    }
}

fn put_state(state: &mut dyn StateWrite, s: &OracleState) -> Result<(), AppError> {
    state.put(STATE_KEY.to_vec(), to_json(s)?);
    Ok(())
}

/// A source's latest observation.
pub fn latest(state: &dyn StateRead, source: &AccAddress) -> Result<Option<PriceEntry>, AppError> {
    match state.get(&source_prefix(LATEST, source))? {
        Some(b) => serde_json::from_slice(&b).map(Some).map_err(|e| corrupt("entry", e)),
        None => Ok(None),
    }
}

/// The observations of a source still kept, oldest first.
pub fn entries(state: &dyn StateRead, source: &AccAddress) -> Result<Vec<PriceEntry>, AppError> {
    state
        .prefix_range(&source_prefix(ENTRY, source), None, usize::MAX)?
        .into_iter()
        .map(|(_, v)| serde_json::from_slice(&v).map_err(|e| corrupt("entry", e)))
        .collect()
}

fn put_entry(state: &mut dyn StateWrite, e: &PriceEntry) -> Result<(), AppError> {
    let v = to_json(e)?;
    state.put(entry_key(&e.source, e.timestamp_ms, e.height), v.clone());
    state.put(source_prefix(LATEST, &e.source), v);
    Ok(())
}

/// The AKT price (atto-USD per AKT) if the oracle is healthy, else `PriceUnavailable`.
pub fn price(state: &dyn StateRead) -> Result<u128, AppError> {
    let s = oracle_state(state)?;
    match (s.health, s.price) {
        (Health::Healthy, Some(a)) if a.twap_atto > 0 => Ok(a.twap_atto),
        (Health::Healthy, _) => Err(AppError::PriceUnavailable("no price aggregated yet".into())),
        (h, _) => Err(AppError::PriceUnavailable(format!("akt/usd price is {h}"))),
    }
}

fn check_price(s: &str) -> Result<u128, AppError> {
    let p = parse_dec18(s).map_err(AppError::InvalidPrice)?;
    if p == 0 {
        return Err(AppError::InvalidPrice("price must be positive".into()));
    }
    if p > MAX_PRICE_ATTO {
        return Err(AppError::InvalidPrice(format!("price {s} exceeds 10^12")));
    }
    Ok(p)
}

/// Stateless checks of `MsgSubmitPrice`.
pub fn validate_submit(m: &MsgSubmitPrice) -> Result<(), AppError> {
    m.source.parse::<AccAddress>().map_err(|e| AppError::InvalidAddress(format!("source: {e}")))?;
    if m.denom != DENOM || m.base_denom != BASE_DENOM {
        return Err(AppError::InvalidPrice(format!(
            "unsupported pair {}/{} (only {DENOM}/{BASE_DENOM})",
            m.denom, m.base_denom
        )));
    }
    check_price(&m.price)?;
    Ok(())
}

/// Delivers `MsgSubmitPrice`: an authorised source records one observation.
pub fn deliver_submit(
    state: &mut dyn StateWrite,
    m: &MsgSubmitPrice,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    validate_submit(m)?;
    let source: AccAddress =
        m.source.parse().map_err(|e| AppError::InvalidAddress(format!("source: {e}")))?;
    let p = params(state)?;
    if !p.is_source(&source) {
        return Err(AppError::OracleUnauthorized(format!("{source} is not an authorised source")));
    }
    let price_atto = check_price(&m.price)?;
    // Simulation runs without a block time (0): then only the explicit timestamp is checked.
    let ts = if m.timestamp_ms != 0 { m.timestamp_ms } else { ctx.time_ms };
    if ctx.time_ms > 0 && ts > ctx.time_ms.saturating_add(p.max_future_time_drift_ms) {
        return Err(AppError::PriceTimestamp(format!(
            "timestamp {ts} is more than {} ms ahead of the block time {}",
            p.max_future_time_drift_ms, ctx.time_ms
        )));
    }
    if let Some(prev) = latest(state, &source)? {
        if prev.height == ctx.height {
            return Err(AppError::PriceTimestamp(format!(
                "{source} already submitted a price in block {}",
                ctx.height
            )));
        }
        if ts > 0 && ts < prev.timestamp_ms {
            return Err(AppError::PriceTimestamp(format!(
                "timestamp {ts} is older than the source's latest {}",
                prev.timestamp_ms
            )));
        }
    }
    let e = PriceEntry { source: source.clone(), price_atto, timestamp_ms: ts, height: ctx.height };
    put_entry(state, &e)?;
    events.push(
        Event::new("EventPriceSubmitted")
            .attr("module", NAME)
            .attr("source", &source)
            .attr("denom", DENOM)
            .attr("base_denom", BASE_DENOM)
            .attr("price", fmt_dec18(price_atto))
            .attr("timestamp_ms", ts)
            .attr("height", ctx.height),
    );
    Ok(())
}

/// Time-weighted average of `entries` (oldest first) over `[now − window, now]`.
pub fn twap(entries: &[PriceEntry], now: u64, window: u64) -> Option<u128> {
    let last = entries.last()?;
    let start = now.saturating_sub(window);
    let (mut sum, mut weight) = (0u128, 0u128);
    for (i, e) in entries.iter().enumerate() {
        let from = e.timestamp_ms.max(start).min(now);
        let until = entries.get(i + 1).map_or(now, |n| n.timestamp_ms).clamp(from, now);
        let w = u128::from(until - from);
        sum = sum.checked_add(e.price_atto.checked_mul(w)?)?;
        weight += w;
    }
    Some(sum.checked_div(weight).unwrap_or(last.price_atto))
}

/// Aggregates source TWAPs (non-empty) into mean, median, min, max and deviation.
fn aggregate(mut twaps: Vec<u128>, ctx: &BlockCtx) -> Option<Aggregate> {
    twaps.sort_unstable();
    let n = twaps.len();
    let (min, max) = (*twaps.first()?, *twaps.last()?);
    let sum = twaps.iter().try_fold(0u128, |a, &b| a.checked_add(b))?;
    let median = if n % 2 == 1 {
        twaps[n / 2]
    } else {
        twaps[n / 2 - 1] / 2 + twaps[n / 2] / 2 + (twaps[n / 2 - 1] % 2 + twaps[n / 2] % 2) / 2
    };
    let dev = (max - min).checked_mul(10_000)? / min.max(1);
    Some(Aggregate {
        twap_atto: sum / n as u128,
        median_atto: median,
        min_atto: min,
        max_atto: max,
        deviation_bps: u64::try_from(dev).unwrap_or(u64::MAX),
        fresh_sources: u32::try_from(n).unwrap_or(u32::MAX),
        height: ctx.height,
        time_ms: ctx.time_ms,
    })
}

/// End-block: prunes old observations, aggregates the fresh sources, updates health.
pub fn end_block(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let p = params(state)?;
    let window_start = ctx.time_ms.saturating_sub(p.twap_window_ms);
    let mut twaps = Vec::new();
    let mut sources: Vec<AccAddress> = p.sources.iter().filter_map(|s| s.parse().ok()).collect();
    sources.sort();
    sources.dedup();
    for src in &sources {
        let Some(last) = latest(state, src)? else { continue };
        // Prune: keep the last observation before the window and everything after.
        let all = entries(state, src)?;
        let before = all.iter().filter(|e| e.timestamp_ms < window_start).count();
        for e in all.iter().take(before.saturating_sub(1)) {
            state.delete(entry_key(&e.source, e.timestamp_ms, e.height));
        }
        if ctx.height.saturating_sub(last.height) > p.max_price_staleness_blocks {
            continue;
        }
        let kept = &all[before.saturating_sub(1)..];
        if let Some(t) = twap(kept, ctx.time_ms, p.twap_window_ms) {
            twaps.push(t);
        }
    }
    let mut st = oracle_state(state)?;
    let agg = if twaps.is_empty() { None } else { aggregate(twaps, ctx) };
    let fresh = agg.as_ref().map_or(0, |a| a.fresh_sources);
    let health = match &agg {
        _ if fresh < p.min_price_sources => Health::Stale,
        Some(a) if a.deviation_bps > p.max_price_deviation_bps => Health::Deviation,
        Some(_) => Health::Healthy,
        None => Health::Stale,
    };
    let prev = st.health;
    if health == Health::Healthy {
        st.price = agg.clone();
    }
    let changed = prev != health || st.last != agg;
    st.health = health;
    st.last = agg;
    if prev != health {
        let mut ev = Event::new("EventPriceHealthChanged")
            .attr("module", NAME)
            .attr("denom", DENOM)
            .attr("base_denom", BASE_DENOM)
            .attr("from", prev)
            .attr("to", health)
            .attr("fresh_sources", fresh)
            .attr("height", ctx.height);
        if let Some(a) = &st.last {
            ev = ev.attr("deviation_bps", a.deviation_bps).attr("price", fmt_dec18(a.twap_atto));
        }
        events.push(ev);
    }
    if changed {
        put_state(state, &st)?;
    }
    Ok(())
}

/// Writes genesis: params and initial prices (height 0, timestamp 0).
pub fn init_genesis(state: &mut dyn StateWrite, g: &OracleGenesis) -> Result<(), AppError> {
    set_params(state, NAME, &g.params)?;
    for gp in &g.prices {
        let source: AccAddress =
            gp.source.parse().map_err(|e| AppError::InvalidAddress(format!("{e}")))?;
        let price_atto = check_price(&gp.price)?;
        put_entry(state, &PriceEntry { source, price_atto, timestamp_ms: 0, height: 0 })?;
    }
    // Evaluate once so a genesis price is usable from block 1's txs.
    end_block(state, &BlockCtx { height: 0, time_ms: 0 }, &mut Vec::new())
}

/// Invariants: a healthy state has a positive price; each source's latest entry is its
/// newest kept observation.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    let s = oracle_state(state)?;
    if s.health == Health::Healthy && s.price.as_ref().is_none_or(|a| a.twap_atto == 0) {
        return Err(AppError::Invariant("oracle healthy without a positive price".into()));
    }
    for src in params(state)?.sources.iter().filter_map(|s| s.parse::<AccAddress>().ok()) {
        let l = latest(state, &src)?;
        let all = entries(state, &src)?;
        if all.last() != l.as_ref() {
            return Err(AppError::Invariant(format!(
                "oracle: latest entry of {src} is not its newest observation"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(p: u128, t: u64) -> PriceEntry {
        PriceEntry { source: AccAddress::module("x"), price_atto: p, timestamp_ms: t, height: 1 }
    }

    #[test]
    fn twap_weights_by_time_in_force_and_clips_to_the_window() {
        // Window [1000, 2000]: price 10 from before the window until 1500, then 20.
        let v = [e(10, 0), e(20, 1500)];
        assert_eq!(twap(&v, 2000, 1000), Some(15));
        // 30 at 1900: 10×500 + 20×400 + 30×100 over 1000 = 16 (floor of 16).
        let v = [e(10, 0), e(20, 1500), e(30, 1900)];
        assert_eq!(twap(&v, 2000, 1000), Some(16));
        // Only an observation at `now`: it is the price.
        assert_eq!(twap(&[e(7, 2000)], 2000, 1000), Some(7));
        assert_eq!(twap(&[], 2000, 1000), None);
    }

    #[test]
    fn aggregate_reports_mean_median_and_deviation() {
        let ctx = BlockCtx { height: 3, time_ms: 9 };
        let a = aggregate(vec![ATTO, 3 * ATTO, 2 * ATTO], &ctx).unwrap();
        assert_eq!(
            (a.twap_atto, a.median_atto, a.min_atto, a.max_atto),
            (2 * ATTO, 2 * ATTO, ATTO, 3 * ATTO)
        );
        assert_eq!(a.deviation_bps, 20_000);
        let a = aggregate(vec![3, 4], &ctx).unwrap();
        assert_eq!(a.median_atto, 3);
    }
}
