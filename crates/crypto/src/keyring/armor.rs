//! ASCII-armored, passphrase-encrypted private keys for export and import.
//!
//! ```text
//! -----BEGIN DCLOUD PRIVATE KEY-----
//! version: 1
//! type: secp256k1
//! kdf: argon2id
//! m: 19456
//! t: 2
//! p: 1
//! salt: <base64>
//! nonce: <base64>
//! check: <base64>
//!
//! <base64 of the XChaCha20-Poly1305 ciphertext of the 32-byte secret>
//! -----END DCLOUD PRIVATE KEY-----
//! ```
//! The headers `version` and `type` are authenticated as associated data; the KDF
//! headers are bound through the derived key.

use std::collections::BTreeMap;

use zeroize::Zeroizing;

use crate::seal::{self, KdfParams, OpenError, Sealed};
use crate::secp256k1::SigningKey;
use crate::CryptoError;

/// First line of an exported key.
pub const BEGIN: &str = "-----BEGIN DCLOUD PRIVATE KEY-----";
/// Last line of an exported key.
pub const END: &str = "-----END DCLOUD PRIVATE KEY-----";

const VERSION: &str = "1";
const KEY_TYPE: &str = "secp256k1";
const KDF: &str = "argon2id";
const LINE_LEN: usize = 64;

fn aad() -> Vec<u8> {
    format!("dcloud-armor/v{VERSION}\0{KEY_TYPE}").into_bytes()
}

