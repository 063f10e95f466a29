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

from tests.support.chart import CHART, KUBE_VERSION, helm, render, site_values
from tests.support.stack import REPO


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
        "DRKUBE_CHECKPOINT_KEY",
        "DRKUBE_CHECKPOINT_OLD_KEYS",
    ):
        ref = env[name]["valueFrom"]["secretKeyRef"]
        assert ref["name"] == "dr-kube"
        assert "value" not in env[name]
    assert "optional" not in env["DRKUBE_ALERTMANAGER_TOKEN"]["valueFrom"]["secretKeyRef"]
    assert "optional" not in env["DRKUBE_CHECKPOINT_KEY"]["valueFrom"]["secretKeyRef"]
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


REQUIRED = ("DRKUBE_ALERTMANAGER_TOKEN", "DRKUBE_CHECKPOINT_KEY")  # serve refuses without them
HTTPS_CLONE = {"gitops": {"url": "https://github.com/acme/gitops.git"}}
SSH_CLONE = {"gitops": {"url": "git@github.com:acme/gitops.git", "auth": "ssh"}}


def _env(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in _container(docs)["env"]}


def _pod(docs: list[dict[str, Any]]) -> dict[str, Any]:
    pod = by_kind(docs)["Deployment"]["spec"]["template"]["spec"]
    assert isinstance(pod, dict)
    return pod


def test_every_secret_the_service_reads_is_a_key_of_the_existing_secret() -> None:
    env = _env(render(site_values() | HTTPS_CLONE))
    expected = {
        "DRKUBE_ALERTMANAGER_TOKEN": "alertmanager-token",
        "GITHUB_TOKEN": "github-token",
        "DRKUBE_GITHUB_WEBHOOK_SECRET": "github-webhook-secret",
        "GEMINI_API_KEY": "gemini-api-key",
        "DRKUBE_SLACK_BOT_TOKEN": "slack-bot-token",
        "DRKUBE_SLACK_SIGNING_SECRET": "slack-signing-secret",
        "DRKUBE_ARGOCD_TOKEN": "argocd-token",
        "DRKUBE_CHECKPOINT_KEY": "checkpoint-key",
        "DRKUBE_CHECKPOINT_OLD_KEYS": "checkpoint-old-keys",
        "DRKUBE_GIT_TOKEN": "git-token",
    }
    for name, key in expected.items():
        assert env[name]["valueFrom"]["secretKeyRef"] == {
            "name": "dr-kube",
            "key": key,
            **({} if name in REQUIRED else {"optional": True}),
        }, name
    # no secret is ever a plain value in the manifest
    for name, entry in env.items():
        if any(w in name for w in ("TOKEN", "SECRET", "KEY")) and name != "DRKUBE_GIT_SSH_KEY":
            assert "value" not in entry, name
    renamed = site_values() | {
        "secrets": {"existingSecret": "other", "keys": {"slackBotToken": "bot"}}
    }
    ref = _env(render(renamed))["DRKUBE_SLACK_BOT_TOKEN"]["valueFrom"]["secretKeyRef"]
    assert ref["name"] == "other" and ref["key"] == "bot"


