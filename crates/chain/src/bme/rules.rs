//! The pure BME rules: conversion amounts and their rounding, the output limits, the
//! circuit-breaker evaluation and its epoch back-off (no store access).

use dcloud_types::dec::mul_div;
use dcloud_types::{ATTO, DENOM_ACT, DENOM_AKT};

use super::{BmeError, BmeParams, MintStatus, MAX_EPOCH_BLOCKS};
use crate::AppError;

pub(crate) fn mul_div_floor(a: u128, b: u128, d: u128) -> Result<u128, AppError> {
    mul_div(a, b, d)
        .map(|(q, _)| q)
        .ok_or_else(|| AppError::InvalidCoins(format!("{a} × {b} / {d} overflows")))
}

pub(crate) fn mul_div_ceil(a: u128, b: u128, d: u128) -> Result<u128, AppError> {
    let (q, rem) = mul_div(a, b, d)
        .ok_or_else(|| AppError::InvalidCoins(format!("{a} × {b} / {d} overflows")))?;
    Ok(q + u128::from(rem))
}

/// The conversion of `amount` of `from` at `price` (atto-USD per AKT): `(out, spread)`.
pub fn convert(
    amount: u128,
    from: &str,
    price_atto: u128,
    p: &BmeParams,
) -> Result<(u128, u128), AppError> {
    if price_atto == 0 {
        return Err(crate::oracle::OracleError::PriceUnavailable("zero price".into()).into());
    }
    let (out, spread_bps) = match from {
        DENOM_AKT => (mul_div_floor(amount, price_atto, ATTO)?, p.mint_spread_bps),
        DENOM_ACT => (mul_div_floor(amount, ATTO, price_atto)?, p.settle_spread_bps),
        other => {
            return Err(AppError::from(BmeError::InvalidDenom(format!(
                "invalid swap route from {other}"
            ))))
        }
    };
    let spread = mul_div_ceil(out, u128::from(spread_bps), 10_000)?;
    Ok((out, spread))
}

#[cfg_attr(not(feature = "state"), allow(dead_code))]
pub(crate) fn check_output(out: u128, to_denom: &str, p: &BmeParams) -> Result<(), AppError> {
    if out == 0 {
        return Err(AppError::from(BmeError::ConversionEpsilon(format!(
            "the output rounds to 0{to_denom}"
        ))));
    }
    let min = p.min_mint_of(to_denom);
    if out < min {
        return Err(AppError::from(BmeError::BelowMinimumMint(format!(
            "output {out}{to_denom} is below the minimum {min}{to_denom}"
        ))));
    }
    Ok(())
}

/// The mint epoch length at CR `cr_bps` in the warning band.
pub fn backoff(p: &BmeParams, cr_bps: u128) -> u64 {
    let below = u128::from(p.circuit_breaker_warn_threshold).saturating_sub(cr_bps);
    let steps = below / 10;
    let mut v = u128::from(p.min_epoch_blocks);
    let cap = u128::from(MAX_EPOCH_BLOCKS);
    for _ in 0..steps {
        if v >= cap {
            break;
        }
        v = v * u128::from(100 + p.epoch_blocks_backoff_percent) / 100;
    }
    u64::try_from(v.min(cap)).unwrap_or(MAX_EPOCH_BLOCKS).max(p.min_epoch_blocks)
}

/// The status at CR `cr` coming from `current`, with the epoch length it implies (None:
/// unchanged). Worsening happens at the thresholds (`cr ≤ warn` → warning, `cr ≤ halt` →
/// halt_cr); improving from warning or halt_cr needs the CR above the threshold plus
/// `recovery_band_bps` (healthy above `warn + band`, warning above `halt + band`), else the
/// status stays. From halt_oracle or unspecified (no CR before) the thresholds apply as is.
pub fn evaluate(p: &BmeParams, current: MintStatus, cr: Option<u128>) -> (MintStatus, Option<u64>) {
    let (w, h) = (
        u128::from(p.circuit_breaker_warn_threshold),
        u128::from(p.circuit_breaker_halt_threshold),
    );
    let band = match current {
        MintStatus::Warning | MintStatus::HaltCr => u128::from(p.recovery_band_bps),
        _ => 0,
    };
    let healthy = (MintStatus::Healthy, Some(p.min_epoch_blocks));
    let Some(c) = cr else { return healthy };
    let raw = if c > w {
        healthy
    } else if c > h {
        (MintStatus::Warning, Some(backoff(p, c)))
    } else {
        (MintStatus::HaltCr, None)
    };
    if raw.0 >= current || band == 0 {
        return raw;
    }
    // Improving: only as far as the band allows.
    if c > w.saturating_add(band) {
        healthy
    } else if current == MintStatus::Warning || c > h.saturating_add(band) {
        // Warning stays; halt_cr recovers to warning.
        (MintStatus::Warning, Some(backoff(p, c)))
    } else {
        (MintStatus::HaltCr, None)
    }
}

