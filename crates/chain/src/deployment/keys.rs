//! Every store key of the deployment module: `0x20 ‖ len ‖ owner ‖ dseq` → deployment.

use dcloud_types::AccAddress;

use super::types::dep_key;

/// `0x20 ‖ len ‖ owner ‖ dseq` → [`Deployment`](super::Deployment) (JSON, groups inline).
pub const DEPLOYMENT: u8 = 0x20;

/// Every key prefix the deployment module owns.
pub const PREFIXES: &[u8] = &[DEPLOYMENT];

/// `0x20 ‖ len ‖ owner ‖ dseq`.
pub fn key(owner: &AccAddress, dseq: u64) -> Vec<u8> {
    let mut k = vec![DEPLOYMENT];
    k.extend_from_slice(&dep_key(owner, dseq));
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_the_prefixed_deployment_id() {
        let a = AccAddress::from_bytes(&[5u8; 20]).unwrap();
        let k = key(&a, 7);
        assert_eq!(k[0], DEPLOYMENT);
        assert_eq!(&k[1..], dep_key(&a, 7).as_slice());
        assert_eq!(&k[k.len() - 8..], &7u64.to_be_bytes());
    }
}
