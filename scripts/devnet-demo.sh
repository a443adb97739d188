#!/usr/bin/env bash
# One command for a newcomer: build dcloud, start a fresh local devnet, make a first
# deployment on it (scripts/first-deployment.sh), then keep the devnet running until Ctrl-C.
#
#   scripts/devnet-demo.sh            # fresh devnet in ~/.dcloud-devnet (reset each run)
#   DEVNET_HOME=/tmp/dn scripts/devnet-demo.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export DCLOUD_HOME="${DEVNET_HOME:-$HOME/.dcloud-devnet}"
export DCLOUD_KEYRING_BACKEND=test
export DCLOUD_NODE="${DCLOUD_NODE:-http://127.0.0.1:26657}"

# A container engine for the devnet's provider: Podman (with runc) if neither Docker nor
# Podman is installed, and a static busybox the devnet builds its example image from.
need=()
# An engine that answers, not a command name: a machine may have the docker client without a
# daemon. The devnet starts its own Podman API service when podman is installed.
if ! command -v podman >/dev/null 2>&1 && ! { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }; then
    need+=(podman runc iptables)
fi
[ -x /bin/busybox ] && { ! command -v file >/dev/null 2>&1 || file -L /bin/busybox | grep -q static; } || need+=(busybox-static)
if [ "${#need[@]}" -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    if command -v apt-get >/dev/null 2>&1; then
        echo "==> installing ${need[*]} (the devnet's provider runs containers with them)"
        $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
    else
        echo "==> warning: please install ${need[*]}; the devnet runs without a provider otherwise" >&2
    fi
fi

# The web console the devnet serves (embedded in the binary): built when npm is there.
if [ ! -f web/dist/index.html ]; then
    if command -v npm >/dev/null 2>&1; then
        echo "==> building the web console (web/)"
        (cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build) \
            || echo "==> warning: the web console did not build; the devnet runs without it" >&2
    else
        echo "==> note: no npm here, so the devnet's web console is not built (apt-get install nodejs npm)"
    fi
fi

echo "==> building dcloud (release; the first build takes a few minutes)"
cargo build --release --bin dcloud
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/dcloud"
export DCLOUD_BIN="$BIN"

log="$DCLOUD_HOME.log"
echo "==> starting the devnet (home $DCLOUD_HOME, log $log)"
mkdir -p "$(dirname "$DCLOUD_HOME")"
"$BIN" devnet --home "$DCLOUD_HOME" --reset --block-time 500ms >"$log" 2>&1 &
devnet=$!
stop() {
    if kill -0 "$devnet" 2>/dev/null; then
        echo "==> stopping the devnet"
        kill -INT "$devnet" 2>/dev/null || true
        wait "$devnet" 2>/dev/null || true
    fi
}
trap stop EXIT INT TERM

for _ in $(seq 1 120); do
    if "$BIN" status >/dev/null 2>&1; then break; fi
    kill -0 "$devnet" 2>/dev/null || { echo "devnet exited; see $log" >&2; exit 1; }
    sleep 0.5
done
"$BIN" status >/dev/null || { echo "devnet did not come up; see $log" >&2; exit 1; }
# The banner comes once the provider is up (engine, example image, registration).
for _ in $(seq 1 120); do
    grep -q "Press Ctrl-C" "$log" 2>/dev/null && break
    kill -0 "$devnet" 2>/dev/null || { echo "devnet exited; see $log" >&2; exit 1; }
    sleep 0.5
done
sed -n '/dcloud devnet is running/,/Press Ctrl-C/p' "$log"

echo
"$ROOT/scripts/first-deployment.sh"

echo
echo "==> the devnet keeps running (Ctrl-C to stop). In another terminal:"
echo "    export DCLOUD_HOME=$DCLOUD_HOME DCLOUD_KEYRING_BACKEND=test"
echo "    $BIN lease status --dseq N --from alice     # N: the dseq printed above"
echo "    $BIN deploy examples/hello.yaml --from alice  # another deployment"
wait "$devnet"
