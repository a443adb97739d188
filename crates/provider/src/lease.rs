//! Lease identity as the provider sees it: the workspace's market ids from `dcloud-types`
//! (`owner/dseq/gseq/oseq/provider`; a lease has its bid's id; `LeaseId::slug` is the short
//! DNS-safe name the provider derives its container, network and volume names from).

pub use dcloud_types::{IdError as ParseLeaseIdError, LeaseId, OrderId};
