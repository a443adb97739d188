//! The mint invariants.

use dcloud_store::StateRead;

use super::state::{minter, params};
use super::NAME;
use crate::{auth, bank, staking, AppError};

/// Invariants: the mint module account holds nothing between blocks; inflation is within
/// the band.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    if !staking::enabled(state)? {
        return Ok(());
    }
    let p = params(state)?;
    let m = minter(state)?;
    if bank::balance(state, &auth::module_address(NAME), &p.mint_denom)? != 0 {
        return Err(AppError::Invariant("mint: the module account keeps minted coins".into()));
    }
    if m.total_minted > 0 && (m.inflation < p.inflation_min || m.inflation > p.inflation_max) {
        return Err(AppError::Invariant("mint: inflation outside its band".into()));
    }
    Ok(())
}
