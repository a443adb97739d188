//! `MsgUpdateProvider`: replace a registered provider's host URI, attributes and info.

use dcloud_proto::dcloud::provider as pb;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use crate::provider::{events, get_provider, set_provider, validate_update, ProviderError};
use crate::AppError;

/// Executes `MsgUpdateProvider`: the provider must exist; everything is replaced.
pub fn deliver_update(
    state: &mut dyn StateWrite,
    m: &pb::MsgUpdateProvider,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    // Stateless: owner, host URI, attributes, info.
    let p = validate_update(m)?;
    // Only a registered provider can be updated.
    if get_provider(state, &p.owner)?.is_none() {
        return Err(ProviderError::NotFound(format!(
            "{} is not registered; use `tx provider create` first",
            p.owner
        ))
        .into());
    }
    set_provider(state, &p)?;
    events.push(events::provider_updated(&p.owner));
    Ok(())
}
