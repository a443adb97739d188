//! The short name the cluster derives from a lease id (for container, network and volume
//! names). The ids themselves are shared with the tenant side
//! ([`dcloud_client::tenant::lease`]) and re-exported at the crate root.

use crate::LeaseId;

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
