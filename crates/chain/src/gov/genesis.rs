//! [`GovGenesis`]: gov's genesis section (`app_state.gov`).

use serde::{Deserialize, Serialize};

use super::GovParams;

/// `app_state.gov`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GovGenesis {
    /// Params.
    #[serde(default)]
    pub params: GovParams,
}
