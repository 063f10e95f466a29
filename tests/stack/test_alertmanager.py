"""Alertmanager routing from values/prometheus.yaml: amtool check-config and routes tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.stack import alertmanager_config, prometheus_values, require_tool, write_yaml

DRKUBE_URL = "http://dr-kube.dr-kube.svc:8080/webhooks/alertmanager"


@pytest.fixture(scope="module")
def am_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_yaml(tmp_path_factory.mktemp("am") / "alertmanager.yaml", alertmanager_config())


def test_amtool_check_config(am_file: Path) -> None:
    amtool = require_tool("amtool")
    proc = subprocess.run(
        [amtool, "check-config", str(am_file)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SUCCESS" in proc.stdout


W = "namespace=online-boutique"
# (labels, receivers the alert reaches)
ROUTES = [
    (
        [
            "alertname=ContainerOOMKilled",
            "severity=critical",
            W,
            "pod=frontend-1",
            "container=server",
            "workload=frontend",
            "workload_type=deployment",
        ],
        "dr-kube,slack",
    ),
    (
        ["alertname=PodCrashLooping", "severity=critical", W, "workload=paymentservice"],
        "dr-kube,slack",
    ),
    (["alertname=CPUThrottling", "severity=warning", W, "workload=cartservice"], "dr-kube,slack"),
    (["alertname=HighMemoryUsage", "severity=warning", W, "workload=frontend"], "dr-kube,slack"),
    (
        ["alertname=PodNotReady", "severity=warning", W, "workload=recommendationservice"],
        "dr-kube,slack",
    ),
    (
        ["alertname=ContainerWaiting", "severity=warning", W, "reason=ImagePullBackOff"],
        "dr-kube,slack",
    ),
    (
        [
            "alertname=DeploymentReplicasMismatch",
            "severity=warning",
            W,
            "deployment=checkoutservice",
            "workload=checkoutservice",
        ],
        "dr-kube,slack",
    ),
    # Node alerts have no namespace: people only, DR-Kube cannot fix a node with values.
    (["alertname=NodeHighCPU", "severity=warning", "instance=kind-control-plane"], "slack"),
    (["alertname=Watchdog", "severity=none"], "null"),
    (["alertname=InfoInhibitor", "severity=none", W], "null"),
    (["alertname=SomethingInformational", "severity=info", W], "null"),
]


@pytest.mark.parametrize(
    ("labels", "receivers"), ROUTES, ids=[r[0][0].split("=")[1] + "-" + r[1] for r in ROUTES]
)
def test_routes(am_file: Path, labels: list[str], receivers: str) -> None:
    amtool = require_tool("amtool")
    proc = subprocess.run(
        [
            amtool,
            "config",
            "routes",
            "test",
            f"--config.file={am_file}",
            f"--verify.receivers={receivers}",
            *labels,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, f"expected {receivers}, got: {proc.stdout}{proc.stderr}"


def test_drkube_receiver() -> None:
    receivers = {r["name"]: r for r in alertmanager_config()["receivers"]}
    (hook,) = receivers["dr-kube"]["webhook_configs"]
    assert hook["url"] == DRKUBE_URL
    assert hook["send_resolved"] is True
    auth = hook["http_config"]["authorization"]
    assert auth.get("type", "Bearer") == "Bearer"
    assert "credentials_file" in auth or "credentials" in auth
    if "credentials_file" in auth:
        # The file comes from a Secret mounted through alertmanagerSpec.secrets.
        secret = auth["credentials_file"].split("/")[4]
        assert secret in prometheus_values()["alertmanager"]["alertmanagerSpec"]["secrets"]
    assert "credentials" not in auth or "$" in str(auth["credentials"]), "no literal token in Git"


def test_grouping_by_namespace_and_workload() -> None:
    route = alertmanager_config()["route"]
    assert route["group_by"][:2] == ["namespace", "workload"]
    drkube = next(r for r in route["routes"] if r["receiver"] == "dr-kube")
    assert drkube["group_by"] == ["namespace", "workload"]
    assert drkube["continue"] is True


def _inhibits(source: str, target: str) -> list[str] | None:
    import re

    for rule in alertmanager_config()["inhibit_rules"]:
        src = " ".join(rule["source_matchers"])
        tgt = " ".join(rule["target_matchers"])
        src_names = re.search(r'alertname\s*=~?\s*"([^"]+)"', src)
        tgt_names = re.search(r'alertname\s*=~?\s*"([^"]+)"', tgt)
        if (
            src_names
            and tgt_names
            and source in src_names.group(1).split("|")
            and target in tgt_names.group(1).split("|")
        ):
            return list(rule["equal"])
    return None


@pytest.mark.parametrize(
    ("source", "target", "equal"),
    [
        ("ContainerOOMKilled", "HighMemoryUsage", ["namespace", "pod", "container"]),
        ("ContainerWaiting", "PodNotReady", ["namespace", "pod"]),
        ("ContainerOOMKilled", "DeploymentReplicasMismatch", ["namespace", "workload"]),
        ("PodCrashLooping", "DeploymentReplicasMismatch", ["namespace", "workload"]),
        ("ContainerWaiting", "DeploymentReplicasMismatch", ["namespace", "workload"]),
        ("PodNotReady", "DeploymentReplicasMismatch", ["namespace", "workload"]),
    ],
)
def test_inhibit_rules(source: str, target: str, equal: list[str]) -> None:
    assert _inhibits(source, target) == equal
