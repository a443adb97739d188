#!/usr/bin/env bash
# Your first deployment on a local devnet, end to end, with real containers:
#   1. checks the devnet and its provider (started by `dcloud devnet`),
#   2. `dcloud deploy examples/hello.yaml --from alice`: creates the deployment, the provider
#      bids, the chain leases the lowest bid, the manifest goes to the provider, the
#      container starts,
#   3. fetches the page through the provider's ingress,
#   4. shows the lease status and logs, and what to run next.
#
# Start a devnet first, in another terminal:   dcloud devnet
# then run:                                     scripts/first-deployment.sh
#
# Environment (all optional):
#   DCLOUD_HOME      devnet home                      [~/.dcloud-devnet]
#   DCLOUD_NODE      RPC address of the devnet        [http://127.0.0.1:26657]
#   DCLOUD_BIN       the dcloud binary                [dcloud on PATH, else target/{release,debug}/dcloud]
#   SDL              the SDL file                     [examples/hello.yaml]
#   DEPOSIT          escrow deposit                   [5000000uact]
#   INGRESS          the provider's ingress           [http://127.0.0.1:8080]
#   TIMEOUT          seconds to wait for the deploy   [120]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DCLOUD_HOME="${DCLOUD_HOME:-$HOME/.dcloud-devnet}"
export DCLOUD_KEYRING_BACKEND="${DCLOUD_KEYRING_BACKEND:-test}"
export DCLOUD_NODE="${DCLOUD_NODE:-http://127.0.0.1:26657}"
SDL="${SDL:-$ROOT/examples/hello.yaml}"
DEPOSIT="${DEPOSIT:-5000000uact}"
INGRESS="${INGRESS:-http://127.0.0.1:8080}"
TIMEOUT="${TIMEOUT:-120}"
TENANT=alice

step=0
STEPS=4
next() {
    step=$((step + 1))
    printf '==> [%d/%d] %s\n' "$step" "$STEPS" "$*"
}
info() { printf '    %s\n' "$*"; }
die() {
    printf 'first-deployment: error: %s\n' "$*" >&2
    exit 1
}
trap 'rc=$?; [ "$rc" -eq 0 ] || [ "$step" -eq 0 ] || printf "first-deployment: failed at step %d/%d (exit %d)\n" "$step" "$STEPS" "$rc" >&2' EXIT

# The dcloud binary: $DCLOUD_BIN, PATH, then this checkout's build outputs.
find_dcloud() {
    local c
    if [ -n "${DCLOUD_BIN:-}" ]; then
        [ -x "$DCLOUD_BIN" ] || die "DCLOUD_BIN=$DCLOUD_BIN is not an executable"
        printf '%s\n' "$DCLOUD_BIN"
        return
    fi
    if command -v dcloud >/dev/null 2>&1; then
        command -v dcloud
        return
    fi
    for c in "${CARGO_TARGET_DIR:-$ROOT/target}/release/dcloud" "${CARGO_TARGET_DIR:-$ROOT/target}/debug/dcloud" \
        "$ROOT/target/release/dcloud" "$ROOT/target/debug/dcloud"; do
        if [ -x "$c" ]; then
            printf '%s\n' "$c"
            return
        fi
    done
    die "no dcloud binary: build it (cargo build --release -p dcloud), put it on PATH or set DCLOUD_BIN"
}
DCLOUD="$(find_dcloud)"
dcloud() { "$DCLOUD" "$@"; }

# ---------------------------------------------------------------------------------------
next "checking the devnet at $DCLOUD_NODE (home $DCLOUD_HOME)"
[ -f "$SDL" ] || die "SDL file $SDL not found"
deadline=$((SECONDS + 60))
until dcloud status >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || die "no devnet answers at $DCLOUD_NODE: start one with \`dcloud devnet\`"
    sleep 1
done
provider_addr="$(dcloud keys show provider -a)" \
    || die "no key \`provider\` in $DCLOUD_HOME (test keyring): is this the devnet's home?"
deadline=$((SECONDS + 60))
until dcloud query provider get "$provider_addr" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || die "the devnet's provider is not registered: is a container engine installed? (see the devnet's banner)"
    sleep 1
done
info "provider $provider_addr is registered"

# ---------------------------------------------------------------------------------------
next "dcloud deploy $SDL --from $TENANT"
out="$(dcloud deploy "$SDL" --from "$TENANT" --deposit "$DEPOSIT" --wait "${TIMEOUT}s" -y -o json)" \
    || die "deploy failed (see above)"
flat="$(printf '%s' "$out" | tr -d ' \n')"
dseq="$(printf '%s' "$flat" | sed -n 's/.*"dseq":\([0-9]*\).*/\1/p' | head -n 1)"
host="$(printf '%s' "$flat" | sed -n 's/.*"uris":\["\([^"]*\)".*/\1/p' | head -n 1)"
[ -n "$dseq" ] && [ -n "$host" ] || die "unexpected deploy output: $out"
info "deployment $dseq is running at $host"

# ---------------------------------------------------------------------------------------
next "GET $INGRESS/ with Host: $host"
page=""
deadline=$((SECONDS + 30))
until page="$(curl -fsS -H "Host: $host" "$INGRESS/" 2>/dev/null)"; do
    [ "$SECONDS" -lt "$deadline" ] || die "the ingress at $INGRESS did not serve $host"
    sleep 0.5
done
info "the container answered: $page"

# ---------------------------------------------------------------------------------------
next "lease status and logs"
dcloud lease status --dseq "$dseq" --from "$TENANT" | sed 's/^/    /'
dcloud lease logs --dseq "$dseq" --from "$TENANT" --tail 5 | sed 's/^/    /'
echo
echo "Next:"
echo "  curl -H 'Host: $host' $INGRESS/"
echo "  dcloud lease shell --dseq $dseq --from $TENANT --service hello -- ls /www"
echo "  dcloud lease logs --dseq $dseq --from $TENANT --follow"
echo "  dcloud query escrow blocks-remaining --owner $TENANT --dseq $dseq"
echo "  dcloud lease close --dseq $dseq --from $TENANT -y"
