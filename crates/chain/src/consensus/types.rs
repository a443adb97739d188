//! The consensus module's records: a validator as consensus sees it, and the diff of two
//! validator sets into ABCI validator updates.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One validator as consensus sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validator {
    /// Consensus address: hex of the first 20 bytes of SHA-256(pubkey).
    pub address: String,
    /// ed25519 public key, base64.
    pub pub_key: String,
    /// Voting power.
    pub power: u64,
    /// Human name.
    #[serde(default)]
    pub name: String,
}

/// The updates that turn validator set `before` into `after` (power 0 removes), ordered
/// by public key.
pub fn updates(before: &[Validator], after: &[Validator]) -> Vec<crate::ValidatorUpdate> {
    let old: BTreeMap<&str, u64> = before.iter().map(|v| (v.pub_key.as_str(), v.power)).collect();
    let new: BTreeMap<&str, u64> = after.iter().map(|v| (v.pub_key.as_str(), v.power)).collect();
    let mut out = Vec::new();
    for (k, p) in &old {
        match new.get(k) {
            None => out.push(crate::ValidatorUpdate { pub_key: (*k).to_string(), power: 0 }),
            Some(n) if n != p => {
                out.push(crate::ValidatorUpdate { pub_key: (*k).to_string(), power: *n })
            }
            Some(_) => {}
        }
    }
    for (k, p) in &new {
        if !old.contains_key(k) {
            out.push(crate::ValidatorUpdate { pub_key: (*k).to_string(), power: *p });
        }
    }
    out.sort_by(|a, b| a.pub_key.cmp(&b.pub_key));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(key: &str, power: u64) -> Validator {
        Validator { address: String::new(), pub_key: key.into(), power, name: String::new() }
    }

    #[test]
    fn updates_remove_change_and_add_in_key_order() {
        let before = [v("a", 1), v("b", 2), v("c", 3)];
        let after = [v("d", 4), v("b", 5), v("c", 3)];
        let got: Vec<(String, u64)> =
            updates(&before, &after).into_iter().map(|u| (u.pub_key, u.power)).collect();
        assert_eq!(got, [("a".into(), 0), ("b".into(), 5), ("d".into(), 4)]);
    }
}
