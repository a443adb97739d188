//! What a container is made of: the environment, the spec hash that decides whether a
//! redeploy recreates it, and the engine's create body (ports, mounts, limits, hardening).

use super::*;

/// Bumped when the container layout changes, so that old containers get recreated.
const SPEC_VERSION: u32 = 1;

pub(super) fn port_key(port: u32, proto: Protocol) -> String {
    match proto {
        Protocol::Tcp => format!("{port}/tcp"),
        Protocol::Udp => format!("{port}/udp"),
    }
}

pub(super) fn attr<'a>(attrs: &'a [dcloud_sdl::output::Attribute], key: &str) -> Option<&'a str> {
    attrs.iter().find(|a| a.key == key).map(|a| a.value.as_str())
}

/// What the spec hash covers: everything a container is created from.
#[derive(Serialize)]
struct SpecInput<'a> {
    v: u32,
    image: &'a str,
    command: &'a Option<Vec<String>>,
    args: &'a Option<Vec<String>>,
    env: &'a [String],
    resources: &'a dcloud_sdl::output::Resources,
    expose: &'a [ServiceExpose],
    params: &'a Option<dcloud_sdl::output::ServiceParams>,
    bind: String,
}

/// A container the group wants.
pub(super) struct Want<'a> {
    pub(super) name: String,
    pub(super) service: &'a ManifestService,
    pub(super) index: u32,
    pub(super) env: Arc<Vec<String>>,
    pub(super) hash: String,
}

pub(super) fn attr_class<'a>(svc: &'a ManifestService, volume: &str) -> Option<&'a str> {
    svc.resources
        .storage
        .iter()
        .find(|s| s.name == volume)
        .and_then(|s| attr(&s.attributes, "class"))
}

pub(super) fn validate_group(group: &ManifestGroup) -> Result<(), BackendError> {
    let ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 63
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
    };
    for svc in &group.services {
        if !ok(&svc.name) {
            return Err(BackendError::Invalid(format!(
                "service name {:?} is not a DNS label",
                svc.name
            )));
        }
        if svc.image.trim().is_empty() {
            return Err(BackendError::Invalid(format!("service {} has no image", svc.name)));
        }
        for m in svc.params.as_ref().and_then(|p| p.storage.as_ref()).into_iter().flatten() {
            if !ok(&m.name) {
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
        }
    }
    Ok(())
}

impl DockerBackend {
    /// The environment of a service: the SDL's, plus the `AKASH_*` variables the tenant
    /// did not set.
    pub(super) fn service_env(&self, lease: &LeaseId, svc: &ManifestService) -> Vec<String> {
        let mut env: Vec<String> = svc.env.clone().unwrap_or_default();
        let set: BTreeSet<String> =
            env.iter().map(|e| e.split('=').next().unwrap_or("").to_string()).collect();
        let extra = [
            ("AKASH_OWNER", lease.owner.to_string()),
            ("AKASH_DEPLOYMENT_SEQUENCE", lease.dseq.to_string()),
            ("AKASH_GROUP_SEQUENCE", lease.gseq.to_string()),
            ("AKASH_ORDER_SEQUENCE", lease.oseq.to_string()),
            ("AKASH_PROVIDER", self.settings.provider.clone()),
            ("AKASH_CLUSTER_PUBLIC_HOSTNAME", self.settings.public_hostname.clone()),
        ];
        for (k, v) in extra {
            if !set.contains(k) {
                env.push(format!("{k}={v}"));
            }
        }
        env
    }

    pub(super) fn spec_hash(&self, svc: &ManifestService, env: &[String]) -> String {
        // The resource id is the unit's position in the group: not part of the container.
        let mut resources = svc.resources.clone();
        resources.id = 0;
        let input = SpecInput {
            v: SPEC_VERSION,
            image: &svc.image,
            command: &svc.command,
            args: &svc.args,
            env,
            resources: &resources,
            expose: &svc.expose,
            params: &svc.params,
            bind: self.settings.bind_address.to_string(),
        };
        // serde_json's map is ordered, so this is deterministic.
        let json = serde_json::to_vec(&input).unwrap_or_default();
        hex::encode(&Sha256::digest(&json)[..16])
    }

