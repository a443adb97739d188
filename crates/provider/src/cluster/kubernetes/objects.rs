//! What a lease becomes in Kubernetes, as typed objects (pure: no API calls).
//!
//! [`lease_objects`] turns a lease and its manifest group into the objects the backend
//! applies, in apply order: the namespace, the manifest record (a Secret), the
//! NetworkPolicies, image pull Secrets, Services, the workloads (Deployment, or StatefulSet
//! for a service with persistent storage) and the Ingresses. The golden tests in
//! `tests/golden/k8s/` pin the result for every conformance SDL.

use std::collections::BTreeMap;

use dcloud_sdl::output::{ManifestGroup, ManifestService, Protocol, ServiceExpose};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, StatefulSet, StatefulSetSpec};
use k8s_openapi::api::core::v1::{
    Affinity, Capabilities, Container, ContainerPort, EmptyDirVolumeSource, EnvVar,
    LocalObjectReference, Namespace, NodeAffinity, NodeSelector, NodeSelectorRequirement,
    NodeSelectorTerm, PersistentVolumeClaim, PersistentVolumeClaimSpec, PodSpec, PodTemplateSpec,
    ResourceRequirements, Secret, SecurityContext, Service, ServicePort, ServiceSpec, Volume,
    VolumeMount, VolumeResourceRequirements,
};
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, IPBlock, Ingress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, NetworkPolicy, NetworkPolicyEgressRule,
    NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec,
    ServiceBackendPort,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use k8s_openapi::ByteString;
use serde::Serialize;

use super::KubeSettings;
use crate::cluster::docker::ingress_hostname;
use crate::cluster::{BackendError, BackendSettings};
use crate::{LeaseId, LeaseSlug};

/// Label prefix of everything the backend creates.
pub const LABEL_PREFIX: &str = "dcloud.network";
/// Label on every object: `true` (what the backend manages).
pub const LABEL_MANAGED: &str = "dcloud.network";
/// Label: lease owner.
pub const LABEL_OWNER: &str = "dcloud.network/lease.owner";
/// Label: deployment sequence.
pub const LABEL_DSEQ: &str = "dcloud.network/lease.dseq";
/// Label: group sequence.
pub const LABEL_GSEQ: &str = "dcloud.network/lease.gseq";
/// Label: order sequence.
pub const LABEL_OSEQ: &str = "dcloud.network/lease.oseq";
/// Label: the provider address ([`BackendSettings::provider`]).
pub const LABEL_PROVIDER: &str = "dcloud.network/lease.provider";
/// Label on workloads, pods, Services and Ingresses: the SDL service name.
pub const LABEL_SERVICE: &str = "dcloud.network/manifest-service";
/// Name of the Secret in the lease namespace that keeps the manifest group.
pub const RECORD_NAME: &str = "dcloud-manifest";
/// Node label prefix for GPU models (`<prefix>.vendor.<v>.model.<m>`), as Akash's
/// inventory operator sets them.
pub const GPU_NODE_LABEL: &str = "dcloud.network/capabilities.gpu";
/// Name of the lease-wide NetworkPolicy.
pub const POLICY_RESTRICT: &str = "dcloud-lease-restrictions";

/// Every object of one lease, in apply order.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LeaseObjects {
    /// The lease namespace.
    pub namespace: Namespace,
    /// The manifest record (group JSON, generation, lease id): a Secret, since the group
    /// holds registry credentials.
    pub record: Secret,
    /// Lease-wide restrictions plus one policy per service with global non-HTTP ports.
    pub network_policies: Vec<NetworkPolicy>,
    /// Image pull secrets (services with registry credentials).
    pub secrets: Vec<Secret>,
    /// ClusterIP `<svc>` (every exposed port) and NodePort `<svc>-np` (global non-HTTP).
    pub services: Vec<Service>,
    /// Services without persistent storage.
    pub deployments: Vec<Deployment>,
    /// Services with persistent storage.
    pub stateful_sets: Vec<StatefulSet>,
    /// One per HTTP hostname (generated and `accept`).
    pub ingresses: Vec<Ingress>,
}

