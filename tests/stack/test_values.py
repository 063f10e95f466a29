"""The values files: the keys the agent patches, Grafana's data sources and dashboards, Argo CD notifications."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml

from tests.support.stack import REPO, load_yaml

BOUTIQUE_SERVICES = [
    "frontend",
    "adService",
    "cartService",
    "checkoutService",
    "currencyService",
    "emailService",
    "loadGenerator",
    "paymentService",
    "productCatalogService",
    "recommendationService",
    "shippingService",
]


def values(name: str) -> dict[str, Any]:
    data = load_yaml(REPO / "values" / f"{name}.yaml")
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("service", BOUTIQUE_SERVICES)
def test_boutique_service_has_requests_and_limits(service: str) -> None:
    res = values("online-boutique")[service]["resources"]
    for kind in ("requests", "limits"):
        assert set(res[kind]) == {"cpu", "memory"}, f"{service}.resources.{kind}"


def test_boutique_keys_the_agent_samples_rely_on() -> None:
    v = values("online-boutique")
    assert v["frontend"]["resources"]["limits"]["memory"] == "128Mi"
    assert v["cartService"]["resources"]["limits"]["cpu"] == "300m"
    assert v["cartDatabase"]["inClusterRedis"]["name"] == "redis-cart"


def test_ingress_nginx_kept_keys() -> None:
    c = values("ingress-nginx")["controller"]
    assert c["replicaCount"] == 1
    assert c["resources"] == {
        "requests": {"cpu": "100m", "memory": "90Mi"},
        "limits": {"cpu": "500m", "memory": "256Mi"},
    }


def test_grafana_kept_keys() -> None:
    g = values("grafana")
    assert g["replicas"] == 1
    assert g["resources"]["limits"] == {"cpu": "500m", "memory": "512Mi"}
    assert g["readinessProbe"]["httpGet"] == {"path": "/api/health", "port": 3000}
    assert g["livenessProbe"]["failureThreshold"] == 3


def _datasources() -> dict[str, dict[str, Any]]:
    ds = values("grafana")["datasources"]["datasources.yaml"]["datasources"]
    return {d["uid"]: d for d in ds}


def test_grafana_datasources_and_links() -> None:
    ds = _datasources()
    assert {"prometheus", "loki", "tempo", "pyroscope"} <= set(ds)
    assert ds["pyroscope"]["type"] == "grafana-pyroscope-datasource"
    tempo = ds["tempo"]["jsonData"]
    assert tempo["tracesToLogsV2"]["datasourceUid"] == "loki"
    assert tempo["tracesToMetrics"]["datasourceUid"] == "prometheus"
    assert tempo["tracesToProfiles"]["datasourceUid"] == "pyroscope"
    assert ds["loki"]["jsonData"]["derivedFields"][0]["datasourceUid"] == "tempo"
    assert (
        ds["prometheus"]["jsonData"]["exemplarTraceIdDestinations"][0]["datasourceUid"] == "tempo"
    )
    # Every cross link points to a provisioned data source.
    uids = set(ds)
    for text in re.findall(r"datasourceUid': '([\w-]+)'", str(ds)):
        assert text in uids


def _dashboards() -> dict[str, dict[str, Any]]:
    boards = values("grafana")["dashboards"]
    providers = {
        p["name"]
        for p in values("grafana")["dashboardProviders"]["dashboardproviders.yaml"]["providers"]
    }
    assert set(boards) <= providers
    return {name: json.loads(d["json"]) for group in boards.values() for name, d in group.items()}


def test_grafana_dashboards() -> None:
    boards = _dashboards()
    overview = " ".join(p["title"] for p in boards["dr-kube-overview"]["panels"]).lower()
    for word in ("alerts", "restarts", "oom", "throttling", "replicas"):
        assert word in overview
    resources = boards["dr-kube-pod-resources"]
    exprs = " ".join(t["expr"] for p in resources["panels"] for t in p["targets"])
    assert "kube_pod_container_resource_limits" in exprs
    assert "container_memory_working_set_bytes" in exprs
    for board in boards.values():
        ids = [p["id"] for p in board["panels"]]
        assert len(ids) == len(set(ids))
        for panel in board["panels"]:
            assert panel["datasource"]["uid"] in _datasources()


def _notifications() -> dict[str, Any]:
    n = values("argocd")["notifications"]
    assert isinstance(n, dict)
    return n


def _webhook_body(template: str) -> dict[str, Any]:
    body = yaml.safe_load(_notifications()["templates"][template])["webhook"]["dr-kube"]["body"]
    # Stand-ins for the Go template actions, then it must be JSON.
    body = re.sub(r"\{\{[^}]*toJson\s*\}\}", "null", body)
    body = re.sub(r"\{\{[^}]*\}\}", "x", body)
    data = json.loads(body)
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize(
    ("trigger", "template"),
    [
        ("on-sync-succeeded", "app-sync-succeeded"),
        ("on-sync-failed", "app-sync-failed"),
        ("on-health-degraded", "app-health-degraded"),
    ],
)
def test_argocd_notifications(trigger: str, template: str) -> None:
    n = _notifications()
    (rule,) = yaml.safe_load(n["triggers"][f"trigger.{trigger}"])
    assert rule["send"] == [template]
    tpl = yaml.safe_load(n["templates"][f"template.{template}"])
    assert tpl["webhook"]["dr-kube"]["method"] == "POST"
    assert tpl["webhook"]["dr-kube"]["path"] == "/webhooks/argocd"
    assert "slack" in tpl
    body = _webhook_body(f"template.{template}")
    assert {"app", "revision", "syncStatus", "healthStatus"} <= set(body)
    assert any(trigger in s["triggers"] for s in n["subscriptions"])


def test_argocd_notifiers() -> None:
    n = _notifications()
    hook = yaml.safe_load(n["notifiers"]["service.webhook.dr-kube"])
    assert hook["url"] == "http://dr-kube.dr-kube.svc:8080"
    headers = {h["name"]: h["value"] for h in hook["headers"]}
    assert headers["Authorization"] == "Bearer $drkube-token"
    assert "$slack-token" in n["notifiers"]["service.slack"]
    assert n["secret"]["create"] is False, (
        "tokens come from a Secret made by scripts/setup-secrets.sh"
    )
    (sub,) = n["subscriptions"]
    assert "dr-kube" in sub["recipients"]
    assert any(r.startswith("slack:") for r in sub["recipients"])


def test_no_plain_secrets_in_values() -> None:
    pattern = re.compile(
        r"(?i)(password|token|api[_-]?key|secret)\s*:\s*['\"]?[A-Za-z0-9+/_-]{16,}"
    )
    for path in (REPO / "values").glob("*.yaml"):
        assert not pattern.search(path.read_text()), path
