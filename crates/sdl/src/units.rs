//! Quantity syntax: CPU units, byte sizes, Go durations. Exact integer math only.

/// Splits `"12.5"` into (mantissa digits as integer, number of fractional digits).
fn parse_unsigned_decimal(s: &str) -> Option<(u128, u32)> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut m: u128 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        m = m.checked_mul(10)?.checked_add(u128::from(b - b'0'))?;
    }
    Some((m, u32::try_from(frac.len()).ok()?))
}

/// Parses CPU units into millicores: `"500m"` → 500, `0.5` → 500, `2` → 2000.
/// Fractions of a millicore are truncated.
pub(crate) fn parse_cpu(s: &str) -> Result<u32, String> {
    let s = s.trim();
    if s.starts_with('-') {
        return Err("invalid: negative value not allowed".into());
    }
    if let Some(m) = s.strip_suffix('m') {
        return m.parse::<u32>().map_err(|_| {
            format!("invalid CPU units {s:?}: `m` needs a whole number of millicores")
        });
    }
    let (mant, scale) =
        parse_unsigned_decimal(s).ok_or_else(|| format!("invalid CPU units {s:?}"))?;
    let milli = mant
        .checked_mul(1000)
        .map(|v| v / 10u128.checked_pow(scale).unwrap_or(u128::MAX))
        .ok_or_else(|| format!("CPU units {s:?} too large"))?;
    u32::try_from(milli).map_err(|_| format!("CPU units {s:?} too large"))
}

const SUFFIXES: &[(&str, u128)] = &[
    ("Ki", 1 << 10),
    ("Mi", 1 << 20),
    ("Gi", 1 << 30),
    ("Ti", 1 << 40),
    ("Pi", 1 << 50),
    ("Ei", 1 << 60),
    ("k", 1_000),
    ("M", 1_000_000),
    ("G", 1_000_000_000),
    ("T", 1_000_000_000_000),
    ("P", 1_000_000_000_000_000),
    ("E", 1_000_000_000_000_000_000),
];

/// Parses a byte size: `512Mi`, `1.5Gi`, `1G`, `1024`. Fractional bytes are truncated.
pub(crate) fn parse_bytes(s: &str) -> Result<u64, String> {
    let s = s.trim();
    if s.starts_with('-') {
        return Err("invalid: negative value not allowed".into());
    }
    let (num, mult) =
        SUFFIXES.iter().find_map(|(suf, m)| s.strip_suffix(suf).map(|n| (n, *m))).unwrap_or((s, 1));
    let (mant, scale) = parse_unsigned_decimal(num).ok_or_else(|| format!("invalid size {s:?}"))?;
    let v = mant
        .checked_mul(mult)
        .map(|v| v / 10u128.checked_pow(scale).unwrap_or(u128::MAX))
        .ok_or_else(|| format!("size {s:?} too large"))?;
    u64::try_from(v).map_err(|_| format!("size {s:?} too large"))
}

/// Parses a Go `time.Duration` string (`"1h30m"`, `"24h"`, `"0s"`, `"1.5h"`) into
/// nanoseconds.
pub(crate) fn parse_go_duration(s: &str) -> Result<i128, String> {
    let bad = || format!("time: invalid duration {s:?}");
    let (neg, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total: i128 = 0;
    while !rest.is_empty() {
        let n = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let (num, tail) = rest.split_at(n);
        let (mant, scale) = parse_unsigned_decimal(num).ok_or_else(bad)?;
        let u = tail.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(u);
        let ns: i128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "" => return Err(format!("time: missing unit in duration {s:?}")),
            _ => return Err(format!("time: unknown unit {unit:?} in duration {s:?}")),
        };
        let mant = i128::try_from(mant).map_err(|_| bad())?;
        let v = mant
            .checked_mul(ns)
            .and_then(|v| v.checked_div(10i128.checked_pow(scale)?))
            .ok_or_else(bad)?;
        total = total.checked_add(v).ok_or_else(bad)?;
        rest = tail;
    }
    Ok(if neg { -total } else { total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu() {
        assert_eq!(parse_cpu("100m"), Ok(100));
        assert_eq!(parse_cpu("0.5"), Ok(500));
        assert_eq!(parse_cpu("0.57"), Ok(570));
        assert_eq!(parse_cpu("2"), Ok(2000));
        assert_eq!(parse_cpu("0.0015"), Ok(1));
        assert!(parse_cpu("-100m").unwrap_err().contains("negative"));
        assert!(parse_cpu("-1").unwrap_err().contains("negative"));
        assert!(parse_cpu("abc").is_err());
        assert!(parse_cpu("1.5m").is_err());
    }

    #[test]
    fn bytes() {
        assert_eq!(parse_bytes("512Mi"), Ok(536_870_912));
        assert_eq!(parse_bytes("1Gi"), Ok(1_073_741_824));
        assert_eq!(parse_bytes("1.5Gi"), Ok(1_610_612_736));
        assert_eq!(parse_bytes("1G"), Ok(1_000_000_000));
        assert_eq!(parse_bytes("1k"), Ok(1000));
        assert_eq!(parse_bytes("1024"), Ok(1024));
        assert!(parse_bytes("1K").is_err());
        assert!(parse_bytes("1g").is_err());
        assert!(parse_bytes("-1Gi").unwrap_err().contains("negative"));
        assert!(parse_bytes("100Ei").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_go_duration("24h"), Ok(24 * 3_600_000_000_000));
        assert_eq!(parse_go_duration("1h30m"), Ok(5_400_000_000_000));
        assert_eq!(parse_go_duration("1.5h"), Ok(5_400_000_000_000));
        assert_eq!(parse_go_duration("0s"), Ok(0));
        assert_eq!(parse_go_duration("0"), Ok(0));
        assert_eq!(parse_go_duration("-1s"), Ok(-1_000_000_000));
        assert!(parse_go_duration("abc").is_err());
        assert!(parse_go_duration("10").is_err());
        assert!(parse_go_duration("1d").is_err());
        assert!(parse_go_duration("").is_err());
    }
}