impl LeaseObjects {
    /// How many objects there are.
    pub fn len(&self) -> usize {
        2 + self.network_policies.len()
            + self.secrets.len()
            + self.services.len()
            + self.deployments.len()
            + self.stateful_sets.len()
            + self.ingresses.len()
    }

    /// Never empty (a namespace and a record at least).
    pub fn is_empty(&self) -> bool {
        false
    }

    /// All objects as one YAML stream (`---` separated), for review and golden files.
    pub fn to_yaml(&self) -> String {
        let mut docs: Vec<String> = Vec::new();
        let mut push = |v: Result<String, serde_yaml::Error>| {
            docs.push(v.unwrap_or_else(|e| format!("# unserialisable: {e}\n")));
        };
        push(serde_yaml::to_string(&self.namespace));
        push(serde_yaml::to_string(&self.record));
        self.network_policies.iter().for_each(|o| push(serde_yaml::to_string(o)));
        self.secrets.iter().for_each(|o| push(serde_yaml::to_string(o)));
        self.services.iter().for_each(|o| push(serde_yaml::to_string(o)));
        self.deployments.iter().for_each(|o| push(serde_yaml::to_string(o)));
        self.stateful_sets.iter().for_each(|o| push(serde_yaml::to_string(o)));
        self.ingresses.iter().for_each(|o| push(serde_yaml::to_string(o)));
        docs.iter().map(|d| format!("---\n{d}")).collect()
    }
}

/// The namespace of a lease: `<prefix><slug>`.
pub fn namespace_name(prefix: &str, lease: &LeaseId) -> String {
    format!("{prefix}{}", lease.slug())
}

/// The labels identifying a lease (on the namespace and every object in it).
pub fn lease_labels(lease: &LeaseId) -> BTreeMap<String, String> {
    BTreeMap::from([
        (LABEL_MANAGED.to_string(), "true".to_string()),
        (LABEL_OWNER.to_string(), lease.owner.to_string()),
        (LABEL_DSEQ.to_string(), lease.dseq.to_string()),
        (LABEL_GSEQ.to_string(), lease.gseq.to_string()),
        (LABEL_OSEQ.to_string(), lease.oseq.to_string()),
        (LABEL_PROVIDER.to_string(), lease.provider.to_string()),
    ])
}

fn service_labels(lease: &LeaseId, svc: &str) -> BTreeMap<String, String> {
    let mut l = lease_labels(lease);
    l.insert(LABEL_SERVICE.to_string(), svc.to_string());
    l
}

fn meta(name: &str, ns: &str, labels: BTreeMap<String, String>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: Some(ns.to_string()),
        labels: Some(labels),
        ..Default::default()
    }
}

fn attr<'a>(attrs: &'a [dcloud_sdl::output::Attribute], key: &str) -> Option<&'a str> {
    attrs.iter().find(|a| a.key == key).map(|a| a.value.as_str())
}

fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// Checks what Kubernetes would refuse: names that are not DNS labels, relative mounts,
/// mounts of unknown volumes.
pub fn validate_group(group: &ManifestGroup) -> Result<(), BackendError> {
    for svc in &group.services {
        // `<svc>-np` must stay a DNS label too.
        if !is_dns_label(&svc.name) || svc.name.len() > 60 {
            return Err(BackendError::Invalid(format!(
                "service name {:?} is not a DNS label of at most 60 characters",
                svc.name
            )));
        }
        if svc.image.trim().is_empty() {
            return Err(BackendError::Invalid(format!("service {} has no image", svc.name)));
        }
        for m in mounts(svc) {
            if !is_dns_label(&m.name) {
                return Err(BackendError::Invalid(format!(
                    "volume name {:?} is not a DNS label",
                    m.name
                )));
            }
            if !m.mount.starts_with('/') {
                return Err(BackendError::Invalid(format!(
                    "mount path {:?} is not absolute",
                    m.mount
                )));
            }
            if !svc.resources.storage.iter().any(|s| s.name == m.name) {
                return Err(BackendError::Invalid(format!(
                    "service {}: mount of unknown volume {:?}",
                    svc.name, m.name
                )));
            }
        }
    }
    Ok(())
}

