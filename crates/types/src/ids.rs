//! Market ids: [`DeploymentId`], [`GroupId`], [`OrderId`] and [`BidId`] (a lease has its
//! bid's id, [`LeaseId`]), with their binary store keys and their `owner/dseq/…` text form.
//!
//! Binary keys (the layout the market and deployment modules store under):
//! - deployment: `len ‖ owner ‖ dseq` (`len` one byte, `dseq` 8 bytes big endian)
//! - group: `deployment ‖ gseq` (4 bytes big endian)
//! - order: `deployment ‖ gseq ‖ oseq` (4 bytes big endian each)
//! - bid / lease: `order ‖ len ‖ provider`
//!
//! For owners of one address length (20 bytes for key accounts) the byte order of keys is
//! the derived `Ord` of the ids: owner bytes, then the sequence numbers numerically.
//!
//! Text form (CLI, logs, events): `owner/dseq`, `owner/dseq/gseq`, `owner/dseq/gseq/oseq`
//! and `owner/dseq/gseq/oseq/provider`, addresses in bech32. Serde is the plain struct
//! (`{"owner":…,"dseq":…}`), the shape every existing JSON record uses.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::AccAddress;

/// A string is not an id of the expected kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind} id {input:?}: expected {form}")]
pub struct IdError {
    /// Which id (`deployment`, `group`, `order`, `lease`).
    pub kind: &'static str,
    /// The expected form, e.g. `owner/dseq/gseq/oseq/provider`.
    pub form: &'static str,
    /// The offending input.
    pub input: String,
}

/// A byte string is not the binary key of an id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed {kind} key {key}")]
pub struct KeyError {
    /// Which id.
    pub kind: &'static str,
    /// The key, in hex.
    pub key: String,
}

/// Reads `len ‖ address` from the front of `k`.
fn take_addr(k: &[u8]) -> Option<(AccAddress, &[u8])> {
    let (&n, rest) = k.split_first()?;
    let n = usize::from(n);
    if rest.len() < n {
        return None;
    }
    let a = AccAddress::from_bytes(&rest[..n]).ok()?;
    Some((a, &rest[n..]))
}

fn take_u64(k: &[u8]) -> Option<(u64, &[u8])> {
    let (b, rest) = k.split_first_chunk::<8>()?;
    Some((u64::from_be_bytes(*b), rest))
}

fn take_u32(k: &[u8]) -> Option<(u32, &[u8])> {
    let (b, rest) = k.split_first_chunk::<4>()?;
    Some((u32::from_be_bytes(*b), rest))
}

fn push_addr(k: &mut Vec<u8>, a: &AccAddress) {
    let b = a.as_bytes();
    // Addresses are 20 or 32 bytes (`AccAddress::from_bytes`), so the length fits a byte.
    k.push(b.len() as u8);
    k.extend_from_slice(b);
}

/// Splits `s` at `/` into exactly `N` parts.
fn parts<const N: usize>(s: &str) -> Option<[&str; N]> {
    let v: Vec<&str> = s.split('/').collect();
    v.try_into().ok()
}

macro_rules! key_codec {
    ($t:ty, $kind:literal) => {
        impl $t {
            /// Decodes the id at the front of `key`, returning it and the bytes after it.
            pub fn split_key(key: &[u8]) -> Result<(Self, &[u8]), KeyError> {
                Self::take(key).ok_or_else(|| KeyError { kind: $kind, key: hex::encode(key) })
            }

            /// Decodes a key that is exactly this id's [`key`](Self::key).
            pub fn from_key(key: &[u8]) -> Result<Self, KeyError> {
                match Self::take(key) {
                    Some((id, [])) => Ok(id),
                    _ => Err(KeyError { kind: $kind, key: hex::encode(key) }),
                }
            }
        }
    };
}

/// A deployment: its owner (the tenant) and the owner-chosen sequence number.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DeploymentId {
    /// Deployment owner (the tenant).
    pub owner: AccAddress,
    /// Deployment sequence.
    pub dseq: u64,
}

