//! Log and event streams of a lease: one task per container feeds a channel; dropping the
//! stream aborts the tasks.

use super::*;

pub(super) fn event(kind: &str, reason: &str, note: String, name: String) -> LeaseEvent {
    LeaseEvent {
        kind: kind.into(),
        reporting_controller: "dcloud-provider".into(),
        reason: reason.into(),
        note,
        object: EventObject { kind: "Container".into(), name },
    }
}

/// Events implied by a container's current state.
pub(super) fn state_events(i: &ContainerInspectResponse) -> Vec<LeaseEvent> {
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
pub(super) fn engine_event(msg: &EventMessage, prefix: &str) -> Option<LeaseEvent> {
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
pub(super) struct AbortOnDrop(pub(super) Vec<tokio::task::AbortHandle>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        for h in &self.0 {
            h.abort();
        }
    }
}

pub(super) fn receiver_stream<T: Send + 'static>(
    rx: mpsc::Receiver<T>,
    guard: AbortOnDrop,
) -> BoxStream<'static, T> {
    futures::stream::unfold((rx, guard), |(mut rx, guard)| async move {
        rx.recv().await.map(|item| (item, (rx, guard)))
    })
    .boxed()
}

impl DockerBackend {
    pub(super) async fn log_stream(
        &self,
        lease: &LeaseId,
        opts: LogOptions,
    ) -> Result<BoxStream<'static, Result<LogLine, BackendError>>, BackendError> {
        let slug = self.check_services(lease, &opts.services).await?;
        let inspects = self.inspect_lease(&slug).await?;
        let (tx, rx) = mpsc::channel::<Result<LogLine, BackendError>>(256);
        let mut handles = Vec::new();
        for i in inspects {
            let svc = inspect_service(&i).unwrap_or("").to_string();
            if !opts.services.is_empty() && !opts.services.contains(&svc) {
                continue;
            }
            let Some(id) = i.id.clone() else { continue };
            let log_opts = LogsOptions {
                follow: opts.follow,
                stdout: true,
                stderr: true,
                tail: opts.tail.map_or_else(|| "all".to_string(), |n| n.to_string()),
                ..Default::default()
            };
            let stream = self.docker.logs(&id, Some(log_opts));
            let task = tokio::spawn(pump_logs(stream, replica_name(&i), tx.clone()));
            handles.push(task.abort_handle());
        }
        drop(tx);
        Ok(receiver_stream(rx, AbortOnDrop(handles)))
    }

    pub(super) async fn event_stream(
        &self,
        lease: &LeaseId,
        opts: LogOptions,
    ) -> Result<BoxStream<'static, Result<LeaseEvent, BackendError>>, BackendError> {
        let slug = self.check_services(lease, &opts.services).await?;
        // Live events from the moment of this call (see `since`), then the snapshot.
        let live = opts.follow.then(|| self.live_events(&slug));
        let mut snapshot: Vec<LeaseEvent> = Vec::new();
        for i in self.inspect_lease(&slug).await? {
            snapshot.extend(
                state_events(&i)
                    .into_iter()
                    .filter(|e| replica_wanted(&opts.services, &e.object.name)),
            );
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
                    .filter(|e| replica_wanted(&services, &e.object.name))
                    .map(Ok),
                Err(e) => Some(Err(engine(e))),
            };
            futures::future::ready(out)
        });
        Ok(snapshot.chain(live).boxed())
    }

    /// The lease's slug, once it is known to be deployed here with every service named
    /// in `services`.
    async fn check_services(
        &self,
        lease: &LeaseId,
        services: &[String],
    ) -> Result<String, BackendError> {
        let slug = lease.slug();
        let Some(state) = self.read_state(&slug).await? else {
            return Err(BackendError::LeaseNotFound(lease.to_string()));
        };
        for s in services {
            if !state.group.services.iter().any(|svc| &svc.name == s) {
                return Err(BackendError::ServiceNotFound(s.clone()));
            }
        }
        Ok(slug)
    }

    /// The engine's live container events of the lease.
    fn live_events(
        &self,
        slug: &str,
    ) -> impl futures::Stream<Item = Result<EventMessage, bollard::errors::Error>> + use<> {
        let filters = HashMap::from([
            ("type".to_string(), vec!["container".to_string()]),
            ("label".to_string(), vec![format!("{LABEL_SLUG}={slug}")]),
        ]);
        // The request goes out when the stream is first polled: `since` makes events
        // that happen before then (but after this call) come anyway. Whole seconds, so
        // an event may repeat what the snapshot says.
        let since = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs().to_string())
            .ok();
        self.docker.events(Some(EventsOptions {
            filters: Some(filters),
            since,
            ..Default::default()
        }))
    }
}

/// Whether a replica (`<service>-<index>`) belongs to one of `services` (empty: all).
fn replica_wanted(services: &[String], replica: &str) -> bool {
    services.is_empty()
        || services.iter().any(|s| replica.rsplit_once('-').is_some_and(|(svc, _)| svc == s))
}

/// Sends a container's log output as lines named after its replica, until the output
/// ends or nobody reads; stdout and stderr keep separate partial-line buffers.
async fn pump_logs<S>(mut stream: S, name: String, tx: mpsc::Sender<Result<LogLine, BackendError>>)
where
    S: futures::Stream<Item = Result<LogOutput, bollard::errors::Error>> + Unpin,
{
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
            Ok(LogOutput::StdOut { message }) | Ok(LogOutput::Console { message }) => (0, message),
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
}
