"""scripts/: shellcheck, strict mode, idempotence where it can run here; the Makefile targets."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.stack import REPO, load_all_yaml, load_yaml, prometheus_values, require_tool

SCRIPTS = sorted((REPO / "scripts").glob("*.sh"))
REQUIRED_SCRIPTS = {
    "setup.sh",
    "teardown.sh",
    "setup-hosts.sh",
    "setup-secrets.sh",
    "setup-slack.sh",
    "setup-agent.sh",
    "test-deps.sh",
}


def test_required_scripts_exist() -> None:
    assert {p.name for p in SCRIPTS} >= REQUIRED_SCRIPTS


def test_shellcheck() -> None:
    shellcheck = require_tool("shellcheck")
    proc = subprocess.run(
        [shellcheck, "--external-sources", *map(str, SCRIPTS)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("script", [p.name for p in SCRIPTS])
def test_strict_mode_and_syntax(script: str) -> None:
    path = REPO / "scripts" / script
    text = path.read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    if script != "lib.sh":
        assert "set -euo pipefail" in text
        assert os.access(path, os.X_OK)
    subprocess.run(["bash", "-n", str(path)], check=True, timeout=30)


def test_hosts_is_idempotent(tmp_path: Path) -> None:
    hosts = tmp_path / "hosts"
    original = "127.0.0.1 localhost\n::1 localhost\n"
    hosts.write_text(original)
    env = {**os.environ, "HOSTS_FILE": str(hosts)}
    script = str(REPO / "scripts" / "setup-hosts.sh")
    subprocess.run(["bash", script], env=env, check=True, capture_output=True, timeout=30)
    once = hosts.read_text()
    subprocess.run(["bash", script], env=env, check=True, capture_output=True, timeout=30)
    assert hosts.read_text() == once
    for name in ("grafana", "prometheus", "alertmanager", "argocd", "chaos"):
        assert f"127.0.0.1 {name}.dr-kube.local" in once
    subprocess.run(
        ["bash", script, "--remove"], env=env, check=True, capture_output=True, timeout=30
    )
    assert hosts.read_text() == original


def test_test_deps_is_fast_when_everything_is_installed() -> None:
    for tool in ("promtool", "amtool", "shellcheck"):
        require_tool(tool)
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        pytest.skip("postgresql is not installed here")
    start = time.monotonic()
    proc = subprocess.run(
        ["bash", str(REPO / "scripts" / "test-deps.sh")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == proc.stderr == ""
    assert time.monotonic() - start < 2


def test_test_deps_explains_when_it_may_not_install(tmp_path: Path) -> None:
    """A missing tool and no root: a clear message, no apt-get, exit 0 (the tests then skip or fail in CI)."""
    fakebin = tmp_path / "bin"
    fakebin.mkdir()
    (fakebin / "id").write_text("#!/bin/sh\necho 1000\n")
    (fakebin / "apt-get").write_text("#!/bin/sh\necho apt-get called >&2\nexit 99\n")
    for f in fakebin.iterdir():
        f.chmod(0o755)
    script = (
        (REPO / "scripts" / "test-deps.sh")
        .read_text()
        .replace(
            "[shellcheck]=/usr/bin/shellcheck", "[shellcheck]=/nonexistent/shellcheck-for-test"
        )
    )
    copy = tmp_path / "test-deps.sh"
    copy.write_text(script)
    # The copy looks for a program that does not exist; `id` says we are not root.
    env = {**os.environ, "PATH": f"{fakebin}:/usr/bin:/bin"}
    env.pop("CI", None)
    proc = subprocess.run(
        ["bash", str(copy)], env=env, capture_output=True, text=True, timeout=30, check=False
    )
    assert proc.returncode == 0
    assert "missing Debian packages: shellcheck" in proc.stderr
    assert "shellcheck" in proc.stderr and "apt-get install" in proc.stderr
    assert "apt-get called" not in proc.stderr


def _secrets_from_init(tmp_path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """Run `setup-secrets.sh init` in a scratch copy of the repo with a stand-in age-keygen."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "scripts", root / "scripts")
    fakebin = tmp_path / "bin"
    fakebin.mkdir()
    keygen = fakebin / "age-keygen"
    keygen.write_text(
        '#!/bin/sh\n[ "$1" = -o ] && printf "# public key: age1testpublickey\\nAGE-SECRET-KEY-1TEST\\n" > "$2"\n'
    )
    keygen.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{fakebin}:{os.environ['PATH']}",
        "HOME": str(tmp_path / "home"),
        "GITHUB_TOKEN": "",
        "GEMINI_API_KEY": "",
        "SLACK_WEBHOOK_URL": "",
        "SLACK_BOT_TOKEN": "",
    }
    for _ in range(2):  # idempotent: the second run keeps everything
        subprocess.run(
            ["bash", str(root / "scripts" / "setup-secrets.sh"), "init"],
            env=env,
            check=True,
            capture_output=True,
            timeout=30,
        )
    sops = yaml.safe_load((root / ".sops.yaml").read_text())
    assert sops["creation_rules"][0]["age"] == "age1testpublickey"
    plain = root / "secrets" / "secrets.dec.yaml"
    assert oct(plain.stat().st_mode & 0o777) == "0o600"
    docs = load_all_yaml(plain)
    return {(d["metadata"]["namespace"], d["metadata"]["name"]): d["stringData"] for d in docs}


