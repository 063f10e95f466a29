#!/usr/bin/env bash
# Create the demo cluster: a kind cluster, Argo CD, then the root Application
# (App of Apps) that installs everything in applications/. Idempotent: run it
# again to converge. Installs kind, kubectl and helm into ~/.local/bin when
# they are missing (docker must already be there).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BIN_DIR="${BIN_DIR:-$HOME/.local/bin}"
OS="$(uname -s | tr '[:upper:]' '[:lower:]')"
case "$(uname -m)" in
  x86_64 | amd64) ARCH=amd64 ;;
  aarch64 | arm64) ARCH=arm64 ;;
  *) die "unsupported CPU architecture: $(uname -m)" ;;
esac

download() {
  local url=$1 dest=$2
  need curl
  info "downloading $url"
  curl -fsSL --retry 3 -o "$dest" "$url" || die "could not download $url"
}

install_prerequisites() {
  mkdir -p "$BIN_DIR"
  case ":$PATH:" in *":$BIN_DIR:"*) ;; *) export PATH="$BIN_DIR:$PATH" ;; esac

  command -v docker >/dev/null 2>&1 || die "docker is required: install Docker Engine or Docker Desktop first"
  docker info >/dev/null 2>&1 || die "docker is installed but not running (or this user may not use it)"

  if ! command -v kind >/dev/null 2>&1; then
    download "https://kind.sigs.k8s.io/dl/${KIND_VERSION}/kind-${OS}-${ARCH}" "$BIN_DIR/kind"
    chmod +x "$BIN_DIR/kind"
  fi
  if ! command -v kubectl >/dev/null 2>&1; then
    download "https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/${OS}/${ARCH}/kubectl" "$BIN_DIR/kubectl"
    chmod +x "$BIN_DIR/kubectl"
  fi
  if ! command -v helm >/dev/null 2>&1; then
    local tmp
    tmp="$(mktemp -d)"
    download "https://get.helm.sh/helm-${HELM_VERSION}-${OS}-${ARCH}.tar.gz" "$tmp/helm.tgz"
    tar -xzf "$tmp/helm.tgz" -C "$tmp"
    install -m 0755 "$tmp/${OS}-${ARCH}/helm" "$BIN_DIR/helm"
    rm -rf "$tmp"
  fi
  info "prerequisites: $(kind version | head -1); kubectl $(kubectl version --client -o json | grep -m1 gitVersion | tr -d ' ",'); helm $(helm version --short)"
}

create_cluster() {
  if cluster_exists; then
    info "kind cluster '$CLUSTER_NAME' already exists"
  else
    info "creating kind cluster '$CLUSTER_NAME'"
    kind create cluster --name "$CLUSTER_NAME" --config "$REPO_ROOT/scripts/kind-config.yaml" --wait 120s
  fi
  kubectl config use-context "kind-$CLUSTER_NAME" >/dev/null
}

install_argocd() {
  local version repo
  version="$(app_chart_version argocd)"
  repo="$(app_chart_repo argocd)"
  info "installing Argo CD (argo-cd chart $version)"
  helm repo add argo "$repo" --force-update >/dev/null
  helm upgrade --install argocd argo/argo-cd \
    --namespace argocd --create-namespace \
    --version "$version" \
    --values "$REPO_ROOT/values/argocd.yaml" \
    --wait --timeout 10m
}

apply_secrets() {
  if [[ -f "$REPO_ROOT/secrets/secrets.enc.yaml" ]]; then
    "$REPO_ROOT/scripts/setup-secrets.sh" apply
  else
    warn "no secrets/secrets.enc.yaml yet: run 'make secrets-init secrets-encrypt secrets-apply' (Grafana, Slack and DR-Kube need them)"
  fi
}

apply_root() {
  info "applying the root Application (App of Apps)"
  kubectl apply -f "$REPO_ROOT/applications/root.yaml"
  info "Argo CD now installs the stack in sync-wave order; watch it with:"
  echo "    kubectl -n argocd get applications -w"
}

main() {
  install_prerequisites
  create_cluster
  install_argocd
  apply_secrets
  apply_root
  info "done. Add the host names with 'make hosts', then see 'The demo cluster' in README.md for the URLs."
  printf '    Argo CD admin password: kubectl -n argocd get secret argocd-initial-admin-secret -o jsonpath="{.data.password}" | base64 -d\n'
}

main "$@"
