//! [`Backend`](super::Backend) over the Docker Engine API (`bollard`): Docker or Podman.
