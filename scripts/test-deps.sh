#!/usr/bin/env bash
# Make sure the Debian tools the tests run are installed:
# prometheus (prometheus, promtool), prometheus-alertmanager (+ amtool),
# the shellcheck linter, postgresql, openssl (a test CA for the TLS tests) and docker-registry
# (an OCI registry for the chart-fetch tests), chromium and chromium-driver (the web console's
# browser tests), openssh-server and -client (an ssh git origin for the clone-on-start tests),
# cmake (the llama-server-only build script's test).
# No apt call when all are present.
# Installs the missing ones when running as root (CI=true,
# DRKUBE_INSTALL_TEST_DEPS=1 or plain root); otherwise says what to do.
set -euo pipefail

# package -> the program that shows it is installed
declare -A WANT=(
  [prometheus]=/usr/bin/promtool
  [prometheus-alertmanager]=/usr/bin/amtool
  [shellcheck]=/usr/bin/shellcheck
  [postgresql]=/usr/lib/postgresql/15/bin/initdb
  [openssl]=/usr/bin/openssl
  [docker-registry]=/usr/bin/docker-registry
  [chromium]=/usr/bin/chromium
  [chromium-driver]=/usr/bin/chromedriver
  [openssh-server]=/usr/sbin/sshd
  [openssh-client]=/usr/bin/ssh-keygen
  [cmake]=/usr/bin/cmake
)

have() {
  local path=$1
  [[ -x "$path" ]] && return 0
  # Any PostgreSQL major version will do.
  if [[ "$path" == /usr/lib/postgresql/* ]]; then
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && return 0
  fi
  command -v "$(basename "$path")" >/dev/null 2>&1
}

missing=()
for pkg in "${!WANT[@]}"; do
  have "${WANT[$pkg]}" || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "test-deps: missing Debian packages: ${missing[*]}" >&2

if [[ "$(id -u)" -ne 0 ]]; then
  echo "test-deps: not root, so not installing. Run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  echo "test-deps: the tests that need them are skipped locally and fail in CI." >&2
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "test-deps: apt-get not found: install ${missing[*]} with your package manager." >&2
  exit 0
fi

# Root: CI=true, DRKUBE_INSTALL_TEST_DEPS=1 or plain root all install.
echo "test-deps: installing ${missing[*]} (CI=${CI:-} DRKUBE_INSTALL_TEST_DEPS=${DRKUBE_INSTALL_TEST_DEPS:-})" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "test-deps: installed ${missing[*]}" >&2
