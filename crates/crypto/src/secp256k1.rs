//! secp256k1 account keys, as Cosmos SDK and cosmjs use them.
//!
//! * Derivation: BIP39 seed, BIP32 path `m/44'/118'/{account}'/0/{index}`.
//! * Public keys: 33-byte compressed SEC1.
//! * Addresses: `RIPEMD160(SHA256(pubkey))`.
//! * Signatures: ECDSA over `SHA-256(msg)`, RFC6979 nonces, low-S, 64 bytes `r || s`;
//!   exactly what `SIGN_MODE_DIRECT` signers (cosmjs, the Go SDK) produce.

use std::fmt;
use std::str::FromStr;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use k256::ecdsa::signature::{Signer, Verifier};
use k256::ecdsa::Signature;
use k256::elliptic_curve::scalar::IsHigh;
use ripemd::Ripemd160;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::{mnemonic, AccAddress, CryptoError};

/// The Cosmos HD path for `account` and `index`: `m/44'/118'/{account}'/0/{index}`.
pub fn hd_path(account: u32, index: u32) -> String {
    format!("m/44'/{}'/{account}'/0/{index}", dcloud_types::COIN_TYPE)
}

/// A secp256k1 private key. `Debug` shows only the public key; the secret is zeroized on drop.
#[derive(Clone)]
pub struct SigningKey(k256::ecdsa::SigningKey);

impl SigningKey {
    /// Derives the key at `m/44'/118'/{account}'/0/{index}` from a BIP39 mnemonic and
    /// optional BIP39 passphrase (`""` for none), as `DirectSecp256k1HdWallet` does.
    pub fn from_mnemonic(
        phrase: &str,
        bip39_passphrase: &str,
        account: u32,
        index: u32,
    ) -> Result<Self, CryptoError> {
        Self::from_mnemonic_path(phrase, bip39_passphrase, &hd_path(account, index))
    }

    /// Derives the key at an arbitrary BIP32 path such as `m/44'/118'/0'/0/0`.
    pub fn from_mnemonic_path(
        phrase: &str,
        bip39_passphrase: &str,
        path: &str,
    ) -> Result<Self, CryptoError> {
        let path: bip32::DerivationPath =
            path.parse().map_err(|_| CryptoError::InvalidHdPath(path.to_string()))?;
        let seed = mnemonic::to_seed(phrase, bip39_passphrase)?;
        let xprv = bip32::XPrv::derive_from_path(seed.as_ref(), &path)
            .map_err(|_| CryptoError::InvalidKey)?;
        Ok(Self(xprv.private_key().clone()))
    }

    /// A fresh random key from OS randomness.
    pub fn random() -> Self {
        Self(k256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng))
    }

    /// Parses a 32-byte big-endian secret scalar (must be in `1..n`).
    pub fn from_bytes(secret: &[u8]) -> Result<Self, CryptoError> {
        if secret.len() != 32 {
            return Err(CryptoError::InvalidKey);
        }
        k256::ecdsa::SigningKey::from_slice(secret).map(Self).map_err(|_| CryptoError::InvalidKey)
    }

    /// The 32-byte secret scalar. Treat the result as secret (zeroize it when done).
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes().into()
    }

    /// The public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey::from_verifying_key(self.0.verifying_key())
    }

    /// Signs `msg`: ECDSA over `SHA-256(msg)` with an RFC6979 nonce, low-S, `r || s`.
    ///
    /// For a Cosmos transaction `msg` is the protobuf-encoded `SignDoc`.
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        let sig: Signature = self.0.sign(msg);
        // k256 already produces low-S signatures; normalize anyway, it is cheap.
        let sig = sig.normalize_s().unwrap_or(sig);
        sig.to_bytes().into()
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey").field("public_key", &self.public_key()).finish_non_exhaustive()
    }
}

/// A secp256k1 public key, held as 33-byte compressed SEC1.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublicKey([u8; 33]);

impl PublicKey {
    fn from_verifying_key(vk: &k256::ecdsa::VerifyingKey) -> Self {
        let point = vk.to_encoded_point(true);
        let mut out = [0u8; 33];
        out.copy_from_slice(point.as_bytes());
        Self(out)
    }

    fn verifying_key(&self) -> Result<k256::ecdsa::VerifyingKey, CryptoError> {
        k256::ecdsa::VerifyingKey::from_sec1_bytes(&self.0).map_err(|_| CryptoError::InvalidKey)
    }

