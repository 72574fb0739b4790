#!/usr/bin/env bash
# A private Redis Cluster for the adapter tests: three nodes on the given loopback ports,
# formed into one cluster with no replicas, state in DIR. With TLS=1 every node listens only
# for TLS (cluster bus included), with a certificate for 127.0.0.1 signed by a CA made here
# (DIR/ca.crt, which the tests trust). Prints `ready` once the cluster is ok, then runs until
# its standard input closes (the test process ended) and removes everything.
# Usage: redis-test-cluster.sh DIR TLS(0|1) PORT PORT PORT
set -u
dir=$1 tls=$2
shift 2
ports=("$@")
mkdir -p "$dir" && cd "$dir" || exit 1
cli=(redis-cli)
if [ "$tls" = 1 ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=luckydraw test CA' \
    -keyout ca.key -out ca.crt 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj '/CN=127.0.0.1' -keyout server.key -out server.csr 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' > server.ext
  openssl x509 -req -days 2 -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
    -extfile server.ext -out server.crt 2>/dev/null
  cli=(redis-cli --tls --cacert ca.crt)
fi
servers=()
trap 'kill "${servers[@]}" 2>/dev/null; rm -rf "$dir"' EXIT
for port in "${ports[@]}"; do
  if [ "$tls" = 1 ]; then
    listen=(--port 0 --tls-port "$port" --tls-cluster yes --tls-auth-clients no --tls-ca-cert-file ca.crt
            --tls-cert-file server.crt --tls-key-file server.key)
  else
    listen=(--port "$port")
  fi
  redis-server --bind 127.0.0.1 "${listen[@]}" --cluster-enabled yes --cluster-config-file "nodes-$port.conf" \
    --save '' --appendonly no --dir "$dir" --daemonize no >/dev/null 2>&1 &
  servers+=($!)
done
for port in "${ports[@]}"; do until "${cli[@]}" -p "$port" ping >/dev/null 2>&1; do sleep 0.05; done; done
"${cli[@]}" --cluster create "${ports[@]/#/127.0.0.1:}" --cluster-replicas 0 --cluster-yes >/dev/null
until "${cli[@]}" -p "${ports[0]}" cluster info | grep -q cluster_state:ok; do sleep 0.05; done
echo ready
cat >/dev/null
