//! Passphrase encryption: argon2id derives a key, XChaCha20-Poly1305 encrypts.
//!
//! The argon2id output `K` (32 bytes) is split by SHA-256 with domain tags into the
//! cipher key and a 16-byte passphrase check value stored next to the ciphertext. The
//! check value tells a wrong passphrase ([`CryptoError::WrongPassphrase`]) apart from a
//! damaged ciphertext (the caller's "corrupt" error). It gives an attacker nothing the
//! ciphertext does not: testing a guess costs one argon2id run either way.

use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{Key, KeyInit, XChaCha20Poly1305, XNonce};
use rand::rngs::OsRng;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::CryptoError;

const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 24;
const CHECK_LEN: usize = 16;

/// Cost parameters of the argon2id key derivation.
///
/// Only affects secrets written from now on; reading uses the parameters stored with
/// each secret, bounded by [`KdfParams::MAX`] so a crafted file cannot exhaust memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory cost in KiB.
    pub m_cost_kib: u32,
    /// Number of passes.
    pub t_cost: u32,
    /// Degree of parallelism.
    pub p_cost: u32,
}

impl KdfParams {
    /// The default: OWASP's argon2id recommendation (19 MiB, 2 passes, 1 lane).
    pub const RECOMMENDED: Self = Self { m_cost_kib: 19_456, t_cost: 2, p_cost: 1 };
    /// Nearly free parameters for tests. Never use these for real keys.
    pub const INSECURE_FAST: Self = Self { m_cost_kib: 8, t_cost: 1, p_cost: 1 };
    /// The most expensive parameters accepted when reading (1 GiB, 16 passes, 16 lanes).
    pub const MAX: Self = Self { m_cost_kib: 1 << 20, t_cost: 16, p_cost: 16 };

    /// Whether argon2 accepts these parameters and they are within [`KdfParams::MAX`].
    pub fn validate(&self) -> Result<(), String> {
        if self.m_cost_kib > Self::MAX.m_cost_kib
            || self.t_cost > Self::MAX.t_cost
            || self.p_cost > Self::MAX.p_cost
        {
            return Err(format!("argon2 parameters {self:?} exceed the maximum {:?}", Self::MAX));
        }
        self.argon2().map(|_| ()).map_err(|e| format!("argon2 parameters {self:?}: {e}"))
    }

    fn argon2(&self) -> Result<Argon2<'static>, argon2::Error> {
        let params = Params::new(self.m_cost_kib, self.t_cost, self.p_cost, Some(32))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        Self::RECOMMENDED
    }
}

/// An encrypted secret with everything needed to decrypt it except the passphrase.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Sealed {
    /// argon2id cost parameters.
    #[serde(flatten)]
    pub kdf: KdfParams,
    /// argon2 salt, base64.
    pub salt: String,
    /// XChaCha20 nonce, base64.
    pub nonce: String,
    /// Passphrase check value, base64.
    pub check: String,
    /// Ciphertext with Poly1305 tag, base64.
    pub ciphertext: String,
}

/// Why [`open`] failed.
#[derive(Debug)]
pub(crate) enum OpenError {
    /// The passphrase check value does not match.
    WrongPassphrase,
    /// Malformed fields or a ciphertext that fails authentication.
    Malformed(String),
}

struct Keys {
    cipher: Zeroizing<[u8; 32]>,
    check: [u8; CHECK_LEN],
}

fn derive(passphrase: &str, salt: &[u8], kdf: &KdfParams) -> Result<Keys, String> {
    kdf.validate()?;
    let argon = kdf.argon2().map_err(|e| e.to_string())?;
    let mut k = Zeroizing::new([0u8; 32]);
    argon.hash_password_into(passphrase.as_bytes(), salt, k.as_mut()).map_err(|e| e.to_string())?;
    let cipher = Zeroizing::new(
        Sha256::new_with_prefix(b"dcloud/seal/key\0").chain_update(*k).finalize().into(),
    );
    let digest: [u8; 32] =
        Sha256::new_with_prefix(b"dcloud/seal/check\0").chain_update(*k).finalize().into();
    let mut check = [0u8; CHECK_LEN];
    check.copy_from_slice(&digest[..CHECK_LEN]);
    Ok(Keys { cipher, check })
}

