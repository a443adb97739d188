//! Builders for group specs in unit tests of the bid engine.

use dcloud_chain::deployment::{GroupSpec, ResourceUnit, SignedBy};
use dcloud_chain::provider::Attribute;
use dcloud_types::AccAddress;

use crate::OrderId;

/// An attribute.
pub fn attr(k: &str, v: &str) -> Attribute {
    Attribute { key: k.into(), value: v.into() }
}

/// A test address (`n` distinct bytes).
pub fn addr(n: u8) -> AccAddress {
    AccAddress::from_bytes(&[n; 20]).expect("20-byte address")
}

/// Order `dseq` of owner 1.
pub fn order(dseq: u64) -> OrderId {
    OrderId { owner: addr(1), dseq, gseq: 1, oseq: 1 }
}

/// A unit: `cpu` millicores, `mem` bytes, one ephemeral volume of `disk` bytes, one
/// endpoint, `count` replicas at 100 micro-units.
pub fn unit(cpu: u64, mem: u64, disk: u64, count: u32) -> ResourceUnit {
    ResourceUnit {
        cpu_millis: cpu,
        memory_bytes: mem,
        storage: vec![("default".into(), disk)],
        storage_attributes: vec![],
        gpu_units: 0,
        gpu_attributes: vec![],
        endpoints: 1,
        ip_endpoints: 0,
        count,
        price_atto: 100 * dcloud_chain::escrow::ATTO,
    }
}

/// A group of `units` in `uact`, max price Σ price × count.
pub fn group(units: Vec<ResourceUnit>) -> GroupSpec {
    let max = units.iter().map(|u| u.price_atto * u128::from(u.count)).sum();
    GroupSpec {
        name: "web".into(),
        signed_by: SignedBy::default(),
        attributes: vec![],
        resources: units,
        denom: "uact".into(),
        max_price_atto: max,
    }
}
