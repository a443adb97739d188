//! `MsgCreateProvider`: register the signer as a provider.

use dcloud_proto::dcloud::provider as pb;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use crate::provider::{events, get_provider, set_provider, validate_create, ProviderError};
use crate::AppError;

/// Executes `MsgCreateProvider`: fails if the owner is already a provider.
pub fn deliver_create(
    state: &mut dyn StateWrite,
    m: &pb::MsgCreateProvider,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    // Stateless: owner, host URI, attributes, info.
    let p = validate_create(m)?;
    // An owner registers once; changes go through `MsgUpdateProvider`.
    if get_provider(state, &p.owner)?.is_some() {
        return Err(ProviderError::Exists(format!(
            "{} is already registered; use `tx provider update` to change it",
            p.owner
        ))
        .into());
    }
    set_provider(state, &p)?;
    events.push(events::provider_created(&p.owner));
    Ok(())
}
