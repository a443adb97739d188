//! Lease and order ids as the gateway API and both its sides (tenant, provider) use them.

use std::fmt;
use std::str::FromStr;

use crate::market::BidRef;
use dcloud_types::AccAddress;
use serde::{Deserialize, Serialize};

/// `owner/dseq/gseq/oseq/provider`, the id of a lease (and of the bid it came from).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LeaseId {
    /// Deployment owner (the tenant).
    pub owner: AccAddress,
    /// Deployment sequence.
    pub dseq: u64,
    /// Group sequence.
    pub gseq: u32,
    /// Order sequence.
    pub oseq: u32,
    /// The provider holding the lease.
    pub provider: AccAddress,
}

impl LeaseId {
    /// The bid / lease reference used by the client's message builders.
    pub fn bid_ref(&self) -> BidRef {
        BidRef {
            owner: self.owner.clone(),
            dseq: self.dseq,
            gseq: self.gseq,
            oseq: self.oseq,
            provider: self.provider.clone(),
        }
    }
}

impl fmt::Display for LeaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}/{}/{}", self.owner, self.dseq, self.gseq, self.oseq, self.provider)
    }
}

/// Error parsing a [`LeaseId`].
#[derive(Debug, thiserror::Error)]
#[error("invalid lease id {0:?}: expected owner/dseq/gseq/oseq/provider")]
pub struct ParseLeaseIdError(String);

impl FromStr for LeaseId {
    type Err = ParseLeaseIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseLeaseIdError(s.to_string());
        let parts: Vec<&str> = s.split('/').collect();
        if parts.len() != 5 {
            return Err(err());
        }
        Ok(LeaseId {
            owner: parts[0].parse().map_err(|_| err())?,
            dseq: parts[1].parse().map_err(|_| err())?,
            gseq: parts[2].parse().map_err(|_| err())?,
            oseq: parts[3].parse().map_err(|_| err())?,
            provider: parts[4].parse().map_err(|_| err())?,
        })
    }
}

/// `owner/dseq/gseq/oseq`, the id of an order (a bid or lease adds the provider).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OrderId {
    /// Deployment owner (the tenant).
    pub owner: AccAddress,
    /// Deployment sequence.
    pub dseq: u64,
    /// Group sequence.
    pub gseq: u32,
    /// Order sequence.
    pub oseq: u32,
}

impl OrderId {
    /// The id of `provider`'s bid on (and lease of) this order.
    pub fn lease_id(&self, provider: &AccAddress) -> LeaseId {
        LeaseId {
            owner: self.owner.clone(),
            dseq: self.dseq,
            gseq: self.gseq,
            oseq: self.oseq,
            provider: provider.clone(),
        }
    }
}

impl LeaseId {
    /// The order this lease (or bid) belongs to.
    pub fn order_id(&self) -> OrderId {
        OrderId { owner: self.owner.clone(), dseq: self.dseq, gseq: self.gseq, oseq: self.oseq }
    }
}

impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}/{}", self.owner, self.dseq, self.gseq, self.oseq)
    }
}
