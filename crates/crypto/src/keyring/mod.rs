//! Named secp256k1 keys on disk, one JSON file per key (`<dir>/<name>.info`).
//!
//! Two backends, as in the Cosmos SDK:
//! * [`KeyringBackend::Test`] stores the private key in plain text. Devnets and tests only.
//! * [`KeyringBackend::File`] encrypts the private key with a key derived by argon2id from
//!   the passphrase, using XChaCha20-Poly1305 with a random salt and nonce per file. The
//!   key name, type and public key are authenticated as associated data.
//!
//! Names, addresses and public keys stay readable without the passphrase, so
//! [`Keyring::list`] and [`Keyring::get`] never decrypt. Mnemonics are not stored: [`Keyring::add`]
//! returns the phrase once, and the caller shows it to the user.
//!
//! Files are written atomically (temporary file, then rename or hard link) with mode 0600;
//! a new keyring directory gets mode 0700.
//!
//! A key file looks like this (`secret` is `{"scheme": "plain", "privkey": HEX}` in the test backend):
//! ```json
//! {
//!   "version": 1,
//!   "name": "alice",
//!   "key_type": "secp256k1",
//!   "address": "akash1...",
//!   "pubkey": "<base64 of the 33-byte compressed key>",
//!   "secret": {
//!     "scheme": "argon2id-xchacha20poly1305",
//!     "m_cost_kib": 19456, "t_cost": 2, "p_cost": 1,
//!     "salt": "<b64>", "nonce": "<b64>", "check": "<b64>", "ciphertext": "<b64>"
//!   }
//! }
//! ```

mod armor;

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::fsutil::{self, Mode};
pub use crate::seal::KdfParams;
use crate::seal::{self, OpenError, Sealed};
use crate::secp256k1::{PublicKey, SigningKey};
use crate::{generate_mnemonic, mnemonic, AccAddress, CryptoError};

/// File name suffix of key files.
pub const KEY_FILE_EXT: &str = "info";
/// The only key type stored so far.
pub const KEY_TYPE_SECP256K1: &str = "secp256k1";
/// The longest key name accepted.
pub const MAX_NAME_LEN: usize = 64;

const FILE_VERSION: u32 = 1;

/// Where secrets go. `Debug` redacts the passphrase; the keyring zeroizes it when dropped.
#[derive(Clone, PartialEq, Eq)]
pub enum KeyringBackend {
    /// Plain-text secrets. For devnets and tests only.
    Test,
    /// Secrets encrypted under this passphrase (argon2id + XChaCha20-Poly1305).
    File {
        /// The keyring passphrase; must not be empty.
        passphrase: String,
    },
}

impl KeyringBackend {
    /// The backend's name: `"test"` or `"file"`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Test => "test",
            Self::File { .. } => "file",
        }
    }
}

impl fmt::Debug for KeyringBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Test => f.write_str("Test"),
            Self::File { .. } => f.write_str("File { passphrase: <redacted> }"),
        }
    }
}

/// The public facts about a stored key.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct KeyInfo {
    /// The key's name in the keyring.
    pub name: String,
    /// The account address.
    pub address: AccAddress,
    /// Base64 of the 33-byte compressed public key.
    pub pubkey: String,
    /// The key type, `"secp256k1"`.
    pub key_type: String,
}

impl KeyInfo {
    /// The parsed public key.
    pub fn public_key(&self) -> Result<PublicKey, CryptoError> {
        PublicKey::from_base64(&self.pubkey)
    }

    fn for_key(name: &str, pk: &PublicKey) -> Self {
        Self {
            name: name.to_string(),
            address: pk.address(),
            pubkey: pk.to_base64(),
            key_type: KEY_TYPE_SECP256K1.to_string(),
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "scheme", rename_all = "kebab-case")]
enum Secret {
    /// Test backend: the private key, hex.
    Plain { privkey: String },
    /// File backend.
    #[serde(rename = "argon2id-xchacha20poly1305")]
    Sealed(Sealed),
}

impl Secret {
    fn backend_name(&self) -> &'static str {
        match self {
            Self::Plain { .. } => "test",
            Self::Sealed(_) => "file",
        }
    }
}

#[derive(Serialize, Deserialize)]
struct KeyFile {
    version: u32,
    #[serde(flatten)]
    info: KeyInfo,
    secret: Secret,
}

impl Drop for KeyFile {
    fn drop(&mut self) {
        if let Secret::Plain { privkey } = &mut self.secret {
            zeroize::Zeroize::zeroize(privkey);
        }
    }
}

/// Checks a key name: 1 to 64 characters from `[A-Za-z0-9._-]`.
pub fn validate_name(name: &str) -> Result<(), CryptoError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(CryptoError::InvalidKeyName(name.to_string()))
    }
}

/// Associated data binding a sealed secret to its key file's public fields.
fn aad(info: &KeyInfo) -> Vec<u8> {
    format!("dcloud-keyring/v{FILE_VERSION}\0{}\0{}\0{}", info.name, info.key_type, info.pubkey)
        .into_bytes()
}

