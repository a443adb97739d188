//! The block store: blocks, commits, results and a tx index, kept in the state store's
//! side table so a block and its state commit in one atomic transaction.
//!
//! Keys: `B‖h` block, `C‖h` commit of block h, `R‖h` results, `T‖hash` tx location,
//! `E‖type.key=value‖0‖h` event index → indices (u32 BE) of that block's txs carrying it.
//! Attributes `amount`, `fee` and `signature` are not indexed, nor `coin_spent` /
//! `coin_received` events: they are rarely searched and would double the index; queries on
//! them still work by walking blocks.

use std::sync::Arc;

use dcloud_store::Store;
use serde::{Deserialize, Serialize};

use crate::block::{Block, BlockResults, Commit, TxRecord};
use crate::query::{flatten, EventQuery};
use crate::ConsensusError;

const NOT_INDEXED: &[&str] = &["amount", "fee", "signature"];
/// Event types not indexed: `coin_spent`/`coin_received` repeat what `transfer` says.
const NOT_INDEXED_EVENTS: &[&str] = &["coin_spent", "coin_received"];

fn is_indexed(event: &str, attr: &str) -> bool {
    !NOT_INDEXED.contains(&attr) && !NOT_INDEXED_EVENTS.contains(&event)
}

/// Side-table writes (`Some` = put, `None` = delete), as `App::commit` takes them.
pub type AuxWrites = Vec<(Vec<u8>, Option<Vec<u8>>)>;

#[derive(Serialize, Deserialize)]
struct TxLoc {
    height: u64,
    index: u32,
}

/// Reads and writes blocks in the store's side table.
#[derive(Debug, Clone)]
pub struct BlockStore {
    store: Arc<Store>,
}

fn hkey(tag: u8, h: u64) -> Vec<u8> {
    let mut k = vec![tag];
    k.extend_from_slice(&h.to_be_bytes());
    k
}

/// Blocks and results are stored LZ4-compressed (they are large, repetitive JSON: a block of
/// 10,000 sends carries ~15 MB of result events). Tag byte `z` + compressed JSON; plain JSON
/// (starting with `{`) is read as is.
fn pack(json: &[u8]) -> Vec<u8> {
    let mut v = vec![b'z'];
    v.extend_from_slice(&lz4_flex::compress_prepend_size(json));
    v
}

fn unpack(b: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>, ConsensusError> {
    match b.split_first() {
        Some((b'z', rest)) => lz4_flex::decompress_size_prepended(rest)
            .map(std::borrow::Cow::Owned)
            .map_err(|e| ConsensusError::Corrupt(format!("block data: {e}"))),
        _ => Ok(std::borrow::Cow::Borrowed(b)),
    }
}

fn corrupt(e: impl std::fmt::Display) -> ConsensusError {
    ConsensusError::Corrupt(e.to_string())
}

/// The last committed block, as a driver resumes from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tip {
    /// Its height (0 before the first block).
    pub height: u64,
    /// Its header hash (zeros before the first block).
    pub hash: crate::block::Hash,
    /// Its block time, ms (0 before the first block).
    pub time_ms: u64,
    /// Its commit certificate, if stored.
    pub commit: Option<Commit>,
}

impl BlockStore {
    /// Where a driver resumes: the last stored block, which must be the app state's height
    /// (`app_height`); otherwise the store is corrupt.
    pub fn tip(&self, app_height: u64) -> Result<Tip, ConsensusError> {
        let h = self.latest_height()?;
        if h != app_height {
            return Err(ConsensusError::Corrupt(format!(
                "block store at height {h} but state at height {app_height}"
            )));
        }
        if h == 0 {
            return Ok(Tip { height: 0, hash: [0; 32], time_ms: 0, commit: None });
        }
        let b =
            self.block(h)?.ok_or_else(|| ConsensusError::Corrupt(format!("block {h} missing")))?;
        Ok(Tip {
            height: h,
            hash: b.header.hash(),
            time_ms: b.header.time_ms,
            commit: self.commit(h)?,
        })
    }

    /// Over a store.
    pub fn new(store: Arc<Store>) -> Self {
        Self { store }
    }

