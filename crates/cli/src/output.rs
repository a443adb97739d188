//! Text or JSON output.

use serde::Serialize;

/// `-o text|json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    /// Human-readable.
    Text,
    /// Machine-readable JSON with stable field names.
    Json,
}

impl Output {
    /// `-o json`.
    pub fn is_json(self) -> bool {
        self == Self::Json
    }
}

/// Prints `v` as pretty JSON on stdout.
pub fn print_json<T: Serialize>(v: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

/// Whether stdin is a terminal (prompts are allowed).
pub(crate) fn stdin_is_tty() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal()
}

/// A spinner on stderr while `fut` runs (only on a terminal).
pub(crate) async fn with_spinner<F: std::future::Future>(msg: &str, fut: F) -> F::Output {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return fut.await;
    }
    let pb = indicatif::ProgressBar::new_spinner();
    pb.set_message(msg.to_string());
    pb.enable_steady_tick(std::time::Duration::from_millis(100));
    let out = fut.await;
    pb.finish_and_clear();
    out
}
