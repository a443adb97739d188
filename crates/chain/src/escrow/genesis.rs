//! Escrow's genesis section: its params (`app_state.escrow`), checked by
//! [`EscrowParams::validate`].

use super::params::EscrowParams;

/// Escrow's genesis section (`app_state.escrow`): its params.
pub type EscrowGenesis = EscrowParams;

/// Every broken rule of escrow's genesis section, prefixed with its JSON path.
pub fn validate_genesis(g: &EscrowGenesis) -> Vec<String> {
    g.validate().into_iter().map(|e| format!("app_state.escrow.{e}")).collect()
}
