//! `dcloud lease shell`: runs a command in a service replica through the provider's
//! websocket, forwarding stdin and printing stdout/stderr; the exit code is the command's.

use std::io::{IsTerminal, Write};

use anyhow::anyhow;
use dcloud_client::tenant::gateway::{ProviderClient, ShellEvent, ShellWriter};
use dcloud_client::tenant::LeaseId;
use tokio::io::AsyncReadExt;

/// Runs `cmd` and returns its exit code.
pub(crate) async fn run(
    pc: &ProviderClient,
    lease: &LeaseId,
    service: &str,
    replica: u32,
    cmd: Vec<String>,
    tty: bool,
) -> anyhow::Result<i64> {
    let stdin_tty = std::io::stdin().is_terminal();
    // Attach stdin when it carries data (a pipe or file) or when a terminal is asked for.
    let attach = tty || !stdin_tty;
    let session = pc
        .shell(lease, service, replica, &cmd, tty, attach)
        .await
        .map_err(|e| anyhow!("shell on {}: {e}", pc.provider()))?;
    let (writer, mut reader) = session.into_split();
    let pump = tokio::spawn(pump_stdin(writer, attach));
    let mut code = None;
    while let Some(ev) = reader.next_event().await.map_err(|e| anyhow!("shell: {e}"))? {
        match ev {
            ShellEvent::Stdout(b) => {
                let mut o = std::io::stdout().lock();
                o.write_all(&b)?;
                o.flush()?;
            }
            ShellEvent::Stderr(b) => {
                let mut e = std::io::stderr().lock();
                e.write_all(&b)?;
                e.flush()?;
            }
            ShellEvent::Exit { code: c, message } => {
                if c != 0 && !message.is_empty() {
                    eprintln!("{message}");
                }
                code = Some(c);
                break;
            }
        }
    }
    pump.abort();
    code.ok_or_else(|| anyhow!("the provider closed the shell without an exit code"))
}

/// Forwards this process's stdin to the command until it ends (closes the command's stdin
/// at once when not `attach`ed).
async fn pump_stdin(mut writer: ShellWriter, attach: bool) {
    if !attach {
        let _ = writer.close_stdin().await;
        return;
    }
    let mut stdin = tokio::io::stdin();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match stdin.read(&mut buf).await {
            Ok(0) | Err(_) => {
                let _ = writer.close_stdin().await;
                return;
            }
            Ok(n) => {
                if writer.send_stdin(&buf[..n]).await.is_err() {
                    return;
                }
            }
        }
    }
}
