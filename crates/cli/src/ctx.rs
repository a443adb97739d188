//! What every command shares: global flags, the home directory, the keyring, the RPC client.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context as _};
use dcloud_client::RpcClient;
use dcloud_crypto::keyring::{KeyInfo, Keyring, KeyringBackend};
use dcloud_crypto::secp256k1::SigningKey;
use dcloud_crypto::CryptoError;
use dcloud_types::AccAddress;

use crate::output::{stdin_is_tty, Output};

/// Env var holding the file keyring's passphrase.
pub(crate) const PASSPHRASE_ENV: &str = "DCLOUD_KEYRING_PASSPHRASE";

/// `--keyring-backend`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KeyringKind {
    /// Encrypted with a passphrase.
    File,
    /// Plain text (devnets and tests only).
    Test,
}

impl KeyringKind {
    fn dir_name(self) -> &'static str {
        match self {
            Self::File => "keyring-file",
            Self::Test => "keyring-test",
        }
    }
    fn name(self) -> &'static str {
        match self {
            Self::File => "file",
            Self::Test => "test",
        }
    }
    fn other(self) -> Self {
        match self {
            Self::File => Self::Test,
            Self::Test => Self::File,
        }
    }
}

/// Global flags, resolved.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// `--home`.
    pub home: Option<PathBuf>,
    /// `--node`: the RPC address.
    pub node: String,
    /// `--chain-id`.
    pub chain_id: Option<String>,
    /// `-o`.
    pub output: Output,
    /// `--keyring-backend`.
    pub keyring_backend: KeyringKind,
}

/// `~/<name>`.
pub fn default_home(name: &str) -> PathBuf {
    match std::env::var_os("HOME") {
        Some(h) if !h.is_empty() => PathBuf::from(h).join(name),
        _ => PathBuf::from(name),
    }
}

/// Reads one line from stdin (trailing newline removed). EOF is an error naming `what`.
pub(crate) fn read_stdin_line(what: &str) -> anyhow::Result<String> {
    let mut line = String::new();
    let n = std::io::stdin().lock().read_line(&mut line).context("cannot read stdin")?;
    if n == 0 {
        bail!("expected {what} on stdin, got end of input");
    }
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

/// A passphrase: from `env` if set, else a prompt on a terminal (twice if `confirm`), else
/// one line of stdin.
pub(crate) fn read_passphrase(env: &str, prompt: &str, confirm: bool) -> anyhow::Result<String> {
    if let Ok(p) = std::env::var(env) {
        if !p.is_empty() {
            return Ok(p);
        }
    }
    if stdin_is_tty() {
        let p = rpassword::prompt_password(format!("{prompt}: "))
            .context("cannot read the passphrase")?;
        if confirm {
            let again = rpassword::prompt_password("Repeat the passphrase: ")
                .context("cannot read the passphrase")?;
            if again != p {
                bail!("passphrases do not match");
            }
        }
        if p.is_empty() {
            bail!("passphrase must not be empty");
        }
        return Ok(p);
    }
    let p = read_stdin_line(&format!("a passphrase (or set {env})"))?;
    if p.is_empty() {
        bail!("passphrase must not be empty (set {env} or pipe it on stdin)");
    }
    Ok(p)
}

impl Ctx {
    /// `--home`, or `~/.dcloud`.
    pub fn home(&self) -> PathBuf {
        self.home.clone().unwrap_or_else(|| default_home(".dcloud"))
    }

    /// The RPC client for `--node`.
    pub(crate) fn client(&self) -> anyhow::Result<RpcClient> {
        Ok(RpcClient::new(&self.node)?)
    }

    fn keyring_dir(&self, kind: KeyringKind) -> PathBuf {
        self.home().join(kind.dir_name())
    }

    /// The keyring for reading public data (names, addresses): never asks for a passphrase.
    pub(crate) fn keyring_read(&self) -> anyhow::Result<Keyring> {
        open_keyring(&self.keyring_dir(self.keyring_backend), self.keyring_backend, || {
            Ok("read-only".into())
        })
    }

    /// The keyring for operations on secrets; asks for the file passphrase if needed.
    /// `new_secret`: the passphrase is being set (confirm it on a terminal).
    pub(crate) fn keyring_write(&self, new_secret: bool) -> anyhow::Result<Keyring> {
        let dir = self.keyring_dir(self.keyring_backend);
        let first = new_secret && !has_keys(&dir);
        open_keyring(&dir, self.keyring_backend, || {
            read_passphrase(PASSPHRASE_ENV, "Keyring passphrase", first)
        })
    }

    /// Explains a missing key: hints at the other backend if it has the key.
    pub(crate) fn key_error(&self, e: CryptoError) -> anyhow::Error {
        if let CryptoError::KeyNotFound(name) = &e {
            let other = self.keyring_backend.other();
            let found_elsewhere =
                open_keyring(&self.keyring_dir(other), other, || Ok("read-only".into()))
                    .ok()
                    .and_then(|k| k.get(name).ok())
                    .is_some();
            let dir = self.keyring_dir(self.keyring_backend);
            return if found_elsewhere {
                anyhow!(
                    "key {name:?} not found in the {} keyring at {}; it is in the {} keyring: pass --keyring-backend {}",
                    self.keyring_backend.name(),
                    dir.display(),
                    other.name(),
                    other.name()
                )
            } else {
                anyhow!(
                    "key {name:?} not found in the {} keyring at {} (see `dcloud keys list`)",
                    self.keyring_backend.name(),
                    dir.display()
                )
            };
        }
        anyhow!(e)
    }

    /// A key's public info by name or address.
    pub(crate) fn key_info(&self, name_or_address: &str) -> anyhow::Result<KeyInfo> {
        self.keyring_read()?.get(name_or_address).map_err(|e| self.key_error(e))
    }

    /// The signing key for a name or address (decrypts in the file backend).
    pub(crate) fn signing_key(&self, name_or_address: &str) -> anyhow::Result<SigningKey> {
        let info = self.key_info(name_or_address)?;
        let kr = self.keyring_write(false)?;
        kr.signing_key(&info.name).map_err(|e| self.key_error(e))
    }

    /// An `akash1…` address, or the address of a key in the keyring. `role` names the argument.
    pub fn resolve_address(&self, s: &str, role: &str) -> anyhow::Result<AccAddress> {
        match s.parse::<AccAddress>() {
            Ok(a) => Ok(a),
            Err(parse_err) => {
                let dir = self.keyring_dir(self.keyring_backend);
                if dcloud_crypto::keyring::validate_name(s).is_ok() && dir.is_dir() {
                    if let Ok(k) = self.keyring_read().and_then(|kr| Ok(kr.get(s)?)) {
                        return Ok(k.address);
                    }
                }
                if s.len() > 20 && s.contains('1') {
                    bail!("invalid {role}: {parse_err}")
                }
                bail!(
                    "invalid {role} {s:?}: not an akash1… address, and no key of that name in the {} keyring at {}",
                    self.keyring_backend.name(),
                    dir.display()
                )
            }
        }
    }
}

fn has_keys(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok).any(|e| e.file_name().to_string_lossy().ends_with(".info"))
        })
        .unwrap_or(false)
}

fn open_keyring(
    dir: &Path,
    kind: KeyringKind,
    passphrase: impl FnOnce() -> anyhow::Result<String>,
) -> anyhow::Result<Keyring> {
    let backend = match kind {
        KeyringKind::Test => KeyringBackend::Test,
        KeyringKind::File => KeyringBackend::File { passphrase: passphrase()? },
    };
    Ok(Keyring::open(dir, backend)?)
}
