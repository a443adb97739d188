//! `MsgRevokeCertificate`: revoke a valid certificate (terminal).

use dcloud_proto::dcloud::cert as pb;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use crate::cert::state::set_certificate;
use crate::cert::{events, get_certificate, validate_revoke, CertError, CertState};
use crate::AppError;

/// Executes `MsgRevokeCertificate`.
pub fn deliver_revoke(
    state: &mut dyn StateWrite,
    m: &pb::MsgRevokeCertificate,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    // Stateless: owner address, decimal serial.
    let (owner, serial) = validate_revoke(m)?;
    // The certificate must exist…
    let mut c = get_certificate(state, &owner, &serial)?.ok_or_else(|| {
        CertError::NotFound(format!("{owner} has no certificate with serial {serial}"))
    })?;
    // …and still be valid: revoked is terminal.
    if c.state == CertState::Revoked {
        return Err(CertError::Revoked(format!("serial {serial} of {owner}")).into());
    }
    c.state = CertState::Revoked;
    set_certificate(state, &c)?;
    events.push(events::certificate_revoked(&owner, &serial));
    Ok(())
}
