//! `MsgCreateCertificate`: publish a certificate under a serial the owner never used.

use dcloud_proto::dcloud::cert as pb;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use crate::cert::state::set_certificate;
use crate::cert::{events, get_certificate, validate_create, CertError, CertState, Certificate};
use crate::AppError;

/// Executes `MsgCreateCertificate`.
pub fn deliver_create(
    state: &mut dyn StateWrite,
    m: &pb::MsgCreateCertificate,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    // Stateless: owner address, PEM, P-256 key, self-signature, subject CN = owner.
    let (owner, v) = validate_create(m)?;
    // A serial stays taken once used, in any state.
    if let Some(c) = get_certificate(state, &owner, &v.serial)? {
        return Err(CertError::Exists(format!(
            "{owner} already published serial {} ({:?}); generate a new certificate",
            v.serial, c.state
        ))
        .into());
    }
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    set_certificate(
        state,
        &Certificate {
            owner: owner.clone(),
            serial: v.serial.clone(),
            state: CertState::Valid,
            cert: text(&m.cert),
            pubkey: text(&m.pubkey),
        },
    )?;
    events.push(events::certificate_created(&owner, &v.serial));
    Ok(())
}
