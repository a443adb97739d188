//! Canonical JSON and the manifest version hash.
//!
//! Akash computes `version = SHA-256(SortJSON(json.Marshal(manifest)))`: object keys
//! sorted byte-wise, compact, and Go's escaping (`<`, `>`, `&`, U+2028, U+2029 as
//! `\u00XX`/`\u20XX`; other non-ASCII left as UTF-8). Keys are sorted here explicitly,
//! so the result does not depend on serde_json's `preserve_order` feature.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::output::Manifest;

fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (k, val)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, k);
                out.push(':');
                write_value(out, val);
            }
            out.push('}');
        }
    }
}

/// Sorted-key, compact JSON with Go's escaping (cosmos-sdk `SortJSON`).
pub fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, v);
    out
}

/// The canonical JSON bytes of a manifest, as hashed for its version.
pub fn manifest_canonical_json(m: &Manifest) -> String {
    // Serialising our own plain structs cannot fail (no maps with non-string keys).
    let v = serde_json::to_value(m).unwrap_or(Value::Null);
    canonical_json(&v)
}

/// SHA-256 of [`manifest_canonical_json`]: the manifest version / deployment hash.
pub fn manifest_version(m: &Manifest) -> [u8; 32] {
    Sha256::digest(manifest_canonical_json(m).as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorts_keys_and_escapes_like_go() {
        let v =
            json!({"b": 1, "a": ["<x>&", "é\u{2028}"], "A": null, "c": {"z": true, "y": "\u{1}"}});
        assert_eq!(
            canonical_json(&v),
            r#"{"A":null,"a":["\u003cx\u003e\u0026","é\u2028"],"b":1,"c":{"y":"\u0001","z":true}}"#
        );
    }
}
