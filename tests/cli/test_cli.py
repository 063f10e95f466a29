"""The CLI's contract: exit codes, the dr-kube/result@1 JSON, and one-line errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dr_kube.cli.main import main
from tests.support.paths import REPO_ROOT, SAMPLE_CHARTS, SAMPLE_CLUSTER, SAMPLES

SAMPLE_FLAGS = [
    "--cluster",
    str(SAMPLE_CLUSTER),
    "--charts",
    str(SAMPLE_CHARTS),
    "--gitops-repo",
    str(REPO_ROOT),
]

# sample → (exit code, category, status, [(dotted key, old, new)])
EXPECTED = {
    "sample_oom": (0, "oom", "proposed", [("frontend.resources.limits.memory", "128Mi", "256Mi")]),
    "sample_cpu_throttling": (
        0,
        "cpu-throttling",
        "proposed",
        [("cartService.resources.limits.cpu", "300m", "600m")],
    ),
    "sample_memory_pressure": (
        0,
        "memory-pressure",
        "proposed",
        [("currencyService.resources.limits.memory", "128Mi", "192Mi")],
    ),
    # one kind node and hostPort 80/443: a second replica could not run anywhere
    "sample_replicas_mismatch": (3, "replicas-mismatch", "no-fix", []),
    "sample_probe_failure": (
        0,
        "probe-failure",
        "proposed",
        [("livenessProbe.initialDelaySeconds", 30, 60)],
    ),
    "sample_crashloop": (3, "crashloop", "no-fix", []),
    "sample_image_pull": (3, "image-pull", "no-fix", []),
    "sample_pending": (3, "unschedulable", "no-fix", []),
}


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("sample", sorted(EXPECTED))
def test_samples(sample: str) -> None:
    code, category, status, changes = EXPECTED[sample]
    result = invoke("run", str(SAMPLES / f"{sample}.json"), *SAMPLE_FLAGS, "--output", "json")
    assert result.exit_code == code, result.output
    doc = json.loads(result.stdout)
    assert doc["schema"] == "dr-kube/result@1"
    assert doc["diagnosis"]["category"] == category
    assert doc["diagnosis"]["evidence"], "a diagnosis quotes the data it rests on"
    assert doc["fix"]["status"] == status
    got = [(".".join(map(str, c["path"])), c["old"], c["new"]) for c in doc["fix"]["changes"]]
    assert got == changes
    if status == "proposed":
        assert doc["fix"]["validation"] == {
            "ok": True,
            "errors": [],
            "warnings": [],
            "verified": True,
        }
        assert doc["fix"]["diff"].startswith("--- a/values/")
    else:
        assert doc["fix"]["reason"], "a no-fix says what a human should do"


def test_json_output_follows_the_contract() -> None:
    result = invoke("run", str(SAMPLES / "sample_oom.json"), *SAMPLE_FLAGS, "-o", "json")
    doc = json.loads(result.stdout)
    assert set(doc) >= {"schema", "incident", "diagnosis", "fix", "pr"}
    incident = doc["incident"]
    assert {k: incident[k] for k in ("id", "key", "alertname", "namespace", "workload")} == {
        "id": incident["id"],
        "key": "online-boutique/Deployment/frontend/oom",
        "alertname": incident["alertname"],
        "namespace": "online-boutique",
        "workload": {"kind": "Deployment", "name": "frontend"},
    }
    # fields the contract gained: the alerts the incident holds, the workloads a node one hit
    assert set(incident) == {
        "id",
        "key",
        "alertname",
        "namespace",
        "workload",
        "alerts",
        "workloads",
    }
    assert [a["alertname"] for a in incident["alerts"]] == [incident["alertname"]]
    assert incident["workloads"] == []
    assert set(doc["diagnosis"]) >= {"category", "root_cause", "evidence", "confidence", "provider"}
    assert doc["diagnosis"]["provider"] == "rules"
    assert set(doc["fix"]) >= {"status", "changes", "diff", "risk", "attempts", "validation"}
    assert doc["fix"]["changes"][0] == {
        "file": "values/online-boutique.yaml",
        "path": ["frontend", "resources", "limits", "memory"],
        "old": "128Mi",
        "new": "256Mi",
    }
    assert doc["fix"]["risk"] in ("low", "medium", "high")
    assert doc["pr"] is None
    rendered = doc["fix"]["rendered"]
    assert {k: rendered[k] for k in ("chart", "version", "values_files")} == {
        "chart": "onlineboutique",
        "version": "0.10.2",
        "values_files": ["values/online-boutique.yaml"],
    }
    assert rendered["changed"] == [
        {
            "kind": "Deployment",
            "name": "frontend",
            "container": "server",
            "field": "resources.limits.memory",
            "old": "128Mi",
            "new": "256Mi",
        }
    ]
    assert rendered["blast_radius"] == []
    assert "+++ b/Deployment/online-boutique/frontend" in rendered["diff"]
    assert "-              memory: 128Mi" in rendered["diff"]


def test_text_output_reads_like_a_report() -> None:
    result = invoke("run", str(SAMPLES / "sample_oom.json"), *SAMPLE_FLAGS)
    assert result.exit_code == 0
    for expected in (
        "Root cause:",
        "Evidence:",
        "-      memory: 128Mi",
        "+      memory: 256Mi",
        "rendered: Deployment/frontend container server limits.memory 128Mi → 256Mi",
        "dr-kube fix",
    ):
        assert expected in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("{oops", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"labels": {"alertname": "X"}}', "no 'namespace' label"),
        ('{"hello": "world"}', "not an alert"),
    ],
)
def test_bad_alert_file_exits_2_with_one_line(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "alert.json"
    if content is not None:
        path.write_text(content)
    result = invoke("run", str(path), *SAMPLE_FLAGS)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and message in lines[0]


def test_missing_workload_exits_3_naming_what_was_looked_for(tmp_path: Path) -> None:
    path = tmp_path / "alert.json"
    path.write_text(
        json.dumps(
            {
                "labels": {
                    "alertname": "ContainerOOMKilled",
                    "namespace": "online-boutique",
                    "pod": "ghost-5d9f7b6c4d-abcde",
                    "container": "server",
                }
            }
        )
    )
    result = invoke("run", str(path), *SAMPLE_FLAGS)
    assert result.exit_code == 3
    assert "Pod online-boutique/ghost-5d9f7b6c4d-abcde" in result.stderr
    assert "Deployment online-boutique/ghost" in result.stderr
    assert "Traceback" not in result.output


def test_bad_flag_values_exit_2(tmp_path: Path) -> None:
    alert = str(SAMPLES / "sample_oom.json")
    assert invoke("run", alert, "--cluster", str(tmp_path / "nope")).exit_code == 2
    assert invoke("run", alert, "--provider", "gpt").exit_code == 2
    assert invoke("run", alert, "--max-attempts", "0").exit_code == 2
    bad_policy = tmp_path / "policy.yaml"
    bad_policy.write_text("caps: {memory: lots}\n")
    result = invoke("run", alert, *SAMPLE_FLAGS, "--policy", str(bad_policy))
    assert result.exit_code == 2 and "policy" in result.stderr


def test_protected_namespace_is_never_patched(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("protected_namespaces: [online-boutique]\n")
    result = invoke(
        "run",
        str(SAMPLES / "sample_oom.json"),
        *SAMPLE_FLAGS,
        "--policy",
        str(policy),
        "-o",
        "json",
    )
    assert result.exit_code == 3
    doc = json.loads(result.stdout)
    assert doc["fix"]["status"] == "rejected"
    assert any("protected-namespace" in r for r in doc["fix"]["rejected_reasons"])


def test_the_installed_console_script_runs_the_sample() -> None:
    """The real entry point in a real process: exit code and JSON, no traceback."""
    script = Path(sys.executable).with_name("dr-kube")
    proc = subprocess.run(
        [str(script), "run", str(SAMPLES / "sample_oom.json"), *SAMPLE_FLAGS, "-o", "json"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["fix"]["changes"][0]["new"] == "256Mi"


def test_an_oom_in_an_injected_istio_sidecar_is_no_fix(tmp_path: Path) -> None:
    """The sidecar is not in the chart's render: exit 3, the annotation named, nothing changed."""
    cluster = tmp_path / "cluster"
    shutil.copytree(SAMPLE_CLUSTER, cluster)
    pods_file = cluster / "online-boutique" / "pods.json"
    pods = json.loads(pods_file.read_text())
    pod = next(p for p in pods["items"] if p["metadata"]["name"].startswith("frontend-"))
    pod["spec"]["containers"].append(
        {
            "name": "istio-proxy",
            "image": "docker.io/istio/proxyv2:1.24.1",
            "resources": {"limits": {"memory": "128Mi"}},
        }
    )
    statuses = pod["status"]["containerStatuses"]
    for status in statuses:  # the app runs fine; the proxy is the one killed
        status.update(restartCount=0, ready=True, state={"running": {}}, lastState={})
    statuses.append(
        {
            "name": "istio-proxy",
            "ready": False,
            "restartCount": 6,
            "state": {"waiting": {"reason": "CrashLoopBackOff"}},
            "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137}},
        }
    )
    pods_file.write_text(json.dumps(pods))
    alert = tmp_path / "alert.json"
    alert.write_text(
        json.dumps(
            {
                "labels": {
                    "alertname": "ContainerOOMKilled",
                    "namespace": "online-boutique",
                    "pod": pod["metadata"]["name"],
                    "container": "istio-proxy",
                },
                "annotations": {"summary": "istio-proxy OOMKilled"},
                "startsAt": "2026-11-24T21:04:12Z",
            }
        )
    )
    result = invoke(
        "run",
        str(alert),
        "--cluster",
        str(cluster),
        "--charts",
        str(SAMPLE_CHARTS),
        "--output",
        "json",
    )
    assert result.exit_code == 3, result.output
    doc = json.loads(result.stdout)
    assert doc["diagnosis"]["category"] == "oom"
    assert doc["fix"]["status"] == "no-fix" and doc["fix"]["changes"] == []
    assert "sidecar.istio.io/proxyMemoryLimit" in doc["fix"]["reason"]