    /// Parses a 33-byte compressed SEC1 key (`0x02`/`0x03` tag); the point must be on the curve.
    pub fn from_bytes(b: &[u8]) -> Result<Self, CryptoError> {
        let bytes: [u8; 33] = b.try_into().map_err(|_| CryptoError::InvalidKey)?;
        // SEC1 also has a 33-byte "compact" form (tag 0x05) that k256 accepts; Cosmos does not.
        if !matches!(bytes[0], 0x02 | 0x03) {
            return Err(CryptoError::InvalidKey);
        }
        let key = Self(bytes);
        key.verifying_key()?;
        Ok(key)
    }

    /// The 33-byte compressed SEC1 encoding.
    pub fn to_bytes(&self) -> [u8; 33] {
        self.0
    }

    /// Parses the base64 form used in Cosmos JSON (`{"@type": ".../PubKey", "key": B64}`).
    pub fn from_base64(s: &str) -> Result<Self, CryptoError> {
        let bytes = Zeroizing::new(B64.decode(s.trim()).map_err(|_| CryptoError::InvalidKey)?);
        Self::from_bytes(&bytes)
    }

    /// Base64 of the 33-byte key.
    pub fn to_base64(&self) -> String {
        B64.encode(self.0)
    }

    /// The account address: `RIPEMD160(SHA256(compressed pubkey))`, 20 bytes.
    pub fn address(&self) -> AccAddress {
        address_of_compressed(&self.0)
    }

    /// Verifies a 64-byte `r || s` signature over `SHA-256(msg)`.
    ///
    /// Rejects signatures that are not 64 bytes, have `r` or `s` out of range, or are
    /// high-S (Cosmos accepts only the low-S form, so signatures are not malleable).
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), CryptoError> {
        if sig.len() != 64 {
            return Err(CryptoError::InvalidSignature);
        }
        let sig = Signature::from_slice(sig).map_err(|_| CryptoError::InvalidSignature)?;
        if bool::from(sig.s().is_high()) {
            return Err(CryptoError::InvalidSignature);
        }
        self.verifying_key()?.verify(msg, &sig).map_err(|_| CryptoError::InvalidSignature)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", hex::encode(self.0))
    }
}

impl fmt::Display for PublicKey {
    /// Base64, as Cosmos JSON shows keys.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_base64())
    }
}

impl FromStr for PublicKey {
    type Err = CryptoError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_base64(s)
    }
}

impl Serialize for PublicKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_base64())
    }
}

impl<'de> Deserialize<'de> for PublicKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::from_base64(&s).map_err(serde::de::Error::custom)
    }
}

