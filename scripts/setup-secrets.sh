#!/usr/bin/env bash
# The demo cluster's secrets with SOPS + age. Nothing secret enters Git:
#   init     create an age key (outside the repo), .sops.yaml, and a plaintext
#            secrets/secrets.dec.yaml with random tokens (git-ignored)
#   encrypt  secrets/secrets.dec.yaml -> secrets/secrets.enc.yaml (safe to commit)
#   decrypt  secrets/secrets.enc.yaml -> secrets/secrets.dec.yaml
#   apply    decrypt in memory and kubectl apply to the current cluster
# Every command is idempotent.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SECRETS_DIR="$REPO_ROOT/secrets"
PLAIN="$SECRETS_DIR/secrets.dec.yaml"
ENCRYPTED="$SECRETS_DIR/secrets.enc.yaml"
export SOPS_AGE_KEY_FILE="${SOPS_AGE_KEY_FILE:-$HOME/.config/sops/age/keys.txt}"

random_token() {
  # 32 random bytes, hex: no openssl needed.
  od -An -N32 -tx1 /dev/urandom | tr -d ' \n'
}

public_key() {
  grep -m1 '^# public key: ' "$SOPS_AGE_KEY_FILE" | sed 's/^# public key: //'
}

cmd_init() {
  need age-keygen
  if [[ -f "$SOPS_AGE_KEY_FILE" ]]; then
    info "age key exists: $SOPS_AGE_KEY_FILE"
  else
    mkdir -p "$(dirname "$SOPS_AGE_KEY_FILE")"
    (umask 077 && age-keygen -o "$SOPS_AGE_KEY_FILE" 2>/dev/null)
    info "created age key $SOPS_AGE_KEY_FILE (back it up: without it the secrets cannot be decrypted)"
  fi
  local pub
  pub="$(public_key)"
  [[ -n "$pub" ]] || die "no public key found in $SOPS_AGE_KEY_FILE"

  if [[ ! -f "$REPO_ROOT/.sops.yaml" ]]; then
    cat >"$REPO_ROOT/.sops.yaml" <<YAML
# SOPS: encrypt only the data of the Secrets in secrets/*.enc.yaml.
creation_rules:
  - path_regex: secrets/.*\.yaml$
    encrypted_regex: ^(data|stringData)$
    age: $pub
YAML
    info "wrote .sops.yaml (commit it: it holds only the public key)"
  fi

  mkdir -p "$SECRETS_DIR"
  if [[ -f "$PLAIN" ]]; then
    info "$PLAIN exists: kept as is"
    return
  fi
  local am_token webhook_secret grafana_password checkpoint_key
  am_token="$(random_token)"
  checkpoint_key="$(head -c 32 /dev/urandom | base64)"
  webhook_secret="$(random_token)"
  grafana_password="$(random_token | cut -c1-24)"
  (umask 077 && cat >"$PLAIN" <<YAML
# Plaintext secrets of the demo cluster. Git-ignored. Fill in the empty
# values, then run 'make secrets-encrypt secrets-apply'.
apiVersion: v1
kind: Secret
metadata:
  name: dr-kube
  namespace: dr-kube
stringData:
  alertmanager-token: "$am_token"
  github-webhook-secret: "$webhook_secret"
  github-token: "${GITHUB_TOKEN:-}"
  gemini-api-key: "${GEMINI_API_KEY:-}"
  checkpoint-key: "$checkpoint_key"
  checkpoint-old-keys: ""
---
apiVersion: v1
kind: Secret
metadata:
  name: dr-kube-alertmanager
  namespace: monitoring
stringData:
  token: "$am_token"
---
apiVersion: v1
kind: Secret
metadata:
  name: alertmanager-slack
  namespace: monitoring
stringData:
  webhook-url: "${SLACK_WEBHOOK_URL:-http://127.0.0.1:9/slack-not-configured}"
---
apiVersion: v1
kind: Secret
metadata:
  name: argocd-notifications-secret
  namespace: argocd
  labels:
    app.kubernetes.io/part-of: argocd
stringData:
  slack-token: "${SLACK_BOT_TOKEN:-}"
  drkube-token: "$am_token"
---
apiVersion: v1
kind: Secret
metadata:
  name: grafana-admin
  namespace: monitoring
stringData:
  admin-user: admin
  admin-password: "$grafana_password"
YAML
  )
  info "wrote $PLAIN with fresh random tokens (git-ignored)"
}

cmd_encrypt() {
  need sops
  [[ -f "$PLAIN" ]] || die "$PLAIN not found: run 'make secrets-init' or 'make secrets-decrypt' first"
  [[ -f "$REPO_ROOT/.sops.yaml" ]] || die ".sops.yaml not found: run 'make secrets-init' first"
  (cd "$REPO_ROOT" && sops --encrypt --input-type yaml --output-type yaml "secrets/secrets.dec.yaml" >"secrets/secrets.enc.yaml.tmp")
  mv "$ENCRYPTED.tmp" "$ENCRYPTED"
  info "wrote $ENCRYPTED (safe to commit)"
}

cmd_decrypt() {
  need sops
  [[ -f "$ENCRYPTED" ]] || die "$ENCRYPTED not found: run 'make secrets-init secrets-encrypt' first"
  [[ -f "$SOPS_AGE_KEY_FILE" ]] || die "age key $SOPS_AGE_KEY_FILE not found"
  (umask 077 && sops --decrypt "$ENCRYPTED" >"$PLAIN.tmp")
  mv "$PLAIN.tmp" "$PLAIN"
  info "wrote $PLAIN (git-ignored; delete it when done)"
}

cmd_apply() {
  need sops kubectl
  [[ -f "$ENCRYPTED" ]] || die "$ENCRYPTED not found: run 'make secrets-init secrets-encrypt' first"
  local ns
  for ns in dr-kube monitoring argocd; do
    kubectl create namespace "$ns" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  done
  sops --decrypt "$ENCRYPTED" | kubectl apply -f -
  info "secrets applied"
}

case "${1:-}" in
  init) cmd_init ;;
  encrypt) cmd_encrypt ;;
  decrypt) cmd_decrypt ;;
  apply) cmd_apply ;;
  *) die "usage: $0 init|encrypt|decrypt|apply" ;;
esac