fn mounts(svc: &ManifestService) -> impl Iterator<Item = &dcloud_sdl::output::StorageParams> {
    svc.params.as_ref().and_then(|p| p.storage.as_ref()).into_iter().flatten()
}

/// How a service volume is backed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum VolumeBacking {
    /// `class: ram`: memory-backed emptyDir.
    Ram,
    /// `persistent: true`: a PVC of this SDL class.
    Persistent(String),
    /// Anything else: a disk-backed emptyDir (counts to ephemeral storage).
    Ephemeral,
}

fn backing(svc: &ManifestService, volume: &str) -> VolumeBacking {
    let Some(s) = svc.resources.storage.iter().find(|s| s.name == volume) else {
        return VolumeBacking::Ephemeral;
    };
    let class = attr(&s.attributes, "class");
    if attr(&s.attributes, "persistent") == Some("true") {
        VolumeBacking::Persistent(class.unwrap_or("default").to_string())
    } else if class == Some("ram") {
        VolumeBacking::Ram
    } else {
        VolumeBacking::Ephemeral
    }
}

/// Whether the service has a persistent volume (→ StatefulSet).
pub fn is_stateful(svc: &ManifestService) -> bool {
    mounts(svc).any(|m| matches!(backing(svc, &m.name), VolumeBacking::Persistent(_)))
}

/// The environment of a service: the SDL's, plus the `AKASH_*` variables the tenant did
/// not set (same rule as the Docker backend).
pub fn service_env(
    lease: &LeaseId,
    svc: &ManifestService,
    settings: &BackendSettings,
) -> Vec<EnvVar> {
    let mut env: Vec<EnvVar> = svc
        .env
        .iter()
        .flatten()
        .map(|e| {
            let (k, v) = e.split_once('=').unwrap_or((e.as_str(), ""));
            EnvVar { name: k.to_string(), value: Some(v.to_string()), ..Default::default() }
        })
        .collect();
    let extra = [
        ("AKASH_OWNER", lease.owner.to_string()),
        ("AKASH_DEPLOYMENT_SEQUENCE", lease.dseq.to_string()),
        ("AKASH_GROUP_SEQUENCE", lease.gseq.to_string()),
        ("AKASH_ORDER_SEQUENCE", lease.oseq.to_string()),
        ("AKASH_PROVIDER", settings.provider.clone()),
        ("AKASH_CLUSTER_PUBLIC_HOSTNAME", settings.public_hostname.clone()),
    ];
    for (k, v) in extra {
        if !env.iter().any(|e| e.name == k) {
            env.push(EnvVar { name: k.into(), value: Some(v), ..Default::default() });
        }
    }
    env
}

/// The hostnames of a service's HTTP exposes: the generated one first, then `accept`
/// hosts, without duplicates.
pub fn service_hosts(lease: &LeaseId, svc: &ManifestService, domain: &str) -> Vec<String> {
    let mut hosts = Vec::new();
    for e in svc.expose.iter().filter(|e| e.is_ingress()) {
        if hosts.is_empty() {
            hosts.push(ingress_hostname(lease, &svc.name, domain));
        }
        for h in e.hosts.iter().flatten() {
            if !hosts.contains(h) {
                hosts.push(h.clone());
            }
        }
    }
    hosts
}

fn proto_str(p: Protocol) -> String {
    p.as_str().to_string()
}

