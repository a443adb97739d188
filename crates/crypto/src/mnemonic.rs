//! BIP39 mnemonics (English only, as the Cosmos tooling uses).

use rand::rngs::OsRng;
use rand::RngCore;
use zeroize::{Zeroize, Zeroizing};

use crate::CryptoError;

/// A fresh 24-word English BIP39 mnemonic (256 bits of OS randomness).
pub fn generate_mnemonic() -> String {
    let mut entropy = [0u8; 32];
    OsRng.fill_bytes(&mut entropy);
    // 32 bytes is always a valid BIP39 entropy length, so this cannot fail.
    let phrase = bip39::Mnemonic::from_entropy(&entropy).map(|m| m.to_string()).unwrap_or_default();
    entropy.zeroize();
    phrase
}

/// Parses a phrase: whitespace-separated, case-insensitive, checksum checked.
pub(crate) fn parse(phrase: &str) -> Result<bip39::Mnemonic, CryptoError> {
    let lower = Zeroizing::new(phrase.to_lowercase());
    bip39::Mnemonic::parse_in(bip39::Language::English, lower.as_str())
        .map_err(|_| CryptoError::InvalidMnemonic)
}

/// The 64-byte BIP39 seed of a phrase and passphrase.
pub(crate) fn to_seed(
    phrase: &str,
    bip39_passphrase: &str,
) -> Result<Zeroizing<[u8; 64]>, CryptoError> {
    let mnemonic = parse(phrase)?;
    Ok(Zeroizing::new(mnemonic.to_seed(bip39_passphrase)))
}

/// The canonical form of a phrase: lowercase words joined by single spaces.
pub(crate) fn normalize(phrase: &str) -> Result<String, CryptoError> {
    Ok(parse(phrase)?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_mnemonic_has_24_valid_words_and_differs() {
        let a = generate_mnemonic();
        let b = generate_mnemonic();
        assert_eq!(a.split(' ').count(), 24);
        assert!(parse(&a).is_ok());
        assert_ne!(a, b);
    }

    #[test]
    fn bad_checksum_word_is_rejected() {
        // "abandon" x12 is 12 valid words with a wrong checksum (the valid one ends in "about").
        let bad = ["abandon"; 12].join(" ");
        assert!(matches!(parse(&bad), Err(CryptoError::InvalidMnemonic)));
        let unknown = format!("{} notaword", ["abandon"; 11].join(" "));
        assert!(matches!(parse(&unknown), Err(CryptoError::InvalidMnemonic)));
        assert!(matches!(parse(""), Err(CryptoError::InvalidMnemonic)));
    }

    #[test]
    fn phrase_is_normalized() {
        let messy = "  ABANDON abandon\tabandon abandon abandon abandon abandon abandon abandon abandon abandon   About\n";
        assert_eq!(normalize(messy).unwrap(), format!("{} about", ["abandon"; 11].join(" ")));
    }
}
