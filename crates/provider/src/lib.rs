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
//!   TLS against on-chain certificates or ES256K JWTs.
//! * [`testimage`] — a busybox image built from the host's static busybox, for tests and
//!   the devnet (no registry needed).
//! * [`service`] — the daemon: watches the chain, bids, deploys, withdraws, reconciles.

pub mod backend;
pub mod bidengine;
pub mod config;
pub mod gateway;
pub mod ingress;
pub mod inventory;
pub mod lease;
pub mod pricing;
pub mod service;
pub mod testimage;

pub use lease::LeaseId;
