//! Running a command in a replica: attach, feed stdin and resizes, stream the output, then
//! report the exit code.

use std::pin::Pin;

use futures::Stream;
use tokio::io::AsyncWrite;

use super::*;

/// How long to wait for an exec to report its exit code once its output ended.
const EXEC_EXIT_WAIT: Duration = Duration::from_secs(30);

/// The engine's output frames of an attached exec.
type EngineOutput = Pin<Box<dyn Stream<Item = Result<LogOutput, bollard::errors::Error>> + Send>>;
/// The engine's stdin of an attached exec.
type EngineInput = Pin<Box<dyn AsyncWrite + Send>>;

impl DockerBackend {
    pub(super) async fn start_exec(
        &self,
        lease: &LeaseId,
        req: ExecRequest,
    ) -> Result<ExecSession, BackendError> {
        let name = self.running_replica(lease, &req).await?;
        let (exec_id, output, input) = self.attach_exec(&name, &req).await?;

        let (in_tx, in_rx) = mpsc::channel::<ExecInput>(32);
        let input_task =
            tokio::spawn(feed_input(self.docker.clone(), exec_id.clone(), input, in_rx));
        let (out_tx, out_rx) = mpsc::channel::<Result<ExecOutput, BackendError>>(64);
        let (code_tx, code_rx) = oneshot::channel();
        let docker = self.docker.clone();
        let output_task = tokio::spawn(async move {
            pump_output(output, out_tx).await;
            input_task.abort();
            let _ = code_tx.send(exit_code(&docker, &exec_id).await);
        });
        let guard = AbortOnDrop(Vec::new());
        // The output task must outlive the output stream (it reports the exit code), so
        // it is not aborted on drop; it ends when the command does.
        drop(output_task);
        Ok(ExecSession { output: receiver_stream(out_rx, guard), input: in_tx, exit_code: code_rx })
    }

    /// The container name of the requested replica, once the request is checked: the lease
    /// is deployed here, has the service, the command is not empty and the replica runs.
    async fn running_replica(
        &self,
        lease: &LeaseId,
        req: &ExecRequest,
    ) -> Result<String, BackendError> {
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
        Ok(name)
    }

    /// Creates the exec in container `name` and attaches to it: its id, output and stdin.
    async fn attach_exec(
        &self,
        name: &str,
        req: &ExecRequest,
    ) -> Result<(String, EngineOutput, EngineInput), BackendError> {
        let created = self
            .docker
            .create_exec(
                name,
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
        let StartExecResults::Attached { output, input } = started else {
            return Err(BackendError::Engine("exec did not attach".into()));
        };
        Ok((exec_id, output, input))
    }
}

/// Forwards the caller's input to the exec until the caller closes it (or sends EOF).
async fn feed_input(
    docker: Docker,
    exec_id: String,
    mut input: EngineInput,
    mut in_rx: mpsc::Receiver<ExecInput>,
) {
    while let Some(msg) = in_rx.recv().await {
        match msg {
            ExecInput::Stdin(bytes) => {
                if input.write_all(&bytes).await.is_err() || input.flush().await.is_err() {
                    break;
                }
            }
            ExecInput::Resize { width, height } => {
                let opts = ResizeExecOptions { h: i32::from(height), w: i32::from(width) };
                if let Err(e) = docker.resize_exec(&exec_id, opts).await {
                    tracing::debug!(error = %e, "exec resize failed");
                }
            }
            ExecInput::Eof => break,
        }
    }
    let _ = input.shutdown().await;
}

/// Forwards the exec's output until it ends (or fails); keeps draining it when nobody
/// reads any more, so that the exit code resolves.
async fn pump_output(
    mut output: EngineOutput,
    out_tx: mpsc::Sender<Result<ExecOutput, BackendError>>,
) {
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
}

/// The exit code of a finished exec, waiting up to [`EXEC_EXIT_WAIT`] for the engine to
/// see it finish.
async fn exit_code(docker: &Docker, exec_id: &str) -> Result<i64, BackendError> {
    let deadline = tokio::time::Instant::now() + EXEC_EXIT_WAIT;
    loop {
        match docker.inspect_exec(exec_id).await {
            Ok(i) if i.running != Some(true) => {
                return i
                    .exit_code
                    .ok_or_else(|| BackendError::Engine("exec has no exit code".into()))
            }
            Ok(_) if tokio::time::Instant::now() >= deadline => {
                return Err(BackendError::Engine(
                    "exec still running after its output ended".into(),
                ))
            }
            Ok(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            Err(e) => return Err(engine(e)),
        }
    }
}