fn port_name(e: &ServiceExpose) -> String {
    format!("{}-{}", e.proto.as_str().to_ascii_lowercase(), e.effective_external_port())
}

/// Builds every object of the lease. `generation` is stored in the record.
pub fn lease_objects(
    lease: &LeaseId,
    group: &ManifestGroup,
    generation: u64,
    settings: &BackendSettings,
    kube: &KubeSettings,
) -> Result<LeaseObjects, BackendError> {
    validate_group(group)?;
    let ns = namespace_name(&kube.namespace_prefix, lease);
    let labels = lease_labels(lease);
    let mut out = LeaseObjects {
        namespace: Namespace {
            metadata: ObjectMeta {
                name: Some(ns.clone()),
                labels: Some(labels.clone()),
                ..Default::default()
            },
            ..Default::default()
        },
        record: record(lease, group, generation, &ns)?,
        ..Default::default()
    };
    out.network_policies.push(restrictions(lease, &ns, kube));
    for svc in &group.services {
        if let Some(p) = service_policy(lease, svc, &ns) {
            out.network_policies.push(p);
        }
        if let Some(s) = pull_secret(lease, svc, &ns)? {
            out.secrets.push(s);
        }
        out.services.extend(services(lease, svc, &ns));
        let template = pod_template(lease, svc, settings, kube)?;
        let selector = LabelSelector {
            match_labels: Some(BTreeMap::from([(LABEL_SERVICE.to_string(), svc.name.clone())])),
            ..Default::default()
        };
        let replicas = Some(i32::try_from(svc.count).unwrap_or(i32::MAX));
        let m = meta(&svc.name, &ns, service_labels(lease, &svc.name));
        if is_stateful(svc) {
            out.stateful_sets.push(StatefulSet {
                metadata: m,
                spec: Some(StatefulSetSpec {
                    replicas,
                    selector,
                    service_name: Some(svc.name.clone()),
                    pod_management_policy: Some("Parallel".into()),
                    template,
                    volume_claim_templates: Some(claims(svc, kube)),
                    ..Default::default()
                }),
                ..Default::default()
            });
        } else {
            out.deployments.push(Deployment {
                metadata: m,
                spec: Some(DeploymentSpec {
                    replicas,
                    selector,
                    template,
                    revision_history_limit: Some(1),
                    ..Default::default()
                }),
                ..Default::default()
            });
        }
        for host in service_hosts(lease, svc, &settings.ingress_domain) {
            if let Some(e) = svc.expose.iter().find(|e| e.is_ingress()) {
                out.ingresses.push(ingress(lease, svc, e, &host, &ns, kube));
            }
        }
    }
    Ok(out)
}

fn record(
    lease: &LeaseId,
    group: &ManifestGroup,
    generation: u64,
    ns: &str,
) -> Result<Secret, BackendError> {
    let json = serde_json::to_vec(group)
        .map_err(|e| BackendError::Invalid(format!("manifest group: {e}")))?;
    Ok(Secret {
        metadata: meta(RECORD_NAME, ns, lease_labels(lease)),
        type_: Some("Opaque".into()),
        data: Some(BTreeMap::from([
            ("lease".to_string(), ByteString(lease.to_string().into_bytes())),
            ("generation".to_string(), ByteString(generation.to_string().into_bytes())),
            ("group.json".to_string(), ByteString(json)),
        ])),
        ..Default::default()
    })
}

fn label_selector(labels: &BTreeMap<String, String>) -> Option<LabelSelector> {
    Some(LabelSelector { match_labels: Some(labels.clone()), ..Default::default() })
}

