//! Host firewall rules that keep lease networks apart.
//!
//! Podman's bridges (and Docker's with `icc` tricks aside) route between each other, so
//! with [`super::BackendSettings::isolate`] the backend keeps two iptables chains:
//! `DCLOUD-ISOLATION` (jumped to first from `FORWARD`) sends traffic from a lease subnet to
//! anything outside it to `DCLOUD-ISOLATION-2`, which drops it if the destination is another
//! lease's subnet (Docker's two-stage scheme, by subnet). Each rule carries the comment
//! `dcloud-<slug>`, so teardown finds its rules even after a restart.

use super::BackendError;

/// First-stage isolation chain (jumped to from `FORWARD`).
pub const ISOLATION_CHAIN: &str = "DCLOUD-ISOLATION";
/// Second-stage isolation chain (drops to other lease subnets).
pub const ISOLATION_CHAIN_2: &str = "DCLOUD-ISOLATION-2";

/// iptables changes are serialized within the process (iptables `-w` does across
/// processes).
static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn iptables(args: &[&str]) -> Result<std::process::Output, BackendError> {
    tokio::process::Command::new("iptables")
        .arg("-w")
        .args(args)
        .output()
        .await
        .map_err(|e| BackendError::Isolation(format!("running iptables: {e}")))
}

async fn iptables_ok(args: &[&str]) -> Result<(), BackendError> {
    let out = iptables(args).await?;
    if out.status.success() {
        Ok(())
    } else {
        Err(BackendError::Isolation(format!(
            "iptables {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

async fn ensure_chains() -> Result<(), BackendError> {
    for chain in [ISOLATION_CHAIN, ISOLATION_CHAIN_2] {
        if !iptables(&["-n", "-L", chain]).await?.status.success() {
            let out = iptables(&["-N", chain]).await?;
            // Another process may have created it meanwhile.
            if !out.status.success() && !iptables(&["-n", "-L", chain]).await?.status.success() {
                return Err(BackendError::Isolation(format!(
                    "creating chain {chain}: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                )));
            }
        }
    }
    jump_first().await
}

async fn jump_first() -> Result<(), BackendError> {
    let out = iptables(&["-S", "FORWARD"]).await?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let rules: Vec<&str> = text.lines().filter(|l| l.starts_with("-A FORWARD")).collect();
    let jump = format!("-A FORWARD -j {ISOLATION_CHAIN}");
    if rules.first() == Some(&jump.as_str()) && rules.iter().filter(|r| **r == jump).count() == 1 {
        return Ok(());
    }
    let exists = || async {
        Ok::<_, BackendError>(
            iptables(&["-C", "FORWARD", "-j", ISOLATION_CHAIN]).await?.status.success(),
        )
    };
    while exists().await? {
        let out = iptables(&["-D", "FORWARD", "-j", ISOLATION_CHAIN]).await?;
        // Another provider process on this host may have removed it between the check and
        // the delete (the in-process lock does not reach it): only an error if it is still
        // there.
        if !out.status.success() && exists().await? {
            return Err(BackendError::Isolation(format!(
                "iptables -D FORWARD -j {ISOLATION_CHAIN}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
    }
    iptables_ok(&["-I", "FORWARD", "1", "-j", ISOLATION_CHAIN]).await
}

/// Makes sure `FORWARD` jumps to the isolation chain before any other rule.
pub async fn ensure_jump_first() -> Result<(), BackendError> {
    let _g = LOCK.lock().await;
    ensure_chains().await
}

/// Adds the rules for one lease subnet (idempotent).
pub async fn add_lease(slug: &str, subnet: &str) -> Result<(), BackendError> {
    let _g = LOCK.lock().await;
    ensure_chains().await?;
    let comment = format!("dcloud-{slug}");
    let stage1 = [
        "-s",
        subnet,
        "!",
        "-d",
        subnet,
        "-m",
        "comment",
        "--comment",
        &comment,
        "-j",
        ISOLATION_CHAIN_2,
    ];
    let stage2 = ["-d", subnet, "-m", "comment", "--comment", &comment, "-j", "DROP"];
    for (chain, rule) in [(ISOLATION_CHAIN, &stage1[..]), (ISOLATION_CHAIN_2, &stage2[..])] {
        let mut check = vec!["-C", chain];
        check.extend_from_slice(rule);
        if !iptables(&check).await?.status.success() {
            let mut add = vec!["-A", chain];
            add.extend_from_slice(rule);
            iptables_ok(&add).await?;
        }
    }
    Ok(())
}

/// Removes every rule of one lease (found by its comment; idempotent).
pub async fn remove_lease(slug: &str) -> Result<(), BackendError> {
    let _g = LOCK.lock().await;
    let comment = format!("dcloud-{slug}");
    for chain in [ISOLATION_CHAIN, ISOLATION_CHAIN_2] {
        let out = iptables(&["-S", chain]).await?;
        if !out.status.success() {
            continue; // no chain, no rules
        }
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        for line in text.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            if words.first() != Some(&"-A") || !words.iter().any(|w| w.trim_matches('"') == comment)
            {
                continue;
            }
            let mut del = vec!["-D"];
            del.extend(words[1..].iter().map(|w| w.trim_matches('"')));
            iptables_ok(&del).await?;
        }
    }
    Ok(())
}

/// Whether the lease has isolation rules (for tests and diagnostics).
pub async fn has_rules(slug: &str) -> Result<bool, BackendError> {
    let out = iptables(&["-S", ISOLATION_CHAIN]).await?;
    Ok(String::from_utf8_lossy(&out.stdout).contains(&format!("dcloud-{slug}")))
}
