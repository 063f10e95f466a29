#!/usr/bin/env bash
# Connect Slack: Alertmanager posts through an incoming-webhook URL, Argo CD
# notifications through a bot token. Reads SLACK_WEBHOOK_URL and
# SLACK_BOT_TOKEN (asks for them when unset), stores them in the git-ignored
# secrets/secrets.dec.yaml, re-encrypts and applies. Idempotent.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PLAIN="$REPO_ROOT/secrets/secrets.dec.yaml"
SECRETS="$REPO_ROOT/scripts/setup-secrets.sh"

if [[ -z "${SLACK_WEBHOOK_URL:-}" ]]; then
  [[ -t 0 ]] || die "SLACK_WEBHOOK_URL is not set (and no terminal to ask)"
  read -r -p "Slack incoming webhook URL: " SLACK_WEBHOOK_URL
fi
if [[ -z "${SLACK_BOT_TOKEN:-}" ]]; then
  [[ -t 0 ]] || die "SLACK_BOT_TOKEN is not set (and no terminal to ask)"
  read -r -s -p "Slack bot token (xoxb-...): " SLACK_BOT_TOKEN
  echo
fi
[[ "$SLACK_WEBHOOK_URL" == https://hooks.slack.com/* ]] || warn "the webhook URL does not look like a Slack incoming webhook"
[[ "$SLACK_BOT_TOKEN" == xoxb-* ]] || warn "the bot token does not start with xoxb-"

if [[ ! -f "$PLAIN" ]]; then
  if [[ -f "$REPO_ROOT/secrets/secrets.enc.yaml" ]]; then
    "$SECRETS" decrypt
  else
    "$SECRETS" init
  fi
fi

# Replace the two values in place (the file layout is the one setup-secrets.sh writes).
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
awk -v url="$SLACK_WEBHOOK_URL" -v tok="$SLACK_BOT_TOKEN" '
  /^  webhook-url:/ { print "  webhook-url: \"" url "\""; next }
  /^  slack-token:/ { print "  slack-token: \"" tok "\""; next }
  { print }' "$PLAIN" >"$tmp"
cat "$tmp" >"$PLAIN"

"$SECRETS" encrypt
if cluster_exists; then
  "$SECRETS" apply
else
  info "no cluster yet: the Slack secrets are applied by 'make cluster-setup'"
fi
info "Slack connected: alerts go to #dr-kube-alerts (invite the bot to that channel)"
