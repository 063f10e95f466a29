#!/usr/bin/env bash
# Shared helpers for the scripts in this folder. Source it; do not run it.
# shellcheck disable=SC2034  # the variables are used by the scripts that source this file

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLUSTER_NAME="${CLUSTER_NAME:-dr-kube}"
DOMAIN="${DRKUBE_DOMAIN:-dr-kube.local}"
HOSTS=(grafana prometheus alertmanager argocd chaos)

# Pinned tool versions installed by setup.sh when missing.
KIND_VERSION="${KIND_VERSION:-v0.25.0}"
KUBECTL_VERSION="${KUBECTL_VERSION:-v1.31.2}"
HELM_VERSION="${HELM_VERSION:-v3.16.3}"
SOPS_VERSION="${SOPS_VERSION:-v3.9.1}"
AGE_VERSION="${AGE_VERSION:-v1.2.0}"

info() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
warn() { printf '\033[1;33mwarning:\033[0m %s\n' "$*" >&2; }
die() {
  printf '\033[1;31merror:\033[0m %s\n' "$*" >&2
  exit 1
}

need() {
  local cmd
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null 2>&1 || die "'$cmd' is required but not installed (run 'make cluster-setup' to install the prerequisites)"
  done
}

# The pinned chart version of an Application in applications/<name>.yaml.
app_chart_version() {
  awk '/targetRevision:/ {print $2; exit}' "$REPO_ROOT/applications/$1.yaml"
}

app_chart_repo() {
  awk '/repoURL:/ {print $3; exit}' "$REPO_ROOT/applications/$1.yaml"
}

cluster_exists() {
  command -v kind >/dev/null 2>&1 && kind get clusters 2>/dev/null | grep -qx "$CLUSTER_NAME"
}

use_cluster() {
  cluster_exists || die "kind cluster '$CLUSTER_NAME' not found: run 'make cluster-setup' first"
  kubectl config use-context "kind-$CLUSTER_NAME" >/dev/null
}
