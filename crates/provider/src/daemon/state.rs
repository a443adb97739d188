//! The provider's small durable state, in its state directory:
//! `height` (last block fully processed) and `manifests/<lease slug>.json` (the manifest
//! group each lease runs, so a lease whose containers vanished can be redeployed).
//! Every write goes to a temporary file that is fsync'd and renamed over the old one, so
//! a crash leaves either the old or the new content.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use dcloud_sdl::output::ManifestGroup;
use serde::{Deserialize, Serialize};

use crate::{LeaseId, LeaseSlug};

/// Errors of the state directory.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A file's content is damaged.
    #[error("{path}: damaged ({reason})")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// A stored manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredManifest {
    /// The lease.
    pub lease: LeaseId,
    /// What it runs.
    pub group: ManifestGroup,
}

/// The state directory.
#[derive(Debug, Clone)]
pub struct StateDir {
    root: PathBuf,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StateError + '_ {
    move |source| StateError::Io { path: path.to_path_buf(), source }
}

/// Writes `bytes` to `path` atomically (temporary file, fsync, rename), readable by the
/// owner only (the state dir also holds the gateway's private key).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StateError> {
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("tmp");
    let mut o = fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    o.mode(0o600);
    let mut f = o.open(&tmp).map_err(io(&tmp))?;
    f.write_all(bytes).map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    fs::rename(&tmp, path).map_err(io(path))?;
    if let Some(dir) = path.parent() {
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

impl StateDir {
    /// Opens (creating) the directory.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, StateError> {
        let root = root.into();
        let m = root.join("manifests");
        fs::create_dir_all(&m).map_err(io(&m))?;
        Ok(Self { root })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// Last processed height (0 = none).
    pub fn height(&self) -> Result<u64, StateError> {
        let p = self.root.join("height");
        match fs::read_to_string(&p) {
            Ok(s) => s
                .trim()
                .parse()
                .map_err(|e| StateError::Corrupt { path: p.clone(), reason: format!("{e}") }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
            Err(e) => Err(StateError::Io { path: p, source: e }),
        }
    }

    /// Records that every block up to `h` has been handled.
    pub fn set_height(&self, h: u64) -> Result<(), StateError> {
        write_atomic(&self.root.join("height"), h.to_string().as_bytes())
    }

    /// Identity of the chain this state belongs to (`chain-id/hash of block 1`), if stored.
    pub fn chain(&self) -> Result<Option<String>, StateError> {
        let p = self.root.join("chain");
        match fs::read_to_string(&p) {
            Ok(s) => Ok(Some(s.trim().to_string())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StateError::Io { path: p, source: e }),
        }
    }

    /// Binds the state to a chain, forgetting the height and manifests of any other chain
    /// (a devnet that was reset, say). Returns `true` when it was bound to another chain.
    pub fn bind_chain(&self, id: &str) -> Result<bool, StateError> {
        let old = self.chain()?;
        if old.as_deref() == Some(id) {
            return Ok(false);
        }
        let other = old.is_some();
        if other {
            let h = self.root.join("height");
            match fs::remove_file(&h) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(StateError::Io { path: h, source: e }),
            }
            for m in self.manifests()? {
                self.remove_manifest(&m.lease)?;
            }
        }
        write_atomic(&self.root.join("chain"), id.as_bytes())?;
        Ok(other)
    }

    fn manifest_path(&self, lease: &LeaseId) -> PathBuf {
        self.root.join("manifests").join(format!("{}.json", lease.slug()))
    }

    /// Stores the manifest group a lease runs.
    pub fn put_manifest(&self, lease: &LeaseId, group: &ManifestGroup) -> Result<(), StateError> {
        let m = StoredManifest { lease: lease.clone(), group: group.clone() };
        let bytes = serde_json::to_vec_pretty(&m).map_err(|e| StateError::Corrupt {
            path: self.manifest_path(lease),
            reason: e.to_string(),
        })?;
        write_atomic(&self.manifest_path(lease), &bytes)
    }

    /// The manifest group a lease runs, if stored.
    pub fn manifest(&self, lease: &LeaseId) -> Result<Option<ManifestGroup>, StateError> {
        let p = self.manifest_path(lease);
        match fs::read(&p) {
            Ok(b) => {
                let m: StoredManifest = serde_json::from_slice(&b)
                    .map_err(|e| StateError::Corrupt { path: p.clone(), reason: e.to_string() })?;
                Ok(Some(m.group))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StateError::Io { path: p, source: e }),
        }
    }

    /// Forgets a lease's manifest.
    pub fn remove_manifest(&self, lease: &LeaseId) -> Result<(), StateError> {
        let p = self.manifest_path(lease);
        match fs::remove_file(&p) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StateError::Io { path: p, source: e }),
        }
    }

    /// Every stored manifest (damaged files are reported and skipped).
    pub fn manifests(&self) -> Result<Vec<StoredManifest>, StateError> {
        let dir = self.root.join("manifests");
        let mut out = Vec::new();
        let mut entries: Vec<_> = fs::read_dir(&dir)
            .map_err(io(&dir))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        entries.sort();
        for p in entries {
            match fs::read(&p).ok().and_then(|b| serde_json::from_slice::<StoredManifest>(&b).ok())
            {
                Some(m) => out.push(m),
                None => tracing::warn!(path = %p.display(), "skipping a damaged manifest file"),
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn height_and_manifests_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let s = StateDir::open(dir.path()).unwrap();
        assert_eq!(s.height().unwrap(), 0);
        s.set_height(42).unwrap();
        let a = dcloud_types::AccAddress::from_bytes(&[1; 20]).unwrap();
        let lease = LeaseId { owner: a.clone(), dseq: 5, gseq: 1, oseq: 1, provider: a };
        let group = ManifestGroup { name: "dcloud".into(), services: vec![] };
        s.put_manifest(&lease, &group).unwrap();
        let s2 = StateDir::open(dir.path()).unwrap();
        assert_eq!(s2.height().unwrap(), 42);
        assert_eq!(s2.manifest(&lease).unwrap(), Some(group));
        assert_eq!(s2.manifests().unwrap().len(), 1);
        s2.remove_manifest(&lease).unwrap();
        assert_eq!(s2.manifest(&lease).unwrap(), None);
        assert!(!s2.bind_chain("c-1/AA").unwrap(), "first binding");
        s2.set_height(7).unwrap();
        s2.put_manifest(&lease, &ManifestGroup { name: "x".into(), services: vec![] }).unwrap();
        assert!(!s2.bind_chain("c-1/AA").unwrap(), "same chain keeps everything");
        assert_eq!(s2.height().unwrap(), 7);
        assert!(s2.bind_chain("c-1/BB").unwrap(), "another chain");
        assert_eq!(s2.height().unwrap(), 0, "height forgotten");
        assert!(s2.manifests().unwrap().is_empty(), "manifests forgotten");
        std::fs::write(dir.path().join("height"), "garbage").unwrap();
        assert!(matches!(s2.height(), Err(StateError::Corrupt { .. })));
    }
}
