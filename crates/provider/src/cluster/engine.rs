//! Finding a container engine: `DOCKER_HOST`, the standard Docker and Podman sockets, or
//! a Podman API service started on the spot with the settings that work on hosts like
//! ours (`--runtime runc`, see `shared/notes/podman.md`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bollard::Docker;

/// What to tell a person who has no container engine.
pub const INSTALL_HINT: &str = "no container engine found: install Podman (Debian/Ubuntu: `sudo apt-get install -y podman runc`) or Docker, or point DOCKER_HOST at a running engine";

/// Errors while locating or starting an engine.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Nothing answers and Podman is not installed.
    #[error("{INSTALL_HINT}")]
    NotFound,
    /// Podman is installed but its API service did not come up.
    #[error("started `podman system service` but it did not answer on {socket} within {secs} s (log: {log})")]
    StartFailed {
        /// The socket.
        socket: String,
        /// Seconds waited.
        secs: u64,
        /// Its log file.
        log: String,
    },
    /// Spawning podman failed.
    #[error("cannot run podman: {0}")]
    Spawn(std::io::Error),
}

/// A reachable engine.
#[derive(Debug)]
pub struct Engine {
    /// `unix:///path` or `tcp://host:port`, usable as DOCKER_HOST.
    pub docker_host: String,
    /// Where it came from (for messages).
    pub source: &'static str,
    /// The Podman service we started (stopped when this is dropped).
    pub child: Option<tokio::process::Child>,
}

/// A Docker Engine API client for `unix://…` or `tcp://…` (None: unusable address).
pub fn connect(host: &str) -> Option<Docker> {
    if let Some(path) = host.strip_prefix("unix://") {
        if !Path::new(path).exists() {
            return None;
        }
        Docker::connect_with_unix(path, 10, bollard::API_DEFAULT_VERSION).ok()
    } else if host.starts_with("tcp://") || host.starts_with("http://") {
        let h = host.replacen("tcp://", "http://", 1);
        Docker::connect_with_http(&h, 10, bollard::API_DEFAULT_VERSION).ok()
    } else {
        None
    }
}

/// `true` when an engine answers a ping at `host`.
pub async fn answers(host: &str) -> bool {
    match connect(host) {
        Some(d) => {
            tokio::time::timeout(Duration::from_secs(3), d.ping()).await.is_ok_and(|r| r.is_ok())
        }
        None => false,
    }
}

/// Candidate engine addresses, in the order they are tried.
pub fn candidates() -> Vec<(String, &'static str)> {
    let mut c = Vec::new();
    if let Ok(h) = std::env::var("DOCKER_HOST") {
        if !h.is_empty() {
            c.push((h, "DOCKER_HOST"));
        }
    }
    c.push(("unix:///var/run/docker.sock".into(), "the Docker socket"));
    c.push(("unix:///run/podman/podman.sock".into(), "the Podman socket"));
    if let Ok(x) = std::env::var("XDG_RUNTIME_DIR") {
        c.push((format!("unix://{x}/podman/podman.sock"), "the rootless Podman socket"));
    }
    c
}

/// The first engine that answers, if any.
pub async fn locate() -> Option<Engine> {
    for (host, source) in candidates() {
        if answers(&host).await {
            return Some(Engine { docker_host: host, source, child: None });
        }
    }
    None
}

fn podman_installed() -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join("podman").is_file()))
        .unwrap_or(false)
}

/// An engine: one that already answers, or a Podman API service started on a socket in
/// `dir` (its log next to it). Errors with [`INSTALL_HINT`] when there is none.
pub async fn ensure(dir: &Path) -> Result<Engine, EngineError> {
    if let Some(e) = locate().await {
        return Ok(e);
    }
    let socket: PathBuf = dir.join("podman.sock");
    let host = format!("unix://{}", socket.display());
    if answers(&host).await {
        return Ok(Engine {
            docker_host: host,
            source: "the devnet's Podman service",
            child: None,
        });
    }
    if !podman_installed() {
        return Err(EngineError::NotFound);
    }
    std::fs::create_dir_all(dir).map_err(EngineError::Spawn)?;
    let _ = std::fs::remove_file(&socket);
    let log_path = dir.join("podman-service.log");
    let log = std::fs::File::create(&log_path).map_err(EngineError::Spawn)?;
    let log2 = log.try_clone().map_err(EngineError::Spawn)?;
    let child = tokio::process::Command::new("podman")
        .args(["--runtime", "runc", "system", "service", "--time=0", &host])
        .stdin(std::process::Stdio::null())
        .stdout(log)
        .stderr(log2)
        .kill_on_drop(true)
        .spawn()
        .map_err(EngineError::Spawn)?;
    let started = Instant::now();
    let limit = Duration::from_secs(20);
    while started.elapsed() < limit {
        if answers(&host).await {
            return Ok(Engine {
                docker_host: host,
                source: "a Podman service started by dcloud",
                child: Some(child),
            });
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Err(EngineError::StartFailed {
        socket: socket.display().to_string(),
        secs: limit.as_secs(),
        log: log_path.display().to_string(),
    })
}