/// A collateral ratio in bp as a decimal (`"0.9512"`), or `"inf"`.
pub fn fmt_cr(cr: Option<u128>) -> String {
    match cr {
        Some(c) => format!("{}.{:04}", c / 10_000, c % 10_000),
        None => "inf".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mul_div_is_exact_with_wide_products() {
        assert_eq!(mul_div(7, 3, 2), Some((10, true)));
        assert_eq!(mul_div(6, 3, 2), Some((9, false)));
        assert_eq!(mul_div(u128::MAX, u128::MAX, u128::MAX), Some((u128::MAX, false)));
        assert_eq!(mul_div(u128::MAX, 2, 4), Some((u128::MAX / 2, true)));
        assert_eq!(mul_div(u128::MAX, 2, 1), None);
        assert_eq!(mul_div(1, 1, 0), None);
        let (a, b, d) = (123_456_789_012_345_678_901u128, 987_654_321_098_765_432_109u128, ATTO);
        // Cross-check against splitting b.
        let (q, _) = mul_div(a, b, d).unwrap();
        let q2 = mul_div(a, b / 1000, d).unwrap().0 * 1000;
        assert!(q >= q2 && q - q2 < a * 1000 / d + 1000, "{q} {q2}");
        for (x, y, z) in [(10u128, 20u128, 3u128), (99, 1, 7), (1 << 100, 1 << 20, 1 << 60)] {
            assert_eq!(mul_div(x, y, z).unwrap().0, x * y / z);
        }
    }

    #[test]
    fn conversions_round_against_the_requester() {
        let p = BmeParams::default();
        // 100 AKT at $0.4625: 46.25 ACT, spread 25 bp = 0.115625 ACT.
        let (out, spread) = convert(100_000_000, DENOM_AKT, 4_625 * ATTO / 10_000, &p).unwrap();
        assert_eq!((out, spread), (46_250_000, 115_625));
        // Spread rounds up: 1001 × 25 / 10000 = 2.5025 → 3.
        assert_eq!(convert(1_001, DENOM_AKT, ATTO, &p).unwrap(), (1_001, 3));
        // ACT → AKT at $3: 10 uact → 3 uakt (floor of 3.33).
        assert_eq!(convert(10, DENOM_ACT, 3 * ATTO, &p).unwrap(), (3, 0));
        assert!(convert(1, DENOM_ACT, 0, &p).is_err());
    }

    #[test]
    fn the_status_worsens_at_the_thresholds_and_improves_only_past_the_band() {
        use MintStatus::*;
        let p = BmeParams::default(); // warn 9500, halt 9000, band 100
        let s = |cur, cr: u128| evaluate(&p, cur, Some(cr)).0;
        // Worsening: at the thresholds, whatever the band.
        assert_eq!(s(Healthy, 9_501), Healthy);
        assert_eq!(s(Healthy, 9_500), Warning);
        assert_eq!(s(Healthy, 9_000), HaltCr);
        assert_eq!(s(Warning, 9_000), HaltCr);
        // Improving: above threshold + band.
        assert_eq!(s(Warning, 9_501), Warning);
        assert_eq!(s(Warning, 9_600), Warning);
        assert_eq!(s(Warning, 9_601), Healthy);
        assert_eq!(s(HaltCr, 9_100), HaltCr);
        assert_eq!(s(HaltCr, 9_101), Warning);
        assert_eq!(s(HaltCr, 9_600), Warning);
        assert_eq!(s(HaltCr, 9_601), Healthy);
        // No CR before (oracle halt, genesis): the thresholds as they are.
        assert_eq!(s(HaltOracle, 9_050), Warning);
        assert_eq!(s(Unspecified, 9_501), Healthy);
        assert_eq!(evaluate(&p, HaltCr, None).0, Healthy, "no ACT outstanding");
        // A warning held above the threshold does not back off.
        assert_eq!(evaluate(&p, Warning, Some(9_550)), (Warning, Some(10)));
        // Band 0: the plain thresholds.
        let p0 = BmeParams { recovery_band_bps: 0, ..p };
        assert_eq!(evaluate(&p0, Warning, Some(9_501)).0, Healthy);
        assert_eq!(evaluate(&p0, HaltCr, Some(9_001)).0, Warning);
    }

    #[test]
    fn backoff_grows_per_10bp_below_warn_and_is_capped() {
        let p = BmeParams::default();
        assert_eq!(backoff(&p, 9_500), 10);
        assert_eq!(backoff(&p, 9_491), 10);
        assert_eq!(backoff(&p, 9_490), 11);
        assert_eq!(backoff(&p, 9_480), 12);
        let deep = backoff(&p, 9_001); // 49 steps below warn
        assert!(deep > 100 && deep < MAX_EPOCH_BLOCKS, "{deep}");
        let big = BmeParams { epoch_blocks_backoff_percent: 100, ..p };
        assert_eq!(backoff(&big, 0), MAX_EPOCH_BLOCKS);
    }
}
