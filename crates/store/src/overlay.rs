//! Buffered writes over a reader. Reads see the buffered writes first.

use std::collections::BTreeMap;

use crate::{KvPair, StateRead, StateWrite, StoreError};

/// Pending changes: `Some(value)` to set, `None` to delete. Ordered, so deterministic.
pub type Changes = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// Writes buffered over a base reader. Drop it to discard; `into_changes` to keep.
#[derive(Debug)]
pub struct Overlay<B> {
    base: B,
    changes: Changes,
}

impl<B: StateRead> Overlay<B> {
    /// A new, empty overlay over `base`.
    pub fn new(base: B) -> Self {
        Self { base, changes: Changes::new() }
    }

    /// The buffered changes.
    pub fn changes(&self) -> &Changes {
        &self.changes
    }

    /// Consumes the overlay, returning the buffered changes.
    pub fn into_changes(self) -> Changes {
        self.changes
    }

    /// Applies changes from a nested overlay (e.g. a successful tx) on top of ours.
    pub fn apply(&mut self, changes: Changes) {
        self.changes.extend(changes);
    }

    /// The base reader.
    pub fn base(&self) -> &B {
        &self.base
    }
}

impl<B: StateRead> StateRead for Overlay<B> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        match self.changes.get(key) {
            Some(v) => Ok(v.clone()),
            None => self.base.get(key),
        }
    }

    fn prefix_range(
        &self,
        prefix: &[u8],
        start_after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<KvPair>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        // Merge the base and the buffered changes. Deleted base keys can hide entries, so
        // read the base in pages until `limit` live entries are found or the base runs out.
        let mut out: Vec<KvPair> = Vec::new();
        let mut cursor: Option<Vec<u8>> = start_after.map(<[u8]>::to_vec);
        let lower = |cursor: &Option<Vec<u8>>| match cursor {
            Some(c) => std::ops::Bound::Excluded(c.clone()),
            None => std::ops::Bound::Included(prefix.to_vec()),
        };
        loop {
            let page = self.base.prefix_range(prefix, cursor.as_deref(), limit)?;
            let base_done = page.len() < limit;
            let page_end = page.last().map(|(k, _)| k.clone());
            // Changes between the cursor and the end of this page (or all, if base is done).
            let mut merged: BTreeMap<Vec<u8>, Option<Vec<u8>>> = BTreeMap::new();
            for (k, v) in page {
                merged.insert(k, Some(v));
            }
            for (k, v) in self.changes.range((lower(&cursor), std::ops::Bound::Unbounded)) {
                if !k.starts_with(prefix) {
                    // Every key at or above `prefix` that lacks it sorts after the whole range.
                    break;
                }
                if let (false, Some(end)) = (base_done, &page_end) {
                    if k > end {
                        break;
                    }
                }
                merged.insert(k.clone(), v.clone());
            }
            for (k, v) in merged {
                if let Some(v) = v {
                    out.push((k, v));
                    if out.len() == limit {
                        return Ok(out);
                    }
                }
            }
            if base_done {
                return Ok(out);
            }
            cursor = page_end;
        }
    }
}

impl<B: StateRead> StateWrite for Overlay<B> {
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.changes.insert(key, Some(value));
    }
    fn delete(&mut self, key: Vec<u8>) {
        self.changes.insert(key, None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EmptyState;

    #[test]
    fn overlay_merges_and_deletes() {
        let mut base = Overlay::new(EmptyState);
        for i in 0u8..10 {
            base.put(vec![b'a', i], vec![i]);
        }
        base.put(b"b".to_vec(), b"x".to_vec());
        let mut top = Overlay::new(&base);
        top.delete(vec![b'a', 0]);
        top.delete(vec![b'a', 1]);
        top.put(vec![b'a', 5, 5], vec![55]);
        let all = top.prefix_range(b"a", None, 100).unwrap();
        assert_eq!(all.len(), 9);
        assert_eq!(all[0].0, vec![b'a', 2]);
        let page = top.prefix_range(b"a", None, 3).unwrap();
        assert_eq!(page.iter().map(|p| p.0[1]).collect::<Vec<_>>(), vec![2, 3, 4]);
        let next = top.prefix_range(b"a", Some(&page[2].0), 3).unwrap();
        assert_eq!(next[0].0, vec![b'a', 5]);
        assert_eq!(next[1].0, vec![b'a', 5, 5]);
        assert_eq!(top.get(&[b'a', 0]).unwrap(), None);
        assert_eq!(top.get(b"b").unwrap(), Some(b"x".to_vec()));
    }
}
