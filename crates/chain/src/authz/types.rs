//! The records the authz module stores: a deposit [`Grant`] and its [`DepositAuthorization`].

use dcloud_types::{AccAddress, Coins};
use serde::{Deserialize, Serialize};

/// The escrow account kinds a deposit authorization may fund.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DepositScope {
    /// Deployment escrow accounts.
    Deployment,
    /// Bid deposit escrow accounts.
    Bid,
}

/// What a deposit grant allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepositAuthorization {
    /// The most the grantee may still spend, per denom.
    pub spend_limits: Coins,
    /// The account kinds it may fund.
    pub scopes: Vec<DepositScope>,
}

/// A grant from `granter` to `grantee`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// Whose funds.
    pub granter: AccAddress,
    /// Who may spend them.
    pub grantee: AccAddress,
    /// The message type the grant is for ([`super::DEPOSIT_MSG_URL`]).
    pub msg_type_url: String,
    /// The authorization's type URL.
    pub authorization_type: String,
    /// The authorization.
    pub authorization: DepositAuthorization,
    /// Block time (ms since the Unix epoch) from which the grant is void; `None`: never.
    pub expiration_ms: Option<u64>,
}

impl Grant {
    /// Whether the grant has expired at block time `now_ms`.
    pub fn expired(&self, now_ms: u64) -> bool {
        self.expiration_ms.is_some_and(|e| now_ms >= e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_inclusive() {
        let a: AccAddress = AccAddress::from_bytes(&[1; 20]).unwrap();
        let g = Grant {
            granter: a.clone(),
            grantee: a,
            msg_type_url: String::new(),
            authorization_type: String::new(),
            authorization: DepositAuthorization { spend_limits: Coins::default(), scopes: vec![] },
            expiration_ms: Some(10),
        };
        assert!(!g.expired(9));
        assert!(g.expired(10));
        assert!(!Grant { expiration_ms: None, ..g }.expired(u64::MAX));
    }
}

/// The request of `/authz/grants`.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct GrantsReq {
    /// Only grants by this granter.
    pub granter: Option<String>,
    /// Only grants to this grantee.
    pub grantee: Option<String>,
}