/// The account address of 33 compressed public-key bytes, without decompressing the point
/// (cheap; the point itself is validated when a signature is verified).
pub fn address_of_compressed(pubkey: &[u8]) -> AccAddress {
    let digest = Ripemd160::digest(Sha256::digest(pubkey));
    // Always 20 bytes, which `from_bytes` accepts.
    AccAddress::from_bytes(&digest)
        .unwrap_or_else(|_| AccAddress::module("unreachable: ripemd160 is 20 bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use k256::elliptic_curve::ops::Neg;
    use proptest::prelude::*;

    const ABANDON_ABOUT: &str = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

    #[test]
    fn known_cosmos_address() {
        // The same key is cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4 under the cosmos prefix.
        let key = SigningKey::from_mnemonic(ABANDON_ABOUT, "", 0, 0).unwrap();
        let addr = key.public_key().address();
        assert_eq!(
            addr.to_bech32_with_prefix("cosmos"),
            "cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4"
        );
        assert_eq!(addr.as_bytes().len(), 20);
    }

    #[test]
    fn accounts_and_indexes_give_different_keys() {
        let a = SigningKey::from_mnemonic(ABANDON_ABOUT, "", 0, 0).unwrap().public_key();
        let b = SigningKey::from_mnemonic(ABANDON_ABOUT, "", 0, 1).unwrap().public_key();
        let c = SigningKey::from_mnemonic(ABANDON_ABOUT, "", 1, 0).unwrap().public_key();
        let d = SigningKey::from_mnemonic(ABANDON_ABOUT, "x", 0, 0).unwrap().public_key();
        assert!(a != b && a != c && b != c && a != d);
        assert_eq!(
            SigningKey::from_mnemonic_path(ABANDON_ABOUT, "", "m/44'/118'/0'/0/1")
                .unwrap()
                .public_key(),
            b
        );
    }

    #[test]
    fn invalid_mnemonic_and_path() {
        let bad_checksum = format!("{} abandon", ["abandon"; 11].join(" "));
        assert!(matches!(
            SigningKey::from_mnemonic(&bad_checksum, "", 0, 0),
            Err(CryptoError::InvalidMnemonic)
        ));
        assert!(matches!(
            SigningKey::from_mnemonic(ABANDON_ABOUT, "", 1 << 31, 0),
            Err(CryptoError::InvalidHdPath(_))
        ));
    }

    #[test]
    fn key_bytes_roundtrip_and_invalid_keys() {
        let k = SigningKey::random();
        let k2 = SigningKey::from_bytes(&k.to_bytes()).unwrap();
        assert_eq!(k.public_key(), k2.public_key());
        assert!(matches!(SigningKey::from_bytes(&[0u8; 32]), Err(CryptoError::InvalidKey)));
        assert!(matches!(SigningKey::from_bytes(&[0xff; 32]), Err(CryptoError::InvalidKey)));
        assert!(matches!(SigningKey::from_bytes(&[1u8; 31]), Err(CryptoError::InvalidKey)));
        let pk = k.public_key();
        assert_eq!(PublicKey::from_bytes(&pk.to_bytes()).unwrap(), pk);
        assert_eq!(pk.to_string().parse::<PublicKey>().unwrap(), pk);
        let json = serde_json::to_string(&pk).unwrap();
        assert_eq!(serde_json::from_str::<PublicKey>(&json).unwrap(), pk);
        assert!(PublicKey::from_bytes(&pk.to_bytes()[..32]).is_err());
        let mut bad_tag = pk.to_bytes();
        bad_tag[0] = 0x05;
        assert!(PublicKey::from_bytes(&bad_tag).is_err());
        // x = 5 has no point on secp256k1 (5^3 + 7 = 132 is not a square mod p).
        let mut not_on_curve = [0u8; 33];
        not_on_curve[0] = 0x02;
        not_on_curve[32] = 5;
        assert!(PublicKey::from_bytes(&not_on_curve).is_err());
    }

    #[test]
    fn debug_does_not_leak_secret() {
        let k = SigningKey::from_bytes(&[0x11; 32]).unwrap();
        let dbg = format!("{k:?}");
        assert!(!dbg.contains(&hex::encode([0x11u8; 32])));
        assert!(!dbg.contains("1111111111"));
        assert!(dbg.contains("PublicKey"));
    }

    #[test]
    fn signatures_are_deterministic_and_low_s() {
        let k = SigningKey::from_mnemonic(ABANDON_ABOUT, "", 0, 0).unwrap();
        for i in 0..64u8 {
            let msg = [i; 17];
            let s1 = k.sign(&msg);
            assert_eq!(s1, k.sign(&msg));
            let sig = Signature::from_slice(&s1).unwrap();
            assert!(!bool::from(sig.s().is_high()));
            k.public_key().verify(&msg, &s1).unwrap();
        }
    }

    #[test]
    fn high_s_and_malformed_signatures_are_rejected() {
        let k = SigningKey::random();
        let pk = k.public_key();
        let msg = b"high s";
        let low = k.sign(msg);
        let sig = Signature::from_slice(&low).unwrap();
        let (r, s) = sig.split_scalars();
        let high = Signature::from_scalars(r, s.as_ref().neg()).unwrap();
        assert!(bool::from(high.s().is_high()));
        let high_bytes: [u8; 64] = high.to_bytes().into();
        // The malleated twin of a valid signature: normalizing it gives the original back.
        assert_eq!(high.normalize_s(), Some(sig));
        assert!(matches!(pk.verify(msg, &high_bytes), Err(CryptoError::InvalidSignature)));
        assert!(matches!(pk.verify(msg, &low[..63]), Err(CryptoError::InvalidSignature)));
        let mut long = low.to_vec();
        long.push(0);
        assert!(matches!(pk.verify(msg, &long), Err(CryptoError::InvalidSignature)));
        assert!(matches!(pk.verify(msg, &[0u8; 64]), Err(CryptoError::InvalidSignature)));
        let other = SigningKey::random().public_key();
        assert!(matches!(other.verify(msg, &low), Err(CryptoError::InvalidSignature)));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn sign_verify_roundtrip(secret in any::<[u8; 32]>(), msg in proptest::collection::vec(any::<u8>(), 0..512), flip in any::<prop::sample::Index>(), bit in 0u8..8) {
            let Ok(k) = SigningKey::from_bytes(&secret) else { return Ok(()) };
            let pk = k.public_key();
            let sig = k.sign(&msg);
            prop_assert!(pk.verify(&msg, &sig).is_ok());
            // Tampered message.
            let mut tampered = msg.clone();
            if tampered.is_empty() {
                tampered.push(0);
            } else {
                let i = flip.index(tampered.len());
                tampered[i] ^= 1 << bit;
            }
            prop_assert!(pk.verify(&tampered, &sig).is_err());
            // Tampered signature.
            let mut bad_sig = sig;
            bad_sig[flip.index(64)] ^= 1 << bit;
            prop_assert!(pk.verify(&msg, &bad_sig).is_err());
        }
    }
}