/// Encrypts `plaintext` under `passphrase`, binding `aad` (authenticated, not stored).
pub(crate) fn seal(
    passphrase: &str,
    plaintext: &[u8],
    aad: &[u8],
    kdf: &KdfParams,
) -> Result<Sealed, CryptoError> {
    if passphrase.is_empty() {
        return Err(CryptoError::EmptyPassphrase);
    }
    let mut salt = [0u8; SALT_LEN];
    let mut nonce = [0u8; NONCE_LEN];
    OsRng.fill_bytes(&mut salt);
    OsRng.fill_bytes(&mut nonce);
    // Our own parameters are checked when the keyring is opened; a failure here is a bug
    // in the caller, reported as an invalid-key error rather than a panic.
    let keys = derive(passphrase, &salt, kdf).map_err(|_| CryptoError::InvalidKey)?;
    let cipher = XChaCha20Poly1305::new(Key::from_slice(keys.cipher.as_ref()));
    let ciphertext = cipher
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext, aad })
        .map_err(|_| CryptoError::InvalidKey)?;
    Ok(Sealed {
        kdf: *kdf,
        salt: B64.encode(salt),
        nonce: B64.encode(nonce),
        check: B64.encode(keys.check),
        ciphertext: B64.encode(ciphertext),
    })
}

fn decode_fixed<const N: usize>(field: &str, value: &str) -> Result<[u8; N], OpenError> {
    let bytes = B64.decode(value).map_err(|e| OpenError::Malformed(format!("{field}: {e}")))?;
    <[u8; N]>::try_from(bytes.as_slice()).map_err(|_| {
        OpenError::Malformed(format!("{field}: expected {N} bytes, got {}", bytes.len()))
    })
}

/// Decrypts a [`Sealed`] secret.
pub(crate) fn open(
    sealed: &Sealed,
    passphrase: &str,
    aad: &[u8],
) -> Result<Zeroizing<Vec<u8>>, OpenError> {
    let salt: [u8; SALT_LEN] = decode_fixed("salt", &sealed.salt)?;
    let nonce: [u8; NONCE_LEN] = decode_fixed("nonce", &sealed.nonce)?;
    let check: [u8; CHECK_LEN] = decode_fixed("check", &sealed.check)?;
    let ciphertext = B64
        .decode(&sealed.ciphertext)
        .map_err(|e| OpenError::Malformed(format!("ciphertext: {e}")))?;
    let keys = derive(passphrase, &salt, &sealed.kdf).map_err(OpenError::Malformed)?;
    if keys.check != check {
        return Err(OpenError::WrongPassphrase);
    }
    let cipher = XChaCha20Poly1305::new(Key::from_slice(keys.cipher.as_ref()));
    cipher
        .decrypt(XNonce::from_slice(&nonce), Payload { msg: &ciphertext, aad })
        .map(Zeroizing::new)
        .map_err(|_| OpenError::Malformed("ciphertext fails authentication".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: KdfParams = KdfParams::INSECURE_FAST;

    #[test]
    fn roundtrip_and_errors() {
        let s = seal("pw", b"secret", b"aad", &FAST).unwrap();
        assert_eq!(open(&s, "pw", b"aad").unwrap().as_slice(), b"secret");
        assert!(matches!(open(&s, "nope", b"aad"), Err(OpenError::WrongPassphrase)));
        assert!(matches!(open(&s, "pw", b"other"), Err(OpenError::Malformed(_))));
        let mut bad = s.clone();
        bad.ciphertext = B64.encode(b"garbage that is long enough to hold a tag");
        assert!(matches!(open(&bad, "pw", b"aad"), Err(OpenError::Malformed(_))));
        let mut bad = s.clone();
        bad.nonce = "AAAA".into();
        assert!(matches!(open(&bad, "pw", b"aad"), Err(OpenError::Malformed(_))));
        let mut bad = s;
        bad.kdf.m_cost_kib = u32::MAX;
        assert!(matches!(open(&bad, "pw", b"aad"), Err(OpenError::Malformed(_))));
        assert!(matches!(seal("", b"x", b"", &FAST), Err(CryptoError::EmptyPassphrase)));
    }

    #[test]
    fn default_params_are_real() {
        assert_eq!(KdfParams::default(), KdfParams { m_cost_kib: 19_456, t_cost: 2, p_cost: 1 });
        KdfParams::default().validate().unwrap();
        FAST.validate().unwrap();
        assert!(KdfParams { m_cost_kib: 1, t_cost: 1, p_cost: 1 }.validate().is_err());
    }

    #[test]
    fn salt_and_nonce_are_fresh() {
        let a = seal("pw", b"secret", b"", &FAST).unwrap();
        let b = seal("pw", b"secret", b"", &FAST).unwrap();
        assert_ne!(a.salt, b.salt);
        assert_ne!(a.nonce, b.nonce);
        assert_ne!(a.ciphertext, b.ciphertext);
    }
}
