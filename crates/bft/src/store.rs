//! Undecided proposals: blocks seen (or built) for a height not yet committed, keyed by
//! (height, round, block id), kept in memory and as one JSON file each under
//! `<home>/data/bft/undecided/`, so that after a crash a proposer re-proposes the same block
//! for the same (height, round) and a decided block whose parts arrived before the crash
//! can still be committed. Decided blocks and their certificates live in the consensus
//! [`dcloud_consensus::BlockStore`] (the state store's aux table), written in the same
//! atomic commit as the state.

use std::collections::BTreeMap;
use std::path::PathBuf;

use dcloud_consensus::Block;
use serde::{Deserialize, Serialize};

/// One undecided proposal.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Undecided {
    /// Height.
    pub height: u64,
    /// Round it was proposed in.
    pub round: u32,
    /// Proof-of-lock round (-1 = none).
    pub valid_round: i64,
    /// Proposer address (hex).
    pub proposer: String,
    /// Whether our app accepted it.
    pub valid: bool,
    /// The block.
    pub block: Block,
}

impl Undecided {
    /// The block id.
    pub fn id(&self) -> [u8; 32] {
        self.block.header.hash()
    }
}

/// Undecided proposals by (height, round, id).
#[derive(Debug)]
pub struct UndecidedStore {
    dir: PathBuf,
    map: BTreeMap<(u64, u32, [u8; 32]), Undecided>,
}

impl UndecidedStore {
    /// Opens (and loads) the directory, dropping entries at or below `committed`.
    pub fn open(dir: PathBuf, committed: u64) -> std::io::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        let mut s = Self { dir, map: BTreeMap::new() };
        for e in std::fs::read_dir(&s.dir)? {
            let path = e?.path();
            let parsed = std::fs::read(&path)
                .ok()
                .and_then(|b| serde_json::from_slice::<Undecided>(&b).ok());
            match parsed {
                Some(u) if u.height > committed => {
                    s.map.insert((u.height, u.round, u.id()), u);
                }
                _ => {
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
        Ok(s)
    }

    fn path(&self, h: u64, r: u32, id: &[u8; 32]) -> PathBuf {
        self.dir.join(format!("{h}-{r}-{}.json", hex::encode_upper(id)))
    }

    /// Stores (and persists) a proposal.
    pub fn put(&mut self, u: Undecided) -> std::io::Result<()> {
        let id = u.id();
        let path = self.path(u.height, u.round, &id);
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, serde_json::to_vec(&u).map_err(std::io::Error::other)?)?;
        std::fs::rename(&tmp, &path)?;
        self.map.insert((u.height, u.round, id), u);
        Ok(())
    }

    /// Proposals for (height, round).
    pub fn at(&self, h: u64, r: u32) -> impl Iterator<Item = &Undecided> {
        self.map.range((h, r, [0; 32])..=(h, r, [0xff; 32])).map(|(_, u)| u)
    }

    /// Our own proposal for (height, round), if we made one.
    pub fn own(&self, h: u64, r: u32, me: &str) -> Option<&Undecided> {
        self.at(h, r).find(|u| u.proposer == me)
    }

    /// A proposal of any round with this block id.
    pub fn by_id(&self, h: u64, id: &[u8; 32]) -> Option<&Undecided> {
        self.map
            .range((h, 0, [0; 32])..=(h, u32::MAX, [0xff; 32]))
            .map(|(_, u)| u)
            .find(|u| &u.id() == id)
    }

    /// Drops everything at or below `h`.
    pub fn prune(&mut self, h: u64) {
        let keep = self.map.split_off(&(h + 1, 0, [0; 32]));
        for ((hh, r, id), _) in std::mem::replace(&mut self.map, keep) {
            let _ = std::fs::remove_file(self.path(hh, r, &id));
        }
    }
}
