#!/usr/bin/env bash
# Starts an API-only Kubernetes cluster for tests: etcd, kube-apiserver and
# kube-controller-manager (namespace deletion, Deployments → ReplicaSets → Pods, status
# counts) on 127.0.0.1, with its own CA and a token user in system:masters. No kubelet and
# no scheduler: tests create Nodes and drive Pod status through the status subresource.
#
#   scripts/k8s-test-cluster.sh DIR [WATCH_PID]
#
# Writes DIR/kubeconfig and then DIR/ready (or DIR/failed with the reason) and stays in the
# foreground; it stops everything (API server first, then etcd) on SIGTERM/SIGINT or, when
# WATCH_PID is given, once that process is gone. Ports: $K8S_ETCD_PORT, $K8S_ETCD_PEER_PORT,
# $K8S_APISERVER_PORT (defaults 12379, 12380, 16443). Binaries: $DCLOUD_K8S_BIN, else
# ${DCLOUD_K8S_CACHE:-~/.cache/dcloud-k8s}/bin (scripts/k8s-binaries.sh fills it).
set -uo pipefail

D="${1:?usage: k8s-test-cluster.sh DIR [WATCH_PID]}"
WATCH="${2:-}"
BIN="${DCLOUD_K8S_BIN:-${DCLOUD_K8S_CACHE:-$HOME/.cache/dcloud-k8s}/bin}"
EP="${K8S_ETCD_PORT:-12379}"
PP="${K8S_ETCD_PEER_PORT:-12380}"
AP="${K8S_APISERVER_PORT:-16443}"
mkdir -p "$D/etcd" "$D/pki"
fail() { echo "$*" > "$D/failed"; echo "$*" >&2; stop; exit 1; }

ETCD_PID= API_PID= KCM_PID=
stop() {
  # The API server first: with etcd gone its graceful shutdown waits ~60 s for it.
  for p in $KCM_PID $API_PID; do kill "$p" 2>/dev/null; done
  for p in $KCM_PID $API_PID; do wait "$p" 2>/dev/null; done
  [ -n "$ETCD_PID" ] && { kill "$ETCD_PID" 2>/dev/null; wait "$ETCD_PID" 2>/dev/null; }
  rm -rf "$D/etcd"
}
trap 'stop; exit 0' TERM INT

for b in kube-apiserver kube-controller-manager; do
  [ -x "$BIN/$b" ] || fail "no $BIN/$b: run scripts/k8s-binaries.sh"
done
command -v etcd >/dev/null || fail "no etcd on PATH: apt-get install etcd-server (or run scripts/k8s-binaries.sh)"

# A CA and a serving certificate for 127.0.0.1 (rustls wants a proper chain), the
# service-account key pair, a static token.
cd "$D/pki"
openssl req -x509 -newkey rsa:2048 -nodes -days 3 -subj /CN=dcloud-test-ca \
  -keyout ca.key -out ca.crt -addext basicConstraints=critical,CA:TRUE \
  -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null || fail "openssl: CA"
openssl req -newkey rsa:2048 -nodes -subj /CN=kube-apiserver -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' > ext.cnf
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3 \
  -extfile ext.cnf -out server.crt 2>/dev/null || fail "openssl: server certificate"
openssl genrsa -out sa.key 2048 2>/dev/null && openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
echo 'test-admin-token,admin,admin,system:masters' > tokens.csv
cd - >/dev/null

etcd --name t --data-dir "$D/etcd" \
  --listen-client-urls "http://127.0.0.1:$EP" --advertise-client-urls "http://127.0.0.1:$EP" \
  --listen-peer-urls "http://127.0.0.1:$PP" --initial-advertise-peer-urls "http://127.0.0.1:$PP" \
  --initial-cluster "t=http://127.0.0.1:$PP" > "$D/etcd.log" 2>&1 &
ETCD_PID=$!

"$BIN/kube-apiserver" --etcd-servers="http://127.0.0.1:$EP" \
  --bind-address=127.0.0.1 --secure-port="$AP" \
  --tls-cert-file="$D/pki/server.crt" --tls-private-key-file="$D/pki/server.key" \
  --client-ca-file="$D/pki/ca.crt" \
  --token-auth-file="$D/pki/tokens.csv" --authorization-mode=RBAC \
  --service-cluster-ip-range=10.96.0.0/16 --service-node-port-range=30000-32767 \
  --service-account-key-file="$D/pki/sa.pub" --service-account-signing-key-file="$D/pki/sa.key" \
  --service-account-issuer=https://kubernetes.default.svc \
  --disable-admission-plugins=ServiceAccount > "$D/apiserver.log" 2>&1 &
API_PID=$!

cat > "$D/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: local, cluster: {server: "https://127.0.0.1:$AP", certificate-authority: "$D/pki/ca.crt"}}]
users: [{name: admin, user: {token: test-admin-token}}]
contexts: [{name: local, context: {cluster: local, user: admin}}]
current-context: local
EOF

for _ in $(seq 1 240); do
  kill -0 "$API_PID" 2>/dev/null || fail "kube-apiserver exited: $(tail -5 "$D/apiserver.log")"
  if curl -sf --cacert "$D/pki/ca.crt" -H 'Authorization: Bearer test-admin-token' \
      "https://127.0.0.1:$AP/readyz" 2>/dev/null | grep -qx ok; then
    break
  fi
  sleep 0.25
done
curl -sf --cacert "$D/pki/ca.crt" -H 'Authorization: Bearer test-admin-token' \
  "https://127.0.0.1:$AP/readyz" >/dev/null 2>&1 || fail "kube-apiserver not ready after 60 s: $(tail -5 "$D/apiserver.log")"

"$BIN/kube-controller-manager" --kubeconfig="$D/kubeconfig" --leader-elect=false --port=0 \
  --bind-address=127.0.0.1 --secure-port=0 \
  --service-account-private-key-file="$D/pki/sa.key" --root-ca-file="$D/pki/ca.crt" \
  --use-service-account-credentials=false --concurrent-namespace-syncs=4 \
  > "$D/controller-manager.log" 2>&1 &
KCM_PID=$!

touch "$D/ready"
echo "kube-apiserver ready on https://127.0.0.1:$AP (kubeconfig: $D/kubeconfig)" >&2
while :; do
  if [ -n "$WATCH" ] && ! kill -0 "$WATCH" 2>/dev/null; then stop; exit 0; fi
  kill -0 "$API_PID" 2>/dev/null || { echo "kube-apiserver died" > "$D/failed"; stop; exit 1; }
  sleep 1 &
  wait $!
done
