//! Embeds the built web app (`web/dist` at the repository root, or `DCLOUD_CONSOLE_DIST`) in
//! the binary: writes `$OUT_DIR/assets.rs`, a table of `(path, bytes)` made of
//! `include_bytes!`. A missing folder gives an empty table: the binary still builds, and the
//! console answers with how to build the web app.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        if e.file_type()?.is_dir() {
            walk(root, &p, out)?;
        } else if let Ok(rel) = p.strip_prefix(root) {
            let rel = rel.to_string_lossy().replace('\\', "/");
            out.push((rel, p));
        }
    }
    Ok(())
}

fn main() {
    println!("cargo:rerun-if-env-changed=DCLOUD_CONSOLE_DIST");
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let web = manifest.join("../../web");
    let dist = std::env::var_os("DCLOUD_CONSOLE_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| web.join("dist"));
    let mut files = Vec::new();
    if dist.join("index.html").is_file() {
        println!("cargo:rerun-if-changed={}", dist.display());
        walk(&dist, &dist, &mut files).expect("read the web app's dist folder");
    } else if web.is_dir() {
        // Rebuild once `npm run build` has written web/dist (it changes web/'s listing).
        println!("cargo:rerun-if-changed={}", web.display());
    }
    let mut src = String::from("/// The built web app: (path relative to dist, contents).\n");
    src.push_str("pub(crate) static ASSETS: &[(&str, &[u8])] = &[\n");
    for (rel, path) in &files {
        let _ = writeln!(src, "    ({rel:?}, include_bytes!({:?})),", path.display().to_string());
    }
    src.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("assets.rs");
    std::fs::write(out, src).expect("write assets.rs");
}
