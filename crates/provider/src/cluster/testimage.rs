//! A tiny container image made from the host's static busybox, for tests and the devnet:
//! no registry needed.
//!
//! The root filesystem (built here with the `tar` crate) holds `/bin/busybox` with the
//! usual applet links (`sh`, `httpd`, `nc`, `cat`, ...), `/www/index.html`, `/tmp` and a
//! minimal `/etc`. It is imported with the engine's `images/create?fromSrc=-` and its
//! default command is `httpd -f -v -p 80 -h /www` (`-v` logs each request to stderr).

use bollard::query_parameters::CreateImageOptions;
use bollard::Docker;
use futures::StreamExt;

use crate::cluster::BackendError;

/// Where the static busybox is taken from.
pub const BUSYBOX_PATH: &str = "/bin/busybox";

/// Body of `/www/index.html` in the image.
pub const INDEX_HTML: &str = "hello from dcloud busybox\n";

/// The image's default command.
pub const DEFAULT_CMD: [&str; 7] = ["httpd", "-f", "-v", "-p", "80", "-h", "/www"];

/// Applets linked to `/bin/busybox`.
const APPLETS: &[&str] = &[
    "sh",
    "ash",
    "httpd",
    "nc",
    "cat",
    "echo",
    "ls",
    "env",
    "sleep",
    "printf",
    "stty",
    "id",
    "ps",
    "hostname",
    "mkdir",
    "rm",
    "touch",
    "true",
    "false",
    "test",
    "grep",
    "kill",
    "head",
    "tail",
    "wc",
    "date",
    "sed",
    "uname",
    "wget",
    "cp",
    "mv",
    "ln",
    "chmod",
    "df",
    "du",
    "dd",
    "tr",
    "cut",
    "sort",
    "uniq",
    "seq",
    "yes",
    "nslookup",
    "ping",
    "ip",
    "ifconfig",
    "netstat",
    "top",
    "free",
    "whoami",
    "pwd",
    "vi",
    "timeout",
    "xargs",
    "find",
    "md5sum",
    "sha256sum",
    "base64",
    "expr",
    "basename",
    "dirname",
    "readlink",
    "mount",
    "umount",
    "stat",
    "tee",
];

/// Whether the image can be built here: `/bin/busybox` exists and is a statically linked
/// ELF executable (no program interpreter), so it runs in an otherwise empty root.
pub fn busybox_image_supported() -> bool {
    std::fs::read(BUSYBOX_PATH).map(|b| is_static_elf(&b)).unwrap_or(false)
}

/// ELF with no `PT_INTERP` program header.
fn is_static_elf(b: &[u8]) -> bool {
    if b.len() < 64 || &b[..4] != b"\x7fELF" {
        return false;
    }
    let is64 = b[4] == 2;
    let le = b[5] == 1;
    let u16_at = |o: usize| -> Option<u64> {
        let s: [u8; 2] = b.get(o..o + 2)?.try_into().ok()?;
        Some(u64::from(if le { u16::from_le_bytes(s) } else { u16::from_be_bytes(s) }))
    };
    let u32_at = |o: usize| -> Option<u64> {
        let s: [u8; 4] = b.get(o..o + 4)?.try_into().ok()?;
        Some(u64::from(if le { u32::from_le_bytes(s) } else { u32::from_be_bytes(s) }))
    };
    let u64_at = |o: usize| -> Option<u64> {
        let s: [u8; 8] = b.get(o..o + 8)?.try_into().ok()?;
        Some(if le { u64::from_le_bytes(s) } else { u64::from_be_bytes(s) })
    };
    let check = || -> Option<bool> {
        let (phoff, phentsize, phnum) = if is64 {
            (u64_at(0x20)?, u16_at(0x36)?, u16_at(0x38)?)
        } else {
            (u32_at(0x1c)?, u16_at(0x2a)?, u16_at(0x2c)?)
        };
        for i in 0..phnum {
            let off = usize::try_from(phoff + i * phentsize).ok()?;
            const PT_INTERP: u64 = 3;
            if u32_at(off)? == PT_INTERP {
                return Some(false);
            }
        }
        Some(true)
    };
    check().unwrap_or(false)
}

fn io(e: std::io::Error) -> BackendError {
    BackendError::Invalid(format!("building the busybox rootfs: {e}"))
}

