//! Parser and validator for Akash SDL (Stack Definition Language) 2.0 and 2.1.
//!
//! A tenant describes a deployment in SDL: services (containers and their exposed
//! ports), compute profiles (CPU, memory, storage, GPU), placement profiles (provider
//! attributes, auditors, max prices) and which service runs where and how many times.
//! [`parse`] turns that text into:
//!
//! - [`Sdl::groups`]: the on-chain deployment groups ([`GroupSpec`]) a
//!   `MsgCreateDeployment` carries, one per placement;
//! - [`Sdl::manifest`]: the [`Manifest`] the tenant later sends to the winning provider;
//! - [`Sdl::manifest_hash`]: the manifest version, SHA-256 of its sorted-key JSON,
//!   stored on chain so the provider can check the manifest it receives.
//!
//! The behaviour follows the Go reference (`akash-network/chain-sdk`, `go/sdl`), as
//! described in `shared/spec/akash-sdl.md`; outputs are JSON-identical to its
//! conformance fixtures. Where we deliberately differ: every error is collected (not
//! just the first), each with its YAML path, line and column, what was expected, and a
//! "did you mean" hint; unknown keys that Go silently drops become
//! [`SdlWarning`]s; versions other than 2.0/2.1 and GPU vendors other than `nvidia`
//! are rejected; CPU and size quantities are parsed exactly (no floating point).
//!
//! The crate is pure: no I/O, no clock, no randomness.
//!
//! ```
//! let sdl = dcloud_sdl::parse(r#"
//! version: "2.0"
//! services:
//!   web:
//!     image: nginx:1.27
//!     expose:
//!       - port: 80
//!         to: [ { global: true } ]
//! profiles:
//!   compute:
//!     web: { resources: { cpu: { units: 0.5 }, memory: { size: 512Mi }, storage: { size: 1Gi } } }
//!   placement:
//!     dc: { pricing: { web: { denom: uakt, amount: 1000 } } }
//! deployment:
//!   web: { dc: { profile: web, count: 2 } }
//! "#).expect("valid SDL");
//! let price = sdl.max_price_per_block().expect("one denom");
//! assert_eq!(price.to_string(), "2000.000000000000000000uakt");
//! ```
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]
#![warn(missing_docs)]

pub mod amount;
mod build;
mod decode;
pub mod error;
pub mod hash;
pub mod model;
pub mod output;
mod units;
mod validate;
mod yaml;

pub use amount::{monthly_price, DecAmount, DecCoin};
pub use error::{ErrorKind, SdlError, SdlErrors, SdlWarning};
pub use model::{Document, SdlVersion};
pub use output::{GroupSpec, Manifest};
pub use validate::limits;
pub use yaml::Pos;

/// A parsed, valid SDL with its derived deployment groups and manifest.
#[derive(Debug, Clone)]
pub struct Sdl {
    document: Document,
    groups: Vec<GroupSpec>,
    manifest: Manifest,
    warnings: Vec<SdlWarning>,
}

/// Parses and validates an SDL document.
///
/// On success the result also carries warnings (unknown keys, schema-only rules). On
/// failure every problem found is returned, each with its path and position.
pub fn parse(yaml: &str) -> Result<Sdl, SdlErrors> {
    let root = yaml::parse(yaml).map_err(|errs| {
        SdlErrors(
            errs.into_iter()
                .map(|e| SdlError::new(ErrorKind::Syntax, "", Some(e.pos), e.message))
                .collect(),
        )
    })?;
    let (document, decoder) = decode::decode(&root);
    let mut errors = decoder.errors;
    let mut warnings = decoder.warnings;
    if errors.is_empty() {
        let (more, more_warnings) = validate::validate(&document);
        errors.extend(more);
        warnings.extend(more_warnings);
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| (e.pos.is_none(), e.pos));
        return Err(SdlErrors(errors));
    }
    warnings.sort_by_key(|w| (w.pos.is_none(), w.pos));
    let (groups, manifest) = build::build(&document);
    Ok(Sdl { document, groups, manifest, warnings })
}

impl Sdl {
    /// The SDL version.
    pub fn version(&self) -> SdlVersion {
        self.document.version
    }

    /// The decoded document (services, profiles, deployment, endpoints, reclamation).
    pub fn document(&self) -> &Document {
        &self.document
    }

    /// The on-chain deployment groups, sorted by name.
    pub fn groups(&self) -> Vec<GroupSpec> {
        self.groups.clone()
    }

    /// The manifest for the provider.
    pub fn manifest(&self) -> Manifest {
        self.manifest.clone()
    }

    /// The manifest version hash (the deployment's `hash` on chain).
    pub fn manifest_hash(&self) -> [u8; 32] {
        self.manifest.version()
    }

    /// Warnings: accepted, but probably not what was meant.
    pub fn warnings(&self) -> &[SdlWarning] {
        &self.warnings
    }

    /// The reclamation minimum window in seconds, if the SDL sets one.
    pub fn reclamation_min_window_secs(&self) -> Option<u64> {
        self.document.reclamation.as_ref().and_then(model::Reclamation::min_window_secs)
    }

    /// Maximum price per block of each group (Σ unit price × count), by group name.
    pub fn group_prices_per_block(&self) -> Vec<(String, DecCoin)> {
        self.groups.iter().filter_map(|g| Some((g.name.clone(), g.price_per_block()?))).collect()
    }

    /// Maximum price per block of the whole deployment (all groups; validation
    /// guarantees a single denomination). `None` only on overflow.
    pub fn max_price_per_block(&self) -> Option<DecCoin> {
        let mut total: Option<DecCoin> = None;
        for g in &self.groups {
            let p = g.price_per_block()?;
            total = Some(match total {
                None => p,
                Some(t) if t.denom == p.denom => {
                    DecCoin { denom: t.denom, amount: t.amount.checked_add(p.amount)? }
                }
                Some(_) => return None,
            });
        }
        total
    }
}
