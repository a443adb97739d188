//! The provider module's keeper. Read side: [`get_provider`], [`list_providers`] (what
//! other modules import). Write side: [`set_provider`] (the provider handlers; tests).

use dcloud_store::{StateRead, StateWrite};
use dcloud_types::AccAddress;

use super::keys::{provider_key, PROVIDER};
use super::Provider;
use crate::AppError;

// ---- read side -------------------------------------------------------------------------

/// Reads a provider.
pub fn get_provider(
    state: &dyn StateRead,
    owner: &AccAddress,
) -> Result<Option<Provider>, AppError> {
    match state.get(&provider_key(owner))? {
        Some(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| AppError::ChainState(format!("corrupt provider {owner}: {e}"))),
        None => Ok(None),
    }
}

/// Lists providers in key order, paginated.
pub fn list_providers(
    state: &dyn StateRead,
    start_after: Option<&AccAddress>,
    limit: usize,
) -> Result<Vec<Provider>, AppError> {
    let after = start_after.map(provider_key);
    state
        .prefix_range(&[PROVIDER], after.as_deref(), limit)?
        .into_iter()
        .map(|(_, v)| {
            serde_json::from_slice(&v).map_err(|e| AppError::ChainState(format!("provider: {e}")))
        })
        .collect()
}

// ---- write side ------------------------------------------------------------------------

/// Writes a provider.
pub fn set_provider(state: &mut dyn StateWrite, p: &Provider) -> Result<(), AppError> {
    let b = serde_json::to_vec(p).map_err(|e| AppError::InvalidRequest(e.to_string()))?;
    state.put(provider_key(&p.owner), b);
    Ok(())
}
