//! Stateless checks of the audit messages (`MsgSignProviderAttributes`,
//! `MsgDeleteProviderAttributes`).

use dcloud_proto::dcloud::audit as pb;
use dcloud_types::AccAddress;

use super::AuditError;
use crate::provider::{self, Attribute, MAX_ATTRIBUTES};
use crate::AppError;

fn invalid(why: String) -> AppError {
    AuditError::InvalidAttributes(why).into()
}

fn parse_pair(owner: &str, auditor: &str) -> Result<(AccAddress, AccAddress), AppError> {
    let o = crate::parse_addr(owner, "owner")?;
    let a = crate::parse_addr(auditor, "auditor")?;
    Ok((o, a))
}

/// Stateless checks of `MsgSignProviderAttributes`; returns (provider, auditor, sorted attributes).
pub fn validate_sign(
    m: &pb::MsgSignProviderAttributes,
) -> Result<(AccAddress, AccAddress, Vec<Attribute>), AppError> {
    let (o, a) = parse_pair(&m.owner, &m.auditor)?;
    if m.attributes.is_empty() {
        return Err(invalid("no attributes to sign".into()));
    }
    let attrs = provider::validate_attributes(&m.attributes, invalid)?;
    Ok((o, a, attrs))
}

/// Stateless checks of `MsgDeleteProviderAttributes`.
pub fn validate_delete(
    m: &pb::MsgDeleteProviderAttributes,
) -> Result<(AccAddress, AccAddress), AppError> {
    let pair = parse_pair(&m.owner, &m.auditor)?;
    if m.keys.len() > MAX_ATTRIBUTES {
        return Err(invalid(format!("{} keys, at most {MAX_ATTRIBUTES} allowed", m.keys.len())));
    }
    let mut seen = std::collections::BTreeSet::new();
    for k in &m.keys {
        if !provider::is_valid_attribute_key(k) {
            return Err(invalid(format!("invalid key {k:?}")));
        }
        if !seen.insert(k) {
            return Err(invalid(format!("duplicate key {k:?}")));
        }
    }
    Ok(pair)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delete_refuses_duplicate_keys_with_the_audit_code() {
        let addr = AccAddress::from_bytes(&[1u8; 20]).expect("20 bytes").to_string();
        let m = pb::MsgDeleteProviderAttributes {
            owner: addr.clone(),
            auditor: addr,
            keys: vec!["region".into(), "region".into()],
        };
        let e = validate_delete(&m).expect_err("duplicate keys are refused");
        assert_eq!((e.code(), e.codespace()), (2, "audit"));
        assert_eq!(e.to_string(), "invalid audit attributes: duplicate key \"region\"");
    }
}
