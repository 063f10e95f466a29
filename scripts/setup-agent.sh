#!/usr/bin/env bash
# Build DR-Kube's image from this checkout and run it in the demo cluster.
# The image is tagged with the exact reference the chart renders
# (ghcr.io/dr-kube/dr-kube:<appVersion>) and loaded into kind, so the
# Deployment that Argo CD syncs from charts/dr-kube uses this build
# (pullPolicy IfNotPresent). Idempotent.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need docker kind kubectl
use_cluster

version="$(awk '/^appVersion:/ {gsub(/"/, "", $2); print $2}' "$REPO_ROOT/charts/dr-kube/Chart.yaml")"
image="ghcr.io/dr-kube/dr-kube:$version"

info "building $image"
docker build -t "$image" "$REPO_ROOT"
info "loading $image into kind cluster '$CLUSTER_NAME'"
kind load docker-image "$image" --name "$CLUSTER_NAME"

if ! kubectl -n dr-kube get secret dr-kube >/dev/null 2>&1; then
  warn "Secret dr-kube/dr-kube is missing: run 'make secrets-init secrets-encrypt secrets-apply'"
fi
if kubectl -n dr-kube get deployment dr-kube >/dev/null 2>&1; then
  kubectl -n dr-kube rollout restart deployment/dr-kube
  kubectl -n dr-kube rollout status deployment/dr-kube --timeout 180s
else
  info "the dr-kube Application has not synced yet; Argo CD will start it with this image"
fi
info "DR-Kube webhook: http://dr-kube.dr-kube.svc:8080/webhooks/alertmanager"
