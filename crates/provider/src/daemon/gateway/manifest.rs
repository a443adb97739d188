//! Manifest checks before a manifest is accepted (`akash-sdl.md` §9.2, §9.3): the
//! manifest on its own ([`validate_manifest`]) and each leased group against what the
//! chain leased ([`check_group`]).

use std::collections::{BTreeMap, BTreeSet};

use dcloud_chain::deployment::{Deployment, GroupSpec};
use dcloud_sdl::output::{ManifestGroup, ManifestService};
use dcloud_sdl::Manifest;

/// `^[a-z]([-a-z0-9]*[a-z0-9])?$`, at most 63 characters.
fn is_dns_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_lowercase()
        && b[b.len() - 1] != b'-'
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// DNS-1123 subdomain, at most 253 characters.
fn is_dns1123_subdomain(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 253
        && h.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b.len() <= 63
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        })
}

/// `[-._a-zA-Z][-._a-zA-Z0-9]*`.
fn is_env_name(s: &str) -> bool {
    let mut it = s.bytes();
    matches!(it.next(), Some(c) if c.is_ascii_alphabetic() || b"-._".contains(&c))
        && it.all(|c| c.is_ascii_alphanumeric() || b"-._".contains(&c))
}

fn validate_service(
    g: &str,
    s: &ManifestService,
    hosts: &mut BTreeSet<String>,
) -> Result<(), String> {
    let at = format!("group {g:?} service {:?}", s.name);
    if !is_dns_label(&s.name) {
        return Err(format!("{at}: the name must be a DNS label (lowercase letters, digits, '-')"));
    }
    if s.image.trim().is_empty() || s.image.chars().any(char::is_whitespace) {
        return Err(format!("{at}: invalid image {:?}", s.image));
    }
    for e in s.env.as_deref().unwrap_or_default() {
        let name = e.split_once('=').map_or(e.as_str(), |(n, _)| n);
        if !is_env_name(name) {
            return Err(format!("{at}: invalid environment variable name {name:?}"));
        }
    }
    if s.resources.cpu.units.0 == 0 {
        return Err(format!("{at}: cpu units must be positive"));
    }
    if s.resources.memory.quantity.0 == 0 {
        return Err(format!("{at}: memory must be positive"));
    }
    for x in &s.expose {
        if x.port == 0 || x.port > 65535 {
            return Err(format!("{at}: port {} outside 1..65535", x.port));
        }
        if x.external_port > 65535 {
            return Err(format!("{at}: external port {} outside 0..65535", x.external_port));
        }
        for h in x.hosts.as_deref().unwrap_or_default() {
            if !is_dns1123_subdomain(h) {
                return Err(format!("{at}: accept host {h:?} is not a valid hostname"));
            }
            if !hosts.insert(h.clone()) {
                return Err(format!("{at}: accept host {h:?} appears more than once"));
            }
        }
    }
    Ok(())
}

/// Checks a manifest on its own (Akash `Manifest.Validate`): groups present with unique
/// names, each with services sorted by name (DNS labels), images, environment variable
/// names, ports, unique accept hosts, and at least one global expose overall.
pub fn validate_manifest(m: &Manifest) -> Result<(), String> {
    if m.0.is_empty() {
        return Err("the manifest has no groups".into());
    }
    let mut names = BTreeSet::new();
    let mut hosts = BTreeSet::new();
    let mut global = false;
    for g in &m.0 {
        if g.name.is_empty() {
            return Err("a group has an empty name".into());
        }
        if !names.insert(g.name.as_str()) {
            return Err(format!("group name {:?} appears more than once", g.name));
        }
        if g.services.is_empty() {
            return Err(format!("group {:?} has no services", g.name));
        }
        for (i, s) in g.services.iter().enumerate() {
            validate_service(&g.name, s, &mut hosts)?;
            if i > 0 && g.services[i - 1].name >= s.name {
                return Err(format!(
                    "group {:?}: services must be sorted by name with no duplicates ({:?} before {:?})",
                    g.name,
                    g.services[i - 1].name,
                    s.name
                ));
            }
            global |= s.expose.iter().any(|x| x.global);
        }
    }
    if !global {
        return Err("invalid manifest: zero global services".into());
    }
    Ok(())
}