    pub(super) fn wants<'a>(&self, lease: &LeaseId, group: &'a ManifestGroup) -> Vec<Want<'a>> {
        let mut out = Vec::new();
        for svc in &group.services {
            let env = Arc::new(self.service_env(lease, svc));
            let hash = self.spec_hash(svc, &env);
            for index in 0..svc.count {
                out.push(Want {
                    name: container_name(lease, &svc.name, index),
                    service: svc,
                    index,
                    env: env.clone(),
                    hash: hash.clone(),
                });
            }
        }
        out
    }

    pub(super) fn container_body(
        &self,
        lease: &LeaseId,
        want: &Want<'_>,
        generation: u64,
    ) -> Result<ContainerCreateBody, BackendError> {
        let svc = want.service;
        let mut labels = self.base_labels(lease, "container");
        labels.insert(LABEL_SERVICE.into(), svc.name.clone());
        labels.insert(LABEL_REPLICA.into(), want.index.to_string());
        labels.insert(LABEL_SPEC_HASH.into(), want.hash.clone());
        labels.insert(LABEL_GENERATION.into(), generation.to_string());

        let (exposed, bindings) = self.port_bindings(svc);
        let (mounts, memory) = mounts(lease, svc)?;
        let host_config = HostConfig {
            port_bindings: Some(bindings),
            mounts: (!mounts.is_empty()).then_some(mounts),
            network_mode: Some(network_name(lease)),
            ..limits_and_hardening(&svc.resources, memory)
        };
        let networking_config = NetworkingConfig {
            endpoints_config: Some(HashMap::from([(
                network_name(lease),
                EndpointSettings { aliases: Some(vec![svc.name.clone()]), ..Default::default() },
            )])),
        };
        // Kubernetes semantics: command replaces the entrypoint, args the cmd.
        let entrypoint = svc.command.clone().filter(|c| !c.is_empty());
        let cmd = svc.args.clone().filter(|a| !a.is_empty());
        Ok(ContainerCreateBody {
            image: Some(svc.image.clone()),
            hostname: Some(format!("{}-{}", svc.name, want.index)),
            env: Some(want.env.as_ref().clone()),
            entrypoint,
            cmd,
            labels: Some(labels),
            exposed_ports: (!exposed.is_empty()).then_some(exposed),
            host_config: Some(host_config),
            networking_config: Some(networking_config),
            ..Default::default()
        })
    }

    /// The exposed ports of a service and the host bindings of its global ones: ingress
    /// ports on `127.0.0.1` (the ingress proxies to them), the others on `bind_address`;
    /// host ports are picked by the engine.
    fn port_bindings(&self, svc: &ManifestService) -> (Vec<String>, PortBindings) {
        let mut exposed = Vec::new();
        let mut bindings: PortBindings = HashMap::new();
        for e in &svc.expose {
            let key = port_key(e.port, e.proto);
            if !exposed.contains(&key) {
                exposed.push(key.clone());
            }
            if !e.global {
                continue;
            }
            let ip = if e.is_ingress() {
                "127.0.0.1".to_string()
            } else {
                self.settings.bind_address.to_string()
            };
            let list = bindings.entry(key).or_insert_with(|| Some(Vec::new()));
            if let Some(list) = list {
                let b = PortBinding { host_ip: Some(ip), host_port: Some(String::new()) };
                if !list.contains(&b) {
                    list.push(b);
                }
            }
        }
        (exposed, bindings)
    }
}

/// Host port bindings by `<port>/<proto>`, as the engine API takes them.
type PortBindings = HashMap<String, Option<Vec<PortBinding>>>;

/// The mounts of a service's storage, and its memory limit in bytes (the leased memory
/// plus its memory-backed volumes).
fn mounts(lease: &LeaseId, svc: &ManifestService) -> Result<(Vec<Mount>, i64), BackendError> {
    let res = &svc.resources;
    let mut memory = i64::try_from(res.memory.quantity.0).unwrap_or(i64::MAX);
    let mut mounts = Vec::new();
    for m in svc.params.as_ref().and_then(|p| p.storage.as_ref()).into_iter().flatten() {
        let Some(storage) = res.storage.iter().find(|s| s.name == m.name) else {
            return Err(BackendError::Invalid(format!(
                "service {}: mount of unknown volume {:?}",
                svc.name, m.name
            )));
        };
        let size = i64::try_from(storage.quantity.0).unwrap_or(i64::MAX);
        let persistent = attr(&storage.attributes, "persistent") == Some("true");
        let class = attr(&storage.attributes, "class");
        let mount = if class == Some("ram") {
            // Memory-backed: counts toward the memory limit, as in Akash.
            memory = memory.saturating_add(size);
            Mount {
                target: Some(m.mount.clone()),
                typ: Some(MountType::TMPFS),
                read_only: Some(m.read_only),
                tmpfs_options: Some(MountTmpfsOptions {
                    size_bytes: Some(size),
                    ..Default::default()
                }),
                ..Default::default()
            }
        } else if persistent {
            Mount {
                target: Some(m.mount.clone()),
                source: Some(volume_name(lease, &svc.name, &m.name)),
                typ: Some(MountType::VOLUME),
                read_only: Some(m.read_only),
                ..Default::default()
            }
        } else {
            // Ephemeral: an anonymous volume, removed with the container.
            Mount {
                target: Some(m.mount.clone()),
                typ: Some(MountType::VOLUME),
                read_only: Some(m.read_only),
                ..Default::default()
            }
        };
        mounts.push(mount);
    }
    Ok((mounts, memory))
}

