//! [`Backend`](super::Backend) over the Docker Engine API (`bollard`): Docker or Podman.
//!
//! What a lease becomes (all names derive from [`LeaseId::slug`]):
//! * a bridge network `dcloud-<slug>`; each container joins it with its service name as
//!   alias, so the services of one lease reach each other by name;
//! * one container per service replica, `dcloud-<slug>-<service>-<index>`, labelled with the
//!   lease, service, replica and a hash of its desired configuration (`dcloud.spec-hash`):
//!   a redeploy recreates exactly the containers whose hash changed;
//! * a named volume per persistent storage mount, `dcloud-<slug>-<service>-<volume>`;
//! * a *state volume* `dcloud-<slug>.state-<generation>` (empty; its labels hold the lease
//!   id, the generation and the manifest group JSON). It is the backend's durable record:
//!   [`Backend::list`] reads it after a provider restart. A changed deploy writes the next
//!   generation before touching containers and deletes the older ones afterwards.
//!
//! HTTP ingress ports (TCP, global, external port 80) are published on `127.0.0.1:<random>`
//! and returned as [`Route`]s; other global ports on `bind_address:<random>`, reported as
//! [`ForwardedPort`]s.
//!
//! **Isolation.** With [`BackendSettings::isolate`] each lease subnet gets iptables rules
//! that drop traffic to other leases' subnets ([`super::isolation`]).
//!
//! **Events.** [`Backend::events`] first reports what the current container states imply
//! (created, started, died with exit code, restarting, OOM-killed), since the engine's event
//! history is not reliable across engines; with `follow` it then streams the engine's live
//! container events for the lease (`/events` filtered by the lease label, also checked on
//! our side by container name).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bollard::auth::DockerCredentials;
use bollard::container::LogOutput;
use bollard::exec::{CreateExecOptions, StartExecOptions, StartExecResults};
use bollard::models::{
    ContainerCreateBody, ContainerInspectResponse, ContainerStateStatusEnum, ContainerSummary,
    DeviceRequest, EndpointSettings, EventMessage, HostConfig, Mount, MountTmpfsOptions, MountType,
    NetworkCreateRequest, NetworkingConfig, PortBinding, ResourcesUlimits, RestartPolicy,
    RestartPolicyNameEnum, VolumeCreateRequest,
};
use bollard::query_parameters::{
    CreateContainerOptions, CreateImageOptions, EventsOptions, ListContainersOptions,
    ListVolumesOptions, LogsOptions, RemoveContainerOptions, RemoveVolumeOptions,
    ResizeExecOptions,
};
use bollard::Docker;
use dcloud_sdl::output::{ManifestGroup, ManifestService, Protocol, ServiceExpose};
use futures::stream::{BoxStream, StreamExt};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use tokio::sync::{mpsc, oneshot};

use super::{
    isolation, Backend, BackendError, BackendSettings, EventObject, ExecInput, ExecOutput,
    ExecRequest, ExecSession, ForwardedPort, LeaseEvent, LeaseStatus, LogLine, LogOptions, Route,
    ServiceStatus,
};
use crate::{LeaseId, LeaseSlug};

/// Label: the lease id (`owner/dseq/gseq/oseq/provider`).
pub const LABEL_LEASE: &str = "dcloud.lease";
/// Label: the lease slug (what names are made of; used in filters).
pub const LABEL_SLUG: &str = "dcloud.lease-slug";
/// Label: the provider address from [`BackendSettings::provider`].
pub const LABEL_PROVIDER: &str = "dcloud.provider";
/// Label: what the object is (`container`, `network`, `volume`, `state`).
pub const LABEL_KIND: &str = "dcloud.kind";
/// Label: service name.
pub const LABEL_SERVICE: &str = "dcloud.service";
/// Label: replica index.
pub const LABEL_REPLICA: &str = "dcloud.replica";
/// Label: hash of the container's desired configuration.
pub const LABEL_SPEC_HASH: &str = "dcloud.spec-hash";
/// Label: lease generation (state volume: the current one; container: when created).
pub const LABEL_GENERATION: &str = "dcloud.generation";
/// Label on the state volume: the manifest group JSON.
pub const LABEL_GROUP: &str = "dcloud.group";
/// Label on persistent volumes: the SDL volume name.
pub const LABEL_VOLUME: &str = "dcloud.volume";

/// Bumped when the container layout changes, so that old containers get recreated.
const SPEC_VERSION: u32 = 1;
/// How long to wait for an exec to report its exit code once its output ended.
const EXEC_EXIT_WAIT: Duration = Duration::from_secs(30);

fn engine(e: bollard::errors::Error) -> BackendError {
    BackendError::Engine(e.to_string())
}

fn is_not_found(e: &bollard::errors::Error) -> bool {
    matches!(e, bollard::errors::Error::DockerResponseServerError { status_code: 404, .. })
}

/// The generated ingress hostname of a service: `<uid>.<domain>` where uid is the lowercase
/// base32hex (no padding) of UUIDv5(DNS namespace, lease id + service name), Akash's rule.
pub fn ingress_hostname(lease: &LeaseId, service: &str, domain: &str) -> String {
    let name = format!("{lease}{service}");
    let uid = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_DNS, name.as_bytes());
    let uid = data_encoding::BASE32HEX_NOPAD.encode(uid.as_bytes()).to_ascii_lowercase();
    format!("{uid}.{domain}")
}

