//! Logs, events and commands of a lease through the API server: pod logs (follow, tail),
//! core/v1 Events of the lease namespace (listed, then watched with `follow`), and exec
//! over the API's websocket. Replicas are named `<service>-<index>`, the index being the
//! pod's position among the service's pods sorted by name (a StatefulSet's own ordinal).

use futures::{AsyncBufReadExt, SinkExt, StreamExt};
use k8s_openapi::api::core::v1::{Event, Pod};
use kube::api::{AttachParams, LogParams, WatchEvent, WatchParams};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};

use super::*;
use crate::cluster::{EventObject, ExecInput, ExecOutput};
use objects::LABEL_SERVICE;

/// Dropping the stream aborts the tasks feeding it.
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

fn pod_service(p: &Pod) -> Option<&str> {
    p.metadata.labels.as_ref()?.get(LABEL_SERVICE).map(String::as_str)
}

fn is_ready(p: &Pod) -> bool {
    p.status.as_ref().is_some_and(|s| {
        s.phase.as_deref() == Some("Running")
            && s.conditions.iter().flatten().any(|c| c.type_ == "Ready" && c.status == "True")
    })
}

/// A lease event from a core/v1 Event.
pub(crate) fn lease_event(e: &Event) -> LeaseEvent {
    let controller = e
        .reporting_component
        .clone()
        .filter(|c| !c.is_empty())
        .or_else(|| e.source.as_ref().and_then(|s| s.component.clone()))
        .unwrap_or_default();
    LeaseEvent {
        kind: e.type_.clone().unwrap_or_else(|| "Normal".into()),
        reporting_controller: controller,
        reason: e.reason.clone().unwrap_or_default(),
        note: e.message.clone().unwrap_or_default(),
        object: EventObject {
            kind: e.involved_object.kind.clone().unwrap_or_default(),
            name: e.involved_object.name.clone().unwrap_or_default(),
        },
    }
}

/// Whether an event concerns one of `services` (empty: all): the object is the service's
/// workload, Service, Ingress or one of its pods / ReplicaSets.
fn event_matches(e: &Event, services: &[String]) -> bool {
    if services.is_empty() {
        return true;
    }
    let name = e.involved_object.name.as_deref().unwrap_or("");
    services.iter().any(|s| name == s || name.starts_with(&format!("{s}-")))
}

impl KubeBackend {
    /// The service's pods sorted by name, with their replica names.
    async fn service_pods(
        &self,
        lease: &LeaseId,
        services: &[String],
    ) -> Result<(String, Vec<(String, Pod)>), BackendError> {
        let ns = self.namespace(lease);
        let Some(record) = self.read_record(&ns).await? else {
            return Err(BackendError::LeaseNotFound(lease.to_string()));
        };
        for s in services {
            if !record.group.services.iter().any(|x| &x.name == s) {
                return Err(BackendError::ServiceNotFound(s.clone()));
            }
        }
        let api: Api<Pod> = Api::namespaced(self.client.clone(), &ns);
        let lp = ListParams::default().labels(&format!("{LABEL_MANAGED}=true"));
        let mut pods = retry("list pods", || api.list(&lp)).await.map_err(api_err)?.items;
        pods.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
        let mut index: BTreeMap<String, u32> = BTreeMap::new();
        let mut out = Vec::new();
        for p in pods {
            let Some(svc) = pod_service(&p).map(str::to_string) else { continue };
            let i = index.entry(svc.clone()).or_default();
            let replica = format!("{svc}-{i}");
            *i += 1;
            if services.is_empty() || services.contains(&svc) {
                out.push((replica, p));
            }
        }
        Ok((ns, out))
    }

