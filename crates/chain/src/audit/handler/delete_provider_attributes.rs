//! `MsgDeleteProviderAttributes`: withdraw signed keys (no keys: the whole record).

use dcloud_proto::dcloud::audit as pb;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use crate::audit::{events, set_signed_attributes, signed_attributes, validate_delete, AuditError};
use crate::AppError;

/// Executes `MsgDeleteProviderAttributes`; an emptied record is deleted.
pub fn deliver_delete(
    state: &mut dyn StateWrite,
    m: &pb::MsgDeleteProviderAttributes,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    // Stateless: addresses, valid unique keys.
    let (owner, auditor) = validate_delete(m)?;
    let mut attrs = signed_attributes(state, &owner, &auditor)?;
    // The auditor must keep a record on the provider.
    if attrs.is_empty() {
        return Err(AuditError::RecordNotFound(format!(
            "auditor {auditor} has signed no attributes of provider {owner}"
        ))
        .into());
    }
    if m.keys.is_empty() {
        attrs.clear();
    }
    // Each key withdrawn must have been signed.
    for k in &m.keys {
        let before = attrs.len();
        attrs.retain(|a| &a.key != k);
        if attrs.len() == before {
            return Err(AuditError::AttributeNotFound(format!(
                "auditor {auditor} has not signed {k:?} for provider {owner}"
            ))
            .into());
        }
    }
    set_signed_attributes(state, &owner, &auditor, &attrs)?;
    events.push(events::trusted_auditor_deleted(&owner, &auditor));
    Ok(())
}
