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
sed -n '/dcloud devnet is running/,/Press Ctrl-C/p' "$log"

echo
"$ROOT/scripts/first-deployment.sh"

echo
echo "==> the devnet keeps running (Ctrl-C to stop). In another terminal:"
echo "    export DCLOUD_HOME=$DCLOUD_HOME DCLOUD_KEYRING_BACKEND=test"
echo "    $BIN query market lease list --owner alice"
wait "$devnet"