/// A directory of named keys. See the [module docs](self).
pub struct Keyring {
    dir: PathBuf,
    backend: KeyringBackend,
    kdf: KdfParams,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("dir", &self.dir)
            .field("backend", &self.backend)
            .field("kdf", &self.kdf)
            .finish()
    }
}

impl Drop for Keyring {
    fn drop(&mut self) {
        if let KeyringBackend::File { passphrase } = &mut self.backend {
            zeroize::Zeroize::zeroize(passphrase);
        }
    }
}

impl Keyring {
    /// Opens the keyring in `dir` (e.g. `<home>/keyring-test` or `<home>/keyring-file`),
    /// creating the directory if missing. Uses [`KdfParams::RECOMMENDED`] for new secrets.
    pub fn open(dir: &Path, backend: KeyringBackend) -> Result<Self, CryptoError> {
        Self::open_with_kdf(dir, backend, KdfParams::RECOMMENDED)
    }

    /// Like [`Keyring::open`] with explicit argon2id cost for secrets written from now on
    /// (the file backend and exports). Tests use [`KdfParams::INSECURE_FAST`].
    pub fn open_with_kdf(
        dir: &Path,
        backend: KeyringBackend,
        kdf: KdfParams,
    ) -> Result<Self, CryptoError> {
        if let KeyringBackend::File { passphrase } = &backend {
            if passphrase.is_empty() {
                return Err(CryptoError::EmptyPassphrase);
            }
        }
        kdf.validate().map_err(|reason| CryptoError::CorruptKeyring {
            path: dir.to_path_buf(),
            reason: format!("bad KDF parameters: {reason}"),
        })?;
        fsutil::create_private_dir(dir).map_err(|e| CryptoError::io(dir, e))?;
        Ok(Self { dir: dir.to_path_buf(), backend, kdf })
    }

    /// The keyring directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The backend.
    pub fn backend(&self) -> &KeyringBackend {
        &self.backend
    }

    fn path_of(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.{KEY_FILE_EXT}"))
    }

    /// Adds a key at `m/44'/118'/0'/0/0` of `mnemonic`, or of a fresh 24-word mnemonic if
    /// `None`. Returns the key and the (normalized) mnemonic.
    pub fn add(
        &self,
        name: &str,
        mnemonic: Option<&str>,
    ) -> Result<(KeyInfo, String), CryptoError> {
        validate_name(name)?;
        let phrase = match mnemonic {
            Some(m) => mnemonic::normalize(m)?,
            None => generate_mnemonic(),
        };
        let key = SigningKey::from_mnemonic(&phrase, "", 0, 0)?;
        let info = self.store(name, &key)?;
        Ok((info, phrase))
    }

    /// Adds an existing private key under `name`.
    pub fn add_signing_key(&self, name: &str, key: &SigningKey) -> Result<KeyInfo, CryptoError> {
        validate_name(name)?;
        self.store(name, key)
    }

    fn store(&self, name: &str, key: &SigningKey) -> Result<KeyInfo, CryptoError> {
        let path = self.path_of(name);
        if path.exists() {
            return Err(CryptoError::KeyExists(name.to_string()));
        }
        let existing = self.list()?;
        let info = KeyInfo::for_key(name, &key.public_key());
        if let Some(other) = existing.iter().find(|k| k.address == info.address) {
            return Err(CryptoError::AddressExists {
                address: info.address.clone(),
                name: other.name.clone(),
            });
        }
        // All secrets of a file keyring share one passphrase: check it against a stored key.
        if let (KeyringBackend::File { .. }, Some(first)) = (&self.backend, existing.first()) {
            self.signing_key(&first.name)?;
        }
        let secret_bytes = Zeroizing::new(key.to_bytes());
        let secret = match &self.backend {
            KeyringBackend::Test => Secret::Plain { privkey: hex::encode(*secret_bytes) },
            KeyringBackend::File { passphrase } => Secret::Sealed(seal::seal(
                passphrase,
                secret_bytes.as_ref(),
                &aad(&info),
                &self.kdf,
            )?),
        };
        let file = KeyFile { version: FILE_VERSION, info, secret };
        let json = Zeroizing::new(
            serde_json::to_vec_pretty(&file)
                .map_err(|e| CryptoError::io(&path, io::Error::other(e)))?,
        );
        match fsutil::write_atomic(&path, &json, Mode::CreateNew) {
            Ok(()) => Ok(file.info.clone()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                Err(CryptoError::KeyExists(name.to_string()))
            }
            Err(e) => Err(CryptoError::io(&path, e)),
        }
    }

