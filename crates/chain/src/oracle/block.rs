//! End block: prunes old observations, aggregates the fresh sources' TWAPs and updates the
//! health ([`end_block`]); the pure arithmetic is [`twap`] and `aggregate`.

use dcloud_store::StateWrite;
use dcloud_types::{AccAddress, Event};

use super::state::{delete_entry, entries, latest, oracle_state, params, put_state};
use super::{events as ev, Aggregate, Health, PriceEntry};
use crate::{AppError, BlockCtx};

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

/// Prunes each authorised source's observations (keeping the last one before the window) and
/// returns the TWAPs of the fresh sources.
fn prune_and_twap(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    sources: &[String],
    staleness_blocks: u64,
    window_ms: u64,
) -> Result<Vec<u128>, AppError> {
    let window_start = ctx.time_ms.saturating_sub(window_ms);
    let mut twaps = Vec::new();
    let mut sources: Vec<AccAddress> = sources.iter().filter_map(|s| s.parse().ok()).collect();
    sources.sort();
    sources.dedup();
    for src in &sources {
        let Some(last) = latest(state, src)? else { continue };
        // Prune: keep the last observation before the window and everything after.
        let all = entries(state, src)?;
        let before = all.iter().filter(|e| e.timestamp_ms < window_start).count();
        for e in all.iter().take(before.saturating_sub(1)) {
            delete_entry(state, e);
        }
        if ctx.height.saturating_sub(last.height) > staleness_blocks {
            continue;
        }
        let kept = &all[before.saturating_sub(1)..];
        if let Some(t) = twap(kept, ctx.time_ms, window_ms) {
            twaps.push(t);
        }
    }
    Ok(twaps)
}

/// End-block: prunes old observations, aggregates the fresh sources, updates health.
pub fn end_block(
    state: &mut dyn StateWrite,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let p = params(state)?;
    let twaps =
        prune_and_twap(state, ctx, &p.sources, p.max_price_staleness_blocks, p.twap_window_ms)?;
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
        events.push(ev::health_changed(prev, health, fresh, ctx.height, st.last.as_ref()));
    }
    if changed {
        put_state(state, &st)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use dcloud_types::ATTO;

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