/// Lease-wide policy: ingress only from the lease's own pods and the ingress controller;
/// egress only to the lease's own pods, cluster DNS, and public addresses (everything but
/// [`KubeSettings::internal_cidrs`]).
fn restrictions(lease: &LeaseId, ns: &str, kube: &KubeSettings) -> NetworkPolicy {
    let same_ns =
        NetworkPolicyPeer { pod_selector: Some(LabelSelector::default()), ..Default::default() };
    let ingress_controller = NetworkPolicyPeer {
        namespace_selector: label_selector(&kube.ingress_namespace_labels),
        ..Default::default()
    };
    let dns = NetworkPolicyPeer {
        namespace_selector: label_selector(&kube.dns_namespace_labels),
        ..Default::default()
    };
    let port = |proto: &str, p: i32| NetworkPolicyPort {
        protocol: Some(proto.to_string()),
        port: Some(IntOrString::Int(p)),
        ..Default::default()
    };
    let internet = NetworkPolicyPeer {
        ip_block: Some(IPBlock {
            cidr: "0.0.0.0/0".into(),
            except: Some(kube.internal_cidrs.clone()),
        }),
        ..Default::default()
    };
    NetworkPolicy {
        metadata: meta(POLICY_RESTRICT, ns, lease_labels(lease)),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector::default()),
            policy_types: Some(vec!["Ingress".into(), "Egress".into()]),
            ingress: Some(vec![NetworkPolicyIngressRule {
                from: Some(vec![same_ns.clone(), ingress_controller]),
                ..Default::default()
            }]),
            egress: Some(vec![
                NetworkPolicyEgressRule { to: Some(vec![same_ns]), ..Default::default() },
                NetworkPolicyEgressRule {
                    to: Some(vec![dns]),
                    ports: Some(vec![port("UDP", 53), port("TCP", 53)]),
                },
                NetworkPolicyEgressRule { to: Some(vec![internet]), ..Default::default() },
            ]),
        }),
    }
}

/// Opens a service's global non-HTTP ports (reached through NodePorts) to anyone.
fn service_policy(lease: &LeaseId, svc: &ManifestService, ns: &str) -> Option<NetworkPolicy> {
    let mut ports: Vec<NetworkPolicyPort> = Vec::new();
    for e in svc.expose.iter().filter(|e| e.global && !e.is_ingress()) {
        let p = NetworkPolicyPort {
            protocol: Some(proto_str(e.proto)),
            port: Some(IntOrString::Int(i32::try_from(e.port).unwrap_or(0))),
            ..Default::default()
        };
        if !ports.contains(&p) {
            ports.push(p);
        }
    }
    if ports.is_empty() {
        return None;
    }
    Some(NetworkPolicy {
        metadata: meta(&format!("{}-np", svc.name), ns, service_labels(lease, &svc.name)),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector {
                match_labels: Some(BTreeMap::from([(LABEL_SERVICE.to_string(), svc.name.clone())])),
                ..Default::default()
            }),
            policy_types: Some(vec!["Ingress".into()]),
            ingress: Some(vec![NetworkPolicyIngressRule {
                from: Some(vec![NetworkPolicyPeer {
                    ip_block: Some(IPBlock { cidr: "0.0.0.0/0".into(), except: None }),
                    ..Default::default()
                }]),
                ports: Some(ports),
            }]),
            egress: None,
        }),
    })
}

fn pull_secret_name(svc: &str) -> String {
    format!("{svc}-pull")
}

fn pull_secret(
    lease: &LeaseId,
    svc: &ManifestService,
    ns: &str,
) -> Result<Option<Secret>, BackendError> {
    let Some(c) = &svc.credentials else { return Ok(None) };
    use base64::Engine as _;
    let auth =
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", c.username, c.password));
    let mut entry = serde_json::json!({
        "username": c.username, "password": c.password, "auth": auth,
    });
    if !c.email.is_empty() {
        entry["email"] = serde_json::Value::String(c.email.clone());
    }
    let cfg = serde_json::json!({ "auths": { c.host.clone(): entry } });
    let bytes = serde_json::to_vec(&cfg)
        .map_err(|e| BackendError::Invalid(format!("registry credentials: {e}")))?;
    Ok(Some(Secret {
        metadata: meta(&pull_secret_name(&svc.name), ns, service_labels(lease, &svc.name)),
        type_: Some("kubernetes.io/dockerconfigjson".into()),
        data: Some(BTreeMap::from([(".dockerconfigjson".to_string(), ByteString(bytes))])),
        ..Default::default()
    }))
}