impl DeploymentId {
    /// `len ‖ owner ‖ dseq`: the binary id every market key starts with.
    pub fn key(&self) -> Vec<u8> {
        let mut k = Vec::with_capacity(1 + self.owner.as_bytes().len() + 8);
        push_addr(&mut k, &self.owner);
        k.extend_from_slice(&self.dseq.to_be_bytes());
        k
    }

    fn take(k: &[u8]) -> Option<(Self, &[u8])> {
        let (owner, k) = take_addr(k)?;
        let (dseq, k) = take_u64(k)?;
        Some((Self { owner, dseq }, k))
    }

    /// The id of group `gseq` of this deployment.
    pub fn group_id(&self, gseq: u32) -> GroupId {
        GroupId { owner: self.owner.clone(), dseq: self.dseq, gseq }
    }
}
key_codec!(DeploymentId, "deployment");

/// A group of a deployment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct GroupId {
    /// Deployment owner (the tenant).
    pub owner: AccAddress,
    /// Deployment sequence.
    pub dseq: u64,
    /// Group sequence.
    pub gseq: u32,
}

impl GroupId {
    /// `deployment ‖ gseq`.
    pub fn key(&self) -> Vec<u8> {
        let mut k = self.deployment_id().key();
        k.extend_from_slice(&self.gseq.to_be_bytes());
        k
    }

    fn take(k: &[u8]) -> Option<(Self, &[u8])> {
        let (d, k) = DeploymentId::take(k)?;
        let (gseq, k) = take_u32(k)?;
        Some((d.group_id(gseq), k))
    }

    /// The deployment this group belongs to.
    pub fn deployment_id(&self) -> DeploymentId {
        DeploymentId { owner: self.owner.clone(), dseq: self.dseq }
    }

    /// The id of order `oseq` of this group.
    pub fn order_id(&self, oseq: u32) -> OrderId {
        OrderId { owner: self.owner.clone(), dseq: self.dseq, gseq: self.gseq, oseq }
    }
}
key_codec!(GroupId, "group");

/// An order: one auction round of a group (the chain opens a new order, with the next
/// `oseq`, when a group goes back to auction).
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
    /// `deployment ‖ gseq ‖ oseq`.
    pub fn key(&self) -> Vec<u8> {
        let mut k = self.group_id().key();
        k.extend_from_slice(&self.oseq.to_be_bytes());
        k
    }

    fn take(k: &[u8]) -> Option<(Self, &[u8])> {
        let (g, k) = GroupId::take(k)?;
        let (oseq, k) = take_u32(k)?;
        Some((g.order_id(oseq), k))
    }

    /// The deployment this order belongs to.
    pub fn deployment_id(&self) -> DeploymentId {
        DeploymentId { owner: self.owner.clone(), dseq: self.dseq }
    }

    /// The group this order belongs to.
    pub fn group_id(&self) -> GroupId {
        GroupId { owner: self.owner.clone(), dseq: self.dseq, gseq: self.gseq }
    }

    /// The id of `provider`'s bid on (and lease of) this order.
    pub fn bid_id(&self, provider: &AccAddress) -> BidId {
        BidId {
            owner: self.owner.clone(),
            dseq: self.dseq,
            gseq: self.gseq,
            oseq: self.oseq,
            provider: provider.clone(),
        }
    }
}
key_codec!(OrderId, "order");

/// A provider's bid on an order; the lease created from a bid has the same id
/// ([`LeaseId`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct BidId {
    /// Deployment owner (the tenant).
    pub owner: AccAddress,
    /// Deployment sequence.
    pub dseq: u64,
    /// Group sequence.
    pub gseq: u32,
    /// Order sequence.
    pub oseq: u32,
    /// The provider that bid (and holds the lease).
    pub provider: AccAddress,
}

/// A lease is identified by the bid it was created from.
pub type LeaseId = BidId;

impl BidId {
    /// `order ‖ len ‖ provider`.
    pub fn key(&self) -> Vec<u8> {
        let mut k = self.order_id().key();
        push_addr(&mut k, &self.provider);
        k
    }

    fn take(k: &[u8]) -> Option<(Self, &[u8])> {
        let (o, k) = OrderId::take(k)?;
        let (provider, k) = take_addr(k)?;
        Some((o.bid_id(&provider), k))
    }

