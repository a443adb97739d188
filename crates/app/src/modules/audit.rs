//! The audit module: auditors sign attributes of providers; tenants trust auditors through
//! `signedBy` in their SDL placement.
//!
//! State: `0x31 ‖ len ‖ provider ‖ len ‖ auditor` → sorted attributes (JSON).
//! Messages (to come with the registry work): sign / delete provider attributes.

use dcloud_store::{StateRead, StateWrite};
use dcloud_types::AccAddress;

use crate::modules::provider::Attribute;
use crate::AppError;

/// The module name.
pub const NAME: &str = "audit";

fn push_addr(k: &mut Vec<u8>, a: &AccAddress) {
    k.push(a.as_bytes().len() as u8);
    k.extend_from_slice(a.as_bytes());
}

/// Key of the record an auditor keeps on a provider.
pub fn audit_key(provider: &AccAddress, auditor: &AccAddress) -> Vec<u8> {
    let mut k = vec![0x31];
    push_addr(&mut k, provider);
    push_addr(&mut k, auditor);
    k
}

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
