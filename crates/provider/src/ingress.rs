//! The ingress: an HTTP reverse proxy routing `Host:` names to lease containers.
//!
//! The daemon calls [`Ingress::set_routes`] when a lease is deployed (or after a restart)
//! and [`Ingress::remove_lease`] when it closes; [`Ingress::serve`] proxies HTTP/1.1
//! requests (and websocket upgrades) by the `Host` header, 404 for unknown hosts, 502 when
//! the container does not answer.