/// The root filesystem tarball.
pub fn busybox_rootfs_tar() -> Result<Vec<u8>, BackendError> {
    let busybox = std::fs::read(BUSYBOX_PATH).map_err(io)?;
    if !is_static_elf(&busybox) {
        return Err(BackendError::Invalid(format!("{BUSYBOX_PATH} is not a static executable")));
    }
    let mut tar = tar::Builder::new(Vec::new());
    let dir =
        |tar: &mut tar::Builder<Vec<u8>>, path: &str, mode: u32| -> Result<(), BackendError> {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(tar::EntryType::Directory);
            h.set_mode(mode);
            h.set_size(0);
            h.set_mtime(0);
            tar.append_data(&mut h, path, std::io::empty()).map_err(io)
        };
    let file = |tar: &mut tar::Builder<Vec<u8>>,
                path: &str,
                mode: u32,
                data: &[u8]|
     -> Result<(), BackendError> {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Regular);
        h.set_mode(mode);
        h.set_size(data.len() as u64);
        h.set_mtime(0);
        tar.append_data(&mut h, path, data).map_err(io)
    };
    for (d, mode) in [
        ("bin", 0o755),
        ("usr", 0o755),
        ("usr/bin", 0o755),
        ("etc", 0o755),
        ("www", 0o755),
        ("tmp", 0o1777),
        ("root", 0o700),
        ("proc", 0o755),
        ("sys", 0o755),
        ("dev", 0o755),
        ("var", 0o755),
    ] {
        dir(&mut tar, d, mode)?;
    }
    file(&mut tar, "bin/busybox", 0o755, &busybox)?;
    for applet in APPLETS {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_mode(0o777);
        h.set_size(0);
        h.set_mtime(0);
        tar.append_link(&mut h, format!("bin/{applet}"), "busybox").map_err(io)?;
    }
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Symlink);
    h.set_mode(0o777);
    h.set_size(0);
    h.set_mtime(0);
    tar.append_link(&mut h, "usr/bin/env", "/bin/busybox").map_err(io)?;
    file(&mut tar, "www/index.html", 0o644, INDEX_HTML.as_bytes())?;
    file(
        &mut tar,
        "etc/passwd",
        0o644,
        b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n",
    )?;
    file(&mut tar, "etc/group", 0o644, b"root:x:0:\nnogroup:x:65534:\n")?;
    tar.into_inner().map_err(io)
}

/// Builds and imports the busybox image as `name` (`repo:tag`; `:latest` if no tag)
/// unless an image of that name exists.
pub async fn ensure_busybox_image(docker: &Docker, name: &str) -> Result<(), BackendError> {
    if docker.inspect_image(name).await.is_ok() {
        return Ok(());
    }
    let rootfs = busybox_rootfs_tar()?;
    let cmd =
        serde_json::to_string(&DEFAULT_CMD).map_err(|e| BackendError::Invalid(e.to_string()))?;
    // Podman ignores `tag` for fromSrc imports: the tag goes into `repo`.
    let opts = CreateImageOptions {
        from_src: Some("-".into()),
        repo: Some(name.to_string()),
        changes: vec![format!("CMD {cmd}")],
        ..Default::default()
    };
    let body = bollard::body_full(rootfs.into());
    let mut stream = docker.create_image(Some(opts), Some(body), None);
    while let Some(item) = stream.next().await {
        item.map_err(|e| BackendError::Engine(format!("importing {name}: {e}")))?;
    }
    let img = docker
        .inspect_image(name)
        .await
        .map_err(|e| BackendError::Engine(format!("image {name} missing after import: {e}")))?;
    let has_cmd = img.config.and_then(|c| c.cmd).is_some_and(|c| !c.is_empty());
    if !has_cmd {
        return Err(BackendError::Engine(format!(
            "image {name} was imported without its default command"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rootfs_has_busybox_links_and_index() {
        if !busybox_image_supported() {
            // Checked here so the failure says why; the container tests need it anyway.
            assert!(
                std::fs::metadata(BUSYBOX_PATH).is_err()
                    || !is_static_elf(&std::fs::read(BUSYBOX_PATH).unwrap_or_default())
            );
            return;
        }
        let tar = busybox_rootfs_tar().expect("rootfs");
        let mut archive = tar::Archive::new(&tar[..]);
        let mut names = Vec::new();
        for e in archive.entries().expect("entries") {
            let e = e.expect("entry");
            names.push(e.path().expect("path").to_string_lossy().to_string());
        }
        for want in ["bin/busybox", "bin/sh", "bin/httpd", "bin/nc", "www/index.html", "tmp"] {
            assert!(
                names.iter().any(|n| n.trim_end_matches('/') == want),
                "{want} missing: {names:?}"
            );
        }
    }

    #[test]
    fn elf_interp_detection() {
        assert!(!is_static_elf(b"not an elf"));
        if let Ok(ls) = std::fs::read("/bin/ls") {
            // Debian's ls is dynamically linked.
            assert!(!is_static_elf(&ls));
        }
    }
}
