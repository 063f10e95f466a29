"""The DR-Kube alert rules: promtool check + unit tests, and the labels the agent needs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.support.stack import (
    ALERT_NAMES,
    STACK_TESTS,
    alert_rules,
    require_tool,
    rule_groups,
    write_yaml,
)

RULE_TESTS = sorted((STACK_TESTS / "rules").glob("*.test.yaml"))


@pytest.fixture(scope="module")
def rules_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The rule groups extracted from values/prometheus.yaml, beside copies of the test files."""
    out = tmp_path_factory.mktemp("rules")
    write_yaml(out / "dr-kube-rules.yaml", {"groups": rule_groups()})
    for test_file in RULE_TESTS:
        shutil.copy(test_file, out / test_file.name)
    return out


def test_exactly_the_expected_alerts() -> None:
    assert sorted(alert_rules()) == sorted(ALERT_NAMES)


def test_promtool_check_rules(rules_dir: Path) -> None:
    promtool = require_tool("promtool")
    proc = subprocess.run(
        [promtool, "check", "rules", str(rules_dir / "dr-kube-rules.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"SUCCESS: {len(ALERT_NAMES)} rules found" in proc.stdout + proc.stderr


@pytest.mark.parametrize("test_file", [p.name for p in RULE_TESTS])
def test_promtool_unit_tests(rules_dir: Path, test_file: str) -> None:
    promtool = require_tool("promtool")
    proc = subprocess.run(
        [promtool, "test", "rules", test_file],
        cwd=rules_dir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_alert_has_a_firing_and_a_quiet_case() -> None:
    firing: set[str] = set()
    quiet: set[str] = set()
    for test_file in RULE_TESTS:
        for case in yaml.safe_load(test_file.read_text())["tests"]:
            for check in case.get("alert_rule_test", []):
                (firing if check.get("exp_alerts") else quiet).add(check["alertname"])
    assert set(ALERT_NAMES) <= firing, f"no firing case for {set(ALERT_NAMES) - firing}"
    assert set(ALERT_NAMES) <= quiet, f"no quiet case for {set(ALERT_NAMES) - quiet}"


@pytest.mark.parametrize("name", ALERT_NAMES)
def test_rule_shape(name: str) -> None:
    rule = alert_rules()[name]
    assert rule["labels"]["severity"] in {"critical", "warning"}
    assert rule["annotations"]["summary"].strip()
    assert rule["annotations"]["description"].strip()
    assert "for" in rule


WORKLOAD_ALERTS = [n for n in ALERT_NAMES if n not in {"NodeHighCPU", "DeploymentReplicasMismatch"}]


@pytest.mark.parametrize("name", WORKLOAD_ALERTS)
def test_workload_alerts_join_the_owner(name: str) -> None:
    """Pod and container alerts keep namespace/pod(/container) and add workload + workload_type."""
    expr = alert_rules()[name]["expr"]
    assert "group_left (workload, workload_type)" in expr
    assert "namespace_workload_pod:kube_pod_owner:relabel" in expr
    keys = "(namespace, pod)" if name == "PodNotReady" else "(namespace, pod, container)"
    assert f"or on {keys}" in expr, "bare pods must still alert"


def test_replicas_mismatch_has_deployment_and_workload() -> None:
    rule = alert_rules()["DeploymentReplicasMismatch"]
    assert '"workload", "$1", "deployment"' in rule["expr"]
    assert rule["labels"]["workload_type"] == "deployment"
