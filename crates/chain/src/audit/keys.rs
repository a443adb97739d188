//! The audit module's store keys: `0x31 ‖ len ‖ provider ‖ len ‖ auditor` → attributes.

use dcloud_types::AccAddress;

use crate::AppError;

/// Prefix of the audit records.
pub(super) const AUDIT: u8 = 0x31;

fn push_addr(k: &mut Vec<u8>, a: &AccAddress) {
    k.push(a.as_bytes().len() as u8);
    k.extend_from_slice(a.as_bytes());
}

/// Key of the record an auditor keeps on a provider.
pub fn audit_key(provider: &AccAddress, auditor: &AccAddress) -> Vec<u8> {
    let mut k = vec![AUDIT];
    push_addr(&mut k, provider);
    push_addr(&mut k, auditor);
    k
}

/// Prefix of the records on `provider` (or of all records).
pub(super) fn audit_prefix(provider: Option<&AccAddress>) -> Vec<u8> {
    let mut k = vec![AUDIT];
    if let Some(p) = provider {
        push_addr(&mut k, p);
    }
    k
}

/// (provider, auditor) of a record key.
pub(super) fn decode_audit_key(k: &[u8]) -> Result<(AccAddress, AccAddress), AppError> {
    let bad = || AppError::ChainState("corrupt audit key".into());
    let n = *k.get(1).ok_or_else(bad)? as usize;
    let owner = AccAddress::from_bytes(k.get(2..2 + n).ok_or_else(bad)?).map_err(|_| bad())?;
    let m = *k.get(2 + n).ok_or_else(bad)? as usize;
    let auditor =
        AccAddress::from_bytes(k.get(3 + n..3 + n + m).ok_or_else(bad)?).map_err(|_| bad())?;
    if k.len() != 3 + n + m {
        return Err(bad());
    }
    Ok((owner, auditor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_key_round_trips() {
        let p = AccAddress::from_bytes(&[1u8; 20]).expect("20 bytes");
        let a = AccAddress::from_bytes(&[2u8; 32]).expect("32 bytes");
        let k = audit_key(&p, &a);
        assert!(k.starts_with(&audit_prefix(Some(&p))));
        assert_eq!(decode_audit_key(&k).ok(), Some((p, a)));
        assert!(decode_audit_key(&k[..k.len() - 1]).is_err());
    }
}
