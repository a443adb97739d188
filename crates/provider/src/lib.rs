//! The dcloud provider: bids on orders, runs the leases it wins in containers, serves their
//! tenants.
//!
//! Three layers, each a folder:
//!
//! * [`bidengine`] — sans-IO decisions: does an order fit (attributes, audits, GPU models,
//!   storage classes, capacity), at what price ([`bidengine::pricing`]), with what deposit;
//!   the capacity ledger ([`bidengine::inventory`]: reservations for open bids and running
//!   leases) and the per-order state machine ([`bidengine::OrderTracker`]).
//! * [`cluster`] — the container runtime behind the [`cluster::Backend`] trait:
//!   [`cluster::docker`] drives the Docker Engine API (Docker or Podman) with `bollard`,
//!   [`cluster::isolation`] keeps lease networks apart with iptables, [`cluster::engine`]
//!   finds or starts an engine, [`cluster::detect`] measures the host's capacity,
//!   [`cluster::testimage`] builds a busybox image for tests and the devnet.
//! * [`daemon`] — the long-running provider: [`daemon::config`] (`provider.yaml`),
//!   [`daemon::service`] (watches the chain through [`daemon::watcher`], bids, deploys,
//!   withdraws, reconciles; transactions through one [`daemon::txqueue`], durable bits in
//!   [`daemon::state`]), the tenant-facing HTTPS [`daemon::gateway`] (manifest, status,
//!   logs, shell; mutual TLS against on-chain certificates or ES256K JWTs) and the HTTP
//!   [`daemon::ingress`] that routes `Host:` names to lease containers.
//!
//! **Layering rule:** `bidengine` depends on nothing of `cluster` or `daemon`; `cluster`
//! depends on nothing of `daemon` (it may use the bid engine's plain capacity types). The
//! daemon wires both. The lease and order ids are shared with the tenant side
//! (`dcloud_client::tenant::lease`) and re-exported here. The tenant's client and what both
//! sides share (wire types, certificate and token formats) live in `dcloud_client::tenant`.

pub mod bidengine;
pub mod cluster;
pub mod daemon;

pub use cluster::LeaseSlug;
pub use dcloud_client::tenant::lease::{LeaseId, OrderId};

// The module paths from before the three-layer split, so that dependents keep compiling.
#[doc(no_inline)]
pub use bidengine::pricing;
#[doc(no_inline)]
pub use cluster as backend;
#[doc(no_inline)]
pub use cluster::{engine, testimage};
#[doc(no_inline)]
pub use daemon::gateway::{certs, jwt};
#[doc(no_inline)]
pub use daemon::{config, gateway, ingress, service, state, txqueue, watcher};