pub(super) fn encode(
    key: &SigningKey,
    passphrase: &str,
    kdf: &KdfParams,
) -> Result<String, CryptoError> {
    let secret = Zeroizing::new(key.to_bytes());
    let sealed = seal::seal(passphrase, secret.as_ref(), &aad(), kdf)?;
    let mut out = String::new();
    out.push_str(BEGIN);
    out.push('\n');
    for (k, v) in [
        ("version", VERSION.to_string()),
        ("type", KEY_TYPE.to_string()),
        ("kdf", KDF.to_string()),
        ("m", sealed.kdf.m_cost_kib.to_string()),
        ("t", sealed.kdf.t_cost.to_string()),
        ("p", sealed.kdf.p_cost.to_string()),
        ("salt", sealed.salt.clone()),
        ("nonce", sealed.nonce.clone()),
        ("check", sealed.check.clone()),
    ] {
        out.push_str(&format!("{k}: {v}\n"));
    }
    out.push('\n');
    let body = sealed.ciphertext.as_bytes();
    for chunk in body.chunks(LINE_LEN) {
        // base64 is ASCII, so every chunk is valid UTF-8.
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(END);
    out.push('\n');
    Ok(out)
}

fn bad(reason: impl Into<String>) -> CryptoError {
    CryptoError::InvalidArmor(reason.into())
}

pub(super) fn decode(armored: &str, passphrase: &str) -> Result<SigningKey, CryptoError> {
    let mut lines = armored.lines().map(str::trim).skip_while(|l| l.is_empty());
    if lines.next() != Some(BEGIN) {
        return Err(bad(format!("missing {BEGIN:?}")));
    }
    let mut headers = BTreeMap::new();
    for line in lines.by_ref() {
        if line.is_empty() {
            break;
        }
        let (k, v) =
            line.split_once(':').ok_or_else(|| bad(format!("bad header line {line:?}")))?;
        if headers.insert(k.trim().to_string(), v.trim().to_string()).is_some() {
            return Err(bad(format!("duplicate header {:?}", k.trim())));
        }
    }
    let mut body = String::new();
    let mut ended = false;
    for line in lines.by_ref() {
        if line == END {
            ended = true;
            break;
        }
        body.push_str(line);
    }
    if !ended {
        return Err(bad(format!("missing {END:?}")));
    }
    if lines.any(|l| !l.is_empty()) {
        return Err(bad("text after the end line"));
    }

    let mut take = |k: &str| headers.remove(k).ok_or_else(|| bad(format!("missing header {k:?}")));
    let expect = |k: &str, got: String, want: &str| {
        if got == want {
            Ok(())
        } else {
            Err(bad(format!("header {k:?} is {got:?}, expected {want:?}")))
        }
    };
    expect("version", take("version")?, VERSION)?;
    expect("type", take("type")?, KEY_TYPE)?;
    expect("kdf", take("kdf")?, KDF)?;
    let num =
        |k: &str, v: String| v.parse::<u32>().map_err(|_| bad(format!("header {k:?}: {v:?}")));
    let kdf = KdfParams {
        m_cost_kib: num("m", take("m")?)?,
        t_cost: num("t", take("t")?)?,
        p_cost: num("p", take("p")?)?,
    };
    let sealed = Sealed {
        kdf,
        salt: take("salt")?,
        nonce: take("nonce")?,
        check: take("check")?,
        ciphertext: body,
    };
    if let Some(k) = headers.keys().next() {
        return Err(bad(format!("unknown header {k:?}")));
    }
    let secret = seal::open(&sealed, passphrase, &aad()).map_err(|e| match e {
        OpenError::WrongPassphrase => CryptoError::WrongPassphrase,
        OpenError::Malformed(reason) => bad(reason),
    })?;
    SigningKey::from_bytes(&secret).map_err(|_| bad("invalid private key"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: KdfParams = KdfParams::INSECURE_FAST;

    #[test]
    fn roundtrip_with_crlf_and_indentation() {
        let key = SigningKey::random();
        let armored = encode(&key, "export pw", &FAST).unwrap();
        assert!(armored.starts_with(BEGIN));
        assert!(armored.trim_end().ends_with(END));
        assert!(armored.contains("kdf: argon2id\n"));
        assert!(armored.contains("type: secp256k1\n"));
        let back = decode(&armored, "export pw").unwrap();
        assert_eq!(back.to_bytes(), key.to_bytes());
        let crlf = format!("\n  {}", armored.replace('\n', "\r\n  "));
        assert_eq!(decode(&crlf, "export pw").unwrap().to_bytes(), key.to_bytes());
    }

    #[test]
    fn errors() {
        let key = SigningKey::random();
        let armored = encode(&key, "pw", &FAST).unwrap();
        assert!(matches!(decode(&armored, "wrong"), Err(CryptoError::WrongPassphrase)));
        assert!(matches!(encode(&key, "", &FAST), Err(CryptoError::EmptyPassphrase)));
        let cases = [
            armored.replace(BEGIN, "-----BEGIN SOMETHING-----"),
            armored.replace(END, ""),
            armored.replace("type: secp256k1", "type: ed25519"),
            armored.replace("kdf: argon2id", "kdf: bcrypt"),
            armored.replace("m: 8\n", "m: 99999999\n"),
            armored.replace("m: 8\n", "m: eight\n"),
            armored.replace("t: 1\n", ""),
            armored.replace("t: 1\n", "t: 1\nt: 1\n"),
            armored.replace("t: 1\n", "t: 1\ncolour: blue\n"),
            format!("{armored}trailing"),
            armored
                .lines()
                .filter(|l| l.len() != 64 && !l.contains(':') && !l.starts_with("-----"))
                .collect::<Vec<_>>()
                .join("\n"),
        ];
        for (i, case) in cases.iter().enumerate() {
            let err = decode(case, "pw").unwrap_err();
            assert!(matches!(err, CryptoError::InvalidArmor(_)), "case {i}: {err:?}");
        }
        // A damaged body with the right passphrase is reported as damaged, not as a wrong passphrase.
        let body_line = armored
            .lines()
            .find(|l| !l.contains(':') && !l.starts_with("---") && !l.is_empty())
            .unwrap();
        let mut chars: Vec<char> = body_line.chars().collect();
        chars[3] = if chars[3] == 'A' { 'B' } else { 'A' };
        let damaged = armored.replace(body_line, &chars.into_iter().collect::<String>());
        assert!(matches!(decode(&damaged, "pw"), Err(CryptoError::InvalidArmor(_))));
    }
}
