//! `MsgSignProviderAttributes`: merge attributes into the auditor's record on a provider.

use std::collections::BTreeMap;

use dcloud_proto::dcloud::audit as pb;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use crate::audit::{events, set_signed_attributes, signed_attributes, validate_sign, AuditError};
use crate::provider::{Attribute, MAX_ATTRIBUTES};
use crate::AppError;

/// Executes `MsgSignProviderAttributes`: merge into the auditor's record on the provider
/// (new keys added, existing overwritten, stored sorted).
pub fn deliver_sign(
    state: &mut dyn StateWrite,
    m: &pb::MsgSignProviderAttributes,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    // Stateless: addresses, at least one valid attribute, unique keys.
    let (owner, auditor, attrs) = validate_sign(m)?;
    let mut merged: BTreeMap<String, String> =
        signed_attributes(state, &owner, &auditor)?.into_iter().map(|a| (a.key, a.value)).collect();
    for a in attrs {
        merged.insert(a.key, a.value);
    }
    // The merged record holds at most MAX_ATTRIBUTES attributes.
    if merged.len() > MAX_ATTRIBUTES {
        return Err(AuditError::InvalidAttributes(format!(
            "the record would hold {} attributes, at most {MAX_ATTRIBUTES} allowed",
            merged.len()
        ))
        .into());
    }
    let list: Vec<Attribute> =
        merged.into_iter().map(|(key, value)| Attribute { key, value }).collect();
    set_signed_attributes(state, &owner, &auditor, &list)?;
    events.push(events::trusted_auditor_created(&owner, &auditor));
    Ok(())
}
