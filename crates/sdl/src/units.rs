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

/// A byte size read from an SDL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Size {
    /// The value in bytes.
    pub bytes: u64,
    /// Set when the text was not written canonically (`6GB`, `16gi`, `512Mb`): how to write
    /// the same value canonically (`6G`, `16Gi`, `512M`). Such sizes are accepted with the
    /// value Akash's Console gives them, and the decoder turns this into a warning.
    pub canonical: Option<String>,
}

/// Parses a byte size: `512Mi`, `1.5Gi`, `1G`, `1024`. Fractional bytes are truncated.
///
/// Besides the canonical suffixes (`k M G T P E`, `Ki Mi Gi Ti Pi Ei`, case-sensitive) it
/// accepts what Akash's Console accepts and people write in public templates: the prefix
/// letter in any case, an optional `i`, an optional trailing `b` (`6GB` = 6·10⁹,
/// `16gi` = 16·2³⁰, `512Mb` = 512·10⁶, `512m` = 512·10⁶, `100B` = 100). `1GiB` is refused:
/// the Console reads it as 10⁹ bytes while its writer almost surely meant 2³⁰.
pub(crate) fn parse_bytes(s: &str) -> Result<Size, String> {
    let s = s.trim();
    if s.starts_with('-') {
        return Err("invalid: negative value not allowed".into());
    }
    let canonical = SUFFIXES.iter().find_map(|(suf, m)| s.strip_suffix(suf).map(|n| (n, *m, *suf)));
    let (num, mult, written) = match canonical {
        Some((n, m, _)) if parse_unsigned_decimal(n).is_some() => (n, m, None),
        _ if parse_unsigned_decimal(s).is_some() => (s, 1, None),
        _ => lenient_suffix(s)?,
    };
    let (mant, scale) = parse_unsigned_decimal(num).ok_or_else(|| format!("invalid size {s:?}"))?;
    let v = mant
        .checked_mul(mult)
        .map(|v| v / 10u128.checked_pow(scale).unwrap_or(u128::MAX))
        .ok_or_else(|| format!("size {s:?} too large"))?;
    let bytes = u64::try_from(v).map_err(|_| format!("size {s:?} too large"))?;
    Ok(Size { bytes, canonical: written.map(|suf| format!("{num}{suf}")) })
}

/// The non-canonical spellings: `<n><p>[i][b]` with `p` one of `kmgtpe` in any case, or
/// `<n>b`. Returns the number, the multiplier and the canonical suffix.
fn lenient_suffix(s: &str) -> Result<(&str, u128, Option<&'static str>), String> {
    let invalid = || format!("invalid size {s:?}");
    let lower = s.to_ascii_lowercase();
    let unit_at = lower.find(|c: char| c.is_ascii_alphabetic()).ok_or_else(invalid)?;
    let (num, unit) = (&s[..unit_at], &lower[unit_at..]);
    if parse_unsigned_decimal(num).is_none() {
        return Err(invalid());
    }
    if unit == "b" {
        return Ok((num, 1, Some("")));
    }
    let mut chars = unit.chars();
    let prefix = chars.next().ok_or_else(invalid)?;
    let rest = chars.as_str();
    let power = "kmgtpe".find(prefix).ok_or_else(invalid)?;
    let (binary, canon) = match rest {
        "" | "b" => (false, SUFFIXES[power + 6].0),
        "i" => (true, SUFFIXES[power].0),
        "ib" => {
            return Err(format!(
            "ambiguous size {s:?}: write {num}{} for {num}·2^{} bytes or {num}{} for {num}·10^{}",
            SUFFIXES[power].0,
            10 * (power + 1),
            SUFFIXES[power + 6].0,
            3 * (power + 1)
        ))
        }
        _ => return Err(invalid()),
    };
    let base: u128 = if binary { 1024 } else { 1000 };
    let exp = u32::try_from(power + 1).map_err(|_| invalid())?;
    Ok((num, base.pow(exp), Some(canon)))
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
        let b = |s| parse_bytes(s).map(|v| (v.bytes, v.canonical));
        assert_eq!(b("512Mi"), Ok((536_870_912, None)));
        assert_eq!(b("1Gi"), Ok((1_073_741_824, None)));
        assert_eq!(b("1.5Gi"), Ok((1_610_612_736, None)));
        assert_eq!(b("1G"), Ok((1_000_000_000, None)));
        assert_eq!(b("1k"), Ok((1000, None)));
        assert_eq!(b("1024"), Ok((1024, None)));
        assert!(parse_bytes("-1Gi").unwrap_err().contains("negative"));
        assert!(parse_bytes("100Ei").is_err());
    }

    #[test]
    fn lenient_bytes_take_the_consoles_values_and_say_the_canonical_form() {
        let b = |s| parse_bytes(s).map(|v| (v.bytes, v.canonical));
        let some = |s: &str| Some(s.to_string());
        assert_eq!(b("6GB"), Ok((6_000_000_000, some("6G"))));
        assert_eq!(b("16gi"), Ok((16 << 30, some("16Gi"))));
        assert_eq!(b("1ti"), Ok((1 << 40, some("1Ti"))));
        assert_eq!(b("512mi"), Ok((512 << 20, some("512Mi"))));
        assert_eq!(b("15Gb"), Ok((15_000_000_000, some("15G"))));
        assert_eq!(b("512Mb"), Ok((512_000_000, some("512M"))));
        assert_eq!(b("512m"), Ok((512_000_000, some("512M"))));
        assert_eq!(b("1K"), Ok((1000, some("1k"))));
        assert_eq!(b("2KI"), Ok((2048, some("2Ki"))));
        assert_eq!(b("1.5gb"), Ok((1_500_000_000, some("1.5G"))));
        assert_eq!(b("100B"), Ok((100, some("100"))));
        assert!(parse_bytes("1GiB").unwrap_err().contains("ambiguous"));
        assert!(parse_bytes("1x").is_err());
        assert!(parse_bytes("1Gx").is_err());
        assert!(parse_bytes("Gi").is_err());
        assert!(parse_bytes("1.2.3G").is_err());
        assert!(parse_bytes("20eb").is_err(), "too large");
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
