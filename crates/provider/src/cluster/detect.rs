//! Host capacity detection: CPUs, memory, ephemeral storage and NVIDIA GPUs of the machine
//! the provider runs on, as a [`Capacity`] for the bid engine's inventory.

use std::collections::BTreeMap;
use std::path::Path;

use crate::bidengine::inventory::{Capacity, GpuDevice};

/// Errors of capacity detection.
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    /// A host file could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A host file did not have the expected shape.
    #[error("parsing {path}: {what}")]
    Parse {
        /// The file.
        path: String,
        /// What is wrong.
        what: String,
    },
    /// `statvfs` of the state directory failed.
    #[error("statvfs {path}: {source}")]
    Statvfs {
        /// The directory.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// NVML is present but failed.
    #[error("NVML: {0}")]
    Nvml(String),
}

/// Detects the host's capacity: CPUs (`available_parallelism`), memory
/// (`/proc/meminfo` `MemTotal`), ephemeral storage (`statvfs` of `state_dir`: the space
/// available to unprivileged users) and NVIDIA GPUs through NVML (no driver library
/// means no GPUs, not an error). Persistent storage classes are not detected: none.
pub fn detect_capacity(state_dir: &Path) -> Result<Capacity, InventoryError> {
    let cpus = std::thread::available_parallelism().map(|n| n.get() as u64).unwrap_or(1);
    let meminfo = "/proc/meminfo";
    let text = std::fs::read_to_string(meminfo)
        .map_err(|source| InventoryError::Read { path: meminfo.into(), source })?;
    let memory_bytes = parse_meminfo_total(&text).ok_or_else(|| InventoryError::Parse {
        path: meminfo.into(),
        what: "no MemTotal".into(),
    })?;
    let st = rustix::fs::statvfs(state_dir).map_err(|e| InventoryError::Statvfs {
        path: state_dir.display().to_string(),
        source: e.into(),
    })?;
    let ephemeral_storage_bytes = st.f_bavail.saturating_mul(st.f_frsize);
    Ok(Capacity {
        cpu_millis: cpus * 1000,
        memory_bytes,
        ephemeral_storage_bytes,
        storage: BTreeMap::new(),
        gpus: detect_gpus()?,
        nodes: Vec::new(),
    })
}

/// `MemTotal` of `/proc/meminfo`, in bytes.
fn parse_meminfo_total(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let mut it = line["MemTotal:".len()..].split_whitespace();
    let n: u64 = it.next()?.parse().ok()?;
    match it.next() {
        Some("kB") => n.checked_mul(1024),
        None => Some(n),
        Some(_) => None,
    }
}

/// NVIDIA GPUs through NVML. A missing `libnvidia-ml` (or no driver loaded) is no GPUs.
pub fn detect_gpus() -> Result<Vec<GpuDevice>, InventoryError> {
    use nvml_wrapper::error::NvmlError;
    let nvml = match nvml_wrapper::Nvml::init() {
        Ok(n) => n,
        Err(
            NvmlError::LibloadingError(_)
            | NvmlError::FailedToLoadSymbol(_)
            | NvmlError::DriverNotLoaded
            | NvmlError::LibraryNotFound
            | NvmlError::NoPermission,
        ) => return Ok(Vec::new()),
        Err(e) => return Err(InventoryError::Nvml(e.to_string())),
    };
    let count = nvml.device_count().map_err(|e| InventoryError::Nvml(e.to_string()))?;
    let mut out = Vec::new();
    for i in 0..count {
        let dev = nvml.device_by_index(i).map_err(|e| InventoryError::Nvml(e.to_string()))?;
        let name = dev.name().map_err(|e| InventoryError::Nvml(e.to_string()))?;
        let mem = dev.memory_info().map_err(|e| InventoryError::Nvml(e.to_string()))?;
        out.push(GpuDevice {
            vendor: "nvidia".into(),
            model: nvidia_model(&name),
            memory_bytes: mem.total,
            interface: if name.to_ascii_lowercase().contains("sxm") { "sxm" } else { "pcie" }
                .into(),
        });
    }
    Ok(out)
}

/// The SDL model name of an NVML product name: `NVIDIA H100 80GB HBM3` → `h100`,
/// `NVIDIA A100-SXM4-80GB` → `a100`, `Tesla V100-PCIE-16GB` → `v100`,
/// `NVIDIA GeForce RTX 4090` → `rtx4090`.
pub fn nvidia_model(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let mut model = String::new();
    for tok in lower.split_whitespace() {
        if matches!(tok, "nvidia" | "tesla" | "geforce" | "quadro") {
            continue;
        }
        let head = tok.split('-').next().unwrap_or_default();
        let is_detail = head.ends_with("gb")
            || head.starts_with("hbm")
            || head.starts_with("sxm")
            || head.starts_with("pcie")
            || head == "nvl";
        if is_detail && !model.is_empty() {
            break;
        }
        model.push_str(head);
        if tok.contains('-') {
            break;
        }
    }
    model
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nvml_names_map_to_sdl_models() {
        assert_eq!(nvidia_model("NVIDIA H100 80GB HBM3"), "h100");
        assert_eq!(nvidia_model("NVIDIA A100-SXM4-80GB"), "a100");
        assert_eq!(nvidia_model("Tesla V100-PCIE-16GB"), "v100");
        assert_eq!(nvidia_model("NVIDIA GeForce RTX 4090"), "rtx4090");
        assert_eq!(nvidia_model("Tesla T4"), "t4");
        assert_eq!(nvidia_model("NVIDIA H200"), "h200");
    }

    #[test]
    fn meminfo_total_is_parsed() {
        assert_eq!(
            parse_meminfo_total("MemTotal:       16384 kB\nMemFree: 1 kB\n"),
            Some(16384 * 1024)
        );
        assert_eq!(parse_meminfo_total("MemFree: 1 kB\n"), None);
    }

    #[test]
    fn detect_capacity_works_on_this_machine() {
        let dir = tempfile::tempdir().unwrap();
        let c = detect_capacity(dir.path()).unwrap();
        assert!(c.cpu_millis >= 1000 && c.cpu_millis.is_multiple_of(1000), "{c:?}");
        assert!(c.memory_bytes > 64 << 20, "{c:?}");
        assert!(c.ephemeral_storage_bytes > 0, "{c:?}");
        // Without an NVIDIA driver there are no GPUs (and no error).
        let has_driver = Path::new("/proc/driver/nvidia").exists();
        if !has_driver {
            assert!(c.gpus.is_empty(), "{c:?}");
        }
        assert!(detect_capacity(Path::new("/nonexistent/dir")).is_err());
    }
}