def test_the_gitops_repository_is_cloned_into_a_writable_volume() -> None:
    docs = render(site_values() | HTTPS_CLONE)
    env, pod, c = _env(docs), _pod(docs), _container(docs)
    assert env["DRKUBE_GITOPS_URL"]["value"] == "https://github.com/acme/gitops.git"
    assert env["DRKUBE_GITOPS_REPO"]["value"] == "/var/lib/dr-kube/gitops/repo"
    assert env["DRKUBE_GIT_USERNAME"]["value"] == "x-access-token"
    assert {"name": "gitops", "mountPath": "/var/lib/dr-kube/gitops"} in c["volumeMounts"]
    volume = next(v for v in pod["volumes"] if v["name"] == "gitops")
    assert volume == {"name": "gitops", "emptyDir": {"sizeLimit": "1Gi"}}
    assert c["securityContext"]["readOnlyRootFilesystem"] is True  # the volume is the writable part
    # the clone runs before the server listens: a startup probe covers it
    assert c["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert c["startupProbe"]["failureThreshold"] * c["startupProbe"]["periodSeconds"] >= 300
    # without a URL nothing is cloned (and no git credentials are wired)
    assert _env(render())["DRKUBE_GITOPS_URL"]["value"] == "https://github.com/dr-kube/dr-kube.git"
    plain = _env(render({}))  # the chart's defaults
    assert "DRKUBE_GITOPS_URL" not in plain and "DRKUBE_GIT_TOKEN" not in plain


def test_an_ssh_deploy_key_is_mounted_from_the_secret() -> None:
    docs = render(site_values() | SSH_CLONE)
    env, pod, c = _env(docs), _pod(docs), _container(docs)
    assert env["DRKUBE_GIT_SSH_KEY"]["value"] == "/etc/dr-kube/git/ssh-key"
    assert env["DRKUBE_GIT_KNOWN_HOSTS"]["value"] == "/etc/dr-kube/git/known_hosts"
    assert "DRKUBE_GIT_TOKEN" not in env
    volume = next(v for v in pod["volumes"] if v["name"] == "git-ssh")["secret"]
    assert volume["secretName"] == "dr-kube"
    assert volume["defaultMode"] == 0o400
    assert volume["items"] == [
        {"key": "git-ssh-key", "path": "ssh-key"},
        {"key": "git-known-hosts", "path": "known_hosts"},
    ]
    mount = next(m for m in c["volumeMounts"] if m["name"] == "git-ssh")
    assert mount == {"name": "git-ssh", "mountPath": "/etc/dr-kube/git", "readOnly": True}
    with pytest.raises(Exception, match="needs an ssh URL"):
        render(site_values() | {"gitops": {**HTTPS_CLONE["gitops"], "auth": "ssh"}})


def test_resolved_branches_are_deleted_unless_switched_off() -> None:
    assert "DRKUBE_DELETE_RESOLVED_BRANCHES" not in _env(render())
    off = site_values() | {"gitops": {"deleteResolvedBranches": False}}
    assert _env(render(off))["DRKUBE_DELETE_RESOLVED_BRANCHES"]["value"] == "0"


def test_servicemonitor_is_optional_and_scrapes_metrics() -> None:
    assert "ServiceMonitor" not in by_kind(render())
    values = site_values() | {"serviceMonitor": {"enabled": True, "labels": {"release": "kps"}}}
    docs = render(values)
    monitor = by_kind(docs)["ServiceMonitor"]
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    assert monitor["metadata"]["labels"]["release"] == "kps"
    assert monitor["spec"]["endpoints"] == [{"port": "http", "path": "/metrics", "interval": "30s"}]
    service = by_kind(docs)["Service"]
    selected = monitor["spec"]["selector"]["matchLabels"]
    assert selected.items() <= service["metadata"]["labels"].items()
    assert service["spec"]["ports"][0]["name"] == "http"


def test_a_pod_disruption_budget_comes_with_several_replicas() -> None:
    assert "PodDisruptionBudget" not in by_kind(render())
    docs = render(POSTGRES)
    pdb = by_kind(docs)["PodDisruptionBudget"]
    kubernetes_validate.validate(pdb, KUBE_VERSION, strict=True)
    assert pdb["spec"]["minAvailable"] == 1
    pod_labels = by_kind(docs)["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()


def test_network_policy_is_optional_and_admits_the_listed_namespaces() -> None:
    assert "NetworkPolicy" not in by_kind(render())
    docs = render(site_values() | {"networkPolicy": {"enabled": True}})
    policy = by_kind(docs)["NetworkPolicy"]
    kubernetes_validate.validate(policy, KUBE_VERSION, strict=True)
    assert policy["spec"]["policyTypes"] == ["Ingress"]
    (rule,) = policy["spec"]["ingress"]
    assert rule["ports"] == [{"port": "http", "protocol": "TCP"}]
    names = {
        p["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] for p in rule["from"]
    }
    assert names == {"monitoring", "argocd", "ingress-nginx"}


@pytest.mark.parametrize(
    "values",
    [HTTPS_CLONE, SSH_CLONE, {"networkPolicy": {"enabled": True}}],
    ids=["https-clone", "ssh-clone", "network-policy"],
)
def test_the_in_cluster_shapes_validate(values: dict[str, Any]) -> None:
    for doc in render(site_values() | values):
        if doc["kind"] != "ServiceMonitor":  # a CRD kubernetes-validate does not know
            kubernetes_validate.validate(doc, KUBE_VERSION, strict=True)
    helm().Chart.load(CHART).validate_schema(site_values() | values)


@pytest.mark.parametrize(
    "bad",
    [
        {"gitops": {"url": "https://bot:ghp_secret@github.com/acme/gitops.git"}},
        {"gitops": {"url": "not a url"}},
        {"gitops": {"auth": "password"}},
        {"serviceMonitor": {"enabled": "yes"}},
        {"secrets": {"existingSecret": "dr-kube", "keys": {"checkpointKey": ""}}},
    ],
    ids=["password-in-url", "not-a-url", "unknown-auth", "monitor-not-bool", "empty-key"],
)
def test_schema_rejects_bad_in_cluster_values(bad: dict[str, Any]) -> None:
    with pytest.raises(Exception, match=r"at '"):
        helm().Chart.load(CHART).validate_schema(site_values() | bad)


def test_the_image_can_clone_over_https_and_ssh() -> None:
    installs = " ".join(
        ln for ln in (REPO / "Dockerfile").read_text().splitlines() if "apt-get install" in ln
    ).split()
    assert {"git", "openssh-client", "ca-certificates"} <= set(installs)
