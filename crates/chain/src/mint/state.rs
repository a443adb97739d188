//! Typed reads (params, minter, Σ minted) and the writes of the mint state.

use dcloud_store::{StateRead, StateWrite};

use super::keys::MINTER;
use super::{MintGenesis, MintParams, Minter, NAME};
use crate::dec::{get_json, put_json};
use crate::{get_params, set_params, AppError};

/// Params.
pub fn params(state: &dyn StateRead) -> Result<MintParams, AppError> {
    get_params(state, NAME)
}

/// The minter.
pub fn minter(state: &dyn StateRead) -> Result<Minter, AppError> {
    Ok(get_json(state, MINTER, "minter")?.unwrap_or_default())
}

/// Σ uakt minted by this module (for supply accounting).
pub fn total_minted(state: &dyn StateRead) -> Result<u128, AppError> {
    minter(state).map(|m| m.total_minted)
}

/// Writes genesis.
pub fn init_genesis(state: &mut dyn StateWrite, g: &MintGenesis) -> Result<(), AppError> {
    set_params(state, NAME, &g.params)?;
    put_json(state, MINTER.to_vec(), &g.minter)
}

/// Stores the minter.
pub(crate) fn put_minter(state: &mut dyn StateWrite, m: &Minter) -> Result<(), AppError> {
    put_json(state, MINTER.to_vec(), m)
}
