//! Small filesystem helpers: atomic 0600 writes, bounded reads, private directories.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use rand::rngs::OsRng;
use rand::RngCore;

/// Files this crate reads are small; anything larger is rejected rather than read.
pub(crate) const MAX_FILE_LEN: u64 = 64 * 1024;

/// Whether [`write_atomic`] may replace an existing file.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Mode {
    /// Replace `path` if it exists.
    Overwrite,
    /// Fail with [`io::ErrorKind::AlreadyExists`] if `path` exists (atomic no-clobber).
    CreateNew,
}

fn temp_path(dir: &Path) -> PathBuf {
    let mut rnd = [0u8; 8];
    OsRng.fill_bytes(&mut rnd);
    dir.join(format!(".{}.tmp", hex::encode(rnd)))
}

fn open_private(path: &Path) -> io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
}

/// Writes `data` to `path` through a temporary file in the same directory, then renames
/// (or hard-links, for [`Mode::CreateNew`]) it into place. The file gets mode 0600.
pub(crate) fn write_atomic(path: &Path, data: &[u8], mode: Mode) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = temp_path(&dir);
    let result = (|| {
        let mut f = open_private(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        drop(f);
        match mode {
            Mode::Overwrite => fs::rename(&tmp, path),
            Mode::CreateNew => match fs::hard_link(&tmp, path) {
                Ok(()) => fs::remove_file(&tmp),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
                // Filesystems without hard links: check, then rename (not race-free).
                Err(_) if path.exists() => Err(io::ErrorKind::AlreadyExists.into()),
                Err(_) => fs::rename(&tmp, path),
            },
        }
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    } else if let Ok(d) = File::open(&dir) {
        // Best effort: make the rename durable.
        let _ = d.sync_all();
    }
    result
}

/// Reads a file of at most [`MAX_FILE_LEN`] bytes. `Ok(None)` if it is larger.
pub(crate) fn read_bounded(path: &Path) -> io::Result<Option<Vec<u8>>> {
    let f = File::open(path)?;
    let mut buf = Vec::new();
    f.take(MAX_FILE_LEN + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > MAX_FILE_LEN {
        return Ok(None);
    }
    Ok(Some(buf))
}

/// Creates `dir` (and parents) if missing; a newly created leaf directory gets mode 0700.
pub(crate) fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_new_does_not_clobber_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.info");
        write_atomic(&p, b"one", Mode::CreateNew).unwrap();
        let err = write_atomic(&p, b"two", Mode::CreateNew).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&p).unwrap(), b"one");
        write_atomic(&p, b"three", Mode::Overwrite).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"three");
        let names: Vec<_> =
            fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.info")]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn read_bounded_rejects_large_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big");
        fs::write(&p, vec![0u8; MAX_FILE_LEN as usize + 1]).unwrap();
        assert!(read_bounded(&p).unwrap().is_none());
        fs::write(&p, b"small").unwrap();
        assert_eq!(read_bounded(&p).unwrap().unwrap(), b"small");
    }
}