/// ClusterIP `<svc>` with every exposed port (port = external port, target = container
/// port) and NodePort `<svc>-np` with the global non-HTTP ones.
fn services(lease: &LeaseId, svc: &ManifestService, ns: &str) -> Vec<Service> {
    let selector = Some(BTreeMap::from([(LABEL_SERVICE.to_string(), svc.name.clone())]));
    let to_port = |e: &ServiceExpose| ServicePort {
        name: Some(port_name(e)),
        port: i32::try_from(e.effective_external_port()).unwrap_or(0),
        target_port: Some(IntOrString::Int(i32::try_from(e.port).unwrap_or(0))),
        protocol: Some(proto_str(e.proto)),
        ..Default::default()
    };
    let mut internal: Vec<ServicePort> = Vec::new();
    let mut node: Vec<ServicePort> = Vec::new();
    for e in &svc.expose {
        let p = to_port(e);
        if !internal.iter().any(|q| q.name == p.name) {
            internal.push(p.clone());
        }
        if e.global && !e.is_ingress() && !node.iter().any(|q| q.name == p.name) {
            node.push(p);
        }
    }
    let mut out = Vec::new();
    if !internal.is_empty() {
        out.push(Service {
            metadata: meta(&svc.name, ns, service_labels(lease, &svc.name)),
            spec: Some(ServiceSpec {
                type_: Some("ClusterIP".into()),
                selector: selector.clone(),
                ports: Some(internal),
                ..Default::default()
            }),
            ..Default::default()
        });
    }
    if !node.is_empty() {
        out.push(Service {
            metadata: meta(&format!("{}-np", svc.name), ns, service_labels(lease, &svc.name)),
            spec: Some(ServiceSpec {
                type_: Some("NodePort".into()),
                selector,
                ports: Some(node),
                external_traffic_policy: Some("Local".into()),
                ..Default::default()
            }),
            ..Default::default()
        });
    }
    out
}

fn quantity(n: u64) -> Quantity {
    Quantity(n.to_string())
}

