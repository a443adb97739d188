//! The deployment module's events (`EventDeploymentCreated`, `EventDeploymentUpdated`,
//! `EventDeploymentDeposit`, `EventDeploymentClosed`, `EventGroup*`): the attributes every
//! event of a deployment or group starts with.

use dcloud_types::Event;

use super::types::Deployment;

#[cfg_attr(not(feature = "state"), allow(dead_code))]
pub(crate) fn dep_event(kind: &str, d: &Deployment) -> Event {
    Event::new(kind).attr("owner", &d.owner).attr("dseq", d.dseq)
}

#[cfg_attr(not(feature = "state"), allow(dead_code))]
pub(crate) fn group_event(kind: &str, d: &Deployment, gseq: u32) -> Event {
    dep_event(kind, d).attr("gseq", gseq)
}