def test_secrets_match_what_the_stack_mounts(tmp_path: Path) -> None:
    secrets = _secrets_from_init(tmp_path)
    # Alertmanager: the mounted Secrets and the files the config reads.
    am = prometheus_values()["alertmanager"]
    for name in am["alertmanagerSpec"]["secrets"]:
        assert ("monitoring", name) in secrets
    files = re.findall(r"/etc/alertmanager/secrets/([\w-]+)/([\w-]+)", yaml.safe_dump(am["config"]))
    for name, key in files:
        assert key in secrets[("monitoring", name)]
    # DR-Kube's chart reads its tokens from the dr-kube Secret.
    chart = load_yaml(REPO / "charts" / "dr-kube" / "values.yaml")
    site = load_yaml(REPO / "values" / "dr-kube.yaml")
    agent = secrets[("dr-kube", site["secrets"]["existingSecret"])]
    # every key the Deployment requires is in it (an optional one may be missing: left unset)
    from tests.support.chart import render

    deployment = next(d for d in render() if d["kind"] == "Deployment")
    refs = [
        e["valueFrom"]["secretKeyRef"]
        for c in deployment["spec"]["template"]["spec"]["containers"]
        for e in c["env"]
        if "secretKeyRef" in e.get("valueFrom", {})
    ]
    assert {r["name"] for r in refs} == {site["secrets"]["existingSecret"]}
    required = {r["key"] for r in refs if not r.get("optional")}
    assert {"alertmanager-token", "checkpoint-key"} <= required <= set(agent)
    assert {r["key"] for r in refs} <= set(chart["secrets"]["keys"].values())
    # One bearer token: Alertmanager and Argo CD notifications both present DR-Kube's token.
    token = agent["alertmanager-token"]
    assert len(token) == 64
    assert secrets[("monitoring", "dr-kube-alertmanager")]["token"] == token
    assert secrets[("argocd", "argocd-notifications-secret")]["drkube-token"] == token
    # Grafana's admin Secret.
    grafana = load_yaml(REPO / "values" / "grafana.yaml")["admin"]
    admin = secrets[("monitoring", grafana["existingSecret"])]
    assert {grafana["userKey"], grafana["passwordKey"]} <= set(admin)


def test_plaintext_secrets_are_git_ignored() -> None:
    proc = subprocess.run(
        ["git", "check-ignore", "-q", "secrets/secrets.dec.yaml"], cwd=REPO, timeout=30, check=False
    )
    assert proc.returncode == 0
    proc = subprocess.run(
        ["git", "check-ignore", "-q", "keys.txt"], cwd=REPO, timeout=30, check=False
    )
    assert proc.returncode == 0


MAKE_TARGETS = [
    "help",
    "setup",
    "cluster-setup",
    "teardown",
    "hosts",
    "secrets-init",
    "secrets-encrypt",
    "secrets-decrypt",
    "secrets-apply",
    "port-forward",
    "agent-setup",
    "agent-run",
    "agent-fix",
    "agent-webhook",
    "chaos-memory",
    "chaos-cpu",
    "chaos-pod-kill",
    "chaos-network",
    "chaos-redis-failure",
    "chaos-payment-delay",
    "chaos-traffic-spike",
    "chaos-dns-failure",
    "chaos-replica-shortage",
    "chaos-status",
    "chaos-stop",
    "test",
    "lint",
    "bench",
]


def test_make_help_lists_every_target() -> None:
    make = require_tool("make")
    proc = subprocess.run(
        [make, "--no-print-directory", "help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    listed = set(re.findall(r"\s([a-z][a-z0-9-]+)\s", re.sub(r"\x1b\[[0-9;]*m", " ", proc.stdout)))
    assert set(MAKE_TARGETS) <= listed, set(MAKE_TARGETS) - listed


def test_chaos_targets_name_existing_experiments() -> None:
    text = (REPO / "Makefile").read_text()
    names = re.findall(r"scripts/chaos\.sh apply ([\w-]+)", text)
    assert len(names) == 9
    for name in names:
        assert (REPO / "chaos" / f"{name}.yaml").is_file(), name