/// The pod template of a service: one container with the leased resources as requests and
/// limits, hardened.
fn pod_template(
    lease: &LeaseId,
    svc: &ManifestService,
    settings: &BackendSettings,
    kube: &KubeSettings,
) -> Result<PodTemplateSpec, BackendError> {
    let res = &svc.resources;
    let mut memory = res.memory.quantity.0;
    let mut ephemeral = 0u64;
    let mut volumes = Vec::new();
    let mut volume_mounts = Vec::new();
    for s in &res.storage {
        match backing(svc, &s.name) {
            // Memory-backed: counts toward the memory limit, as in Akash.
            VolumeBacking::Ram => memory = memory.saturating_add(s.quantity.0),
            // The root volume and disk-backed emptyDirs.
            VolumeBacking::Ephemeral => ephemeral = ephemeral.saturating_add(s.quantity.0),
            VolumeBacking::Persistent(_) => {}
        }
    }
    for m in mounts(svc) {
        let size = res.storage.iter().find(|s| s.name == m.name).map_or(0, |s| s.quantity.0);
        match backing(svc, &m.name) {
            VolumeBacking::Ram => volumes.push(Volume {
                name: m.name.clone(),
                empty_dir: Some(EmptyDirVolumeSource {
                    medium: Some("Memory".into()),
                    size_limit: Some(quantity(size)),
                }),
                ..Default::default()
            }),
            VolumeBacking::Ephemeral => volumes.push(Volume {
                name: m.name.clone(),
                empty_dir: Some(EmptyDirVolumeSource {
                    medium: None,
                    size_limit: Some(quantity(size)),
                }),
                ..Default::default()
            }),
            // A volume claim template of the StatefulSet, mounted by name.
            VolumeBacking::Persistent(_) => {}
        }
        volume_mounts.push(VolumeMount {
            name: m.name.clone(),
            mount_path: m.mount.clone(),
            read_only: m.read_only.then_some(true),
            ..Default::default()
        });
    }
    let mut limits = BTreeMap::new();
    let millis = res.cpu.units.0;
    // The server's canonical form: whole CPUs without a suffix.
    let cpu = if millis.is_multiple_of(1000) {
        format!("{}", millis / 1000)
    } else {
        format!("{millis}m")
    };
    limits.insert("cpu".to_string(), Quantity(cpu));
    limits.insert("memory".to_string(), quantity(memory));
    if ephemeral > 0 {
        limits.insert("ephemeral-storage".to_string(), quantity(ephemeral));
    }
    if res.gpu.units.0 > 0 {
        limits.insert("nvidia.com/gpu".to_string(), quantity(res.gpu.units.0));
    }
    let mut ports: Vec<ContainerPort> = Vec::new();
    for e in &svc.expose {
        let p = ContainerPort {
            container_port: i32::try_from(e.port).unwrap_or(0),
            protocol: Some(proto_str(e.proto)),
            ..Default::default()
        };
        if !ports.contains(&p) {
            ports.push(p);
        }
    }
    let container = Container {
        name: svc.name.clone(),
        image: Some(svc.image.clone()),
        image_pull_policy: Some("IfNotPresent".into()),
        command: svc.command.clone().filter(|c| !c.is_empty()),
        args: svc.args.clone().filter(|a| !a.is_empty()),
        env: Some(service_env(lease, svc, settings)),
        ports: (!ports.is_empty()).then_some(ports),
        resources: Some(ResourceRequirements {
            requests: Some(limits.clone()),
            limits: Some(limits),
            ..Default::default()
        }),
        security_context: Some(SecurityContext {
            allow_privilege_escalation: Some(false),
            privileged: Some(false),
            capabilities: Some(Capabilities {
                drop: Some(
                    ["NET_RAW", "MKNOD", "AUDIT_WRITE", "SETFCAP", "SYS_CHROOT"]
                        .map(String::from)
                        .to_vec(),
                ),
                add: None,
            }),
            ..Default::default()
        }),
        volume_mounts: (!volume_mounts.is_empty()).then_some(volume_mounts),
        ..Default::default()
    };
    let gpu_terms: Vec<NodeSelectorTerm> = gpu_selector_terms(svc);
    let affinity = (!gpu_terms.is_empty()).then(|| Affinity {
        node_affinity: Some(NodeAffinity {
            required_during_scheduling_ignored_during_execution: Some(NodeSelector {
                node_selector_terms: gpu_terms,
            }),
            ..Default::default()
        }),
        ..Default::default()
    });
    let spec = PodSpec {
        containers: vec![container],
        automount_service_account_token: Some(false),
        enable_service_links: Some(false),
        restart_policy: Some("Always".into()),
        image_pull_secrets: svc
            .credentials
            .as_ref()
            .map(|_| vec![LocalObjectReference { name: pull_secret_name(&svc.name) }]),
        node_selector: (!kube.node_selector.is_empty()).then(|| kube.node_selector.clone()),
        affinity,
        volumes: (!volumes.is_empty()).then_some(volumes),
        ..Default::default()
    };
    Ok(PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(service_labels(lease, &svc.name)),
            ..Default::default()
        }),
        spec: Some(spec),
    })
}

