//! Lease and order ids as the gateway API and both its sides (tenant, provider) use them:
//! the workspace's market ids from `dcloud-types` (`owner/dseq/gseq/oseq/provider`; a lease
//! has its bid's id).

pub use dcloud_types::{IdError as ParseLeaseIdError, LeaseId, OrderId};
