//! What the lease's containers report: the status shown to the tenant (replicas, URIs,
//! forwarded ports, problems) and the ingress routes.

use super::*;

pub(super) fn inspect_labels(i: &ContainerInspectResponse) -> Option<&HashMap<String, String>> {
    i.config.as_ref().and_then(|c| c.labels.as_ref())
}

pub(super) fn inspect_service(i: &ContainerInspectResponse) -> Option<&str> {
    inspect_labels(i).and_then(|l| l.get(LABEL_SERVICE)).map(String::as_str)
}

pub(super) fn replica_name(i: &ContainerInspectResponse) -> String {
    let l = inspect_labels(i);
    let svc = l.and_then(|l| l.get(LABEL_SERVICE)).map_or("?", String::as_str);
    let idx = l.and_then(|l| l.get(LABEL_REPLICA)).map_or("0", String::as_str);
    format!("{svc}-{idx}")
}

pub(super) fn is_running(i: &ContainerInspectResponse) -> bool {
    i.state.as_ref().is_some_and(|s| s.running == Some(true) && s.restarting != Some(true))
}

/// Running long enough to count as available: 500 ms after a first start, 10 s after a
/// restart — so a container that exits at start (and is restarted by its policy) is not
/// reported available in the instants it runs. Kubernetes' `minReadySeconds`, in short.
pub(super) fn is_available(i: &ContainerInspectResponse, now: std::time::SystemTime) -> bool {
    if !is_running(i) {
        return false;
    }
    let restarts = i.restart_count.unwrap_or(0);
    let started = i.state.as_ref().and_then(|s| s.started_at.as_deref());
    let Some(up) = started
        .and_then(|t| humantime::parse_rfc3339_weak(t.trim_end_matches('Z')).ok())
        .and_then(|t| now.duration_since(t).ok())
    else {
        return restarts == 0;
    };
    let min = if restarts == 0 { 500 } else { 10_000 };
    up >= std::time::Duration::from_millis(min)
}

pub(super) fn host_port(i: &ContainerInspectResponse, port: u32, proto: Protocol) -> Option<u16> {
    let ports = i.network_settings.as_ref()?.ports.as_ref()?;
    let bindings = ports.get(&port_key(port, proto))?.as_ref()?;
    bindings.iter().find_map(|b| b.host_port.as_ref()?.parse::<u16>().ok())
}

pub(super) fn container_problem(i: &ContainerInspectResponse) -> Option<String> {
    let s = i.state.as_ref()?;
    let name = replica_name(i);
    let code = s.exit_code.unwrap_or(0);
    let restarts = i.restart_count.unwrap_or(0);
    if s.oom_killed == Some(true) {
        return Some(format!("{name}: killed for running out of memory (restarts: {restarts})"));
    }
    match s.status {
        Some(ContainerStateStatusEnum::RESTARTING) => {
            Some(format!("{name}: restarting, last exit code {code} (restarts: {restarts})"))
        }
        Some(ContainerStateStatusEnum::EXITED) | Some(ContainerStateStatusEnum::DEAD) => {
            Some(format!("{name}: exited with code {code} (restarts: {restarts})"))
        }
        Some(ContainerStateStatusEnum::CREATED) => {
            let err =
                s.error.clone().filter(|e| !e.is_empty()).unwrap_or_else(|| "not started".into());
            Some(format!("{name}: {err}"))
        }
        _ if s.running == Some(true) && restarts > 0 => {
            Some(format!("{name}: restarted {restarts} times, last exit code {code}"))
        }
        _ => None,
    }
}