    /// The deployment this bid belongs to.
    pub fn deployment_id(&self) -> DeploymentId {
        DeploymentId { owner: self.owner.clone(), dseq: self.dseq }
    }

    /// The group this bid belongs to.
    pub fn group_id(&self) -> GroupId {
        GroupId { owner: self.owner.clone(), dseq: self.dseq, gseq: self.gseq }
    }

    /// The order this bid (or lease) belongs to.
    pub fn order_id(&self) -> OrderId {
        OrderId { owner: self.owner.clone(), dseq: self.dseq, gseq: self.gseq, oseq: self.oseq }
    }
}
key_codec!(BidId, "bid");

impl fmt::Display for DeploymentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.owner, self.dseq)
    }
}

impl fmt::Display for GroupId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.owner, self.dseq, self.gseq)
    }
}

impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}/{}", self.owner, self.dseq, self.gseq, self.oseq)
    }
}

impl fmt::Display for BidId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}/{}/{}", self.owner, self.dseq, self.gseq, self.oseq, self.provider)
    }
}

impl FromStr for DeploymentId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || IdError { kind: "deployment", form: "owner/dseq", input: s.to_string() };
        let [owner, dseq] = parts(s).ok_or_else(err)?;
        Ok(Self {
            owner: owner.parse().map_err(|_| err())?,
            dseq: dseq.parse().map_err(|_| err())?,
        })
    }
}

impl FromStr for GroupId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || IdError { kind: "group", form: "owner/dseq/gseq", input: s.to_string() };
        let [owner, dseq, gseq] = parts(s).ok_or_else(err)?;
        Ok(Self {
            owner: owner.parse().map_err(|_| err())?,
            dseq: dseq.parse().map_err(|_| err())?,
            gseq: gseq.parse().map_err(|_| err())?,
        })
    }
}

impl FromStr for OrderId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || IdError { kind: "order", form: "owner/dseq/gseq/oseq", input: s.to_string() };
        let [owner, dseq, gseq, oseq] = parts(s).ok_or_else(err)?;
        Ok(Self {
            owner: owner.parse().map_err(|_| err())?,
            dseq: dseq.parse().map_err(|_| err())?,
            gseq: gseq.parse().map_err(|_| err())?,
            oseq: oseq.parse().map_err(|_| err())?,
        })
    }
}

