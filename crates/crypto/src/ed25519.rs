//! ed25519 node / validator consensus keys, stored like CometBFT's `priv_validator_key.json`.
//!
//! ```json
//! {
//!   "address": "<HEX of the first 20 bytes of SHA-256(pubkey)>",
//!   "pub_key": {"type": "tendermint/PubKeyEd25519", "value": "<base64, 32 bytes>"},
//!   "priv_key": {"type": "tendermint/PrivKeyEd25519", "value": "<base64, seed || pubkey>"}
//! }
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ed25519_dalek::Signer;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::fsutil::{self, Mode};
use crate::CryptoError;

/// Where a node home keeps its ed25519 key: `<home>/config/node_key.json` (the node reads it,
/// `tx staking create-validator` takes its public key from there).
pub fn node_key_path(home: &Path) -> PathBuf {
    home.join("config").join("node_key.json")
}

/// Amino type name of ed25519 public keys in CometBFT JSON.
pub const PUB_KEY_TYPE: &str = "tendermint/PubKeyEd25519";
/// Amino type name of ed25519 private keys in CometBFT JSON.
pub const PRIV_KEY_TYPE: &str = "tendermint/PrivKeyEd25519";

/// An ed25519 key pair for a node or validator. `Debug` shows only the public side;
/// the secret is zeroized on drop.
#[derive(Clone)]
pub struct NodeKey(ed25519_dalek::SigningKey);

#[derive(Serialize, Deserialize)]
struct TypedValue {
    #[serde(rename = "type")]
    kind: String,
    value: String,
}

#[derive(Serialize, Deserialize)]
struct KeyFile {
    address: String,
    pub_key: TypedValue,
    priv_key: TypedValue,
}

impl NodeKey {
    /// A fresh key from OS randomness.
    pub fn generate() -> Self {
        Self(ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng))
    }

    /// The key with this 32-byte seed (the RFC 8032 private key).
    pub fn from_seed(seed: [u8; 32]) -> Self {
        let mut seed = Zeroizing::new(seed);
        let key = Self(ed25519_dalek::SigningKey::from_bytes(&seed));
        seed.zeroize();
        key
    }

    /// The 32-byte seed. Treat the result as secret.
    pub fn seed(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The 32-byte public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.0.verifying_key().to_bytes()
    }

    /// Signs `msg` (pure ed25519, RFC 8032).
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.0.sign(msg).to_bytes()
    }

    /// The CometBFT validator address: the first 20 bytes of `SHA-256(pubkey)`.
    pub fn address(&self) -> [u8; 20] {
        address(&self.public_key())
    }

    /// Writes the key as CometBFT-style JSON, atomically, with file mode 0600.
    pub fn save_json(&self, path: &Path) -> Result<(), CryptoError> {
        let pubkey = self.public_key();
        let keypair = Zeroizing::new(self.0.to_keypair_bytes());
        let file = KeyFile {
            address: hex::encode_upper(address(&pubkey)),
            pub_key: TypedValue { kind: PUB_KEY_TYPE.into(), value: B64.encode(pubkey) },
            priv_key: TypedValue {
                kind: PRIV_KEY_TYPE.into(),
                value: B64.encode(keypair.as_ref()),
            },
        };
        let json = Zeroizing::new(
            serde_json::to_vec_pretty(&file)
                .map_err(|e| CryptoError::io(path, std::io::Error::other(e)))?,
        );
        let mut priv_value = file.priv_key.value;
        priv_value.zeroize();
        fsutil::write_atomic(path, &json, Mode::Overwrite).map_err(|e| CryptoError::io(path, e))
    }

    /// Reads a key written by [`NodeKey::save_json`] (or by CometBFT). The public key and
    /// address in the file must match the private key.
    pub fn load_json(path: &Path) -> Result<Self, CryptoError> {
        let invalid =
            |reason: String| CryptoError::InvalidKeyFile { path: path.to_path_buf(), reason };
        let bytes = Zeroizing::new(
            fsutil::read_bounded(path)
                .map_err(|e| CryptoError::io(path, e))?
                .ok_or_else(|| invalid("file too large".into()))?,
        );
        let mut file: KeyFile =
            serde_json::from_slice(&bytes).map_err(|e| invalid(format!("not valid JSON: {e}")))?;
        let priv_value = Zeroizing::new(std::mem::take(&mut file.priv_key.value));
        if file.priv_key.kind != PRIV_KEY_TYPE {
            return Err(invalid(format!("priv_key.type is {:?}", file.priv_key.kind)));
        }
        if file.pub_key.kind != PUB_KEY_TYPE {
            return Err(invalid(format!("pub_key.type is {:?}", file.pub_key.kind)));
        }
        let keypair = Zeroizing::new(
            B64.decode(priv_value.as_bytes())
                .map_err(|e| invalid(format!("priv_key.value: {e}")))?,
        );
        if keypair.len() != 64 {
            return Err(invalid(format!("priv_key.value is {} bytes, expected 64", keypair.len())));
        }
        let mut seed = Zeroizing::new([0u8; 32]);
        seed.copy_from_slice(&keypair[..32]);
        let key = Self::from_seed(*seed);
        let pubkey = key.public_key();
        if keypair[32..] != pubkey {
            return Err(invalid("priv_key.value does not contain its own public key".into()));
        }
        let stated = B64
            .decode(file.pub_key.value.as_bytes())
            .map_err(|e| invalid(format!("pub_key.value: {e}")))?;
        if stated != pubkey {
            return Err(invalid("pub_key does not match priv_key".into()));
        }
        if !file.address.eq_ignore_ascii_case(&hex::encode(address(&pubkey))) {
            return Err(invalid(format!("address {} does not match pub_key", file.address)));
        }
        Ok(key)
    }
}

