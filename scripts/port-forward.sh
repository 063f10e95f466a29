#!/usr/bin/env bash
# Port-forward the demo UIs to 127.0.0.1 (an alternative to the *.dr-kube.local
# host names). Stops every forward on Ctrl-C.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need kubectl
use_cluster

# namespace service local-port:service-port
FORWARDS=(
  "monitoring grafana 3000:80"
  "monitoring kube-prometheus-stack-prometheus 9090:9090"
  "monitoring kube-prometheus-stack-alertmanager 9093:9093"
  "argocd argocd-server 8081:80"
  "online-boutique frontend 8082:80"
  "chaos-mesh chaos-dashboard 2333:2333"
)

pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT INT TERM

for f in "${FORWARDS[@]}"; do
  read -r ns svc ports <<<"$f"
  if kubectl -n "$ns" get service "$svc" >/dev/null 2>&1; then
    kubectl -n "$ns" port-forward --address 127.0.0.1 "service/$svc" "$ports" >/dev/null &
    pids+=("$!")
    printf '  %-40s http://127.0.0.1:%s\n' "$ns/$svc" "${ports%%:*}"
  else
    warn "service $ns/$svc not found (not synced yet?)"
  fi
done
((${#pids[@]} > 0)) || die "nothing to forward"
info "forwarding; press Ctrl-C to stop"
wait
