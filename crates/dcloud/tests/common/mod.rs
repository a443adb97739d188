//! Helpers for tests that drive the real `dcloud` binary.
#![allow(dead_code)] // each test file uses a different subset

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_dcloud")
}

/// A free loopback port (bound and released; good enough for tests).
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    l.local_addr().expect("local addr").port()
}

/// The result of one `dcloud` run.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(o: Output) -> Self {
        Self {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(
            self.code, 0,
            "dcloud failed:\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        &self.stdout
    }

    /// Asserts success and parses stdout as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        let out = self.ok();
        serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
    }

    /// Asserts a failure with exactly one `error: …` line on stderr; returns that line.
    #[track_caller]
    pub fn one_line_error(&self) -> &str {
        assert_ne!(self.code, 0, "expected failure, got success: {}", self.stdout);
        let lines: Vec<&str> = self.stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "expected one error line, got: {:?}", self.stderr);
        assert!(lines[0].starts_with("error: "), "{:?}", lines[0]);
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        lines[0]
    }
}

/// A `dcloud` environment: a temporary home, a node URL, a keyring backend.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub home: PathBuf,
    pub node: String,
    pub envs: Vec<(String, String)>,
}

impl Env {
    /// A fresh home under a new temp dir.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let home = dir.path().join("home");
        Self { home, dir, node: "http://127.0.0.1:1".into(), envs: Vec::new() }
    }

    /// Sets an environment variable for every run.
    pub fn env(mut self, k: &str, v: &str) -> Self {
        self.envs.push((k.into(), v.into()));
        self
    }

    /// A `dcloud` command with `--home` and `--node` set and DCLOUD_* cleared.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(bin());
        for (k, _) in std::env::vars() {
            if k.starts_with("DCLOUD_") || k == "RUST_LOG" {
                c.env_remove(k);
            }
        }
        c.arg("--home").arg(&self.home).arg("--node").arg(&self.node);
        c.args(args);
        for (k, v) in &self.envs {
            c.env(k, v);
        }
        c
    }

    /// Runs `dcloud ARGS` with stdin closed.
    pub fn run(&self, args: &[&str]) -> Run {
        let o = self.cmd(args).stdin(Stdio::null()).output().expect("run dcloud");
        Run::from(o)
    }

    /// Runs `dcloud ARGS` with `input` on stdin.
    pub fn run_stdin(&self, args: &[&str], input: &str) -> Run {
        let mut child = self
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn dcloud");
        child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
        Run::from(child.wait_with_output().expect("wait dcloud"))
    }

    /// Starts a long-running `dcloud ARGS` (node, devnet) with output in files under the temp dir.
    pub fn spawn(&self, name: &str, args: &[&str]) -> Proc {
        let out = self.dir.path().join(format!("{name}.stdout"));
        let err = self.dir.path().join(format!("{name}.stderr"));
        let child = self
            .cmd(args)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out).expect("stdout file"))
            .stderr(std::fs::File::create(&err).expect("stderr file"))
            .spawn()
            .expect("spawn dcloud");
        Proc { child: Some(child), stdout: out, stderr: err }
    }

    /// Polls `dcloud status -o json` until the latest height is at least `height`.
    pub fn wait_for_height(&self, height: u64, timeout: Duration, proc: &mut Proc) -> u64 {
        let start = Instant::now();
        loop {
            proc.assert_running();
            let r = self.run(&["status", "-o", "json"]);
            if r.code == 0 {
                let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("status JSON");
                let h: u64 = v["sync_info"]["latest_block_height"]
                    .as_str()
                    .expect("latest_block_height is a string")
                    .parse()
                    .expect("height parses");
                if h >= height {
                    return h;
                }
            }
            assert!(
                start.elapsed() < timeout,
                "height {height} not reached in {timeout:?}; last status: {r:?}; node log: {}",
                proc.logs()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// A child process that is SIGKILLed when dropped.
pub struct Proc {
    pub child: Option<Child>,
    pub stdout: PathBuf,
    pub stderr: PathBuf,
}

impl Proc {
    /// Its stdout and stderr so far.
    pub fn logs(&self) -> String {
        let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
        format!("--- stdout\n{}\n--- stderr\n{}", read(&self.stdout), read(&self.stderr))
    }

    /// Panics (with the logs) if the process has exited.
    #[track_caller]
    pub fn assert_running(&mut self) {
        if let Some(c) = self.child.as_mut() {
            if let Ok(Some(status)) = c.try_wait() {
                panic!("dcloud exited early with {status}: {}", self.logs());
            }
        }
    }

    /// Waits until the process has printed a first stdout line, and parses it as JSON.
    #[track_caller]
    pub fn first_json_line(&mut self, timeout: Duration) -> serde_json::Value {
        let start = Instant::now();
        loop {
            let out = std::fs::read_to_string(&self.stdout).unwrap_or_default();
            if let Some(line) = out.lines().next().filter(|_| out.contains('\n')) {
                return serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("first line is not JSON ({e}): {line}"));
            }
            self.assert_running();
            assert!(start.elapsed() < timeout, "no output within {timeout:?}: {}", self.logs());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// SIGKILL and reap.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Sends SIGINT (Ctrl-C) and waits up to `timeout` for the exit; returns the exit code.
    pub fn interrupt(&mut self, timeout: Duration) -> i32 {
        let mut c = self.child.take().expect("running");
        let ok = Command::new("kill")
            .arg("-INT")
            .arg(c.id().to_string())
            .status()
            .expect("run kill")
            .success();
        assert!(ok, "kill -INT failed");
        let start = Instant::now();
        loop {
            if let Some(status) = c.try_wait().expect("try_wait") {
                return status.code().unwrap_or(-1);
            }
            if start.elapsed() > timeout {
                let _ = c.kill();
                let _ = c.wait();
                panic!("dcloud did not stop within {timeout:?} after SIGINT: {}", self.logs());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Starts `dcloud devnet --no-provider` (300 ms blocks) on free loopback ports; the returned
/// env's `node` points at its RPC; also returns the REST API's `host:port`.
pub fn devnet() -> (Env, Proc, String) {
    let rpc = free_port();
    let api = free_port();
    let grpc = format!("127.0.0.1:{}", free_port());
    let mut env = Env::new().env("DCLOUD_KEYRING_BACKEND", "test");
    env.node = format!("http://127.0.0.1:{rpc}");
    let rpc_laddr = format!("127.0.0.1:{rpc}");
    let api_laddr = format!("127.0.0.1:{api}");
    let devnet = env.spawn(
        "devnet",
        &[
            "devnet",
            "--no-provider",
            "--block-time",
            "300ms",
            "--rpc.laddr",
            &rpc_laddr,
            "--api.laddr",
            &api_laddr,
            "--grpc.laddr",
            &grpc,
        ],
    );
    (env, devnet, api_laddr)
}