impl fmt::Debug for NodeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeKey")
            .field("public_key", &hex::encode(self.public_key()))
            .finish_non_exhaustive()
    }
}

/// The CometBFT address of an ed25519 public key: first 20 bytes of `SHA-256(pubkey)`.
pub fn address(pubkey: &[u8; 32]) -> [u8; 20] {
    let digest = Sha256::digest(pubkey);
    let mut out = [0u8; 20];
    out.copy_from_slice(&digest[..20]);
    out
}

/// Verifies a 64-byte ed25519 signature.
///
/// Uses strict verification (rejects small-order keys and non-canonical encodings), so
/// one message has one valid signature per key.
pub fn verify(pubkey: &[u8; 32], msg: &[u8], sig: &[u8]) -> Result<(), CryptoError> {
    let vk =
        ed25519_dalek::VerifyingKey::from_bytes(pubkey).map_err(|_| CryptoError::InvalidKey)?;
    let sig =
        ed25519_dalek::Signature::from_slice(sig).map_err(|_| CryptoError::InvalidSignature)?;
    vk.verify_strict(msg, &sig).map_err(|_| CryptoError::InvalidSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc8032_test_vector_1() {
        // RFC 8032 section 7.1, TEST 1 (empty message).
        let seed: [u8; 32] =
            hex::decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
                .unwrap()
                .try_into()
                .unwrap();
        let key = NodeKey::from_seed(seed);
        assert_eq!(
            hex::encode(key.public_key()),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        let sig = key.sign(b"");
        assert_eq!(
            hex::encode(sig),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155\
             5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        );
        verify(&key.public_key(), b"", &sig).unwrap();
    }

    #[test]
    fn sign_verify_roundtrip_and_rejections() {
        let key = NodeKey::generate();
        let pk = key.public_key();
        let sig = key.sign(b"block 42");
        verify(&pk, b"block 42", &sig).unwrap();
        assert!(matches!(verify(&pk, b"block 43", &sig), Err(CryptoError::InvalidSignature)));
        assert!(matches!(verify(&pk, b"block 42", &sig[..63]), Err(CryptoError::InvalidSignature)));
        let other = NodeKey::generate().public_key();
        assert!(matches!(verify(&other, b"block 42", &sig), Err(CryptoError::InvalidSignature)));
        assert_eq!(NodeKey::from_seed(key.seed()).public_key(), pk);
        assert_eq!(key.address(), address(&pk));
        assert!(!format!("{key:?}").contains(&hex::encode(key.seed())));
    }

    #[test]
    fn json_roundtrip_and_format() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("priv_validator_key.json");
        let key = NodeKey::from_seed([7u8; 32]);
        key.save_json(&path).unwrap();
        let loaded = NodeKey::load_json(&path).unwrap();
        assert_eq!(loaded.seed(), key.seed());
        assert_eq!(loaded.public_key(), key.public_key());

        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(v["address"], hex::encode_upper(key.address()));
        assert_eq!(v["pub_key"]["type"], PUB_KEY_TYPE);
        assert_eq!(v["pub_key"]["value"], B64.encode(key.public_key()));
        assert_eq!(v["priv_key"]["type"], PRIV_KEY_TYPE);
        assert_eq!(B64.decode(v["priv_key"]["value"].as_str().unwrap()).unwrap().len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Overwriting is allowed.
        NodeKey::from_seed([8u8; 32]).save_json(&path).unwrap();
        assert_eq!(NodeKey::load_json(&path).unwrap().seed(), [8u8; 32]);
    }

    #[test]
    fn load_rejects_bad_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.json");
        let key = NodeKey::from_seed([9u8; 32]);
        key.save_json(&path).unwrap();
        let good: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();

        let write = |v: &serde_json::Value| std::fs::write(&path, v.to_string()).unwrap();
        let expect_invalid = || {
            let err = NodeKey::load_json(&path).unwrap_err();
            assert!(matches!(err, CryptoError::InvalidKeyFile { .. }), "{err:?}");
        };

        let mut v = good.clone();
        v["address"] = "00".repeat(20).into();
        write(&v);
        expect_invalid();

        let mut v = good.clone();
        v["pub_key"]["value"] = B64.encode(NodeKey::generate().public_key()).into();
        write(&v);
        expect_invalid();

        let mut v = good.clone();
        v["priv_key"]["type"] = "tendermint/PrivKeySecp256k1".into();
        write(&v);
        expect_invalid();

        let mut v = good;
        v["priv_key"]["value"] = B64.encode([1u8; 32]).into();
        write(&v);
        expect_invalid();

        std::fs::write(&path, b"{\"address\": ").unwrap();
        expect_invalid();

        let missing = dir.path().join("missing.json");
        assert!(matches!(NodeKey::load_json(&missing), Err(CryptoError::Io(..))));
    }
}