/// The manifest's groups must be the deployment's groups (same names).
pub fn check_group_names(m: &Manifest, d: &Deployment) -> Result<(), String> {
    let ours: BTreeSet<&str> = m.0.iter().map(|g| g.name.as_str()).collect();
    let chain: BTreeSet<&str> = d.groups.iter().map(|g| g.spec.name.as_str()).collect();
    if ours != chain {
        return Err(format!(
            "the manifest's groups {ours:?} are not the deployment's groups {chain:?}"
        ));
    }
    Ok(())
}

fn sorted_storage(v: impl Iterator<Item = (String, u64)>) -> Vec<(String, u64)> {
    let mut v: Vec<_> = v.collect();
    v.sort();
    v
}

/// Cross-checks a manifest group against the leased on-chain group (Akash
/// `CheckAgainstGSpec`): every service's `resources.id` names a resource unit of the group
/// (1-based), with equal CPU, memory, storage volumes and GPU units; the replicas of the
/// services using a unit add up to exactly its count, and their global exposes consume
/// exactly its endpoints.
pub fn check_group(mg: &ManifestGroup, spec: &GroupSpec) -> Result<(), String> {
    if mg.name != spec.name {
        return Err(format!("manifest group {:?} is not group {:?}", mg.name, spec.name));
    }
    // unit index → (replicas, endpoints) asked for by the manifest
    let mut used: BTreeMap<usize, (u64, u64)> = BTreeMap::new();
    for s in &mg.services {
        let r = &s.resources;
        let at = format!("service {:?}", s.name);
        let unit = usize::try_from(r.id)
            .ok()
            .and_then(|id| id.checked_sub(1))
            .and_then(|i| spec.resources.get(i).map(|u| (i, u)));
        let Some((idx, unit)) = unit else {
            return Err(format!(
                "{at}: resources id {} does not exist in the leased group ({} resource units)",
                r.id,
                spec.resources.len()
            ));
        };
        if r.cpu.units.0 != unit.cpu_millis {
            return Err(format!(
                "{at}: cpu {}m differs from the leased {}m",
                r.cpu.units.0, unit.cpu_millis
            ));
        }
        if r.memory.quantity.0 != unit.memory_bytes {
            return Err(format!(
                "{at}: memory {} bytes differs from the leased {} bytes",
                r.memory.quantity.0, unit.memory_bytes
            ));
        }
        if r.gpu.units.0 != unit.gpu_units {
            return Err(format!(
                "{at}: {} GPUs differs from the leased {}",
                r.gpu.units.0, unit.gpu_units
            ));
        }
        let ours = sorted_storage(r.storage.iter().map(|v| (v.name.clone(), v.quantity.0)));
        let leased = sorted_storage(unit.storage.iter().cloned());
        if ours != leased {
            return Err(format!("{at}: storage {ours:?} differs from the leased {leased:?}"));
        }
        let endpoints = s.expose.iter().map(|x| x.endpoints().len() as u64).sum::<u64>();
        let e = used.entry(idx).or_default();
        e.0 += u64::from(s.count);
        e.1 += endpoints;
    }
    for (idx, unit) in spec.resources.iter().enumerate() {
        let (replicas, endpoints) = used.get(&idx).copied().unwrap_or_default();
        let id = idx + 1;
        if replicas > u64::from(unit.count) {
            return Err(format!(
                "resource unit {id}: the manifest asks for {replicas} replicas, the lease has {} (over-utilized)",
                unit.count
            ));
        }
        if replicas < u64::from(unit.count) {
            return Err(format!(
                "resource unit {id}: the manifest uses {replicas} of the {} leased replicas (under-utilized)",
                unit.count
            ));
        }
        if endpoints != u64::from(unit.endpoints) {
            return Err(format!(
                "resource unit {id}: the manifest's global exposes need {endpoints} endpoints, the lease has {}",
                unit.endpoints
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use dcloud_chain::deployment::ResourceUnit;

    const SDL: &str = r#"
version: "2.0"
services:
  web:
    image: nginx:1.27
    expose:
      - port: 80
        to: [ { global: true } ]
      - port: 22
        as: 2222
        to: [ { global: true } ]
  db:
    image: postgres:16
    expose:
      - port: 5432
        to: [ { service: web } ]
profiles:
  compute:
    web: { resources: { cpu: { units: 0.5 }, memory: { size: 512Mi }, storage: { size: 1Gi } } }
    db: { resources: { cpu: { units: 1 }, memory: { size: 1Gi }, storage: { size: 2Gi } } }
  placement:
    dc: { pricing: { web: { denom: uakt, amount: 10 }, db: { denom: uakt, amount: 20 } } }
deployment:
  web: { dc: { profile: web, count: 2 } }
  db: { dc: { profile: db, count: 1 } }
"#;

    fn fixture() -> (Manifest, GroupSpec) {
        let sdl = dcloud_sdl::parse(SDL).unwrap();
        let g = &sdl.groups()[0];
        let spec = GroupSpec {
            name: g.name.clone(),
            signed_by: Default::default(),
            attributes: vec![],
            resources: g
                .resources
                .iter()
                .map(|u| ResourceUnit {
                    cpu_millis: u.resource.cpu.units.0,
                    memory_bytes: u.resource.memory.quantity.0,
                    storage: u
                        .resource
                        .storage
                        .iter()
                        .map(|v| (v.name.clone(), v.quantity.0))
                        .collect(),
                    gpu_units: u.resource.gpu.units.0,
                    endpoints: u.resource.endpoints.len() as u32,
                    count: u.count,
                    price_atto: 1,
                    gpu_attributes: vec![],
                    storage_attributes: vec![],
                    ip_endpoints: 0,
                })
                .collect(),
            denom: "uakt".into(),
            max_price_atto: 1,
        };
        (sdl.manifest(), spec)
    }

    #[test]
    fn the_sdl_output_matches_its_own_groups() {
        let (m, spec) = fixture();
        validate_manifest(&m).unwrap();
        check_group(&m.0[0], &spec).unwrap();
    }

    #[test]
    fn mismatches_are_named() {
        let (m, spec) = fixture();
        let web = m.0[0].services.iter().position(|s| s.name == "web").unwrap();

        let mut g = m.0[0].clone();
        g.services[web].resources.memory.quantity.0 += 1;
        assert!(check_group(&g, &spec).unwrap_err().contains("memory"));

        let mut g = m.0[0].clone();
        g.services[web].resources.storage[0].quantity.0 *= 2;
        assert!(check_group(&g, &spec).unwrap_err().contains("storage"));

        let mut g = m.0[0].clone();
        g.services[web].resources.gpu.units.0 = 1;
        assert!(check_group(&g, &spec).unwrap_err().contains("GPUs"));

        let mut g = m.0[0].clone();
        g.services[web].resources.id = 7;
        assert!(check_group(&g, &spec).unwrap_err().contains("does not exist"));

        // One more global expose than the lease has endpoints for.
        let mut g = m.0[0].clone();
        let mut extra = g.services[web].expose[0].clone();
        extra.port = 8080;
        g.services[web].expose.push(extra);
        assert!(check_group(&g, &spec).unwrap_err().contains("endpoints"));
    }

    #[test]
    fn manifest_rules() {
        let (m, _) = fixture();
        let mut bad = m.clone();
        bad.0[0].services.reverse();
        assert!(validate_manifest(&bad).unwrap_err().contains("sorted"));
        let mut bad = m.clone();
        bad.0[0].services[0].name = "Web".into();
        assert!(validate_manifest(&bad).unwrap_err().contains("DNS label"));
        let mut bad = m.clone();
        bad.0[0].services[0].env = Some(vec!["1BAD=x".into()]);
        assert!(validate_manifest(&bad).unwrap_err().contains("environment"));
        let mut bad = m.clone();
        bad.0.push(bad.0[0].clone());
        assert!(validate_manifest(&bad).unwrap_err().contains("more than once"));
        let mut bad = m;
        let web = bad.0[0].services.iter().position(|s| s.name == "web").unwrap();
        bad.0[0].services[web].expose[0].hosts = Some(vec!["Not A Host".into()]);
        assert!(validate_manifest(&bad).unwrap_err().contains("hostname"));
    }
}
