//! The deployment module's genesis section: its params (`app_state.deployment`), checked by
//! [`DeploymentParams::validate`].

use super::params::DeploymentParams;

/// The deployment module's genesis section (`app_state.deployment`): its params.
pub type DeploymentGenesis = DeploymentParams;

/// Every broken rule of the deployment genesis section, prefixed with its JSON path.
pub fn validate_genesis(g: &DeploymentGenesis) -> Vec<String> {
    g.validate().into_iter().map(|e| format!("app_state.deployment.{e}")).collect()
}
