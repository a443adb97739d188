//! What the cluster reports about a lease: per service the workload's replica counts
//! (kept by the cluster's controllers from pod readiness), the hostnames, the NodePorts
//! of global non-HTTP ports, and problems (pods that cannot pull their image, crash, or
//! cannot be scheduled; objects of the manifest that are missing).

use k8s_openapi::api::core::v1::Pod;

use super::*;
use crate::cluster::{ForwardedPort, ServiceStatus};
use objects::{is_stateful, service_hosts, LABEL_SERVICE};

/// Replica counts of a workload's status.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counts {
    pub(crate) replicas: u32,
    pub(crate) updated: u32,
    pub(crate) ready: u32,
    pub(crate) available: u32,
}

fn u(v: Option<i32>) -> u32 {
    u32::try_from(v.unwrap_or(0)).unwrap_or(0)
}

fn deployment_counts(d: &Deployment) -> Counts {
    let s = d.status.clone().unwrap_or_default();
    Counts {
        replicas: u(s.replicas),
        updated: u(s.updated_replicas),
        ready: u(s.ready_replicas),
        available: u(s.available_replicas),
    }
}

fn stateful_counts(d: &StatefulSet) -> Counts {
    let s = d.status.clone().unwrap_or_default();
    Counts {
        replicas: u32::try_from(s.replicas).unwrap_or(0),
        updated: u(s.updated_replicas),
        ready: u(s.ready_replicas),
        available: u(s.available_replicas.or(s.ready_replicas)),
    }
}

/// The problems a pod shows: containers waiting for a reason other than starting,
/// containers that terminated with an error, and unschedulable pods.
pub(crate) fn pod_problems(p: &Pod) -> Vec<String> {
    let name = p.metadata.name.clone().unwrap_or_default();
    let mut out = Vec::new();
    let Some(s) = &p.status else { return out };
    for c in s.conditions.iter().flatten() {
        if c.type_ == "PodScheduled" && c.status == "False" {
            out.push(format!(
                "{name}: cannot be scheduled: {}",
                c.message.clone().or(c.reason.clone()).unwrap_or_default()
            ));
        }
    }
    for cs in s.container_statuses.iter().flatten() {
        let Some(state) = &cs.state else { continue };
        if let Some(w) = &state.waiting {
            let reason = w.reason.clone().unwrap_or_default();
            if !matches!(reason.as_str(), "" | "ContainerCreating" | "PodInitializing") {
                let msg = w.message.clone().unwrap_or_default();
                out.push(format!(
                    "{name}: {reason}{}",
                    if msg.is_empty() { String::new() } else { format!(": {msg}") }
                ));
            }
        }
        if let Some(t) = &state.terminated {
            if t.exit_code != 0 {
                out.push(format!(
                    "{name}: exited with code {} ({}), restarts: {}",
                    t.exit_code,
                    t.reason.clone().unwrap_or_default(),
                    cs.restart_count
                ));
            }
        }
    }
    out
}

impl KubeBackend {
    pub(super) async fn lease_status(&self, lease: &LeaseId) -> Result<LeaseStatus, BackendError> {
        let ns = self.namespace(lease);
        let Some(record) = self.read_record(&ns).await? else {
            return Err(BackendError::LeaseNotFound(lease.to_string()));
        };
        let lp = ListParams::default().labels(&format!("{LABEL_MANAGED}=true"));
        let deps: Api<Deployment> = Api::namespaced(self.client.clone(), &ns);
        let sets: Api<StatefulSet> = Api::namespaced(self.client.clone(), &ns);
        let svcs: Api<Service> = Api::namespaced(self.client.clone(), &ns);
        let pods: Api<Pod> = Api::namespaced(self.client.clone(), &ns);
        let (deps, sets, svcs, pods) = futures::try_join!(
            retry("list deployments", || deps.list(&lp)),
            retry("list statefulsets", || sets.list(&lp)),
            retry("list services", || svcs.list(&lp)),
            retry("list pods", || pods.list(&lp)),
        )
        .map_err(api_err)?;
        let mut status = LeaseStatus::default();
        for svc in &record.group.services {
            let name = Some(svc.name.clone());
            let counts = if is_stateful(svc) {
                sets.items.iter().find(|d| d.metadata.name == name).map(stateful_counts)
            } else {
                deps.items.iter().find(|d| d.metadata.name == name).map(deployment_counts)
            };
            if counts.is_none() {
                status.errors.push(format!(
                    "{}: {} not found in the cluster (deploy incomplete)",
                    svc.name,
                    if is_stateful(svc) { "StatefulSet" } else { "Deployment" }
                ));
            }
            let c = counts.unwrap_or_default();
            status.services.insert(
                svc.name.clone(),
                ServiceStatus {
                    name: svc.name.clone(),
                    available: c.available,
                    total: svc.count,
                    uris: service_hosts(lease, svc, &self.settings.ingress_domain),
                    observed_generation: record.generation,
                    replicas: c.replicas,
                    updated_replicas: c.updated,
                    ready_replicas: c.ready,
                    available_replicas: c.available,
                },
            );
            let np = Some(format!("{}-np", svc.name));
            let mut fwd = Vec::new();
            if let Some(s) = svcs.items.iter().find(|s| s.metadata.name == np) {
                for p in s.spec.as_ref().and_then(|s| s.ports.as_ref()).into_iter().flatten() {
                    let Some(node_port) = p.node_port else { continue };
                    let target = match &p.target_port {
                        Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(t)) => {
                            *t
                        }
                        _ => p.port,
                    };
                    fwd.push(ForwardedPort {
                        host: self.settings.public_hostname.clone(),
                        port: u16::try_from(target).unwrap_or(0),
                        external_port: u16::try_from(node_port).unwrap_or(0),
                        proto: p.protocol.clone().unwrap_or_else(|| "TCP".into()),
                        name: svc.name.clone(),
                    });
                }
            } else if svc.expose.iter().any(|e| e.global && !e.is_ingress()) {
                status.errors.push(format!(
                    "{}: NodePort service {}-np not found in the cluster (deploy incomplete)",
                    svc.name, svc.name
                ));
            }
            if !fwd.is_empty() {
                status.forwarded_ports.insert(svc.name.clone(), fwd);
            }
            for p in pods.items.iter().filter(|p| {
                p.metadata.labels.as_ref().and_then(|l| l.get(LABEL_SERVICE)) == name.as_ref()
            }) {
                status.errors.extend(pod_problems(p));
            }
        }
        Ok(status)
    }
}