    /// Reads and checks a key file. `Ok(None)` if it does not exist.
    fn read(&self, name: &str) -> Result<Option<KeyFile>, CryptoError> {
        let path = self.path_of(name);
        let corrupt = |reason: String| CryptoError::CorruptKeyring { path: path.clone(), reason };
        let bytes = match fsutil::read_bounded(&path) {
            Ok(Some(b)) => Zeroizing::new(b),
            Ok(None) => return Err(corrupt("file too large".into())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(CryptoError::io(&path, e)),
        };
        let file: KeyFile =
            serde_json::from_slice(&bytes).map_err(|e| corrupt(format!("not a key file: {e}")))?;
        if file.version != FILE_VERSION {
            return Err(corrupt(format!("unsupported version {}", file.version)));
        }
        if file.info.name != name {
            return Err(corrupt(format!("file holds key {:?}", file.info.name)));
        }
        if file.info.key_type != KEY_TYPE_SECP256K1 {
            return Err(corrupt(format!("unsupported key type {:?}", file.info.key_type)));
        }
        let pk = PublicKey::from_base64(&file.info.pubkey)
            .map_err(|_| corrupt("invalid public key".into()))?;
        if pk.address() != file.info.address {
            return Err(corrupt("address does not match public key".into()));
        }
        Ok(Some(file))
    }

    fn read_existing(&self, name: &str) -> Result<KeyFile, CryptoError> {
        validate_name(name)?;
        self.read(name)?.ok_or_else(|| CryptoError::KeyNotFound(name.to_string()))
    }

    fn decrypt(&self, file: &KeyFile) -> Result<SigningKey, CryptoError> {
        let path = self.path_of(&file.info.name);
        let corrupt = |reason: String| CryptoError::CorruptKeyring { path: path.clone(), reason };
        let key = match (&self.backend, &file.secret) {
            (KeyringBackend::Test, Secret::Plain { privkey }) => {
                let bytes = Zeroizing::new(
                    hex::decode(privkey).map_err(|_| corrupt("private key is not hex".into()))?,
                );
                SigningKey::from_bytes(&bytes).map_err(|_| corrupt("invalid private key".into()))?
            }
            (KeyringBackend::File { passphrase }, Secret::Sealed(sealed)) => {
                let bytes =
                    seal::open(sealed, passphrase, &aad(&file.info)).map_err(|e| match e {
                        OpenError::WrongPassphrase => CryptoError::WrongPassphrase,
                        OpenError::Malformed(reason) => corrupt(reason),
                    })?;
                SigningKey::from_bytes(&bytes).map_err(|_| corrupt("invalid private key".into()))?
            }
            (backend, secret) => {
                return Err(CryptoError::WrongBackend {
                    path,
                    found: secret.backend_name().into(),
                    expected: backend.name().into(),
                })
            }
        };
        if key.public_key().to_base64() != file.info.pubkey {
            return Err(corrupt("private key does not match public key".into()));
        }
        Ok(key)
    }

    /// All keys, sorted by name. A damaged key file is an error, not skipped.
    pub fn list(&self) -> Result<Vec<KeyInfo>, CryptoError> {
        let entries = fs::read_dir(&self.dir).map_err(|e| CryptoError::io(&self.dir, e))?;
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| CryptoError::io(&self.dir, e))?;
            let file_name = entry.file_name();
            let Some(name) = file_name
                .to_str()
                .and_then(|f| f.strip_suffix(KEY_FILE_EXT))
                .and_then(|f| f.strip_suffix('.'))
            else {
                continue;
            };
            if validate_name(name).is_err() {
                continue;
            }
            if let Some(file) = self.read(name)? {
                out.push(file.info.clone());
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// A key by name, or by `akash1…` address.
    pub fn get(&self, name_or_address: &str) -> Result<KeyInfo, CryptoError> {
        if let Ok(addr) = name_or_address.parse::<AccAddress>() {
            return self
                .list()?
                .into_iter()
                .find(|k| k.address == addr)
                .ok_or_else(|| CryptoError::KeyNotFound(name_or_address.to_string()));
        }
        Ok(self.read_existing(name_or_address)?.info.clone())
    }

    /// The private key of `name` (decrypting it in the file backend).
    pub fn signing_key(&self, name: &str) -> Result<SigningKey, CryptoError> {
        let file = self.read_existing(name)?;
        self.decrypt(&file)
    }

    /// Deletes `name`. In the file backend the passphrase must decrypt the key first.
    pub fn delete(&self, name: &str) -> Result<(), CryptoError> {
        let file = self.read_existing(name)?;
        if matches!(self.backend, KeyringBackend::File { .. }) {
            self.decrypt(&file)?;
        }
        let path = self.path_of(name);
        fs::remove_file(&path).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => CryptoError::KeyNotFound(name.to_string()),
            _ => CryptoError::io(&path, e),
        })
    }

    /// Exports `name` as an ASCII-armored private key encrypted under `export_passphrase`
    /// (argon2id + XChaCha20-Poly1305); see [`Keyring::import`].
    pub fn export(&self, name: &str, export_passphrase: &str) -> Result<String, CryptoError> {
        let key = self.signing_key(name)?;
        armor::encode(&key, export_passphrase, &self.kdf)
    }

    /// Imports an armored key made by [`Keyring::export`] under a new `name`.
    pub fn import(
        &self,
        name: &str,
        armored: &str,
        export_passphrase: &str,
    ) -> Result<KeyInfo, CryptoError> {
        validate_name(name)?;
        if self.path_of(name).exists() {
            return Err(CryptoError::KeyExists(name.to_string()));
        }
        let key = armor::decode(armored, export_passphrase)?;
        self.store(name, &key)
    }
}

#[cfg(test)]
mod tests;