/// One node selector term per acceptable GPU model (terms are ORed): the node must carry
/// `dcloud.network/capabilities.gpu.vendor.<v>.model.<m>` (and `.ram.<r>` when a size is
/// asked for).
fn gpu_selector_terms(svc: &ManifestService) -> Vec<NodeSelectorTerm> {
    if svc.resources.gpu.units.0 == 0 {
        return Vec::new();
    }
    let mut terms = Vec::new();
    for a in svc.resources.gpu.attributes.iter().filter(|a| a.value == "true") {
        let Some(r) = crate::bidengine::inventory::GpuRequirement::parse(&a.key) else {
            continue;
        };
        if r.model == "*" {
            continue;
        }
        let mut key = format!("{GPU_NODE_LABEL}.vendor.{}.model.{}", r.vendor, r.model);
        if let Some(ram) = &r.ram {
            key.push_str(&format!(".ram.{ram}"));
        }
        let term = NodeSelectorTerm {
            match_expressions: Some(vec![NodeSelectorRequirement {
                key,
                operator: "Exists".into(),
                values: None,
            }]),
            ..Default::default()
        };
        if !terms.contains(&term) {
            terms.push(term);
        }
    }
    terms
}

/// Volume claim templates of a stateful service, one per persistent mount, with the
/// cluster storage class mapped from the SDL class.
fn claims(svc: &ManifestService, kube: &KubeSettings) -> Vec<PersistentVolumeClaim> {
    let mut out = Vec::new();
    for m in mounts(svc) {
        let VolumeBacking::Persistent(class) = backing(svc, &m.name) else { continue };
        let size =
            svc.resources.storage.iter().find(|s| s.name == m.name).map_or(0, |s| s.quantity.0);
        out.push(PersistentVolumeClaim {
            metadata: ObjectMeta { name: Some(m.name.clone()), ..Default::default() },
            spec: Some(PersistentVolumeClaimSpec {
                access_modes: Some(vec!["ReadWriteOnce".into()]),
                storage_class_name: Some(kube.cluster_storage_class(&class)),
                resources: Some(VolumeResourceRequirements {
                    requests: Some(BTreeMap::from([("storage".to_string(), quantity(size))])),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        });
    }
    out
}

/// An Ingress for one hostname, to the ClusterIP service's port 80.
fn ingress(
    lease: &LeaseId,
    svc: &ManifestService,
    e: &ServiceExpose,
    host: &str,
    ns: &str,
    kube: &KubeSettings,
) -> Ingress {
    let o = &e.http_options;
    let mut annotations = BTreeMap::new();
    let nginx = "nginx.ingress.kubernetes.io";
    annotations.insert(format!("{nginx}/proxy-body-size"), o.max_body_size.to_string());
    annotations
        .insert(format!("{nginx}/proxy-read-timeout"), o.read_timeout.div_ceil(1000).to_string());
    annotations
        .insert(format!("{nginx}/proxy-send-timeout"), o.send_timeout.div_ceil(1000).to_string());
    annotations.insert(format!("{nginx}/proxy-next-upstream-tries"), o.next_tries.to_string());
    if !o.next_cases.is_empty() {
        annotations.insert(format!("{nginx}/proxy-next-upstream"), o.next_cases.join(" "));
    }
    let mut m = meta(host, ns, service_labels(lease, &svc.name));
    m.annotations = Some(annotations);
    Ingress {
        metadata: m,
        spec: Some(IngressSpec {
            ingress_class_name: kube.ingress_class.clone(),
            rules: Some(vec![IngressRule {
                host: Some(host.to_string()),
                http: Some(HTTPIngressRuleValue {
                    paths: vec![HTTPIngressPath {
                        path: Some("/".into()),
                        path_type: "Prefix".into(),
                        backend: IngressBackend {
                            service: Some(IngressServiceBackend {
                                name: svc.name.clone(),
                                port: Some(ServiceBackendPort {
                                    number: Some(80),
                                    ..Default::default()
                                }),
                            }),
                            ..Default::default()
                        },
                    }],
                }),
            }]),
            ..Default::default()
        }),
        ..Default::default()
    }
}
