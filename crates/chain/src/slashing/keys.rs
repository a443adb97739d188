//! Every store key of the slashing module: `0x80 ‖ consensus address (hex ASCII)` →
//! signing info.

/// The signing-info prefix.
pub(crate) const SIGNING_INFO: u8 = 0x80;

/// The key of a validator's signing info.
pub(crate) fn signing_info_key(cons: &str) -> Vec<u8> {
    let mut k = vec![SIGNING_INFO];
    k.extend_from_slice(cons.as_bytes());
    k
}

/// The consensus address a signing-info key names.
pub(crate) fn cons_of(k: &[u8]) -> String {
    String::from_utf8_lossy(k.get(1..).unwrap_or_default()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_round_trips() {
        assert_eq!(cons_of(&signing_info_key("ABCD")), "ABCD");
        assert_eq!(signing_info_key("AB")[0], SIGNING_INFO);
    }
}
