//! The audit module's keeper. Read side: [`signed_attributes`], [`list`] (the market reads
//! audits of bidders). Write side: [`set_signed_attributes`] (the audit handlers; tests).

use dcloud_store::{StateRead, StateWrite};
use dcloud_types::AccAddress;

use super::keys::{audit_key, audit_prefix, decode_audit_key};
use super::AuditedAttributes;
use crate::provider::Attribute;
use crate::AppError;

// ---- read side -------------------------------------------------------------------------

/// Attributes `auditor` signed for `provider` (empty if none), sorted by key.
pub fn signed_attributes(
    state: &dyn StateRead,
    provider: &AccAddress,
    auditor: &AccAddress,
) -> Result<Vec<Attribute>, AppError> {
    match state.get(&audit_key(provider, auditor))? {
        Some(b) => serde_json::from_slice(&b)
            .map_err(|e| AppError::ChainState(format!("corrupt audit record: {e}"))),
        None => Ok(Vec::new()),
    }
}

/// Decodes one stored record (key and value).
pub(super) fn decode_record(k: &[u8], v: &[u8]) -> Result<AuditedAttributes, AppError> {
    let (owner, auditor) = decode_audit_key(k)?;
    let attributes = serde_json::from_slice(v)
        .map_err(|e| AppError::ChainState(format!("corrupt audit record: {e}")))?;
    Ok(AuditedAttributes { owner, auditor, attributes })
}

/// Audit records, filtered by provider and/or auditor, in key order (provider, auditor),
/// at most `limit`.
pub fn list(
    state: &dyn StateRead,
    provider: Option<&AccAddress>,
    auditor: Option<&AccAddress>,
    limit: usize,
) -> Result<Vec<AuditedAttributes>, AppError> {
    let prefix = audit_prefix(provider);
    let mut out = Vec::new();
    for (k, v) in state.prefix_range(&prefix, None, usize::MAX)? {
        let r = decode_record(&k, &v)?;
        if auditor.is_some_and(|a| a != &r.auditor) {
            continue;
        }
        out.push(r);
        if out.len() >= limit {
            break;
        }
    }
    Ok(out)
}

// ---- write side ------------------------------------------------------------------------

/// Replaces the attributes `auditor` signed for `provider` (deletes the record if empty).
pub fn set_signed_attributes(
    state: &mut dyn StateWrite,
    provider: &AccAddress,
    auditor: &AccAddress,
    attrs: &[Attribute],
) -> Result<(), AppError> {
    if attrs.is_empty() {
        state.delete(audit_key(provider, auditor));
        return Ok(());
    }
    let mut sorted = attrs.to_vec();
    sorted.sort();
    let b = serde_json::to_vec(&sorted).map_err(|e| AppError::InvalidRequest(e.to_string()))?;
    state.put(audit_key(provider, auditor), b);
    Ok(())
}
