#!/usr/bin/env bash
# Builds (or reuses) a real Kubernetes API server for the provider's Kubernetes tests:
# kube-apiserver and kube-controller-manager v1.20.2 built from Debian bookworm's
# `kubernetes` source package (the full upstream tree with vendor/, so it builds offline
# with Debian's Go), plus Debian's etcd. See shared/notes/test-infrastructure.md §1.
#
# Cache (outside the repository): ${DCLOUD_K8S_CACHE:-~/.cache/dcloud-k8s}
#   bin/kube-apiserver, bin/kube-controller-manager   the binaries (reused when present)
#   build/                                             the source tree (kept for rebuilds)
# A cold build takes about 7.5 minutes on 2 cores, 2.3 GB of disk, 1.4 GB of memory.
# DCLOUD_K8S_BUILD_DIR names an existing build folder to take binaries from instead.
#
# Prints the bin folder on its last line. Exit status 0 only when the binaries run.
set -euo pipefail

CACHE="${DCLOUD_K8S_CACHE:-$HOME/.cache/dcloud-k8s}"
BIN="$CACHE/bin"
BUILD="${DCLOUD_K8S_BUILD_DIR:-$CACHE/build}"
SRC_NAME="kubernetes-1.20.5+really1.20.2"
WANT="v1.20.2"
mkdir -p "$BIN"

have_binaries() {
  [ -x "$BIN/kube-apiserver" ] && [ -x "$BIN/kube-controller-manager" ] &&
    "$BIN/kube-apiserver" --version 2>/dev/null | grep -q "$WANT"
}

apt_install() {
  local need=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
  [ "${#need[@]}" -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || { echo "missing packages ${need[*]} and no apt-get" >&2; return 1; }
  echo "== installing ${need[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }
}

# etcd (Debian's 3.4) and openssl (the test cluster's certificates).
command -v etcd >/dev/null 2>&1 || apt_install etcd-server
command -v openssl >/dev/null 2>&1 || apt_install openssl

if have_binaries; then
  echo "kube binaries: reusing $BIN" >&2
  echo "$BIN"
  exit 0
fi

OUT="$BUILD/$SRC_NAME/_output/bin"
if [ ! -x "$OUT/kube-apiserver" ] || [ ! -x "$OUT/kube-controller-manager" ]; then
  echo "== building kube-apiserver $WANT from Debian's source package in $BUILD (about 7.5 min)" >&2
  apt_install golang-go rsync jq dpkg-dev golang-github-modern-go-reflect2-dev
  if ! grep -rqs '^Types: deb deb-src\|^deb-src' /etc/apt/sources.list.d/ /etc/apt/sources.list; then
    sed -i 's/^Types: deb$/Types: deb deb-src/' /etc/apt/sources.list.d/debian.sources
    apt-get update -qq
  fi
  mkdir -p "$BUILD"
  cd "$BUILD"
  [ -d "$SRC_NAME" ] || apt-get source -qq kubernetes >/dev/null
  cd "$SRC_NAME"
  # Go >= 1.18 needs reflect2 1.0.2 (the vendored 1.0.1 crashes the API server on the
  # first custom resource); Debian ships it.
  R=vendor/github.com/modern-go/reflect2
  if ! cmp -s /usr/share/gocode/src/github.com/modern-go/reflect2/reflect2.go "$R/reflect2.go"; then
    rm -f "$R"/*.go "$R"/*.s
    cp /usr/share/gocode/src/github.com/modern-go/reflect2/*.go /usr/share/gocode/src/github.com/modern-go/reflect2/*.s "$R/"
  fi
  mkdir -p .go/src/k8s.io && ln -sfn ../../.. .go/src/k8s.io/kubernetes
  GOPATH="$PWD/.go" CGO_ENABLED=0 make WHAT="cmd/kube-apiserver cmd/kube-controller-manager" GOLDFLAGS="-s -w" >&2
fi
cp "$OUT/kube-apiserver" "$OUT/kube-controller-manager" "$BIN/"
have_binaries || { echo "built binaries do not report $WANT" >&2; exit 1; }
echo "kube binaries: built into $BIN" >&2
echo "$BIN"
