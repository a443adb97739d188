//! The audit module: auditors sign attributes of providers; tenants trust auditors through
//! `signedBy` in their SDL placement.
//!
//! State: `0x31 ‖ len ‖ provider ‖ len ‖ auditor` → sorted attributes (JSON).
//! Messages (signer: the auditor; anyone may audit, tenants choose whom to trust):
//! `MsgSignProviderAttributes` merges attributes into the record (new keys added, existing
//! overwritten, stored sorted); `MsgDeleteProviderAttributes` withdraws keys (each must be
//! signed; no keys withdraws the whole record; an emptied record is deleted).
//! Events: `EventTrustedAuditorCreated` / `EventTrustedAuditorDeleted` with `owner`, `auditor`.

mod module;
pub mod query;
pub use module::AuditModule;

use dcloud_proto::dcloud::audit as pb;
use dcloud_store::{StateRead, StateWrite};
use dcloud_types::{AccAddress, Event};
use serde::{Deserialize, Serialize};

use crate::provider::{self, Attribute, MAX_ATTRIBUTES};
use crate::AppError;

/// What an auditor signed for a provider (query answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditedAttributes {
    /// The provider.
    pub owner: AccAddress,
    /// The auditor.
    pub auditor: AccAddress,
    /// Signed attributes, sorted by key.
    pub attributes: Vec<Attribute>,
}

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
        return Err(AppError::AuditInvalidAttributes("no attributes to sign".into()));
    }
    let attrs = provider::validate_attributes(&m.attributes, AppError::AuditInvalidAttributes)?;
    Ok((o, a, attrs))
}

/// Stateless checks of `MsgDeleteProviderAttributes`.
pub fn validate_delete(
    m: &pb::MsgDeleteProviderAttributes,
) -> Result<(AccAddress, AccAddress), AppError> {
    let pair = parse_pair(&m.owner, &m.auditor)?;
    if m.keys.len() > MAX_ATTRIBUTES {
        return Err(AppError::AuditInvalidAttributes(format!(
            "{} keys, at most {MAX_ATTRIBUTES} allowed",
            m.keys.len()
        )));
    }
    let mut seen = std::collections::BTreeSet::new();
    for k in &m.keys {
        if !provider::is_valid_attribute_key(k) {
            return Err(AppError::AuditInvalidAttributes(format!("invalid key {k:?}")));
        }
        if !seen.insert(k) {
            return Err(AppError::AuditInvalidAttributes(format!("duplicate key {k:?}")));
        }
    }
    Ok(pair)
}

/// Executes `MsgSignProviderAttributes`: merge into the auditor's record on the provider.
pub fn deliver_sign(
    state: &mut dyn StateWrite,
    m: &pb::MsgSignProviderAttributes,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let (owner, auditor, attrs) = validate_sign(m)?;
    let mut merged: std::collections::BTreeMap<String, String> =
        signed_attributes(state, &owner, &auditor)?.into_iter().map(|a| (a.key, a.value)).collect();
    for a in attrs {
        merged.insert(a.key, a.value);
    }
    if merged.len() > MAX_ATTRIBUTES {
        return Err(AppError::AuditInvalidAttributes(format!(
            "the record would hold {} attributes, at most {MAX_ATTRIBUTES} allowed",
            merged.len()
        )));
    }
    let list: Vec<Attribute> =
        merged.into_iter().map(|(key, value)| Attribute { key, value }).collect();
    set_signed_attributes(state, &owner, &auditor, &list)?;
    events.push(
        Event::new("EventTrustedAuditorCreated")
            .attr("module", NAME)
            .attr("owner", &owner)
            .attr("auditor", &auditor),
    );
    Ok(())
}

/// Executes `MsgDeleteProviderAttributes`.
pub fn deliver_delete(
    state: &mut dyn StateWrite,
    m: &pb::MsgDeleteProviderAttributes,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let (owner, auditor) = validate_delete(m)?;
    let mut attrs = signed_attributes(state, &owner, &auditor)?;
    if attrs.is_empty() {
        return Err(AppError::AuditRecordNotFound(format!(
            "auditor {auditor} has signed no attributes of provider {owner}"
        )));
    }
    if m.keys.is_empty() {
        attrs.clear();
    }
    for k in &m.keys {
        let before = attrs.len();
        attrs.retain(|a| &a.key != k);
        if attrs.len() == before {
            return Err(AppError::AuditAttributeNotFound(format!(
                "auditor {auditor} has not signed {k:?} for provider {owner}"
            )));
        }
    }
    set_signed_attributes(state, &owner, &auditor, &attrs)?;
    events.push(
        Event::new("EventTrustedAuditorDeleted")
            .attr("module", NAME)
            .attr("owner", &owner)
            .attr("auditor", &auditor),
    );
    Ok(())
}

fn decode_record(k: &[u8], v: &[u8]) -> Result<AuditedAttributes, AppError> {
    let bad = || AppError::ChainState("corrupt audit key".into());
    let n = *k.get(1).ok_or_else(bad)? as usize;
    let owner = AccAddress::from_bytes(k.get(2..2 + n).ok_or_else(bad)?).map_err(|_| bad())?;
    let m = *k.get(2 + n).ok_or_else(bad)? as usize;
    let auditor =
        AccAddress::from_bytes(k.get(3 + n..3 + n + m).ok_or_else(bad)?).map_err(|_| bad())?;
    if k.len() != 3 + n + m {
        return Err(bad());
    }
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
    let prefix = match provider {
        Some(p) => {
            let mut k = vec![0x31];
            push_addr(&mut k, p);
            k
        }
        None => vec![0x31],
    };
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

/// Invariants: every record decodes, is non-empty and sorted by unique key.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    for (k, v) in state.prefix_range(&[0x31], None, usize::MAX)? {
        let r = decode_record(&k, &v).map_err(|e| AppError::Invariant(e.to_string()))?;
        if r.attributes.is_empty() || r.attributes.windows(2).any(|w| w[0].key >= w[1].key) {
            return Err(AppError::Invariant(format!(
                "audit record {} by {} is empty or unsorted",
                r.owner, r.auditor
            )));
        }
    }
    Ok(())
}
