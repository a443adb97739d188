//! Flag value parsers shared by every command.

use std::net::SocketAddr;
use std::time::Duration;

/// Parses `500ms`, `1s`, `2m`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s)
        .map_err(|e| format!("invalid duration {s:?} ({e}); use e.g. 500ms or 1s"))?;
    if d < Duration::from_millis(10) {
        return Err(format!("duration {s:?} is too short: use at least 10ms"));
    }
    Ok(d)
}

/// Parses `host:port`; `tcp://` and `http://` prefixes are accepted.
pub fn parse_addr(s: &str) -> Result<SocketAddr, String> {
    let t = s.trim_start_matches("tcp://").trim_start_matches("http://");
    let t = t.strip_prefix("localhost:").map(|p| format!("127.0.0.1:{p}")).unwrap_or(t.to_string());
    t.parse().map_err(|_| {
        format!("invalid listen address {s:?}: expected IP:PORT, e.g. 127.0.0.1:26657")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse() {
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert!(parse_duration("fast").is_err());
        assert!(parse_duration("1ms").is_err());
        assert_eq!(parse_addr("tcp://127.0.0.1:5").unwrap(), "127.0.0.1:5".parse().unwrap());
        assert_eq!(parse_addr("localhost:7").unwrap(), "127.0.0.1:7".parse().unwrap());
        assert!(parse_addr("nope").is_err());
    }
}
