//! The bank module's params: which denoms users may send, with the default and the
//! checks on them.

use serde::{Deserialize, Serialize};

/// Bank params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankParams {
    /// Whether denoms not listed in `send_enabled` can be sent.
    pub default_send_enabled: bool,
    /// Per-denom overrides.
    #[serde(default)]
    pub send_enabled: Vec<SendEnabled>,
}

impl Default for BankParams {
    fn default() -> Self {
        Self { default_send_enabled: true, send_enabled: Vec::new() }
    }
}

impl BankParams {
    /// Whether `denom` may be sent between accounts.
    pub fn is_send_enabled(&self, denom: &str) -> bool {
        self.send_enabled
            .iter()
            .find(|s| s.denom == denom)
            .map_or(self.default_send_enabled, |s| s.enabled)
    }
}

/// A per-denom send switch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendEnabled {
    /// Denomination.
    pub denom: String,
    /// Whether it can be sent.
    pub enabled: bool,
}

impl BankParams {
    /// Problems of the params (each prefixed `bank.params.`).
    pub fn validate(&self) -> Vec<String> {
        let mut errs = Vec::new();
        for (i, s) in self.send_enabled.iter().enumerate() {
            if let Err(e) = dcloud_types::coin::validate_denom(&s.denom) {
                errs.push(format!("bank.params.send_enabled[{i}]: {e}"));
            }
        }
        errs
    }
}

/// Denoms that users can never send to each other, whatever the params say: ACT is a
/// non-transferable compute credit (AEP-76). Module flows (`transfer`: escrow deposits
/// and payouts, BME) still move it.
pub const NON_TRANSFERABLE: &[&str] = &[dcloud_types::DENOM_ACT];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_enabled_overrides_the_default() {
        let p = BankParams {
            default_send_enabled: true,
            send_enabled: vec![SendEnabled { denom: "uakt".into(), enabled: false }],
        };
        assert!(!p.is_send_enabled("uakt"));
        assert!(p.is_send_enabled("uother"));
        assert!(p.validate().is_empty());
        let bad = BankParams {
            send_enabled: vec![SendEnabled { denom: "1".into(), enabled: true }],
            ..Default::default()
        };
        assert_eq!(bad.validate().len(), 1);
    }
}
