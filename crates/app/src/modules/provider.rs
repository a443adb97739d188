//! The provider module: providers register their host URI, attributes and contact info.
//!
//! State: `0x30 ‖ len ‖ owner` → Provider (JSON).
//! Messages (to come with the registry work): create / update provider.

use dcloud_store::{StateRead, StateWrite};
use dcloud_types::AccAddress;
use serde::{Deserialize, Serialize};

use crate::AppError;

/// The module name.
pub const NAME: &str = "provider";

/// A key/value attribute (`region=us-west`, `capabilities/storage/1/class=beta2`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Attribute {
    /// Key.
    pub key: String,
    /// Value.
    pub value: String,
}

/// Contact info of a provider.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderInfo {
    /// Contact e-mail.
    #[serde(default)]
    pub email: String,
    /// Website.
    #[serde(default)]
    pub website: String,
}

/// A registered provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provider {
    /// The provider's account.
    pub owner: AccAddress,
    /// `https://host[:port]` of its API.
    pub host_uri: String,
    /// Self-declared attributes, sorted by key.
    pub attributes: Vec<Attribute>,
    /// Contact info.
    #[serde(default)]
    pub info: ProviderInfo,
}

fn provider_key(owner: &AccAddress) -> Vec<u8> {
    let b = owner.as_bytes();
    let mut k = Vec::with_capacity(2 + b.len());
    k.push(0x30);
    k.push(b.len() as u8);
    k.extend_from_slice(b);
    k
}

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

/// Writes a provider.
pub fn set_provider(state: &mut dyn StateWrite, p: &Provider) -> Result<(), AppError> {
    let b = serde_json::to_vec(p).map_err(|e| AppError::InvalidRequest(e.to_string()))?;
    state.put(provider_key(&p.owner), b);
    Ok(())
}

/// Lists providers in key order, paginated.
pub fn list_providers(
    state: &dyn StateRead,
    start_after: Option<&AccAddress>,
    limit: usize,
) -> Result<Vec<Provider>, AppError> {
    let after = start_after.map(provider_key);
    state
        .prefix_range(&[0x30], after.as_deref(), limit)?
        .into_iter()
        .map(|(_, v)| {
            serde_json::from_slice(&v).map_err(|e| AppError::ChainState(format!("provider: {e}")))
        })
        .collect()
}
