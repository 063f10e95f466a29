"""`dr-kube run/fix` prints one result per incident: replicas, symptoms and a node's pods join.

Alerts are written as kube-prometheus-stack and Alertmanager send them (tests/support/replicas.py),
the cluster is a `kubectl cluster-info dump` folder, and `fix` commits in a real git repository.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from dr_kube.cli.main import main
from tests.support import replicas as r
from tests.support.paths import SAMPLE_CHARTS
from tests.support.repos import git


def invoke(
    tmp_path: Path, command: str, alerts: list[dict[str, Any]], dump: Path, repo: Path, *extra: str
) -> tuple[int, Any]:
    alert_file = tmp_path / "alerts.json"
    alert_file.write_text(json.dumps(r.payload(*alerts)))
    result = CliRunner().invoke(
        main,
        [
            command,
            str(alert_file),
            "--cluster",
            str(dump),
            "--charts",
            str(SAMPLE_CHARTS),
            "--gitops-repo",
            str(repo),
            "--provider",
            "rules",
            "--output",
            "json",
            *extra,
        ],
        env={"GITHUB_TOKEN": ""},
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def test_ten_oomkilled_replicas_are_one_incident_one_branch(
    tmp_path: Path, gitops_with_origin: tuple[Path, Path]
) -> None:
    clone, origin = gitops_with_origin
    dump = r.write_dump(tmp_path / "dump", {"checkoutservice": 10})
    alerts = [r.oom_killed("checkoutservice", n) for n in range(10)]  # pod label only
    code, doc = invoke(tmp_path, "fix", alerts, dump, clone)
    assert code == 0
    assert isinstance(doc, dict), "one incident prints one result, not a list"
    assert doc["incident"]["key"] == "online-boutique/Deployment/checkoutservice/oom"
    assert len(doc["incident"]["alerts"]) == 10
    assert git(origin, "branch", "--list", "dr-kube/*").split() == [
        "dr-kube/online-boutique/checkoutservice/oom"
    ]
    body = doc["pr"]["body"]
    assert "### Alerts (10, 10 firing)" in body
    assert all(r.pod_name("checkoutservice", n) in body for n in range(10))


def test_three_symptoms_of_one_oom_print_one_result(tmp_path: Path, gitops_repo: Path) -> None:
    dump = r.write_dump(tmp_path / "dump", {"checkoutservice": 3})
    alerts = [
        r.replicas_mismatch("checkoutservice"),
        r.crash_looping("checkoutservice", 0),
        r.oom_killed("checkoutservice", 1),
    ]
    code, doc = invoke(tmp_path, "run", alerts, dump, gitops_repo)
    assert code == 0 and isinstance(doc, dict)
    assert doc["diagnosis"]["category"] == "oom"
    assert sorted(a["alertname"] for a in doc["incident"]["alerts"]) == [
        "ContainerOOMKilled",
        "KubeDeploymentReplicasMismatch",
        "KubePodCrashLooping",
    ]
    text = (
        CliRunner()
        .invoke(
            main,
            [
                "run",
                str(tmp_path / "alerts.json"),
                "--cluster",
                str(dump),
                "--charts",
                str(SAMPLE_CHARTS),
                "--gitops-repo",
                str(gitops_repo),
                "--provider",
                "rules",
            ],
        )
        .stdout
    )
    assert text.count("● ") == 1 and "One incident, 3 alerts" in text


def test_a_replicas_mismatch_reads_its_pods_and_fixes_the_oom(
    tmp_path: Path, gitops_repo: Path
) -> None:
    dump = r.write_dump(tmp_path / "dump", {"checkoutservice": 2})
    code, doc = invoke(tmp_path, "run", [r.replicas_mismatch("checkoutservice")], dump, gitops_repo)
    assert doc["diagnosis"]["category"] == "oom", doc["diagnosis"]
    assert code == 0 and doc["fix"]["status"] == "proposed"
    [change] = doc["fix"]["changes"]
    assert change["path"] == ["checkoutService", "resources", "limits", "memory"]
    assert "kube-state-metrics" not in json.dumps(doc["diagnosis"])


def test_a_node_not_ready_is_one_incident_listing_the_workloads_it_hit(
    tmp_path: Path, gitops_repo: Path
) -> None:
    stranded = [
        r.stranded_pod("cartservice", 0, "worker-2"),
        r.stranded_pod("cartservice", 1, "worker-2"),
        r.stranded_pod("currencyservice", 0, "worker-2"),
    ]
    dump = r.write_dump(
        tmp_path / "dump",
        {"checkoutservice": 1, "cartservice": 0, "currencyservice": 0},
        nodes=[r.node("worker-1"), r.node("worker-2", ready=False)],
        pods=stranded,
    )
    alerts = [
        r.pod_not_ready("cartservice", 0),
        r.pod_not_ready("currencyservice", 0),
        r.node_not_ready("worker-2"),
        r.pod_not_ready("cartservice", 1),
    ]
    code, doc = invoke(tmp_path, "run", alerts, dump, gitops_repo)
    assert code == 3 and isinstance(doc, dict), doc
    incident = doc["incident"]
    assert incident["key"] == "_cluster/Node/worker-2/node-not-ready"
    assert incident["workload"] == {"kind": "Node", "name": "worker-2"}
    assert len(incident["alerts"]) == 4
    assert set(incident["workloads"]) == {"Deployment/cartservice", "Deployment/currencyservice"}
    assert doc["fix"]["status"] == "no-fix" and "node" in doc["fix"]["reason"]
