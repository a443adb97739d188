//! Keys for dcloud.
//!
//! * [`generate_mnemonic`]: 24-word BIP39 mnemonics from OS randomness.
//! * [`secp256k1`]: account keys. HD derivation on `m/44'/118'/{account}'/0/{index}`,
//!   addresses as `RIPEMD160(SHA256(pubkey))`, signatures exactly as Cosmos
//!   `SIGN_MODE_DIRECT` makes them (ECDSA over SHA-256, RFC6979, low-S, `r || s`).
//!   Checked byte for byte against cosmjs in `tests/cosmjs_vectors.rs`.
//! * [`ed25519`]: node / validator consensus keys in CometBFT's JSON layout.
//! * [`keyring`]: named keys on disk, one file per key, `test` (plain) or `file`
//!   (argon2id + XChaCha20-Poly1305) backend, passphrase-encrypted export and import.
//!
//! Errors are one enum, [`CryptoError`]. Library code here does not panic.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

pub mod ed25519;
mod error;
mod fsutil;
pub mod keyring;
mod mnemonic;
mod seal;
pub mod secp256k1;

pub use dcloud_types::AccAddress;
pub use error::CryptoError;
pub use mnemonic::generate_mnemonic;
pub use seal::KdfParams;
