//! [`Document`] → deployment groups and manifest, as Akash's `buildGroups` does.
//! Runs after validation; anything missing is skipped rather than panicking.

use std::collections::BTreeMap;

use crate::model::{ComputeProfile, Document, Expose, SdlVersion};
use crate::output::*;

const DEFAULT_MAX_BODY_SIZE: u32 = 1_048_576;
const DEFAULT_TIMEOUT: u32 = 60_000;
const DEFAULT_NEXT_TRIES: u32 = 3;

/// Sequence numbers of IP endpoints (Akash `computeEndpointSequenceNumbers`): every
/// `to` entry of every deployed service except global ones without `ip` contributes
/// its (possibly empty) ip name; the sorted list is numbered from 1, last number wins.
pub(crate) fn endpoint_sequence_numbers(doc: &Document) -> BTreeMap<String, u32> {
    let mut names: Vec<&str> = Vec::new();
    for svc in doc.deployment.keys() {
        let Some(service) = doc.services.get(svc) else { continue };
        for e in &service.expose {
            for to in &e.to {
                if to.global && to.ip.is_empty() {
                    continue;
                }
                names.push(&to.ip);
            }
        }
    }
    names.sort_unstable();
    let mut out = BTreeMap::new();
    for (i, n) in names.into_iter().enumerate() {
        out.insert(n.to_string(), u32::try_from(i + 1).unwrap_or(u32::MAX));
    }
    out
}

fn http_options(e: &Expose) -> HttpOptions {
    let h = &e.http_options;
    let or_default = |v: Option<u32>, d: u32| v.filter(|v| *v != 0).unwrap_or(d);
    HttpOptions {
        max_body_size: or_default(h.max_body_size, DEFAULT_MAX_BODY_SIZE),
        read_timeout: or_default(h.read_timeout, DEFAULT_TIMEOUT),
        send_timeout: or_default(h.send_timeout, DEFAULT_TIMEOUT),
        next_tries: or_default(h.next_tries, DEFAULT_NEXT_TRIES),
        next_timeout: h.next_timeout.unwrap_or(0),
        next_cases: match &h.next_cases {
            Some(c) if !c.is_empty() => c.clone(),
            _ => vec!["error".into(), "timeout".into()],
        },
        proxy_buffer_size: h.proxy_buffer_size.unwrap_or(0),
    }
}

/// The manifest exposes of a service (one per `to` entry), sorted as Akash sorts them.
pub(crate) fn manifest_exposes(
    exposes: &[Expose],
    seq: &BTreeMap<String, u32>,
) -> Vec<ServiceExpose> {
    let mut out = Vec::new();
    for e in exposes {
        let base = ServiceExpose {
            port: e.port,
            external_port: e.as_port,
            proto: e.proto,
            service: String::new(),
            global: false,
            hosts: e.accept.clone(),
            http_options: http_options(e),
            ip: String::new(),
            endpoint_sequence_number: 0,
        };
        if e.to.is_empty() {
            out.push(base);
            continue;
        }
        for to in &e.to {
            let mut x = base.clone();
            x.service = to.service.clone();
            x.global = to.global;
            x.ip = to.ip.clone();
            if to.global && !to.ip.is_empty() {
                x.endpoint_sequence_number = seq.get(&to.ip).copied().unwrap_or(0);
            }
            out.push(x);
        }
    }
    // Stable, like Go's insertion sort for short lists.
    out.sort_by(|a, b| {
        a.service
            .cmp(&b.service)
            .then(a.port.cmp(&b.port))
            .then(a.proto.cmp(&b.proto))
            .then(b.global.cmp(&a.global))
    });
    out
}

fn resources(p: &ComputeProfile, id: u32, endpoints: Vec<Endpoint>) -> Resources {
    Resources {
        id,
        cpu: Cpu {
            units: ResourceValue(u64::from(p.cpu.millis)),
            attributes: p.cpu.attributes.clone(),
        },
        memory: Memory {
            quantity: ResourceValue(p.memory.bytes),
            attributes: p.memory.attributes.clone(),
        },
        storage: p
            .storage
            .iter()
            .map(|v| Storage {
                name: v.name.clone(),
                quantity: ResourceValue(v.bytes),
                attributes: v.attributes.clone(),
            })
            .collect(),
        gpu: Gpu {
            units: ResourceValue(u64::from(p.gpu.units)),
            attributes: p.gpu.attributes.clone(),
        },
        endpoints,
    }
}

