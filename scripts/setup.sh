#!/usr/bin/env bash
# Installs and builds what the test suite needs, once per machine (idempotent: what is there
# is kept): system packages (apt), kube-apiserver + etcd, the cosmjs test's npm packages, and
# the web console (web/dist, embedded by `dcloud`). Called by scripts/test.sh and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: a C compiler for ring's build script; Podman + runc (crun fails on
# hybrid cgroups here), iptables (lease isolation) and a static busybox (the test image is
# built from it: no registry access) for the container tests. See shared/notes/podman.md.
need=()
command -v cc >/dev/null 2>&1 || need+=(build-essential pkg-config)
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v runc >/dev/null 2>&1 || need+=(runc)
command -v iptables >/dev/null 2>&1 || need+=(iptables)
# node + npm: the SDL differential test runs Akash's TypeScript SDK (crates/sdl/tests/ts-oracle),
# the cosmjs test (crates/node/tests/cosmjs.rs runs tests/js), the web console's build.
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
# Chromium: the web console's browser test (crates/dcloud/tests/console_e2e.rs, playwright-core).
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -x /bin/busybox ] && file -L /bin/busybox 2>/dev/null | grep -q static || need+=(busybox-static)
if [ "${#need[@]}" -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "== installing ${need[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "missing ${need[*]} and no apt-get: install them first" >&2
    exit 1
  fi
fi
podman --version

# A real Kubernetes API server for the provider's Kubernetes backend tests: kube-apiserver
# v1.20.2 built once from Debian's source package into a cache outside the clone
# (${DCLOUD_K8S_CACHE:-~/.cache/dcloud-k8s}; ~7.5 min cold), plus Debian's etcd. With
# DCLOUD_K8S_REQUIRED=1 those tests fail instead of skipping when it is missing.
echo "== kube-apiserver for the Kubernetes backend tests"
scripts/k8s-binaries.sh

# cosmjs from npm, exactly as locked (a few seconds; 18 MB).
echo "== npm ci (tests/js)"
npm ci --prefix tests/js --no-audit --no-fund --loglevel=error

# The web console (web/) is built before any cargo step: dcloud-console embeds web/dist.
echo "== web console (npm ci, unit tests, build)"
(cd web && npm ci --no-audit --no-fund --loglevel=error && npm test && npm run build)

