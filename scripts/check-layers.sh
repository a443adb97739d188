#!/usr/bin/env bash
# The crate layering rules of ARCHITECTURE.md ("Invariants"), checked on the resolved
# dependency graph (normal dependencies, features as each crate is built on its own):
#   - the tenant and provider side (client, provider, cli) never link the store, the state
#     machine (app) or consensus;
#   - the node never links its own client;
#   - the chain modules' plain types (dcloud-chain without its `state` feature) and the
#     primitives never link the store.
# Exit 1 with one line per broken rule.
set -euo pipefail
cd "$(dirname "$0")/.."

fail=0
# deps CRATE [ARGS...]: the dcloud crates CRATE links (normal deps, as built alone).
deps() {
  local crate=$1
  shift
  cargo tree -q --offline -e normal -p "$crate" "$@" --prefix none --format '{p}' 2>/dev/null \
    | awk '{print $1}' | grep '^dcloud-' | sort -u
}
forbid() { # forbid CRATE "FORBIDDEN..." [cargo tree args...]
  local crate=$1 forbidden=$2
  shift 2
  local have
  have=$(deps "$crate" "$@") || { echo "layers: cannot resolve $crate"; fail=1; return; }
  for f in $forbidden; do
    if grep -qx "$f" <<<"$have"; then
      echo "layers: $crate must not depend on $f (linked by: $(cargo tree -q --offline -e normal -p "$crate" "$@" -i "$f" --depth 1 --prefix none 2>/dev/null | tail -n +2 | awk '{print $1}' | sort -u | paste -sd' ' -))"
      fail=1
    fi
  done
}

for c in dcloud-client dcloud-provider dcloud-cli dcloud-console; do
  forbid "$c" "dcloud-store dcloud-app dcloud-consensus"
done
forbid dcloud-node "dcloud-client"
forbid dcloud-types "dcloud-store dcloud-app dcloud-consensus"
if cargo tree -q --offline -p dcloud-chain >/dev/null 2>&1; then
  forbid dcloud-chain "dcloud-store dcloud-app dcloud-consensus" --no-default-features
fi

# And the plain side really builds alone (no feature unification with the app): the chain's
# types without `state`, and the tenant/provider crates on top of them.
if ! cargo check -q --offline -p dcloud-chain --no-default-features 2>&1; then
  echo "layers: dcloud-chain does not build without its state feature"
  fail=1
fi
if ! cargo check -q --offline -p dcloud-client -p dcloud-provider -p dcloud-cli 2>&1; then
  echo "layers: the client, provider or cli do not build without the state machine"
  fail=1
fi

if [ "$fail" -eq 0 ]; then echo "layers: ok"; fi
exit "$fail"
