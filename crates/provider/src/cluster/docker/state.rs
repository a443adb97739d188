//! The lease's durable record: the newest *state volume* (labels hold the lease id, the
//! generation and the manifest group JSON), plus the lease's other named volumes.

use super::*;

pub(super) fn state_volume_name(slug: &str, generation: u64) -> String {
    format!("dcloud-{slug}.state-{generation}")
}

/// The lease's durable record (the newest state volume).
pub(super) struct LeaseState {
    pub(super) generation: u64,
    pub(super) group: ManifestGroup,
    pub(super) lease: LeaseId,
}

impl DockerBackend {
    pub(super) async fn read_states(
        &self,
        slug: Option<&str>,
    ) -> Result<Vec<LeaseState>, BackendError> {
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

    pub(super) async fn read_state(&self, slug: &str) -> Result<Option<LeaseState>, BackendError> {
        Ok(self.read_states(Some(slug)).await?.pop())
    }

    pub(super) async fn write_state(
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

    pub(super) async fn drop_old_states(&self, slug: &str, keep: u64) -> Result<(), BackendError> {
        for v in self.lease_volumes(slug).await? {
            let is_state = v.labels.get(LABEL_KIND).map(String::as_str) == Some("state");
            let generation = v.labels.get(LABEL_GENERATION).and_then(|g| g.parse::<u64>().ok());
            if is_state && generation != Some(keep) {
                self.remove_volume(&v.name).await?;
            }
        }
        Ok(())
    }

    pub(super) async fn lease_volumes(
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

    pub(super) async fn remove_volume(&self, name: &str) -> Result<(), BackendError> {
        match self.docker.remove_volume(name, Some(RemoveVolumeOptions { force: true })).await {
            Ok(()) => Ok(()),
            Err(e) if is_not_found(&e) => Ok(()),
            Err(e) => Err(engine(e)),
        }
    }

    pub(super) async fn ensure_volume(
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
}