    /// The side-table writes that record a block; pass them to `App::commit`.
    pub fn writes_for(
        block: &Block,
        commit: &Commit,
        results: &BlockResults,
    ) -> Result<AuxWrites, ConsensusError> {
        let h = block.header.height;
        let mut w = Vec::with_capacity(3 + block.txs.len() * 8);
        w.push((hkey(b'B', h), Some(pack(&serde_json::to_vec(block).map_err(corrupt)?))));
        w.push((hkey(b'C', h), Some(serde_json::to_vec(commit).map_err(corrupt)?)));
        w.push((hkey(b'R', h), Some(pack(&serde_json::to_vec(results).map_err(corrupt)?))));
        // Event index: one row per (attribute=value, height) holding the indices of the txs
        // that carry it (u32 BE each), so values shared by many txs (an action, the fee
        // collector) cost one row per block, not one per tx.
        let mut index: std::collections::BTreeMap<String, Vec<u8>> = Default::default();
        for (i, (tx, res)) in block.txs.iter().zip(&results.tx_results).enumerate() {
            let hash = dcloud_types::sha256(tx);
            let mut tk = vec![b'T'];
            tk.extend_from_slice(&hash);
            let loc = TxLoc { height: h, index: i as u32 };
            w.push((tk, Some(serde_json::to_vec(&loc).map_err(corrupt)?)));
            let mut seen = std::collections::BTreeSet::new();
            for e in &res.events {
                for a in &e.attributes {
                    if !is_indexed(&e.kind, &a.key) || a.value.len() > 256 {
                        continue;
                    }
                    let ck = format!("{}.{}={}", e.kind, a.key, a.value);
                    if seen.insert(ck.clone()) {
                        index.entry(ck).or_default().extend_from_slice(&(i as u32).to_be_bytes());
                    }
                }
            }
        }
        for (ck, idxs) in index {
            let mut k = Vec::with_capacity(ck.len() + 10);
            k.push(b'E');
            k.extend_from_slice(ck.as_bytes());
            k.push(0);
            k.extend_from_slice(&h.to_be_bytes());
            w.push((k, Some(idxs)));
        }
        Ok(w)
    }

    fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        key: &[u8],
    ) -> Result<Option<T>, ConsensusError> {
        match self.store.aux_get(key)? {
            Some(b) => serde_json::from_slice(&unpack(&b)?).map(Some).map_err(corrupt),
            None => Ok(None),
        }
    }

    /// Latest stored block height (0 if none).
    pub fn latest_height(&self) -> Result<u64, ConsensusError> {
        let last = self.store.aux_range(b"B", None, 1, true)?;
        Ok(match last.first() {
            Some((k, _)) if k.len() == 9 => {
                u64::from_be_bytes(k[1..9].try_into().map_err(corrupt)?)
            }
            _ => 0,
        })
    }

    /// A block.
    pub fn block(&self, h: u64) -> Result<Option<Block>, ConsensusError> {
        self.get_json(&hkey(b'B', h))
    }

    /// The commit certificate of block `h`.
    pub fn commit(&self, h: u64) -> Result<Option<Commit>, ConsensusError> {
        self.get_json(&hkey(b'C', h))
    }

    /// Results of block `h`.
    pub fn results(&self, h: u64) -> Result<Option<BlockResults>, ConsensusError> {
        self.get_json(&hkey(b'R', h))
    }

    /// A tx by hash.
    pub fn tx(&self, hash: &[u8; 32]) -> Result<Option<TxRecord>, ConsensusError> {
        let mut k = vec![b'T'];
        k.extend_from_slice(hash);
        let Some(loc) = self.get_json::<TxLoc>(&k)? else { return Ok(None) };
        self.tx_at(loc.height, loc.index)
    }

    fn tx_at(&self, height: u64, index: u32) -> Result<Option<TxRecord>, ConsensusError> {
        use base64::Engine;
        let (Some(b), Some(r)) = (self.block(height)?, self.results(height)?) else {
            return Ok(None);
        };
        let (Some(tx), Some(res)) = (b.txs.get(index as usize), r.tx_results.get(index as usize))
        else {
            return Ok(None);
        };
        Ok(Some(TxRecord {
            hash: hex::encode_upper(dcloud_types::sha256(tx)),
            height,
            index,
            tx: base64::engine::general_purpose::STANDARD.encode(tx),
            tx_result: res.clone(),
        }))
    }

    /// Txs matching a query, oldest first (or newest first with `desc`), paginated
    /// (`page` from 1). Returns the page and the total count.
    pub fn search(
        &self,
        q: &EventQuery,
        page: usize,
        per_page: usize,
        desc: bool,
    ) -> Result<(Vec<TxRecord>, usize), ConsensusError> {
        let mut locs: Vec<(u64, u32)> = Vec::new();
        if let Some(h) = q.eq_value("tx.hash") {
            // A malformed hash matches no tx (it is the caller's input, not store corruption).
            let bytes = hex::decode(h).unwrap_or_default();
            if let Ok(arr) = <[u8; 32]>::try_from(bytes.as_slice()) {
                if let Some(r) = self.tx(&arr)? {
                    locs.push((r.height, r.index));
                }
            }
        } else if let Some(c) = q.conditions.iter().find(|c| {
            // Only an indexed attribute can drive the lookup; others are filtered below.
            let (event, attr) = c.key.rsplit_once('.').unwrap_or_default();
            c.op == crate::query::Op::Eq
                && c.key != "tm.event"
                && c.key != "tx.height"
                && is_indexed(event, attr)
                && c.value.len() <= 256
        }) {
            let mut prefix = vec![b'E'];
            prefix.extend_from_slice(format!("{}={}", c.key, c.value).as_bytes());
            prefix.push(0);
            let mut after: Option<Vec<u8>> = None;
            loop {
                let page = self.store.aux_range(&prefix, after.as_deref(), 1000, false)?;
                for (k, v) in &page {
                    let tail = &k[prefix.len()..];
                    if tail.len() == 8 {
                        let h = u64::from_be_bytes(tail.try_into().map_err(corrupt)?);
                        for c in v.chunks_exact(4) {
                            locs.push((h, u32::from_be_bytes(c.try_into().map_err(corrupt)?)));
                        }
                    }
                }
                if page.len() < 1000 || locs.len() > 100_000 {
                    break;
                }
                after = page.last().map(|(k, _)| k.clone());
            }
        } else {
            // No indexed condition: walk the blocks in the height range.
            let latest = self.latest_height()?;
            let (mut lo, mut hi) = (1u64, latest);
            for c in q.conditions.iter().filter(|c| c.key == "tx.height") {
                // Heights are u64: clamp out-of-range operands (the parser admits any i128)
                // rather than wrap or treat them as 0; `matches` below has the last word.
                let Ok(v) = c.value.parse::<i128>() else { continue };
                let v = v.clamp(0, i128::from(u64::MAX)) as u64;
                match c.op {
                    crate::query::Op::Eq => {
                        lo = lo.max(v);
                        hi = hi.min(v);
                    }
                    crate::query::Op::Gt => lo = lo.max(v.saturating_add(1)),
                    crate::query::Op::Ge => lo = lo.max(v),
                    crate::query::Op::Lt => hi = hi.min(v.saturating_sub(1)),
                    crate::query::Op::Le => hi = hi.min(v),
                    _ => {}
                }
            }
            if hi >= lo && hi - lo <= 10_000 {
                for h in lo..=hi {
                    if let Some(b) = self.block(h)? {
                        locs.extend((0..b.txs.len() as u32).map(|i| (h, i)));
                    }
                }
            }
        }
        let mut matched = Vec::new();
        for (h, i) in locs {
            if let Some(r) = self.tx_at(h, i)? {
                let attrs = flatten(
                    &r.tx_result.events,
                    &[
                        ("tm.event", "Tx".into()),
                        ("tx.height", h.to_string()),
                        ("tx.hash", r.hash.clone()),
                    ],
                );
                if q.matches(&attrs) {
                    matched.push(r);
                }
            }
        }
        if desc {
            matched.reverse();
        }
        let total = matched.len();
        let start = page.saturating_sub(1).saturating_mul(per_page);
        Ok((matched.into_iter().skip(start).take(per_page).collect(), total))
    }
}
