//! The dcloud provider daemon.
//!
//! * [`config`] — `provider.yaml` (and `dcloud provider init`'s commented example).
//! * [`bidengine`] — sans-IO bid decisions: does an order fit (attributes, audits, GPU
//!   models, storage classes, capacity), and at what price ([`pricing`]).
//! * [`inventory`] — capacity (configured or detected, NVIDIA GPUs through NVML) and
//!   reservations for open bids and running leases.
//! * [`backend`] — the container runtime behind a [`backend::Backend`] trait; `docker`
//!   talks to the Docker Engine API (Docker or Podman) with `bollard`.
//! * [`ingress`] — the HTTP reverse proxy that routes `Host:` names to lease containers.
//! * [`gateway`] — the tenant-facing HTTPS API (manifest, status, logs, shell) with mutual
//!   TLS against on-chain certificates or ES256K JWTs ([`jwt`] authorizes them); [`certs`]
//!   makes the provider's certificate. The tenant's client and what both sides share
//!   (wire types, certificate and token formats) live in `dcloud_client::tenant`.
//! * [`testimage`] — a busybox image built from the host's static busybox, for tests and
//!   the devnet (no registry needed).
//! * [`service`] — the daemon: watches the chain ([`watcher`]), bids, deploys, withdraws,
//!   reconciles; its transactions go through one [`txqueue`], its durable bits in [`state`];
//!   [`engine`] finds or starts a container engine.

pub mod backend;
pub mod bidengine;
pub mod certs;
pub mod config;
pub mod engine;
pub mod gateway;
pub mod ingress;
pub mod inventory;
pub mod jwt;
pub mod lease;
pub mod pricing;
pub mod service;
pub mod state;
pub mod testimage;
mod tls;
pub mod txqueue;
pub mod watcher;

pub use lease::{LeaseId, OrderId};

#[cfg(test)]
pub(crate) mod testutil {
    //! Builders for group specs in unit tests.
    use dcloud_app::modules::deployment::{GroupSpec, ResourceUnit, SignedBy};
    use dcloud_app::modules::provider::Attribute;
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
            price_atto: 100 * dcloud_app::modules::escrow::ATTO,
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
}
