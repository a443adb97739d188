//! The cert module's keeper. Read side: [`get_certificate`], [`list`] (providers read
//! certificates through queries). Write side: [`set_certificate`] (the cert handlers only).

use dcloud_store::{StateRead, StateWrite};
use dcloud_types::AccAddress;

use super::keys::{cert_key, owner_prefix, CERT};
use super::{CertFilter, CertState, Certificate};
use crate::AppError;

// ---- read side -------------------------------------------------------------------------

/// Reads a certificate.
pub fn get_certificate(
    state: &dyn StateRead,
    owner: &AccAddress,
    serial: &str,
) -> Result<Option<Certificate>, AppError> {
    match state.get(&cert_key(owner, serial))? {
        Some(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| AppError::ChainState(format!("corrupt certificate: {e}"))),
        None => Ok(None),
    }
}

/// Certificates matching `filter`, in key order (owner, serial), at most `limit`.
pub fn list(
    state: &dyn StateRead,
    filter: &CertFilter,
    limit: usize,
) -> Result<Vec<Certificate>, AppError> {
    let owner = filter.owner.as_deref().map(|o| crate::parse_addr(o, "owner")).transpose()?;
    let want_state = filter.state.as_deref().map(str::parse::<CertState>).transpose()?;
    if let (Some(o), Some(s)) = (&owner, &filter.serial) {
        return Ok(get_certificate(state, o, s)?
            .into_iter()
            .filter(|c| want_state.is_none_or(|w| w == c.state))
            .collect());
    }
    let prefix = owner.as_ref().map_or_else(|| vec![CERT], owner_prefix);
    let mut out = Vec::new();
    for (_, v) in state.prefix_range(&prefix, None, usize::MAX)? {
        let c: Certificate = serde_json::from_slice(&v)
            .map_err(|e| AppError::ChainState(format!("corrupt certificate: {e}")))?;
        if want_state.is_some_and(|w| w != c.state)
            || filter.serial.as_ref().is_some_and(|s| s != &c.serial)
        {
            continue;
        }
        out.push(c);
        if out.len() >= limit {
            break;
        }
    }
    Ok(out)
}

// ---- write side ------------------------------------------------------------------------

/// Writes a certificate under its (owner, serial) key.
pub(super) fn set_certificate(state: &mut dyn StateWrite, c: &Certificate) -> Result<(), AppError> {
    let b = serde_json::to_vec(c).map_err(|e| AppError::InvalidRequest(e.to_string()))?;
    state.put(cert_key(&c.owner, &c.serial), b);
    Ok(())
}
