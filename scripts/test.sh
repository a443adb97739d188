#!/usr/bin/env bash
# The README's test command: sets up what the suite needs (scripts/setup.sh: packages, a
# Kubernetes API server, npm packages, the web console), then runs every test of the
# workspace. Extra arguments go to `cargo test` (e.g. `-p dcloud-sdl`).
set -euo pipefail
cd "$(dirname "$0")/.."

[ -n "${DCLOUD_SETUP_DONE:-}" ] || scripts/setup.sh
# Fail instead of skipping when a Kubernetes API server or node.js is missing.
export DCLOUD_K8S_REQUIRED=1 DCLOUD_REQUIRE_JS=1

# Test data that lives beside the repo (Akash's SDL fixtures).
if [ -z "${DCLOUD_TESTDATA:-}" ]; then
  for d in ../shared/testdata /work/shared/testdata; do
    if [ -d "$d/sdl" ]; then export DCLOUD_TESTDATA="$(cd "$d" && pwd)"; break; fi
  done
fi
echo "DCLOUD_TESTDATA=${DCLOUD_TESTDATA:-<unset>}"

echo "== tests"
cargo test --workspace --locked "$@"
