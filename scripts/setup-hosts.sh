#!/usr/bin/env bash
# Point the demo host names (grafana.dr-kube.local, ...) at 127.0.0.1, where
# kind publishes ingress-nginx. Idempotent: the block between the markers is
# replaced on each run. `--remove` deletes it. HOSTS_FILE overrides /etc/hosts.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HOSTS_FILE="${HOSTS_FILE:-/etc/hosts}"
BEGIN="# BEGIN dr-kube demo"
END="# END dr-kube demo"

[[ -f "$HOSTS_FILE" ]] || die "$HOSTS_FILE not found"

SUDO=()
if [[ ! -w "$HOSTS_FILE" ]]; then
  command -v sudo >/dev/null 2>&1 || die "$HOSTS_FILE is not writable and sudo is not available"
  SUDO=(sudo)
fi

tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
# Everything but our old block.
awk -v b="$BEGIN" -v e="$END" '$0 == b {skip = 1; next} $0 == e {skip = 0; next} !skip' "$HOSTS_FILE" >"$tmp"

if [[ "${1:-}" != "--remove" ]]; then
  {
    echo "$BEGIN"
    for h in "${HOSTS[@]}"; do
      echo "127.0.0.1 $h.$DOMAIN"
    done
    echo "$END"
  } >>"$tmp"
fi

if cmp -s "$tmp" "$HOSTS_FILE"; then
  info "$HOSTS_FILE is already up to date"
  exit 0
fi
# cat > keeps the file's inode, owner and mode (and works on Docker's bind-mounted /etc/hosts).
# shellcheck disable=SC2016  # $1/$2 expand in the inner shell
"${SUDO[@]}" sh -c 'cat "$1" > "$2"' sh "$tmp" "$HOSTS_FILE"
if [[ "${1:-}" == "--remove" ]]; then
  info "removed the dr-kube host names from $HOSTS_FILE"
else
  info "added to $HOSTS_FILE: ${HOSTS[*]/%/.$DOMAIN}"
fi