struct GroupBuilder {
    spec: GroupSpec,
    services: Vec<ManifestService>,
    tee: Option<String>,
    /// compute profile name → index in `spec.resources` (v2.1 merging).
    bound: BTreeMap<String, usize>,
}

/// Builds the deployment groups and the manifest of a validated document.
pub(crate) fn build(doc: &Document) -> (Vec<GroupSpec>, Manifest) {
    let seq = endpoint_sequence_numbers(doc);
    let mut groups: BTreeMap<String, GroupBuilder> = BTreeMap::new();

    for (svc_name, placements) in &doc.deployment {
        let Some(svc) = doc.services.get(svc_name) else { continue };
        for (placement_name, sd) in placements {
            let (Some(compute), Some(infra)) =
                (doc.profiles.compute.get(&sd.profile), doc.profiles.placement.get(placement_name))
            else {
                continue;
            };
            let Some(price) = infra.pricing.get(&sd.profile) else { continue };

            let group = groups.entry(placement_name.clone()).or_insert_with(|| GroupBuilder {
                spec: GroupSpec {
                    name: placement_name.clone(),
                    requirements: PlacementRequirements {
                        signed_by: infra.signed_by.clone(),
                        attributes: if infra.attributes.is_empty() {
                            None
                        } else {
                            Some(infra.attributes.clone())
                        },
                    },
                    resources: Vec::new(),
                },
                services: Vec::new(),
                tee: None,
                bound: BTreeMap::new(),
            });

            let tee = svc.params.as_ref().and_then(|p| p.tee.as_ref());
            if let Some(t) = tee {
                if group.tee.is_none() {
                    group.tee = Some(t.tee_type.clone());
                    let attrs = group.spec.requirements.attributes.get_or_insert_with(Vec::new);
                    attrs.push(Attribute { key: "tee/type".into(), value: t.tee_type.clone() });
                    attrs.sort();
                }
            }

            let expose = manifest_exposes(&svc.expose, &seq);
            let endpoints: Vec<Endpoint> =
                expose.iter().flat_map(ServiceExpose::endpoints).collect();

            let merge_into = match doc.version {
                SdlVersion::V2_1 => group.bound.get(&sd.profile).copied(),
                SdlVersion::V2_0 => None,
            };
            let id = match merge_into {
                Some(idx) => {
                    let unit = &mut group.spec.resources[idx];
                    unit.count = unit.count.saturating_add(sd.count);
                    unit.resource.endpoints.extend(endpoints.iter().copied());
                    unit.resource.endpoints.sort_by_key(|e| e.sequence_number);
                    unit.resource.id
                }
                None => {
                    let id = u32::try_from(group.spec.resources.len() + 1).unwrap_or(u32::MAX);
                    group.spec.resources.push(ResourceUnit {
                        resource: resources(compute, id, endpoints.clone()),
                        count: sd.count,
                        price: price.coin.clone(),
                    });
                    group.bound.insert(sd.profile.clone(), group.spec.resources.len() - 1);
                    id
                }
            };

            let params = svc.params.as_ref().map(|p| ServiceParams {
                storage: if p.storage.is_empty() {
                    None
                } else {
                    Some(
                        p.storage
                            .iter()
                            .map(|(name, m)| StorageParams {
                                name: name.clone(),
                                mount: m.mount.clone(),
                                read_only: m.read_only,
                            })
                            .collect(),
                    )
                },
                permissions: p.permissions.as_ref().map(|r| ServicePermissions { read: r.clone() }),
                tee: p.tee.as_ref().map(|t| TeeParams {
                    tee_type: t.tee_type.clone(),
                    attestation: t.attestation.unwrap_or(true),
                }),
            });
            let credentials = svc.credentials.as_ref().map(|c| ImageCredentials {
                host: c.host.clone(),
                email: if doc.version == SdlVersion::V2_1 {
                    c.email.clone()
                } else {
                    String::new()
                },
                username: c.username.clone(),
                password: c.password.clone(),
            });
            group.services.push(ManifestService {
                name: svc_name.clone(),
                image: svc.image.clone(),
                command: svc.command.clone(),
                args: svc.args.clone(),
                env: svc.env.clone(),
                resources: resources(compute, id, endpoints),
                count: sd.count,
                expose,
                params,
                credentials,
            });
        }
    }

    let mut specs = Vec::with_capacity(groups.len());
    let mut manifest = Vec::with_capacity(groups.len());
    for (name, mut g) in groups {
        g.services.sort_by(|a, b| a.name.cmp(&b.name));
        specs.push(g.spec);
        manifest.push(ManifestGroup { name, services: g.services });
    }
    (specs, Manifest(manifest))
}
