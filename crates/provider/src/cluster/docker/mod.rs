//! [`Backend`] over the Docker Engine API (`bollard`): Docker or Podman.
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
//!
//! Files: `spec.rs` builds containers, `state.rs` keeps the state volumes,
//! `status.rs` reads what the containers report, `streams.rs` streams logs and events,
//! `exec.rs` runs commands; this file names things, connects and deploys.

mod exec;
mod raw;
mod spec;
mod state;
mod status;
mod streams;

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
use spec::{attr, attr_class, port_key, validate_group, Want};
use status::{inspect_service, is_running, replica_name};
use streams::{receiver_stream, AbortOnDrop};

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

fn label<'a>(labels: &'a Option<HashMap<String, String>>, key: &str) -> Option<&'a str> {
    labels.as_ref().and_then(|l| l.get(key)).map(String::as_str)
}

/// [`Backend`] over a Docker-compatible engine.
pub struct DockerBackend {
    docker: Docker,
    settings: BackendSettings,
    /// One lock per lease slug: deploys and teardowns of a lease do not interleave.
    locks: parking_lot::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Problems from the last deploy of a lease (image pulls), shown in its status.
    deploy_errors: parking_lot::Mutex<HashMap<String, Vec<String>>>,
    /// The engine's address, when known: for the listings bollard cannot decode
    /// ([`raw`]).
    host: Option<String>,
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
                Ok(docker) => {
                    let mut b = Self::with_client(docker, settings);
                    b.host = Some(host.clone());
                    return Ok(b);
                }
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
            host: None,
        }
    }

    /// Names the engine's address (`unix://…`, `tcp://…`) of a client made elsewhere, so
    /// listings bollard cannot decode (Podman's `stopped` state) are read directly.
    pub fn with_host(mut self, host: &str) -> Self {
        self.host = Some(host.to_string());
        self
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
        // Podman reports a state the Docker API does not know ("stopped") for a container
        // being removed, or one that exited and waits for its restart; such an answer does
        // not decode. Read it directly when the engine's address is known, else ask again.
        let mut attempt = 0;
        let list = loop {
            match self.docker.list_containers(Some(opts.clone())).await {
                Ok(l) => break l,
                Err(bollard::errors::Error::JsonDataError { .. }) if self.host.is_some() => {
                    let host = self.host.as_deref().unwrap_or_default();
                    let filters = serde_json::json!({"label": [format!("{LABEL_SLUG}={slug}")]});
                    break raw::list_containers(host, &filters.to_string())
                        .await
                        .map_err(BackendError::Engine)?;
                }
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
            async move { (docker.inspect_container(&id, None).await, id) }
        });
        let mut out = Vec::new();
        for (r, id) in futures::future::join_all(futs).await {
            match r {
                Ok(i) => out.push(i),
                Err(e) if is_not_found(&e) => {} // removed meanwhile
                // Podman's `stopped` state (see `lease_containers`).
                Err(bollard::errors::Error::JsonDataError { .. }) if self.host.is_some() => {
                    let host = self.host.as_deref().unwrap_or_default();
                    if let Some(i) =
                        raw::inspect_container(host, &id).await.map_err(BackendError::Engine)?
                    {
                        out.push(i);
                    }
                }
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
        let Plan { to_remove, mut to_start, keep } = plan(&existing, &wants);
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
        self.pull_images(&slug, &to_create).await?;
        for id in &to_remove {
            self.remove_container(id).await?;
        }
        for w in &to_create {
            to_start.push(self.create_container(lease, w, generation).await?);
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

    /// Makes sure the images of the containers to create are present; a failure is also
    /// remembered for the lease's status.
    async fn pull_images(&self, slug: &str, to_create: &[&Want<'_>]) -> Result<(), BackendError> {
        let mut pulled = BTreeSet::new();
        for w in to_create {
            if pulled.insert(w.service.image.clone()) {
                if let Err(e) =
                    self.ensure_image(&w.service.image, w.service.credentials.as_ref()).await
                {
                    self.deploy_errors.lock().insert(slug.to_string(), vec![e.to_string()]);
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// Creates one wanted container (and its persistent volumes); returns its id.
    async fn create_container(
        &self,
        lease: &LeaseId,
        w: &Want<'_>,
        generation: u64,
    ) -> Result<String, BackendError> {
        for m in w.service.params.as_ref().and_then(|p| p.storage.as_ref()).into_iter().flatten() {
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
        Ok(created.id)
    }
}

/// What a deploy does with the lease's existing containers.
struct Plan {
    /// Containers that are not wanted (or whose spec hash changed).
    to_remove: Vec<String>,
    /// Wanted containers that exist but were never started.
    to_start: Vec<String>,
    /// Names of wanted containers that exist with the wanted spec hash.
    keep: BTreeSet<String>,
}

/// Matches existing containers to wanted ones by name and spec hash.
fn plan(existing: &[ContainerSummary], wants: &[Want<'_>]) -> Plan {
    let mut to_remove = Vec::new();
    let mut to_start = Vec::new();
    let mut keep = BTreeSet::new();
    for c in existing {
        let Some(id) = c.id.clone() else { continue };
        let name =
            c.names.as_ref().and_then(|n| n.first()).map(|n| n.trim_start_matches('/').to_string());
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
    Plan { to_remove, to_start, keep }
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
        self.lease_status(lease).await
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
        self.log_stream(lease, opts).await
    }

    async fn events(
        &self,
        lease: &LeaseId,
        opts: LogOptions,
    ) -> Result<BoxStream<'static, Result<LeaseEvent, BackendError>>, BackendError> {
        self.event_stream(lease, opts).await
    }

    async fn exec(&self, lease: &LeaseId, req: ExecRequest) -> Result<ExecSession, BackendError> {
        self.start_exec(lease, req).await
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

    pub(super) fn lease() -> LeaseId {
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
}
