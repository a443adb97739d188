#!/usr/bin/env bash
# Your first deployment on a local devnet, end to end:
#   1. registers the devnet's `provider` key as a provider (attribute region=devnet),
#   2. creates a deployment for `alice` from examples/hello.yaml (automatic lowest-bid auction),
#   3. has the provider bid on its order,
#   4. waits for the chain to lease the lowest bid when the bid window closes,
#   5. prints the lease, how long the escrow lasts, and what to run next.
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
#   PRICE            the provider's bid, per block    [50uact]  (hello.yaml allows at most 100uact)
#   BID_WINDOW       bid window in blocks             [3]
#   TIMEOUT          seconds to wait for the lease    [60]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DCLOUD_HOME="${DCLOUD_HOME:-$HOME/.dcloud-devnet}"
export DCLOUD_KEYRING_BACKEND="${DCLOUD_KEYRING_BACKEND:-test}"
export DCLOUD_NODE="${DCLOUD_NODE:-http://127.0.0.1:26657}"
SDL="${SDL:-$ROOT/examples/hello.yaml}"
DEPOSIT="${DEPOSIT:-5000000uact}"
PRICE="${PRICE:-50uact}"
BID_WINDOW="${BID_WINDOW:-3}"
TIMEOUT="${TIMEOUT:-60}"
TENANT=alice
PROVIDER=provider

step=0
STEPS=6
say() { printf '==> [%d/%d] %s\n' "$step" "$STEPS" "$*"; }
next() {
    step=$((step + 1))
    say "$@"
}
info() { printf '    %s\n' "$*"; }
die() {
    printf 'first-deployment: error: %s\n' "$*" >&2
    exit 1
}
tmp="$(mktemp -d)"
trap 'rc=$?; rm -rf "$tmp"; [ "$rc" -eq 0 ] || [ "$step" -eq 0 ] || printf "first-deployment: failed at step %d/%d (exit %d)\n" "$step" "$STEPS" "$rc" >&2' EXIT

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
    die "no dcloud binary: build it (cargo build --release -p dcloud-cli), put it on PATH or set DCLOUD_BIN"
}
DCLOUD="$(find_dcloud)"
dcloud() { "$DCLOUD" "$@"; }

# `key: value` of dcloud's text output (first match).
field() { sed -n "s/^$1: *//p" | head -n 1; }

# The chain's latest height.
height() {
    dcloud status -o json 2>/dev/null | sed -n 's/^ *"latest_block_height": *"\([0-9]*\)".*/\1/p'
}

# ---------------------------------------------------------------------------------------
next "checking the devnet at $DCLOUD_NODE (home $DCLOUD_HOME)"
info "dcloud: $DCLOUD"
[ -f "$SDL" ] || die "SDL file $SDL not found"
deadline=$((SECONDS + TIMEOUT))
h="$(height || true)"
while [ -z "$h" ] || [ "$h" -lt 1 ]; do
    [ "$SECONDS" -lt "$deadline" ] || die "no devnet answers at $DCLOUD_NODE: start one with \`dcloud devnet\` (and DCLOUD_HOME=$DCLOUD_HOME)"
    sleep 1
    h="$(height || true)"
done
tenant_addr="$(dcloud keys show "$TENANT" -a)" \
    || die "no key \`$TENANT\` in $DCLOUD_HOME (test keyring): is this the devnet's home?"
provider_addr="$(dcloud keys show "$PROVIDER" -a)" \
    || die "no key \`$PROVIDER\` in $DCLOUD_HOME (test keyring): is this the devnet's home?"
info "chain at height $h; tenant $TENANT = $tenant_addr; provider $PROVIDER = $provider_addr"

# ---------------------------------------------------------------------------------------
next "registering $PROVIDER as a provider (region=devnet, as the SDL's placement requires)"
cat >"$tmp/provider.yaml" <<'EOF'
host: https://provider.devnet.local:8443
attributes:
  - key: region
    value: devnet
info:
  email: ops@devnet.local
EOF
if dcloud query provider get "$PROVIDER" >/dev/null 2>&1; then
    info "already registered: updating its host and attributes"
    out="$(dcloud tx provider update "$tmp/provider.yaml" --from "$PROVIDER" -y)"
else
    out="$(dcloud tx provider create "$tmp/provider.yaml" --from "$PROVIDER" -y)"
fi
info "registered in block $(printf '%s\n' "$out" | field height)"

# ---------------------------------------------------------------------------------------
next "creating a deployment for $TENANT from ${SDL#"$ROOT"/} (lowest-bid auction, ${BID_WINDOW}-block window, deposit $DEPOSIT)"
dcloud sdl validate "$SDL" | sed 's/^/    /'
out="$(dcloud tx deployment create "$SDL" --from "$TENANT" --deposit "$DEPOSIT" \
    --auction lowest --bid-window "$BID_WINDOW" -y)"
dseq="$(printf '%s\n' "$out" | field dseq)"
[ -n "$dseq" ] || die "no dseq in the output of tx deployment create: $out"
info "deployment $tenant_addr/$dseq created in block $(printf '%s\n' "$out" | field height)"
dcloud query market order list --owner "$TENANT" --dseq "$dseq" | sed 's/^/    order /'

# ---------------------------------------------------------------------------------------
next "$PROVIDER bids $PRICE per block on order $dseq/1/1"
out="$(dcloud tx market bid create --owner "$TENANT" --dseq "$dseq" --gseq 1 --oseq 1 \
    --price "$PRICE" --from "$PROVIDER" -y)"
info "bid placed in block $(printf '%s\n' "$out" | field height)"

# ---------------------------------------------------------------------------------------
next "waiting (up to ${TIMEOUT}s) for the chain to lease the lowest bid when the bid window closes"
deadline=$((SECONDS + TIMEOUT))
while :; do
    lease="$(dcloud query market lease list --owner "$TENANT" --dseq "$dseq" --state active)"
    if [ -n "$lease" ] && [ "$lease" != "none" ]; then
        break
    fi
    [ "$SECONDS" -lt "$deadline" ] || die "no lease for deployment $dseq after ${TIMEOUT}s; bids:
$(dcloud query market bid list --owner "$TENANT" --dseq "$dseq")"
    info "height $(height): no lease yet"
    sleep 1
done

# ---------------------------------------------------------------------------------------
next "leased"
printf '%s\n' "$lease" | sed 's/^/    lease /'
dcloud query escrow blocks-remaining --owner "$TENANT" --dseq "$dseq" | sed 's/^/    escrow: /'

cat <<EOF

Done: $TENANT's deployment $dseq runs on $PROVIDER's lease. What next:
  export DCLOUD_HOME=$DCLOUD_HOME DCLOUD_KEYRING_BACKEND=$DCLOUD_KEYRING_BACKEND DCLOUD_NODE=$DCLOUD_NODE
  dcloud query deployment get --owner $TENANT --dseq $dseq                  # deployment, escrow, blocks remaining
  dcloud query market lease list --owner $TENANT --dseq $dseq               # the lease
  dcloud tx market lease withdraw --owner $TENANT --dseq $dseq --from $PROVIDER -y   # provider collects its earnings
  dcloud tx deployment deposit 1000000uact --dseq $dseq --from $TENANT -y     # top up the escrow
  dcloud tx deployment close --dseq $dseq --from $TENANT -y                  # close: the rest of the deposit returns
EOF
