#!/usr/bin/env bash
# Delete the demo kind cluster. Idempotent: nothing to do when it is gone.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if cluster_exists; then
  info "deleting kind cluster '$CLUSTER_NAME'"
  kind delete cluster --name "$CLUSTER_NAME"
else
  info "kind cluster '$CLUSTER_NAME' does not exist: nothing to do"
fi
info "the /etc/hosts entries stay; remove them with 'scripts/setup-hosts.sh --remove'"