    pub(super) async fn log_stream(
        &self,
        lease: &LeaseId,
        opts: LogOptions,
    ) -> Result<BoxStream<'static, Result<LogLine, BackendError>>, BackendError> {
        let (ns, pods) = self.service_pods(lease, &opts.services).await?;
        let (tx, rx) = mpsc::channel(256);
        let mut handles = Vec::new();
        for (replica, pod) in pods {
            let api: Api<Pod> = Api::namespaced(self.client.clone(), &ns);
            let lp = LogParams {
                container: pod_service(&pod).map(str::to_string),
                follow: opts.follow,
                tail_lines: opts.tail.map(|t| i64::try_from(t).unwrap_or(i64::MAX)),
                ..Default::default()
            };
            let pod_name = pod.metadata.name.clone().unwrap_or_default();
            let tx = tx.clone();
            handles.push(
                tokio::spawn(async move {
                    let reader = match api.log_stream(&pod_name, &lp).await {
                        Ok(r) => r,
                        Err(e) => {
                            // A pod that never started has no logs: not an error of the stream.
                            tracing::debug!(pod = %pod_name, "logs: {e}");
                            return;
                        }
                    };
                    let mut lines = reader.lines();
                    while let Some(line) = lines.next().await {
                        let item = line
                            .map(|message| LogLine { name: replica.clone(), message })
                            .map_err(|e| BackendError::Engine(format!("logs of {pod_name}: {e}")));
                        if tx.send(item).await.is_err() {
                            return;
                        }
                    }
                })
                .abort_handle(),
            );
        }
        Ok(receiver_stream(rx, AbortOnDrop(handles)))
    }

    pub(super) async fn event_stream(
        &self,
        lease: &LeaseId,
        opts: LogOptions,
    ) -> Result<BoxStream<'static, Result<LeaseEvent, BackendError>>, BackendError> {
        let ns = self.namespace(lease);
        let Some(record) = self.read_record(&ns).await? else {
            return Err(BackendError::LeaseNotFound(lease.to_string()));
        };
        for s in &opts.services {
            if !record.group.services.iter().any(|x| &x.name == s) {
                return Err(BackendError::ServiceNotFound(s.clone()));
            }
        }
        let api: Api<Event> = Api::namespaced(self.client.clone(), &ns);
        let lp = ListParams::default();
        let list = retry("list events", || api.list(&lp)).await.map_err(api_err)?;
        let version = list.metadata.resource_version.clone().unwrap_or_else(|| "0".into());
        let mut past: Vec<Event> =
            list.items.into_iter().filter(|e| event_matches(e, &opts.services)).collect();
        past.sort_by(|a, b| {
            let t = |e: &Event| e.last_timestamp.clone().or(e.first_timestamp.clone());
            t(a).map(|x| x.0).cmp(&t(b).map(|x| x.0))
        });
        if let Some(n) = opts.tail {
            let n = usize::try_from(n).unwrap_or(usize::MAX);
            let skip = past.len().saturating_sub(n);
            past.drain(..skip);
        }
        let past: Vec<Result<LeaseEvent, BackendError>> =
            past.iter().map(|e| Ok(lease_event(e))).collect();
        if !opts.follow {
            return Ok(futures::stream::iter(past).boxed());
        }
        let (tx, rx) = mpsc::channel(256);
        let services = opts.services.clone();
        let task = tokio::spawn(async move {
            let wp = WatchParams::default();
            let stream = match api.watch(&wp, &version).await {
                Ok(s) => s,
                Err(e) => {
                    let _ = tx.send(Err(api_err(e))).await;
                    return;
                }
            };
            let mut stream = std::pin::pin!(stream);
            while let Some(ev) = stream.next().await {
                let item = match ev {
                    Ok(WatchEvent::Added(e)) | Ok(WatchEvent::Modified(e)) => {
                        if !event_matches(&e, &services) {
                            continue;
                        }
                        Ok(lease_event(&e))
                    }
                    Ok(_) => continue,
                    Err(e) => Err(api_err(e)),
                };
                if tx.send(item).await.is_err() {
                    return;
                }
            }
        });
        let live = receiver_stream(rx, AbortOnDrop(vec![task.abort_handle()]));
        Ok(futures::stream::iter(past).chain(live).boxed())
    }

    pub(super) async fn start_exec(
        &self,
        lease: &LeaseId,
        req: ExecRequest,
    ) -> Result<ExecSession, BackendError> {
        if req.cmd.is_empty() {
            return Err(BackendError::Invalid("empty command".into()));
        }
        let (ns, pods) = self.service_pods(lease, std::slice::from_ref(&req.service)).await?;
        let Some((_, pod)) = pods.get(usize::try_from(req.replica).unwrap_or(usize::MAX)) else {
            return Err(BackendError::NoRunningReplica(format!("{}-{}", req.service, req.replica)));
        };
        if !is_ready(pod) {
            return Err(BackendError::NoRunningReplica(format!("{}-{}", req.service, req.replica)));
        }
        let api: Api<Pod> = Api::namespaced(self.client.clone(), &ns);
        let ap = AttachParams {
            container: Some(req.service.clone()),
            stdin: req.stdin,
            stdout: true,
            stderr: !req.tty,
            tty: req.tty,
            ..Default::default()
        };
        let pod_name = pod.metadata.name.clone().unwrap_or_default();
        let mut proc = api.exec(&pod_name, req.cmd.clone(), &ap).await.map_err(api_err)?;
        let stdout = proc.stdout();
        let stderr = proc.stderr();
        let stdin = proc.stdin();
        let resize = proc.terminal_size();
        let status = proc.take_status();

        let (out_tx, out_rx) = mpsc::channel::<Result<ExecOutput, BackendError>>(64);
        let mut readers = Vec::new();
        for (reader, is_err) in [(stdout, false), (stderr, true)] {
            let Some(mut reader) = reader else { continue };
            let tx = out_tx.clone();
            readers.push(tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                loop {
                    match reader.read(&mut buf).await {
                        Ok(0) => return,
                        Ok(n) => {
                            let bytes = buf[..n].to_vec();
                            let frame = if is_err {
                                ExecOutput::Stderr(bytes)
                            } else {
                                ExecOutput::Stdout(bytes)
                            };
                            if tx.send(Ok(frame)).await.is_err() {
                                return;
                            }
                        }
                        Err(e) => {
                            let _ = tx.send(Err(BackendError::Engine(format!("exec: {e}")))).await;
                            return;
                        }
                    }
                }
            }));
        }
        drop(out_tx);
        let (in_tx, mut in_rx) = mpsc::channel::<ExecInput>(32);
        let input = tokio::spawn(async move {
            let mut stdin = stdin;
            let mut resize = resize;
            while let Some(i) = in_rx.recv().await {
                match i {
                    ExecInput::Stdin(b) => {
                        if let Some(w) = stdin.as_mut() {
                            if w.write_all(&b).await.is_err() {
                                return;
                            }
                        }
                    }
                    ExecInput::Resize { width, height } => {
                        if let Some(r) = resize.as_mut() {
                            let _ = r.send(kube::api::TerminalSize { width, height }).await;
                        }
                    }
                    ExecInput::Eof => {
                        if let Some(mut w) = stdin.take() {
                            let _ = w.shutdown().await;
                        }
                    }
                }
            }
        });
        let (code_tx, code_rx) = oneshot::channel();
        tokio::spawn(async move {
            let status = match status {
                Some(s) => s.await,
                None => None,
            };
            for r in readers {
                let _ = r.await;
            }
            input.abort();
            let _ = proc.join().await;
            let _ = code_tx.send(Ok(exit_code(status.as_ref())));
        });
        Ok(ExecSession {
            output: receiver_stream(out_rx, AbortOnDrop(Vec::new())),
            input: in_tx,
            exit_code: code_rx,
        })
    }
}

/// The exit code in an exec's final status: `Success` is 0; a failure carries it as the
/// `ExitCode` cause; anything else is -1.
fn exit_code(status: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::Status>) -> i64 {
    let Some(s) = status else { return -1 };
    if s.status.as_deref() == Some("Success") {
        return 0;
    }
    s.details
        .as_ref()
        .and_then(|d| d.causes.as_ref())
        .and_then(|c| c.iter().find(|c| c.reason.as_deref() == Some("ExitCode")))
        .and_then(|c| c.message.as_deref())
        .and_then(|m| m.parse().ok())
        .unwrap_or(-1)
}
