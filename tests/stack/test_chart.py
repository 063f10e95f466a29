"""The agent's Helm chart (charts/dr-kube), rendered by the real Helm engine.

Helm comes from PyPI as `helm-python-sdk` (Helm v4's Go code built as a C library, used
through ctypes): no helm binary is needed, and rendering, schema validation and lint are
Helm's own.
"""

from __future__ import annotations

import copy
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.support.stack import REPO, load_yaml, missing

CHART = REPO / "charts" / "dr-kube"
KUBE_VERSION = "1.31.0"


def helm() -> Any:
    try:
        import helm_python.chart as chart
    except ImportError:
        missing("the `helm-python-sdk` package (pip install helm-python-sdk)")
    return chart


def site_values() -> dict[str, Any]:
    data = load_yaml(REPO / "values" / "dr-kube.yaml")
    assert isinstance(data, dict)
    return data


def render(values: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    chart = helm().Chart.load(CHART)
    out = chart.render(
        values if values is not None else site_values(),
        name="dr-kube",
        namespace="dr-kube",
        is_install=True,
    )
    docs = []
    for path, text in sorted(out.items()):
        if path.endswith(".yaml"):
            docs += [d for d in yaml.safe_load_all(text) if d]
    return docs


def by_kind(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {d["kind"]: d for d in docs}


POSTGRES = {
    "database": {"type": "postgres", "postgres": {"existingSecret": "dr-kube-db"}},
    "replicaCount": 2,
}


@pytest.mark.parametrize(
    "values", [None, {}, POSTGRES], ids=["site-values", "chart-defaults", "postgres"]
)
def test_core_kinds_validate(values: dict[str, Any] | None) -> None:
    docs = render(values)
    kinds = {d["kind"] for d in docs}
    assert {"Deployment", "Service", "ServiceAccount", "ClusterRole", "ClusterRoleBinding"} <= kinds
    for doc in docs:
        kubernetes_validate.validate(doc, KUBE_VERSION, strict=True)


def test_helm_lint() -> None:
    report = helm().lint(CHART, site_values(), strict=True)
    errors = [m for m in report["messages"] if m["severity"] >= 2]  # warnings and errors
    assert not errors and not report["errors"], report


def test_service_matches_the_webhook_urls() -> None:
    """Alertmanager and Argo CD post to http://dr-kube.dr-kube.svc:8080."""
    svc = by_kind(render())["Service"]
    assert svc["metadata"]["name"] == "dr-kube"
    assert svc["metadata"]["namespace"] == "dr-kube"
    assert svc["spec"]["ports"][0]["port"] == 8080


def test_clusterrole_is_read_only() -> None:
    rules = by_kind(render())["ClusterRole"]["rules"]
    granted = {(g, r) for rule in rules for g in rule["apiGroups"] for r in rule["resources"]}
    assert granted == {
        ("", "pods"),
        ("", "pods/log"),
        ("", "events"),
        ("", "nodes"),
        ("", "persistentvolumeclaims"),
        ("", "resourcequotas"),
        ("", "limitranges"),
        ("storage.k8s.io", "storageclasses"),
        ("apps", "deployments"),
        ("apps", "replicasets"),
        ("apps", "statefulsets"),
        ("apps", "daemonsets"),
    }
    for rule in rules:
        assert sorted(rule["verbs"]) == ["get", "list", "watch"]
    binding = by_kind(render())["ClusterRoleBinding"]
    assert binding["subjects"][0]["name"] == by_kind(render())["ServiceAccount"]["metadata"]["name"]


def _container(docs: list[dict[str, Any]]) -> dict[str, Any]:
    (container,) = by_kind(docs)["Deployment"]["spec"]["template"]["spec"]["containers"]
    assert isinstance(container, dict)
    return container


def test_deployment() -> None:
    docs = render()
    deploy = by_kind(docs)["Deployment"]
    pod = deploy["spec"]["template"]["spec"]
    c = _container(docs)
    assert c["args"] == ["serve", "--host", "0.0.0.0", "--port", "8080"]
    assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert c["resources"]["limits"] and c["resources"]["requests"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert c["securityContext"]["readOnlyRootFilesystem"] is True
    env = {e["name"]: e for e in c["env"]}
    for name in (
        "GITHUB_TOKEN",
        "DRKUBE_ALERTMANAGER_TOKEN",
        "DRKUBE_GITHUB_WEBHOOK_SECRET",
        "GEMINI_API_KEY",
    ):
        ref = env[name]["valueFrom"]["secretKeyRef"]
        assert ref["name"] == "dr-kube"
        assert "value" not in env[name]
    assert "optional" not in env["DRKUBE_ALERTMANAGER_TOKEN"]["valueFrom"]["secretKeyRef"]
    # SQLite: the DB file is on the PVC, and one writer at a time.
    assert env["DRKUBE_DB"]["value"] == "/data/dr-kube.db"
    assert deploy["spec"]["strategy"]["type"] == "Recreate"
    pvc = by_kind(docs)["PersistentVolumeClaim"]
    claim = next(v for v in pod["volumes"] if v["name"] == "data")["persistentVolumeClaim"][
        "claimName"
    ]
    assert claim == pvc["metadata"]["name"]
    assert {"name": "data", "mountPath": "/data"} in c["volumeMounts"]


def test_postgres_mode() -> None:
    docs = render(POSTGRES)
    assert "PersistentVolumeClaim" not in by_kind(docs)
    env = {e["name"]: e for e in _container(docs)["env"]}
    assert "DRKUBE_DB" not in env
    assert env["DRKUBE_DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {
        "name": "dr-kube-db",
        "key": "database-url",
    }
    assert by_kind(docs)["Deployment"]["spec"]["replicas"] == 2


@pytest.mark.parametrize(
    "bad",
    [
        {"replicaCount": "two"},
        {"database": {"type": "mysql"}},
        {"service": {"port": 0}},
        {"resources": {"limits": {"memory": "lots"}}},
        {"secrets": {"existingSecret": ""}},
        {"unknownKey": True},
    ],
)
def test_schema_rejects_bad_values(bad: dict[str, Any]) -> None:
    chart = helm().Chart.load(CHART)
    values = copy.deepcopy(site_values()) | bad
    with pytest.raises(Exception, match=r"at '"):
        chart.validate_schema(values)


def test_sqlite_refuses_several_replicas() -> None:
    with pytest.raises(Exception, match="replicaCount 1 only"):
        render({"replicaCount": 2})


def test_dockerfile() -> None:
    text = (REPO / "Dockerfile").read_text()
    lines = [
        ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")
    ]
    assert any(ln.startswith("FROM python:3.11-slim") for ln in lines)
    users = [ln.split()[1] for ln in lines if ln.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}
    assert any("pip install" in ln and " ." in ln for ln in lines)
    assert lines[-1].startswith(("ENTRYPOINT", "CMD")) or any(
        ln.startswith("ENTRYPOINT") for ln in lines
    )
    assert any(ln.startswith("ENTRYPOINT") and "dr-kube" in ln for ln in lines)
    for ln in lines:
        if ln.startswith(("ENV", "ARG")):
            assert not any(w in ln.upper() for w in ("TOKEN", "SECRET", "API_KEY", "PASSWORD")), ln
    ignore = (REPO / ".dockerignore").read_text().split()
    for entry in (".git", ".venv", "*.agekey", "*.dec.yaml"):
        assert entry in ignore