impl DockerBackend {
    pub(super) async fn lease_status(&self, lease: &LeaseId) -> Result<LeaseStatus, BackendError> {
        let slug = lease.slug();
        let Some(state) = self.read_state(&slug).await? else {
            return Err(BackendError::LeaseNotFound(lease.to_string()));
        };
        let inspects = self.inspect_lease(&slug).await?;
        let mut status = LeaseStatus::default();
        for svc in &state.group.services {
            let env = self.service_env(lease, svc);
            let hash = self.spec_hash(svc, &env);
            let mine: Vec<&ContainerInspectResponse> =
                inspects.iter().filter(|i| inspect_service(i) == Some(svc.name.as_str())).collect();
            let now = std::time::SystemTime::now();
            let running = mine.iter().filter(|i| is_available(i, now)).count() as u32;
            let updated = mine
                .iter()
                .filter(|i| inspect_labels(i).and_then(|l| l.get(LABEL_SPEC_HASH)) == Some(&hash))
                .count() as u32;
            status.services.insert(
                svc.name.clone(),
                ServiceStatus {
                    name: svc.name.clone(),
                    available: running,
                    total: svc.count,
                    uris: self.uris(lease, svc),
                    observed_generation: state.generation,
                    replicas: mine.len() as u32,
                    updated_replicas: updated,
                    ready_replicas: running,
                    available_replicas: running,
                },
            );
            let mut fwd = Vec::new();
            for e in svc.expose.iter().filter(|e| e.global && !e.is_ingress()) {
                for i in &mine {
                    if let Some(p) = host_port(i, e.port, e.proto) {
                        fwd.push(ForwardedPort {
                            host: self.settings.public_hostname.clone(),
                            port: u16::try_from(e.port).unwrap_or(0),
                            external_port: p,
                            proto: e.proto.as_str().to_string(),
                            name: svc.name.clone(),
                        });
                    }
                }
            }
            if !fwd.is_empty() {
                status.forwarded_ports.insert(svc.name.clone(), fwd);
            }
            for i in &mine {
                if let Some(p) = container_problem(i) {
                    status.errors.push(p);
                }
            }
        }
        if let Some(errs) = self.deploy_errors.lock().get(&slug) {
            status.errors.extend(errs.iter().cloned());
        }
        Ok(status)
    }

    pub(super) fn routes_from(
        &self,
        lease: &LeaseId,
        group: &ManifestGroup,
        inspects: &[ContainerInspectResponse],
    ) -> Vec<Route> {
        let mut routes = Vec::new();
        for svc in &group.services {
            let mut first = true;
            for e in svc.expose.iter().filter(|e| e.is_ingress()) {
                let mut hosts = Vec::new();
                if first {
                    hosts.push(ingress_hostname(lease, &svc.name, &self.settings.ingress_domain));
                    first = false;
                }
                hosts.extend(e.hosts.clone().unwrap_or_default());
                for i in inspects.iter().filter(|i| inspect_service(i) == Some(svc.name.as_str())) {
                    let Some(port) = host_port(i, e.port, e.proto) else { continue };
                    for h in &hosts {
                        routes.push(Route {
                            host: h.clone(),
                            target: SocketAddr::from(([127, 0, 0, 1], port)),
                            service: svc.name.clone(),
                        });
                    }
                }
            }
        }
        routes
    }

    pub(super) fn uris(&self, lease: &LeaseId, svc: &ManifestService) -> Vec<String> {
        let mut uris = Vec::new();
        for e in svc.expose.iter().filter(|e| e.is_ingress()) {
            if uris.is_empty() {
                uris.push(ingress_hostname(lease, &svc.name, &self.settings.ingress_domain));
            }
            for h in e.hosts.clone().unwrap_or_default() {
                if !uris.contains(&h) {
                    uris.push(h);
                }
            }
        }
        uris
    }
}

#[cfg(test)]
mod availability_tests {
    use bollard::models::{ContainerInspectResponse, ContainerState};

    use super::is_available;

    fn container(started_at: &str, restarts: i64) -> ContainerInspectResponse {
        ContainerInspectResponse {
            restart_count: Some(restarts),
            state: Some(ContainerState {
                running: Some(true),
                started_at: Some(started_at.into()),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn a_replica_is_available_once_it_has_run_a_while() {
        let t0 = humantime::parse_rfc3339("2026-12-06T15:20:01.123456789Z").unwrap();
        let at = |ms| t0 + std::time::Duration::from_millis(ms);
        let first = container("2026-12-06T15:20:01.123456789Z", 0);
        assert!(!is_available(&first, at(100)));
        assert!(is_available(&first, at(600)));
        let restarted = container("2026-12-06T15:20:01.123456789Z", 3);
        assert!(!is_available(&restarted, at(5_000)));
        assert!(is_available(&restarted, at(10_500)));
        let mut stopped = container("2026-12-06T15:20:01Z", 0);
        stopped.state.as_mut().unwrap().running = Some(false);
        assert!(!is_available(&stopped, at(60_000)));
    }
}