/// The leased limits (CPU, `memory` bytes, GPUs, ulimits) and the hardening every
/// container gets (init, restart policy, no new privileges, dropped capabilities).
fn limits_and_hardening(res: &dcloud_sdl::output::Resources, memory: i64) -> HostConfig {
    let gpus = res.gpu.units.0;
    let device_requests = (gpus > 0).then(|| {
        vec![DeviceRequest {
            driver: Some("nvidia".into()),
            count: Some(i64::try_from(gpus).unwrap_or(i64::MAX)),
            capabilities: Some(vec![vec!["gpu".into()]]),
            ..Default::default()
        }]
    });
    let ulimit = |name: &str| ResourcesUlimits {
        name: Some(name.into()),
        soft: Some(1024),
        hard: Some(1024),
    };
    let cpu_millis = i64::try_from(res.cpu.units.0).unwrap_or(i64::MAX / 1_000_000);
    HostConfig {
        nano_cpus: (cpu_millis > 0).then(|| cpu_millis.saturating_mul(1_000_000)),
        memory: (memory > 0).then_some(memory),
        memory_swap: (memory > 0).then_some(memory),
        ulimits: Some(vec![ulimit("nofile"), ulimit("nproc")]),
        init: Some(true),
        restart_policy: Some(RestartPolicy {
            name: Some(RestartPolicyNameEnum::UNLESS_STOPPED),
            maximum_retry_count: None,
        }),
        security_opt: Some(vec!["no-new-privileges".into()]),
        cap_drop: Some(vec![
            "NET_RAW".into(),
            "MKNOD".into(),
            "AUDIT_WRITE".into(),
            "SETFCAP".into(),
            "SYS_CHROOT".into(),
        ]),
        privileged: Some(false),
        device_requests,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::docker::tests::lease;

    fn group(env: &str) -> ManifestGroup {
        let yaml = format!(
            r#"
version: "2.0"
services:
  web:
    image: localhost/x:1
    env: ["{env}", "AKASH_PROVIDER=mine"]
    expose:
      - port: 80
        accept: [www.example.com]
        to: [ {{ global: true }} ]
      - port: 5000
        as: 5000
        to: [ {{ global: true }} ]
profiles:
  compute:
    web: {{ resources: {{ cpu: {{ units: 0.5 }}, memory: {{ size: 64Mi }}, storage: {{ size: 1Gi }} }} }}
  placement:
    dc: {{ pricing: {{ web: {{ denom: uakt, amount: 1000 }} }} }}
deployment:
  web: {{ dc: {{ profile: web, count: 2 }} }}
"#
        );
        dcloud_sdl::parse(&yaml).expect("sdl").manifest().0.remove(0)
    }

    #[test]
    fn container_spec_from_manifest() {
        let settings = BackendSettings::new("ingress.test", "provider.test", "akash1provider");
        let b = DockerBackend::with_client(
            Docker::connect_with_http("tcp://127.0.0.1:9", 1, bollard::API_DEFAULT_VERSION)
                .expect("client"),
            settings,
        );
        let l = lease();
        let g = group("A=1");
        let wants = b.wants(&l, &g);
        assert_eq!(wants.len(), 2);
        assert_eq!(wants[1].name, format!("dcloud-{}-web-1", l.slug()));
        let body = b.container_body(&l, &wants[0], 3).expect("body");
        let env = body.env.clone().unwrap_or_default();
        assert!(env.contains(&"A=1".to_string()));
        assert!(env.contains(&"AKASH_PROVIDER=mine".to_string()), "tenant value kept");
        assert!(!env.contains(&"AKASH_PROVIDER=akash1provider".to_string()));
        assert!(env.contains(&format!("AKASH_OWNER={}", l.owner)));
        assert!(env.contains(&"AKASH_DEPLOYMENT_SEQUENCE=42".to_string()));
        assert!(env.contains(&"AKASH_CLUSTER_PUBLIC_HOSTNAME=provider.test".to_string()));
        let hc = body.host_config.clone().expect("host config");
        assert_eq!(hc.nano_cpus, Some(500_000_000));
        assert_eq!(hc.memory, Some(64 * 1024 * 1024));
        assert_eq!(hc.init, Some(true));
        let ports = hc.port_bindings.expect("ports");
        let web = ports["80/tcp"].clone().expect("80");
        assert_eq!(web[0].host_ip.as_deref(), Some("127.0.0.1"));
        let fwd = ports["5000/tcp"].clone().expect("5000");
        assert_eq!(fwd[0].host_ip.as_deref(), Some("127.0.0.1"), "bind_address");
        let labels = body.labels.expect("labels");
        assert_eq!(labels[LABEL_GENERATION], "3");
        assert_eq!(labels[LABEL_LEASE], l.to_string());
        // Same group: same hash; env change: different hash.
        assert_eq!(wants[0].hash, b.wants(&l, &group("A=1"))[0].hash);
        assert_ne!(wants[0].hash, b.wants(&l, &group("A=2"))[0].hash);
        assert_eq!(
            b.uris(&l, &g.services[0]),
            vec![ingress_hostname(&l, "web", "ingress.test"), "www.example.com".to_string()]
        );
    }
}
