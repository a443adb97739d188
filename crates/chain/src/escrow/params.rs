//! Escrow's params, their defaults and `validate`, the only copy of their rules (genesis and
//! gov both call it).

use serde::{Deserialize, Serialize};

/// Escrow params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscrowParams {
    /// Share of every payout sent to the community pool, in basis points (0..=10000).
    pub take_rate_bps: u64,
    /// Blocks before exhaustion at which `EventEscrowLowFunds` warns the tenant.
    pub low_funds_warning_blocks: u64,
}

impl EscrowParams {
    /// Every broken rule, relative to the params object (empty = valid). The only copy of
    /// escrow's param checks: genesis and gov both call it.
    pub fn validate(&self) -> Vec<String> {
        let mut e = Vec::new();
        if self.take_rate_bps > 10_000 {
            e.push("take_rate_bps must be at most 10000".to_string());
        }
        e
    }
}

impl Default for EscrowParams {
    fn default() -> Self {
        Self { take_rate_bps: 0, low_funds_warning_blocks: 100 }
    }
}
