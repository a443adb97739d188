//! `app_state.mint`: the mint params and the initial minter.

use serde::{Deserialize, Serialize};

use super::{MintParams, Minter};

/// `app_state.mint`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MintGenesis {
    /// Params.
    #[serde(default)]
    pub params: MintParams,
    /// Initial minter (inflation).
    #[serde(default)]
    pub minter: Minter,
}
