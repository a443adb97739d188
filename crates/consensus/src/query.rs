//! Event queries in CometBFT's syntax: conditions joined by `AND`, e.g.
//! `tm.event='Tx' AND transfer.recipient='akash1…' AND tx.height>=5`.
//! Operators: `=`, `<`, `<=`, `>`, `>=` (numbers) and `CONTAINS` (strings), `EXISTS`.

use std::collections::BTreeMap;

/// One condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// Composite key, `type.attribute`.
    pub key: String,
    /// Operator.
    pub op: Op,
    /// Operand (empty for EXISTS).
    pub value: String,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `=`
    Eq,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `CONTAINS`
    Contains,
    /// `EXISTS`
    Exists,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EventQuery {
    /// Conditions, all of which must hold.
    pub conditions: Vec<Condition>,
}

/// Why a query does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid query {query:?}: {reason}")]
pub struct QueryParseError {
    /// The query.
    pub query: String,
    /// What is wrong.
    pub reason: String,
}

impl EventQuery {
    /// Parses a query string. The empty string matches everything.
    pub fn parse(q: &str) -> Result<Self, QueryParseError> {
        let err = |reason: String| QueryParseError { query: q.to_string(), reason };
        if q.len() > 2048 {
            return Err(err("longer than 2048 bytes".into()));
        }
        let mut conditions = Vec::new();
        let mut rest = q.trim();
        while !rest.is_empty() {
            let key_end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || "._-/".contains(c)))
                .unwrap_or(rest.len());
            let key = &rest[..key_end];
            if key.is_empty() {
                return Err(err(format!("expected a key at {rest:?}")));
            }
            rest = rest[key_end..].trim_start();
            let (op, after) = if let Some(r) = rest.strip_prefix("<=") {
                (Op::Le, r)
            } else if let Some(r) = rest.strip_prefix(">=") {
                (Op::Ge, r)
            } else if let Some(r) = rest.strip_prefix('=') {
                (Op::Eq, r)
            } else if let Some(r) = rest.strip_prefix('<') {
                (Op::Lt, r)
            } else if let Some(r) = rest.strip_prefix('>') {
                (Op::Gt, r)
            } else if let Some(r) = strip_word(rest, "CONTAINS") {
                (Op::Contains, r)
            } else if let Some(r) = strip_word(rest, "EXISTS") {
                (Op::Exists, r)
            } else {
                return Err(err(format!("expected an operator after {key:?}")));
            };
            rest = after.trim_start();
            let value = if op == Op::Exists {
                String::new()
            } else if let Some(r) = rest.strip_prefix('\'') {
                let end = r.find('\'').ok_or_else(|| err("unterminated string".into()))?;
                let v = r[..end].to_string();
                rest = &r[end + 1..];
                v
            } else {
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                let v = rest[..end].to_string();
                if v.is_empty() || v.parse::<i128>().is_err() {
                    return Err(err(format!("value for {key:?} must be a number or 'quoted'")));
                }
                rest = &rest[end..];
                v
            };
            if matches!(op, Op::Lt | Op::Le | Op::Gt | Op::Ge) && value.parse::<i128>().is_err() {
                return Err(err(format!("{key:?} compares with a non-number")));
            }
            conditions.push(Condition { key: key.to_string(), op, value });
            rest = rest.trim_start();
            if rest.is_empty() {
                break;
            }
            rest = strip_word(rest, "AND")
                .ok_or_else(|| err(format!("expected AND at {rest:?}")))?
                .trim_start();
            if rest.is_empty() {
                return Err(err("dangling AND".into()));
            }
        }
        Ok(Self { conditions })
    }

    /// True if the flattened attributes (`type.key` → values) satisfy every condition.
    pub fn matches(&self, attrs: &BTreeMap<String, Vec<String>>) -> bool {
        self.conditions.iter().all(|c| {
            let Some(vals) = attrs.get(&c.key) else { return false };
            vals.iter().any(|v| match c.op {
                Op::Eq => v == &c.value,
                Op::Contains => v.contains(&c.value),
                Op::Exists => true,
                op => match (v.parse::<i128>(), c.value.parse::<i128>()) {
                    (Ok(a), Ok(b)) => match op {
                        Op::Lt => a < b,
                        Op::Le => a <= b,
                        Op::Gt => a > b,
                        _ => a >= b,
                    },
                    _ => false,
                },
            })
        })
    }

    /// The value of an equality condition on `key`, if any.
    pub fn eq_value(&self, key: &str) -> Option<&str> {
        self.conditions.iter().find(|c| c.key == key && c.op == Op::Eq).map(|c| c.value.as_str())
    }
}

fn strip_word<'a>(s: &'a str, w: &str) -> Option<&'a str> {
    let head = s.get(..w.len())?;
    if head.eq_ignore_ascii_case(w) {
        let r = &s[w.len()..];
        if r.is_empty() || r.starts_with(char::is_whitespace) {
            return Some(r);
        }
    }
    None
}

/// Flattens events into `type.key` → values, plus extra entries.
pub fn flatten(
    events: &[dcloud_types::Event],
    extra: &[(&str, String)],
) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in events {
        for a in &e.attributes {
            m.entry(format!("{}.{}", e.kind, a.key)).or_default().push(a.value.clone());
        }
    }
    for (k, v) in extra {
        m.entry((*k).to_string()).or_default().push(v.clone());
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_match() {
        let q =
            EventQuery::parse("tm.event='Tx' AND transfer.recipient='akash1x' AND tx.height>=5")
                .unwrap();
        assert_eq!(q.conditions.len(), 3);
        let mut m = BTreeMap::new();
        m.insert("tm.event".to_string(), vec!["Tx".to_string()]);
        m.insert("transfer.recipient".to_string(), vec!["akash1y".into(), "akash1x".into()]);
        m.insert("tx.height".to_string(), vec!["7".to_string()]);
        assert!(q.matches(&m));
        m.insert("tx.height".to_string(), vec!["4".to_string()]);
        assert!(!q.matches(&m));
        assert!(EventQuery::parse("a.b=").is_err());
        assert!(EventQuery::parse("a.b='x' AND").is_err());
        assert!(EventQuery::parse("a.b='x' OR c.d='y'").is_err());
        assert!(EventQuery::parse("a.b>'x'").is_err());
        assert!(EventQuery::parse("").unwrap().matches(&BTreeMap::new()));
    }
}
