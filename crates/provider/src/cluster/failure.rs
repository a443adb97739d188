//! Which backend errors are the tenant's workload failing (a typed [`WorkloadFailure`] the
//! gateway answers with 422 and the lease status shows), as opposed to the provider's own
//! trouble (500). Backend-neutral: the Kubernetes backend's errors map through it too.

use dcloud_sdl::output::ManifestGroup;

use super::{BackendError, FailureReason, WorkloadFailure};

impl BackendError {
    /// The workload failure this error means for `group`, or `None` when the fault is the
    /// provider's (engine down, isolation, internal).
    pub fn workload_failure(&self, group: &ManifestGroup) -> Option<WorkloadFailure> {
        match self {
            Self::ImagePull { image, message } => {
                let svc = group.services.iter().find(|s| &s.image == image);
                let has_credentials = svc.is_some_and(|s| s.credentials.is_some());
                Some(WorkloadFailure {
                    reason: classify_pull(message, has_credentials),
                    service: svc.map(|s| s.name.clone()),
                    message: format!("image {image:?}: {message}"),
                })
            }
            Self::Invalid(m) => Some(WorkloadFailure {
                reason: FailureReason::Unsupported,
                service: None,
                message: m.clone(),
            }),
            _ => None,
        }
    }
}

/// Reads a registry's or engine's pull error.
fn classify_pull(message: &str, has_credentials: bool) -> FailureReason {
    let m = message.to_ascii_lowercase();
    let any = |words: &[&str]| words.iter().any(|w| m.contains(w));
    if any(&["unauthorized", "authentication required", "denied", "401", "403", "forbidden"]) {
        if has_credentials {
            FailureReason::BadCredentials
        } else {
            FailureReason::PullDenied
        }
    } else if any(&[
        "connection refused",
        "no such host",
        "dial tcp",
        "i/o timeout",
        "network is unreachable",
        "pinging container registry",
        "tls handshake",
    ]) {
        FailureReason::RegistryUnreachable
    } else {
        // "manifest unknown", "not found", "no such image", "name unknown", ...
        FailureReason::ImageNotFound
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_errors_are_read_as_typed_reasons() {
        use FailureReason::*;
        let cases = [
            ("manifest unknown: manifest unknown", false, ImageNotFound),
            ("No such image: localhost/x:1", false, ImageNotFound),
            ("reading manifest 9 in docker.io/library/nginx: name unknown", false, ImageNotFound),
            ("unauthorized: authentication required", false, PullDenied),
            ("unauthorized: incorrect username or password", true, BadCredentials),
            ("requested access to the resource is denied", false, PullDenied),
            (
                "pinging container registry localhost: Get \"https://localhost/v2/\": dial tcp [::1]:443: connect: connection refused",
                false,
                RegistryUnreachable,
            ),
        ];
        for (msg, creds, want) in cases {
            assert_eq!(classify_pull(msg, creds), want, "{msg}");
        }
    }
}
