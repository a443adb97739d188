<<<<<<< HEAD
//! Lease identity as the provider sees it: the ids (shared with the tenant side, from
//! [`dcloud_client::tenant::lease`]) and the provider's resource names derived from them.

pub use dcloud_client::tenant::lease::{LeaseId, OrderId, ParseLeaseIdError};

/// Names the provider derives from a lease id.
pub trait LeaseSlug {
    /// A short, DNS-safe, stable name for this lease (lowercase base32hex of SHA-256 of
    /// the id, 20 characters): used for container, network and volume names.
    fn slug(&self) -> String;
}

impl LeaseSlug for LeaseId {
    fn slug(&self) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(self.to_string().as_bytes());
        let mut s = data_encoding::BASE32HEX_NOPAD.encode(&digest).to_ascii_lowercase();
        s.truncate(20);
        s
    }
}
=======
//! Lease identity as the provider sees it: the workspace's market ids from `dcloud-types`
//! (`owner/dseq/gseq/oseq/provider`; a lease has its bid's id).

pub use dcloud_types::{IdError as ParseLeaseIdError, LeaseId, OrderId};
>>>>>>> h2-prim