impl FromStr for BidId {
    type Err = IdError;
    /// `owner/dseq/gseq/oseq/provider`; the error reads "invalid lease id …", as the
    /// provider's lease ids always have.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || IdError {
            kind: "lease",
            form: "owner/dseq/gseq/oseq/provider",
            input: s.to_string(),
        };
        let [owner, dseq, gseq, oseq, provider] = parts(s).ok_or_else(err)?;
        Ok(Self {
            owner: owner.parse().map_err(|_| err())?,
            dseq: dseq.parse().map_err(|_| err())?,
            gseq: gseq.parse().map_err(|_| err())?,
            oseq: oseq.parse().map_err(|_| err())?,
            provider: provider.parse().map_err(|_| err())?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn addr(b: u8) -> AccAddress {
        AccAddress::from_bytes(&[b; 20]).unwrap()
    }

    fn bid(owner: u8, dseq: u64, gseq: u32, oseq: u32, provider: u8) -> BidId {
        DeploymentId { owner: addr(owner), dseq }
            .group_id(gseq)
            .order_id(oseq)
            .bid_id(&addr(provider))
    }

    #[test]
    fn keys_have_the_market_layout() {
        let b = bid(7, 0x0102, 3, 4, 9);
        let mut dep = vec![20u8];
        dep.extend_from_slice(&[7; 20]);
        dep.extend_from_slice(&[0, 0, 0, 0, 0, 0, 1, 2]);
        assert_eq!(b.deployment_id().key(), dep);
        let mut group = dep.clone();
        group.extend_from_slice(&[0, 0, 0, 3]);
        assert_eq!(b.group_id().key(), group);
        let mut order = group.clone();
        order.extend_from_slice(&[0, 0, 0, 4]);
        assert_eq!(b.order_id().key(), order);
        let mut bk = order.clone();
        bk.push(20);
        bk.extend_from_slice(&[9; 20]);
        assert_eq!(b.key(), bk);

        assert_eq!(BidId::from_key(&bk).unwrap(), b);
        assert_eq!(OrderId::from_key(&order).unwrap(), b.order_id());
        assert_eq!(GroupId::from_key(&group).unwrap(), b.group_id());
        assert_eq!(DeploymentId::from_key(&dep).unwrap(), b.deployment_id());
        // A longer key is refused by from_key, split by split_key.
        assert!(DeploymentId::from_key(&bk).is_err());
        let (d, rest) = DeploymentId::split_key(&bk).unwrap();
        assert_eq!(d, b.deployment_id());
        assert_eq!(rest, &bk[dep.len()..]);
        // Truncated keys and bad address lengths are refused.
        assert!(BidId::from_key(&bk[..bk.len() - 1]).is_err());
        assert!(OrderId::from_key(&order[..order.len() - 1]).is_err());
        assert!(DeploymentId::from_key(&[]).is_err());
        let mut bad = dep.clone();
        bad[0] = 3;
        assert!(DeploymentId::from_key(&bad).is_err());
        assert_eq!(
            DeploymentId::from_key(&[5]).unwrap_err().to_string(),
            "malformed deployment key 05"
        );
    }

    #[test]
    fn text_form_round_trips() {
        let b = bid(1, 42, 1, 2, 3);
        let s = b.to_string();
        assert_eq!(s, format!("{}/42/1/2/{}", addr(1), addr(3)));
        assert_eq!(s.parse::<BidId>().unwrap(), b);
        assert_eq!(b.order_id().to_string().parse::<OrderId>().unwrap(), b.order_id());
        assert_eq!(b.group_id().to_string().parse::<GroupId>().unwrap(), b.group_id());
        assert_eq!(
            b.deployment_id().to_string().parse::<DeploymentId>().unwrap(),
            b.deployment_id()
        );
        assert_eq!(
            "x/1/2/3".parse::<BidId>().unwrap_err().to_string(),
            "invalid lease id \"x/1/2/3\": expected owner/dseq/gseq/oseq/provider"
        );
        assert!(format!("{}/1/2", addr(1)).parse::<OrderId>().is_err());
        assert!(format!("{}/-1", addr(1)).parse::<DeploymentId>().is_err());
        assert!(format!("{}/1/2/3/{}/x", addr(1), addr(2)).parse::<BidId>().is_err());
    }

    #[test]
    fn serde_is_the_flat_struct() {
        let b = bid(1, 42, 1, 2, 3);
        let j = serde_json::to_string(&b).unwrap();
        assert_eq!(
            j,
            format!(
                r#"{{"owner":"{}","dseq":42,"gseq":1,"oseq":2,"provider":"{}"}}"#,
                addr(1),
                addr(3)
            )
        );
        assert_eq!(serde_json::from_str::<BidId>(&j).unwrap(), b);
    }

    proptest! {
        #[test]
        fn key_order_is_numeric_order(
            a in (0u8..3, any::<u64>(), any::<u32>(), any::<u32>(), 0u8..3),
            b in (0u8..3, any::<u64>(), any::<u32>(), any::<u32>(), 0u8..3),
        ) {
            let x = bid(a.0, a.1, a.2, a.3, a.4);
            let y = bid(b.0, b.1, b.2, b.3, b.4);
            prop_assert_eq!(x.key().cmp(&y.key()), x.cmp(&y));
            prop_assert_eq!(x.order_id().key().cmp(&y.order_id().key()), x.order_id().cmp(&y.order_id()));
            prop_assert_eq!(x.group_id().key().cmp(&y.group_id().key()), x.group_id().cmp(&y.group_id()));
            prop_assert_eq!(
                x.deployment_id().key().cmp(&y.deployment_id().key()),
                x.deployment_id().cmp(&y.deployment_id())
            );
            prop_assert_eq!(BidId::from_key(&x.key()).unwrap(), x.clone());
            prop_assert_eq!(x.to_string().parse::<BidId>().unwrap(), x);
        }
    }
}
