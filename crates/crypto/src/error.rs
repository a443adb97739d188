//! The one error type of this crate.

use std::path::PathBuf;

use dcloud_types::AccAddress;

/// Everything that can go wrong with keys, signatures and the keyring.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// The phrase is not a valid English BIP39 mnemonic (unknown word, wrong count or bad checksum).
    #[error(
        "invalid mnemonic: expected 12, 15, 18, 21 or 24 English BIP39 words with a valid checksum"
    )]
    InvalidMnemonic,
    /// A BIP32 derivation path could not be built (e.g. account or index ≥ 2^31).
    #[error("invalid HD derivation path {0:?}")]
    InvalidHdPath(String),
    /// Bytes that do not encode a valid private or public key.
    #[error("invalid key")]
    InvalidKey,
    /// A signature that is malformed, high-S, or does not verify.
    #[error("invalid signature")]
    InvalidSignature,
    /// A key name outside `[A-Za-z0-9._-]{1,64}`.
    #[error("invalid key name {0:?}: use 1 to 64 characters from A-Z a-z 0-9 . _ -")]
    InvalidKeyName(String),
    /// No key with this name or address in the keyring.
    #[error("key {0:?} not found")]
    KeyNotFound(String),
    /// A key with this name already exists in the keyring.
    #[error("key {0:?} already exists")]
    KeyExists(String),
    /// The same private key is already stored under another name.
    #[error("address {address} is already stored as key {name:?}")]
    AddressExists {
        /// The duplicated address.
        address: AccAddress,
        /// The name it is stored under.
        name: String,
    },
    /// The passphrase does not decrypt the key (keyring or export passphrase).
    #[error("wrong passphrase")]
    WrongPassphrase,
    /// An empty passphrase where one is required (file backend, export).
    #[error("passphrase must not be empty")]
    EmptyPassphrase,
    /// A keyring file that cannot be parsed or is inconsistent.
    #[error("corrupt keyring file {}: {reason}", path.display())]
    CorruptKeyring {
        /// The offending file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A keyring file written by another backend (plain secret in a file keyring or vice versa).
    #[error("keyring file {} was written by the {found} backend, this keyring uses the {expected} backend", path.display())]
    WrongBackend {
        /// The offending file.
        path: PathBuf,
        /// The backend that wrote it.
        found: String,
        /// The backend of the open keyring.
        expected: String,
    },
    /// An exported (ASCII-armored) key that cannot be parsed.
    #[error("invalid armored key: {0}")]
    InvalidArmor(String),
    /// A node key JSON file that cannot be parsed or is inconsistent.
    #[error("invalid key file {}: {reason}", path.display())]
    InvalidKeyFile {
        /// The offending file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A filesystem operation failed.
    #[error("i/o error on {path}: {1}", path = .0.display())]
    Io(PathBuf, #[source] std::io::Error),
}

impl CryptoError {
    pub(crate) fn io(path: impl Into<PathBuf>, err: std::io::Error) -> Self {
        Self::Io(path.into(), err)
    }
}