/// Container name of a replica.
pub fn container_name(lease: &LeaseId, service: &str, index: u32) -> String {
    format!("dcloud-{}-{service}-{index}", lease.slug())
}

/// Network name of a lease.
pub fn network_name(lease: &LeaseId) -> String {
    format!("dcloud-{}", lease.slug())
}

/// Named volume of a persistent storage mount.
pub fn volume_name(lease: &LeaseId, service: &str, volume: &str) -> String {
    format!("dcloud-{}-{service}-{volume}", lease.slug())
}

fn state_volume_name(slug: &str, generation: u64) -> String {
    format!("dcloud-{slug}.state-{generation}")
}

fn port_key(port: u32, proto: Protocol) -> String {
    match proto {
        Protocol::Tcp => format!("{port}/tcp"),
        Protocol::Udp => format!("{port}/udp"),
    }
}

fn attr<'a>(attrs: &'a [dcloud_sdl::output::Attribute], key: &str) -> Option<&'a str> {
    attrs.iter().find(|a| a.key == key).map(|a| a.value.as_str())
}

fn label<'a>(labels: &'a Option<HashMap<String, String>>, key: &str) -> Option<&'a str> {
    labels.as_ref().and_then(|l| l.get(key)).map(String::as_str)
}

/// The lease's durable record (the newest state volume).
struct LeaseState {
    generation: u64,
    group: ManifestGroup,
    lease: LeaseId,
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
struct Want<'a> {
    name: String,
    service: &'a ManifestService,
    index: u32,
    env: Arc<Vec<String>>,
    hash: String,
}

/// [`Backend`] over a Docker-compatible engine.
pub struct DockerBackend {
    docker: Docker,
    settings: BackendSettings,
    /// One lock per lease slug: deploys and teardowns of a lease do not interleave.
    locks: parking_lot::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Problems from the last deploy of a lease (image pulls), shown in its status.
    deploy_errors: parking_lot::Mutex<HashMap<String, Vec<String>>>,
}

impl std::fmt::Debug for DockerBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DockerBackend").field("settings", &self.settings).finish()
    }
}

impl DockerBackend {
    /// Connects to the engine at `docker_host` (`unix:///path`, `tcp://host:port` or
    /// `http://host:port`), or else `$DOCKER_HOST`, or else the first of
    /// `/var/run/docker.sock`, `/run/podman/podman.sock`,
    /// `$XDG_RUNTIME_DIR/podman/podman.sock` that answers a ping. Negotiates the API
    /// version down to the engine's.
    pub async fn connect(
        settings: BackendSettings,
        docker_host: Option<&str>,
    ) -> Result<Self, BackendError> {
        let candidates: Vec<String> = match docker_host {
            Some(h) => vec![h.to_string()],
            None => match std::env::var("DOCKER_HOST") {
                Ok(h) if !h.is_empty() => vec![h],
                _ => {
                    let mut v = vec![
                        "unix:///var/run/docker.sock".to_string(),
                        "unix:///run/podman/podman.sock".to_string(),
                    ];
                    if let Ok(dir) = std::env::var("XDG_RUNTIME_DIR") {
                        v.push(format!("unix://{dir}/podman/podman.sock"));
                    }
                    v
                }
            },
        };
        let mut problems = Vec::new();
        for host in &candidates {
            match Self::try_connect(host).await {
                Ok(docker) => return Ok(Self::with_client(docker, settings)),
                Err(e) => problems.push(format!("{host}: {e}")),
            }
        }
        Err(BackendError::Engine(format!("no container engine answered ({})", problems.join("; "))))
    }

    async fn try_connect(host: &str) -> Result<Docker, String> {
        let docker = if let Some(path) = host.strip_prefix("unix://") {
            if !std::path::Path::new(path).exists() {
                return Err("no such socket".to_string());
            }
            Docker::connect_with_unix(path, 120, bollard::API_DEFAULT_VERSION)
        } else if host.starts_with("tcp://") || host.starts_with("http://") {
            Docker::connect_with_http(host, 120, bollard::API_DEFAULT_VERSION)
        } else {
            return Err("unsupported address (use unix:// or tcp://)".to_string());
        }
        .map_err(|e| e.to_string())?;
        docker.ping().await.map_err(|e| e.to_string())?;
        docker.negotiate_version().await.map_err(|e| e.to_string())
    }

    /// A backend over an already connected client.
    pub fn with_client(docker: Docker, settings: BackendSettings) -> Self {
        Self {
            docker,
            settings,
            locks: parking_lot::Mutex::new(HashMap::new()),
            deploy_errors: parking_lot::Mutex::new(HashMap::new()),
        }
    }

    /// The engine client (for tools such as [`crate::cluster::testimage`]).
    pub fn docker(&self) -> &Docker {
        &self.docker
    }

    /// The settings this backend runs with.
    pub fn settings(&self) -> &BackendSettings {
        &self.settings
    }

    /// The engine's version string (e.g. `4.3.1` for Podman).
    pub async fn engine_version(&self) -> Result<String, BackendError> {
        let v = self.docker.version().await.map_err(engine)?;
        Ok(v.version.unwrap_or_default())
    }

    fn lease_lock(&self, slug: &str) -> Arc<tokio::sync::Mutex<()>> {
        self.locks.lock().entry(slug.to_string()).or_default().clone()
    }

    fn base_labels(&self, lease: &LeaseId, kind: &str) -> HashMap<String, String> {
        HashMap::from([
            (LABEL_LEASE.to_string(), lease.to_string()),
            (LABEL_SLUG.to_string(), lease.slug()),
            (LABEL_PROVIDER.to_string(), self.settings.provider.clone()),
            (LABEL_KIND.to_string(), kind.to_string()),
        ])
    }

