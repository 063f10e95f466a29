#!/usr/bin/env bash
# Run the Chaos Mesh experiments in chaos/ (see docs/CHAOS.md).
#   chaos.sh apply NAME   apply chaos/NAME.yaml (idempotent)
#   chaos.sh status       list the experiments and their state
#   chaos.sh stop [NAME]  delete one experiment, or all of them
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KINDS="podchaos,stresschaos,networkchaos,dnschaos,schedules,workflows"
NS=online-boutique

need kubectl
use_cluster
kubectl get crd podchaos.chaos-mesh.org >/dev/null 2>&1 \
  || die "Chaos Mesh is not installed yet (the chaos-mesh Application must be synced)"

case "${1:-}" in
  apply)
    name="${2:?usage: $0 apply NAME}"
    file="$REPO_ROOT/chaos/$name.yaml"
    if [[ ! -f "$file" ]]; then
      names=("$REPO_ROOT"/chaos/*.yaml)
      names=("${names[@]##*/}")
      die "no experiment $file; choose one of: ${names[*]%.yaml}"
    fi
    kubectl apply -f "$file"
    info "started $name; 'make chaos-status' to follow it, 'make chaos-stop' to end it"
    ;;
  status)
    kubectl -n "$NS" get "$KINDS" -l app.kubernetes.io/part-of=dr-kube-chaos
    echo
    kubectl -n "$NS" get pods -o wide
    ;;
  stop)
    if [[ -n "${2:-}" ]]; then
      kubectl delete --ignore-not-found -f "$REPO_ROOT/chaos/$2.yaml"
    else
      kubectl -n "$NS" delete "$KINDS" -l app.kubernetes.io/part-of=dr-kube-chaos --ignore-not-found
    fi
    info "stopped"
    ;;
  *) die "usage: $0 apply NAME | status | stop [NAME]" ;;
esac
