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
//!   TLS against on-chain certificates or ES256K JWTs ([`jwt`]); [`certs`] generates the
//!   certificates both sides publish on chain.
//! * [`tenant`] — the tenant's client for a provider's gateway ([`tenant::ProviderClient`]),
//!   pinning the provider's on-chain certificate.
//! * [`service`] — the daemon: watches the chain, bids, deploys, withdraws, reconciles.

pub mod backend;
pub mod bidengine;
pub mod certs;
pub mod config;
pub mod gateway;
pub mod ingress;
pub mod inventory;
pub mod jwt;
pub mod lease;
pub mod pricing;
pub mod service;
pub mod tenant;
mod tls;

pub use lease::LeaseId;