    /// The environment of a service: the SDL's, plus the `AKASH_*` variables the tenant
    /// did not set.
    fn service_env(&self, lease: &LeaseId, svc: &ManifestService) -> Vec<String> {
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

    fn spec_hash(&self, svc: &ManifestService, env: &[String]) -> String {
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

    fn wants<'a>(&self, lease: &LeaseId, group: &'a ManifestGroup) -> Vec<Want<'a>> {
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

    fn container_body(
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

        let mut exposed = Vec::new();
        let mut bindings: HashMap<String, Option<Vec<PortBinding>>> = HashMap::new();
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
        let host_config = HostConfig {
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
            port_bindings: Some(bindings),
            mounts: (!mounts.is_empty()).then_some(mounts),
            device_requests,
            network_mode: Some(network_name(lease)),
            ..Default::default()
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

    async fn read_states(&self, slug: Option<&str>) -> Result<Vec<LeaseState>, BackendError> {
        let mut filters = vec![
            format!("{LABEL_KIND}=state"),
            format!("{LABEL_PROVIDER}={}", self.settings.provider),
        ];
        if let Some(slug) = slug {
            filters.push(format!("{LABEL_SLUG}={slug}"));
        }
        let opts =
            ListVolumesOptions { filters: Some(HashMap::from([("label".to_string(), filters)])) };
        let vols = self.docker.list_volumes(Some(opts)).await.map_err(engine)?;
        let mut newest: BTreeMap<String, LeaseState> = BTreeMap::new();
        for v in vols.volumes.unwrap_or_default() {
            let l = &v.labels;
            // Check the labels ourselves too: not every engine applies every filter.
            if l.get(LABEL_KIND).map(String::as_str) != Some("state")
                || l.get(LABEL_PROVIDER) != Some(&self.settings.provider)
            {
                continue;
            }
            let (Some(vslug), Some(lease), Some(generation), Some(group)) = (
                l.get(LABEL_SLUG),
                l.get(LABEL_LEASE).and_then(|s| s.parse::<LeaseId>().ok()),
                l.get(LABEL_GENERATION).and_then(|g| g.parse::<u64>().ok()),
                l.get(LABEL_GROUP).and_then(|g| serde_json::from_str::<ManifestGroup>(g).ok()),
            ) else {
                tracing::warn!(volume = %v.name, "unreadable lease state volume");
                continue;
            };
            if slug.is_some_and(|s| s != vslug) {
                continue;
            }
            if newest.get(vslug).is_none_or(|cur| cur.generation < generation) {
                newest.insert(vslug.clone(), LeaseState { generation, group, lease });
            }
        }
        Ok(newest.into_values().collect())
    }

    async fn read_state(&self, slug: &str) -> Result<Option<LeaseState>, BackendError> {
        Ok(self.read_states(Some(slug)).await?.pop())
    }

    async fn write_state(
        &self,
        lease: &LeaseId,
        generation: u64,
        group: &ManifestGroup,
    ) -> Result<(), BackendError> {
        let mut labels = self.base_labels(lease, "state");
        labels.insert(LABEL_GENERATION.into(), generation.to_string());
        let json = serde_json::to_string(group)
            .map_err(|e| BackendError::Invalid(format!("manifest group: {e}")))?;
        labels.insert(LABEL_GROUP.into(), json);
        let name = state_volume_name(&lease.slug(), generation);
        // A leftover of a crashed deploy may hold this name: replace it.
        let _ = self.docker.remove_volume(&name, Some(RemoveVolumeOptions { force: true })).await;
        self.docker
            .create_volume(VolumeCreateRequest {
                name: Some(name),
                labels: Some(labels),
                ..Default::default()
            })
            .await
            .map_err(engine)?;
        Ok(())
    }

    async fn drop_old_states(&self, slug: &str, keep: u64) -> Result<(), BackendError> {
        for v in self.lease_volumes(slug).await? {
            let is_state = v.labels.get(LABEL_KIND).map(String::as_str) == Some("state");
            let generation = v.labels.get(LABEL_GENERATION).and_then(|g| g.parse::<u64>().ok());
            if is_state && generation != Some(keep) {
                self.remove_volume(&v.name).await?;
            }
        }
        Ok(())
    }

    async fn lease_volumes(
        &self,
        slug: &str,
    ) -> Result<Vec<bollard::models::Volume>, BackendError> {
        let opts = ListVolumesOptions {
            filters: Some(HashMap::from([(
                "label".to_string(),
                vec![format!("{LABEL_SLUG}={slug}")],
            )])),
        };
        let vols = self.docker.list_volumes(Some(opts)).await.map_err(engine)?;
        Ok(vols
            .volumes
            .unwrap_or_default()
            .into_iter()
            .filter(|v| v.labels.get(LABEL_SLUG).map(String::as_str) == Some(slug))
            .collect())
    }

    async fn remove_volume(&self, name: &str) -> Result<(), BackendError> {
        match self.docker.remove_volume(name, Some(RemoveVolumeOptions { force: true })).await {
            Ok(()) => Ok(()),
            Err(e) if is_not_found(&e) => Ok(()),
            Err(e) => Err(engine(e)),
        }
    }

    /// Every container of the lease (running or not).
    async fn lease_containers(&self, slug: &str) -> Result<Vec<ContainerSummary>, BackendError> {
        let opts = ListContainersOptions {
            all: true,
            filters: Some(HashMap::from([(
                "label".to_string(),
                vec![format!("{LABEL_SLUG}={slug}")],
            )])),
            ..Default::default()
        };
        // Podman briefly reports states the Docker API does not know ("stopped") for a
        // container being removed; such an answer does not decode. Ask again shortly.
        let mut attempt = 0;
        let list = loop {
            match self.docker.list_containers(Some(opts.clone())).await {
                Ok(l) => break l,
                Err(bollard::errors::Error::JsonDataError { .. }) if attempt < 20 => {
                    attempt += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => return Err(engine(e)),
            }
        };
        Ok(list.into_iter().filter(|c| label(&c.labels, LABEL_SLUG) == Some(slug)).collect())
    }

    /// Inspects every container of the lease, sorted by service and replica.
    async fn inspect_lease(
        &self,
        slug: &str,
    ) -> Result<Vec<ContainerInspectResponse>, BackendError> {
        let list = self.lease_containers(slug).await?;
        let futs = list.iter().filter_map(|c| c.id.clone()).map(|id| {
            let docker = self.docker.clone();
            async move { docker.inspect_container(&id, None).await }
        });
        let mut out = Vec::new();
        for r in futures::future::join_all(futs).await {
            match r {
                Ok(i) => out.push(i),
                Err(e) if is_not_found(&e) => {} // removed meanwhile
                Err(e) => return Err(engine(e)),
            }
        }
        out.sort_by_key(|i| {
            let labels = i.config.as_ref().and_then(|c| c.labels.clone());
            (
                label(&labels, LABEL_SERVICE).unwrap_or("").to_string(),
                label(&labels, LABEL_REPLICA).and_then(|r| r.parse::<u32>().ok()).unwrap_or(0),
            )
        });
        Ok(out)
    }

    async fn ensure_image(
        &self,
        image: &str,
        creds: Option<&dcloud_sdl::output::ImageCredentials>,
    ) -> Result<(), BackendError> {
        if self.docker.inspect_image(image).await.is_ok() {
            return Ok(());
        }
        let credentials = creds.map(|c| DockerCredentials {
            username: Some(c.username.clone()),
            password: Some(c.password.clone()),
            email: (!c.email.is_empty()).then(|| c.email.clone()),
            serveraddress: Some(c.host.clone()),
            ..Default::default()
        });
        let opts = CreateImageOptions { from_image: Some(image.to_string()), ..Default::default() };
        let mut stream = self.docker.create_image(Some(opts), None, credentials);
        while let Some(item) = stream.next().await {
            if let Err(e) = item {
                return Err(BackendError::ImagePull {
                    image: image.to_string(),
                    message: e.to_string(),
                });
            }
        }
        // Some engines end the stream without an error even when nothing was pulled.
        match self.docker.inspect_image(image).await {
            Ok(_) => Ok(()),
            Err(e) => {
                Err(BackendError::ImagePull { image: image.to_string(), message: e.to_string() })
            }
        }
    }

    /// Creates the lease network if missing; returns its IPv4 subnet.
    async fn ensure_network(&self, lease: &LeaseId) -> Result<Option<String>, BackendError> {
        let name = network_name(lease);
        let net = match self.docker.inspect_network(&name, None).await {
            Ok(n) => n,
            Err(e) if is_not_found(&e) => {
                let req = NetworkCreateRequest {
                    name: name.clone(),
                    driver: Some("bridge".into()),
                    labels: Some(self.base_labels(lease, "network")),
                    ..Default::default()
                };
                self.docker.create_network(req).await.map_err(engine)?;
                self.docker.inspect_network(&name, None).await.map_err(engine)?
            }
            Err(e) => return Err(engine(e)),
        };
        let subnet = net
            .ipam
            .and_then(|i| i.config)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|c| c.subnet)
            .find(|s| !s.contains(':'));
        Ok(subnet)
    }

    async fn remove_container(&self, id: &str) -> Result<(), BackendError> {
        let opts = RemoveContainerOptions { force: true, v: true, ..Default::default() };
        match self.docker.remove_container(id, Some(opts)).await {
            Ok(()) => Ok(()),
            Err(e) if is_not_found(&e) => Ok(()),
            Err(e) => Err(engine(e)),
        }
    }

    async fn ensure_volume(
        &self,
        lease: &LeaseId,
        service: &str,
        volume: &str,
    ) -> Result<(), BackendError> {
        let name = volume_name(lease, service, volume);
        if self.docker.inspect_volume(&name).await.is_ok() {
            return Ok(());
        }
        let mut labels = self.base_labels(lease, "volume");
        labels.insert(LABEL_SERVICE.into(), service.to_string());
        labels.insert(LABEL_VOLUME.into(), volume.to_string());
        self.docker
            .create_volume(VolumeCreateRequest {
                name: Some(name),
                labels: Some(labels),
                ..Default::default()
            })
            .await
            .map_err(engine)?;
        Ok(())
    }

    async fn deploy_locked(
        &self,
        lease: &LeaseId,
        group: &ManifestGroup,
    ) -> Result<Vec<Route>, BackendError> {
        validate_group(group)?;
        let slug = lease.slug();
        let state = self.read_state(&slug).await?;
        let existing = self.lease_containers(&slug).await?;
        let wants = self.wants(lease, group);

        let mut to_remove = Vec::new();
        let mut to_start = Vec::new();
        let mut keep = BTreeSet::new();
        for c in &existing {
            let Some(id) = c.id.clone() else { continue };
            let name = c
                .names
                .as_ref()
                .and_then(|n| n.first())
                .map(|n| n.trim_start_matches('/').to_string());
            let hash = label(&c.labels, LABEL_SPEC_HASH);
            match wants.iter().find(|w| Some(&w.name) == name.as_ref()) {
                Some(w) if hash == Some(w.hash.as_str()) && !keep.contains(&w.name) => {
                    keep.insert(w.name.clone());
                    let created =
                        c.state.as_ref().map(|s| s.to_string()) == Some("created".to_string());
                    if created {
                        to_start.push(id);
                    }
                }
                _ => to_remove.push(id),
            }
        }
        let to_create: Vec<&Want<'_>> = wants.iter().filter(|w| !keep.contains(&w.name)).collect();
        let changed = state.as_ref().is_none_or(|s| s.group != *group)
            || !to_remove.is_empty()
            || !to_create.is_empty();
        let generation = match &state {
            Some(s) if !changed => s.generation,
            Some(s) => s.generation + 1,
            None => 1,
        };

        let subnet = self.ensure_network(lease).await?;
        if self.settings.isolate {
            let subnet = subnet.ok_or_else(|| {
                BackendError::Isolation(format!(
                    "network {} has no IPv4 subnet",
                    network_name(lease)
                ))
            })?;
            isolation::add_lease(&slug, &subnet).await?;
        }
        if changed {
            // Recorded first: after a crash (or a failed pull) the wanted group is known.
            self.write_state(lease, generation, group).await?;
        }
        // Images before removing anything: a failed pull leaves the running version alone.
        let mut pulled = BTreeSet::new();
        for w in &to_create {
            if pulled.insert(w.service.image.clone()) {
                if let Err(e) =
                    self.ensure_image(&w.service.image, w.service.credentials.as_ref()).await
                {
                    self.deploy_errors.lock().insert(slug.clone(), vec![e.to_string()]);
                    return Err(e);
                }
            }
        }

        for id in &to_remove {
            self.remove_container(id).await?;
        }
        for w in &to_create {
            for m in
                w.service.params.as_ref().and_then(|p| p.storage.as_ref()).into_iter().flatten()
            {
                let persistent = w
                    .service
                    .resources
                    .storage
                    .iter()
                    .find(|s| s.name == m.name)
                    .is_some_and(|s| attr(&s.attributes, "persistent") == Some("true"));
                if persistent && attr_class(w.service, &m.name) != Some("ram") {
                    self.ensure_volume(lease, &w.service.name, &m.name).await?;
                }
            }
            let body = self.container_body(lease, w, generation)?;
            let opts = CreateContainerOptions { name: Some(w.name.clone()), ..Default::default() };
            let created = self.docker.create_container(Some(opts), body).await.map_err(engine)?;
            to_start.push(created.id);
        }
        for id in &to_start {
            self.docker.start_container(id, None).await.map_err(engine)?;
        }
        if changed {
            self.drop_old_states(&slug, generation).await?;
        }
        if self.settings.isolate {
            // The engine may have put its own FORWARD rules first while starting containers.
            isolation::ensure_jump_first().await?;
        }
        self.deploy_errors.lock().remove(&slug);
        let inspects = self.inspect_lease(&slug).await?;
        Ok(self.routes_from(lease, group, &inspects))
    }

    fn routes_from(
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

    fn uris(&self, lease: &LeaseId, svc: &ManifestService) -> Vec<String> {
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

fn attr_class<'a>(svc: &'a ManifestService, volume: &str) -> Option<&'a str> {
    svc.resources
        .storage
        .iter()
        .find(|s| s.name == volume)
        .and_then(|s| attr(&s.attributes, "class"))
}

fn validate_group(group: &ManifestGroup) -> Result<(), BackendError> {
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

fn inspect_labels(i: &ContainerInspectResponse) -> Option<&HashMap<String, String>> {
    i.config.as_ref().and_then(|c| c.labels.as_ref())
}

fn inspect_service(i: &ContainerInspectResponse) -> Option<&str> {
    inspect_labels(i).and_then(|l| l.get(LABEL_SERVICE)).map(String::as_str)
}

fn replica_name(i: &ContainerInspectResponse) -> String {
    let l = inspect_labels(i);
    let svc = l.and_then(|l| l.get(LABEL_SERVICE)).map_or("?", String::as_str);
    let idx = l.and_then(|l| l.get(LABEL_REPLICA)).map_or("0", String::as_str);
    format!("{svc}-{idx}")
}

fn is_running(i: &ContainerInspectResponse) -> bool {
    i.state.as_ref().is_some_and(|s| s.running == Some(true) && s.restarting != Some(true))
}

fn host_port(i: &ContainerInspectResponse, port: u32, proto: Protocol) -> Option<u16> {
    let ports = i.network_settings.as_ref()?.ports.as_ref()?;
    let bindings = ports.get(&port_key(port, proto))?.as_ref()?;
    bindings.iter().find_map(|b| b.host_port.as_ref()?.parse::<u16>().ok())
}

fn container_problem(i: &ContainerInspectResponse) -> Option<String> {
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

fn event(kind: &str, reason: &str, note: String, name: String) -> LeaseEvent {
    LeaseEvent {
        kind: kind.into(),
        reporting_controller: "dcloud-provider".into(),
        reason: reason.into(),
        note,
        object: EventObject { kind: "Container".into(), name },
    }
}

/// Events implied by a container's current state.
fn state_events(i: &ContainerInspectResponse) -> Vec<LeaseEvent> {
    let name = replica_name(i);
    let image = i.config.as_ref().and_then(|c| c.image.clone()).unwrap_or_default();
    let mut out = vec![event(
        "Normal",
        "Created",
        format!("Created container with image {image}"),
        name.clone(),
    )];
    let Some(s) = &i.state else { return out };
    let started = s.started_at.as_deref().is_some_and(|t| !t.is_empty() && !t.starts_with("0001-"));
    if started {
        out.push(event("Normal", "Started", "Started container".into(), name.clone()));
    }
    if s.oom_killed == Some(true) {
        out.push(event("Warning", "OOMKilled", "Container ran out of memory".into(), name.clone()));
    }
    let code = s.exit_code.unwrap_or(0);
    match s.status {
        Some(ContainerStateStatusEnum::EXITED) | Some(ContainerStateStatusEnum::DEAD) => {
            let kind = if code == 0 { "Normal" } else { "Warning" };
            out.push(event(kind, "Died", format!("Container exited with code {code}"), name));
        }
        Some(ContainerStateStatusEnum::RESTARTING) => {
            out.push(event(
                "Warning",
                "BackOff",
                format!("Restarting after exit code {code}"),
                name,
            ));
        }
        _ => {}
    }
    out
}

/// An engine event as a lease event (None for actions not worth reporting).
fn engine_event(msg: &EventMessage, prefix: &str) -> Option<LeaseEvent> {
    let attrs = msg.actor.as_ref()?.attributes.as_ref()?;
    let cname = attrs.get("name")?;
    let replica = cname.strip_prefix(prefix)?.to_string();
    let action = msg.action.as_deref()?;
    let action = action.split(':').next().unwrap_or(action);
    // Docker says `exitCode`, Podman `containerExitCode`.
    let code = attrs
        .get("exitCode")
        .or_else(|| attrs.get("containerExitCode"))
        .cloned()
        .unwrap_or_else(|| "?".into());
    let (kind, reason, note) = match action {
        "create" => ("Normal", "Created", "Created container".to_string()),
        "start" => ("Normal", "Started", "Started container".to_string()),
        "restart" => ("Normal", "Restarted", "Restarted container".to_string()),
        "die" => {
            let kind = if code == "0" { "Normal" } else { "Warning" };
            (kind, "Died", format!("Container exited with code {code}"))
        }
        "oom" => ("Warning", "OOMKilled", "Container ran out of memory".to_string()),
        "kill" => ("Normal", "Killing", "Killing container".to_string()),
        "stop" => ("Normal", "Stopped", "Stopped container".to_string()),
        "destroy" | "remove" => ("Normal", "Deleted", "Deleted container".to_string()),
        "pause" | "unpause" | "health_status" => ("Normal", "Health", action.to_string()),
        _ => return None,
    };
    Some(event(kind, reason, note, replica))
}

/// Aborts the tasks feeding a stream when the stream is dropped.
struct AbortOnDrop(Vec<tokio::task::AbortHandle>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        for h in &self.0 {
            h.abort();
        }
    }
}

fn receiver_stream<T: Send + 'static>(
    rx: mpsc::Receiver<T>,
    guard: AbortOnDrop,
) -> BoxStream<'static, T> {
    futures::stream::unfold((rx, guard), |(mut rx, guard)| async move {
        rx.recv().await.map(|item| (item, (rx, guard)))
    })
    .boxed()
}

#[async_trait]
impl Backend for DockerBackend {
    async fn deploy(
        &self,
        lease: &LeaseId,
        group: &ManifestGroup,
    ) -> Result<Vec<Route>, BackendError> {
        let lock = self.lease_lock(&lease.slug());
        let _guard = lock.lock().await;
        self.deploy_locked(lease, group).await
    }

    async fn status(&self, lease: &LeaseId) -> Result<LeaseStatus, BackendError> {
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
            let running = mine.iter().filter(|i| is_running(i)).count() as u32;
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

    async fn routes(&self, lease: &LeaseId) -> Result<Vec<Route>, BackendError> {
        let slug = lease.slug();
        let Some(state) = self.read_state(&slug).await? else {
            return Err(BackendError::LeaseNotFound(lease.to_string()));
        };
        let inspects = self.inspect_lease(&slug).await?;
        Ok(self.routes_from(lease, &state.group, &inspects))
    }

    async fn logs(
        &self,
        lease: &LeaseId,
        opts: LogOptions,
    ) -> Result<BoxStream<'static, Result<LogLine, BackendError>>, BackendError> {
        let slug = lease.slug();
        let Some(state) = self.read_state(&slug).await? else {
            return Err(BackendError::LeaseNotFound(lease.to_string()));
        };
        for s in &opts.services {
            if !state.group.services.iter().any(|svc| &svc.name == s) {
                return Err(BackendError::ServiceNotFound(s.clone()));
            }
        }
        let inspects = self.inspect_lease(&slug).await?;
        let (tx, rx) = mpsc::channel::<Result<LogLine, BackendError>>(256);
        let mut handles = Vec::new();
        for i in inspects {
            let svc = inspect_service(&i).unwrap_or("").to_string();
            if !opts.services.is_empty() && !opts.services.contains(&svc) {
                continue;
            }
            let Some(id) = i.id.clone() else { continue };
            let name = replica_name(&i);
            let log_opts = LogsOptions {
                follow: opts.follow,
                stdout: true,
                stderr: true,
                tail: opts.tail.map_or_else(|| "all".to_string(), |n| n.to_string()),
                ..Default::default()
            };
            let mut stream = self.docker.logs(&id, Some(log_opts));
            let tx = tx.clone();
            let task = tokio::spawn(async move {
                // Separate partial-line buffers for stdout and stderr.
                let mut bufs: [Vec<u8>; 2] = [Vec::new(), Vec::new()];
                let send_line = |raw: &[u8]| {
                    let mut s = String::from_utf8_lossy(raw).to_string();
                    while s.ends_with('\n') || s.ends_with('\r') {
                        s.pop();
                    }
                    LogLine { name: name.clone(), message: s }
                };
                while let Some(item) = stream.next().await {
                    let (which, bytes) = match item {
                        Ok(LogOutput::StdErr { message }) => (1, message),
                        Ok(LogOutput::StdOut { message }) | Ok(LogOutput::Console { message }) => {
                            (0, message)
                        }
                        Ok(LogOutput::StdIn { .. }) => continue,
                        Err(e) => {
                            let _ = tx.send(Err(engine(e))).await;
                            return;
                        }
                    };
                    let buf = &mut bufs[which];
                    buf.extend_from_slice(&bytes);
                    while let Some(pos) = buf.iter().position(|b| *b == b'\n') {
                        let line: Vec<u8> = buf.drain(..=pos).collect();
                        if tx.send(Ok(send_line(&line))).await.is_err() {
                            return;
                        }
                    }
                }
                for buf in bufs {
                    if !buf.is_empty() && tx.send(Ok(send_line(&buf))).await.is_err() {
                        return;
                    }
                }
            });
            handles.push(task.abort_handle());
        }
        drop(tx);
        Ok(receiver_stream(rx, AbortOnDrop(handles)))
    }

    async fn events(
        &self,
        lease: &LeaseId,
        opts: LogOptions,
    ) -> Result<BoxStream<'static, Result<LeaseEvent, BackendError>>, BackendError> {
        let slug = lease.slug();
        let Some(state) = self.read_state(&slug).await? else {
            return Err(BackendError::LeaseNotFound(lease.to_string()));
        };
        for s in &opts.services {
            if !state.group.services.iter().any(|svc| &svc.name == s) {
                return Err(BackendError::ServiceNotFound(s.clone()));
            }
        }
        let wanted = |replica: &str| {
            opts.services.is_empty()
                || opts
                    .services
                    .iter()
                    .any(|s| replica.rsplit_once('-').is_some_and(|(svc, _)| svc == s))
        };
        // Live events from the moment of this call (see `since`), then the snapshot.
        let live = opts.follow.then(|| {
            let filters = HashMap::from([
                ("type".to_string(), vec!["container".to_string()]),
                ("label".to_string(), vec![format!("{LABEL_SLUG}={slug}")]),
            ]);
            // The request goes out when the stream is first polled: `since` makes events
            // that happen before then (but after this call) come anyway. Whole seconds, so
            // an event may repeat what the snapshot below says.
            let since = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs().to_string())
                .ok();
            self.docker.events(Some(EventsOptions {
                filters: Some(filters),
                since,
                ..Default::default()
            }))
        });
        let mut snapshot: Vec<LeaseEvent> = Vec::new();
        for i in self.inspect_lease(&slug).await? {
            snapshot.extend(state_events(&i).into_iter().filter(|e| wanted(&e.object.name)));
        }
        let snapshot = futures::stream::iter(snapshot.into_iter().map(Ok));
        let Some(live) = live else {
            return Ok(snapshot.boxed());
        };
        let prefix = format!("dcloud-{slug}-");
        let services = opts.services.clone();
        let live = live.filter_map(move |item| {
            let out = match item {
                Ok(msg) => engine_event(&msg, &prefix)
                    .filter(|e| {
                        services.is_empty()
                            || services.iter().any(|s| {
                                e.object.name.rsplit_once('-').is_some_and(|(svc, _)| svc == s)
                            })
                    })
                    .map(Ok),
                Err(e) => Some(Err(engine(e))),
            };
            futures::future::ready(out)
        });
        Ok(snapshot.chain(live).boxed())
    }

    async fn exec(&self, lease: &LeaseId, req: ExecRequest) -> Result<ExecSession, BackendError> {
        let slug = lease.slug();
        let Some(state) = self.read_state(&slug).await? else {
            return Err(BackendError::LeaseNotFound(lease.to_string()));
        };
        if !state.group.services.iter().any(|s| s.name == req.service) {
            return Err(BackendError::ServiceNotFound(req.service.clone()));
        }
        if req.cmd.is_empty() {
            return Err(BackendError::Invalid("empty command".into()));
        }
        let name = container_name(lease, &req.service, req.replica);
        let running = match self.docker.inspect_container(&name, None).await {
            Ok(i) => is_running(&i),
            Err(e) if is_not_found(&e) => false,
            Err(e) => return Err(engine(e)),
        };
        if !running {
            return Err(BackendError::NoRunningReplica(req.service.clone()));
        }
        let created = self
            .docker
            .create_exec(
                &name,
                CreateExecOptions {
                    attach_stdin: Some(req.stdin),
                    attach_stdout: Some(true),
                    attach_stderr: Some(true),
                    tty: Some(req.tty),
                    cmd: Some(req.cmd.clone()),
                    ..Default::default()
                },
            )
            .await
            .map_err(engine)?;
        let exec_id = created.id;
        let started = self
            .docker
            .start_exec(
                &exec_id,
                Some(StartExecOptions { detach: false, tty: req.tty, output_capacity: None }),
            )
            .await
            .map_err(engine)?;
        let StartExecResults::Attached { mut output, mut input } = started else {
            return Err(BackendError::Engine("exec did not attach".into()));
        };

        let (in_tx, mut in_rx) = mpsc::channel::<ExecInput>(32);
        let docker = self.docker.clone();
        let id = exec_id.clone();
        let input_task = tokio::spawn(async move {
            while let Some(msg) = in_rx.recv().await {
                match msg {
                    ExecInput::Stdin(bytes) => {
                        if input.write_all(&bytes).await.is_err() || input.flush().await.is_err() {
                            break;
                        }
                    }
                    ExecInput::Resize { width, height } => {
                        let opts = ResizeExecOptions { h: i32::from(height), w: i32::from(width) };
                        if let Err(e) = docker.resize_exec(&id, opts).await {
                            tracing::debug!(error = %e, "exec resize failed");
                        }
                    }
                    ExecInput::Eof => break,
                }
            }
            let _ = input.shutdown().await;
        });

        let (out_tx, out_rx) = mpsc::channel::<Result<ExecOutput, BackendError>>(64);
        let (code_tx, code_rx) = oneshot::channel();
        let docker = self.docker.clone();
        let output_task = tokio::spawn(async move {
            let mut receiver_gone = false;
            while let Some(item) = output.next().await {
                let out = match item {
                    Ok(LogOutput::StdOut { message }) | Ok(LogOutput::Console { message }) => {
                        Ok(ExecOutput::Stdout(message.to_vec()))
                    }
                    Ok(LogOutput::StdErr { message }) => Ok(ExecOutput::Stderr(message.to_vec())),
                    Ok(LogOutput::StdIn { .. }) => continue,
                    Err(e) => Err(engine(e)),
                };
                let is_err = out.is_err();
                if !receiver_gone && out_tx.send(out).await.is_err() {
                    // Nobody reads the output: keep draining so the exit code resolves.
                    receiver_gone = true;
                }
                if is_err {
                    break;
                }
            }
            drop(out_tx);
            input_task.abort();
            let deadline = tokio::time::Instant::now() + EXEC_EXIT_WAIT;
            let result = loop {
                match docker.inspect_exec(&exec_id).await {
                    Ok(i) if i.running != Some(true) => {
                        break i
                            .exit_code
                            .ok_or_else(|| BackendError::Engine("exec has no exit code".into()))
                    }
                    Ok(_) if tokio::time::Instant::now() >= deadline => {
                        break Err(BackendError::Engine(
                            "exec still running after its output ended".into(),
                        ))
                    }
                    Ok(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                    Err(e) => break Err(engine(e)),
                }
            };
            let _ = code_tx.send(result);
        });
        let guard = AbortOnDrop(Vec::new());
        // The output task must outlive the output stream (it reports the exit code), so
        // it is not aborted on drop; it ends when the command does.
        drop(output_task);
        Ok(ExecSession { output: receiver_stream(out_rx, guard), input: in_tx, exit_code: code_rx })
    }

    async fn teardown(&self, lease: &LeaseId) -> Result<(), BackendError> {
        let slug = lease.slug();
        let lock = self.lease_lock(&slug);
        let _guard = lock.lock().await;
        for c in self.lease_containers(&slug).await? {
            if let Some(id) = c.id {
                self.remove_container(&id).await?;
            }
        }
        match self.docker.remove_network(&network_name(lease)).await {
            Ok(()) => {}
            Err(e) if is_not_found(&e) => {}
            Err(e) => return Err(engine(e)),
        }
        if self.settings.isolate {
            isolation::remove_lease(&slug).await?;
        }
        for v in self.lease_volumes(&slug).await? {
            self.remove_volume(&v.name).await?;
        }
        self.deploy_errors.lock().remove(&slug);
        self.locks.lock().remove(&slug);
        Ok(())
    }

    async fn list(&self) -> Result<Vec<(LeaseId, ManifestGroup)>, BackendError> {
        Ok(self.read_states(None).await?.into_iter().map(|s| (s.lease, s.group)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lease() -> LeaseId {
        LeaseId {
            owner: dcloud_types::AccAddress::from_bytes(&[1u8; 20]).expect("address"),
            dseq: 42,
            gseq: 1,
            oseq: 1,
            provider: dcloud_types::AccAddress::from_bytes(&[2u8; 20]).expect("address"),
        }
    }

    #[test]
    fn hostname_is_stable_dns_label() {
        let l = lease();
        let h = ingress_hostname(&l, "web", "ingress.example.com");
        let (uid, domain) = h.split_once('.').expect("dot");
        assert_eq!(domain, "ingress.example.com");
        // 16 bytes in base32 without padding: 26 characters.
        assert_eq!(uid.len(), 26);
        assert!(uid.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'v').contains(&b)));
        assert_eq!(h, ingress_hostname(&l, "web", "ingress.example.com"));
        assert_ne!(h, ingress_hostname(&l, "api", "ingress.example.com"));
        // The rule itself: UUIDv5(DNS, lease + service).
        let u = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_DNS, format!("{l}web").as_bytes());
        assert_eq!(uid, data_encoding::BASE32HEX_NOPAD.encode(u.as_bytes()).to_ascii_lowercase());
    }

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
