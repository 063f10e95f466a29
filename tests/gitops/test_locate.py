"""Workload → Argo CD Application → values file → key path, for each key style; chart key checks."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from dr_kube.cluster.evidence import WorkloadEvidence
from dr_kube.errors import NotFoundError
from dr_kube.gitops.apps import load_applications
from dr_kube.gitops.charts import find_chart, takes_effect
from dr_kube.gitops.locate import locate, parse_dotted
from dr_kube.values_model import Chart
from tests.support.paths import REPO_ROOT, SAMPLE_CHARTS

TRACKING = "argocd.argoproj.io/tracking-id"


def workload(
    name: str,
    namespace: str,
    annotations: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
) -> WorkloadEvidence:
    return WorkloadEvidence(
        kind="Deployment",
        name=name,
        namespace=namespace,
        annotations=annotations or {},
        labels=labels or {},
    )


def test_per_service_camel_case_key() -> None:
    where = locate(
        REPO_ROOT,
        workload(
            "cartservice",
            "online-boutique",
            {TRACKING: "online-boutique:apps/Deployment:online-boutique/cartservice"},
        ),
        [SAMPLE_CHARTS],
    )
    assert where.app == "online-boutique"
    assert where.values_file == "values/online-boutique.yaml"
    assert where.base_path == ["cartService"]
    assert where.chart is not None and where.chart.name == "onlineboutique"
    assert any("tracking annotation" in line for line in where.how)


def test_nested_component_after_the_release_name() -> None:
    where = locate(
        REPO_ROOT,
        workload(
            "ingress-nginx-controller",
            "ingress-nginx",
            labels={"app.kubernetes.io/instance": "ingress-nginx"},
        ),
        [SAMPLE_CHARTS],
    )
    assert where.values_file == "values/ingress-nginx.yaml"
    assert where.base_path == ["controller"]
    assert any("label app.kubernetes.io/instance" in line for line in where.how)


def test_single_workload_chart_uses_top_level_keys() -> None:
    where = locate(
        REPO_ROOT,
        workload("grafana", "monitoring", {TRACKING: "grafana:apps/Deployment:monitoring/grafana"}),
        [SAMPLE_CHARTS],
    )
    assert where.values_file == "values/grafana.yaml"
    assert where.base_path == []


def test_annotations_override_file_and_path() -> None:
    where = locate(
        REPO_ROOT,
        workload(
            "frontend",
            "online-boutique",
            {
                "dr-kube.io/values-file": "values/grafana.yaml",
                "dr-kube.io/values-path": "sidecars.proxy",
            },
        ),
        [],
    )
    assert where.values_file == "values/grafana.yaml"
    assert where.base_path == ["sidecars", "proxy"]


def test_destination_namespace_is_the_last_resort() -> None:
    where = locate(REPO_ROOT, workload("emailservice", "online-boutique"), [])
    assert where.app == "online-boutique" and where.base_path == ["emailService"]
    assert where.chart is None


def test_unknown_workload_and_namespace_are_named(tmp_path: Path) -> None:
    with pytest.raises(
        NotFoundError, match=r"no Argo CD Application .* deploys Deployment nowhere/ghost"
    ):
        locate(REPO_ROOT, workload("ghost", "nowhere"), [])
    with pytest.raises(NotFoundError, match="has no block for Deployment ghost"):
        locate(REPO_ROOT, workload("ghost", "online-boutique"), [SAMPLE_CHARTS])


def test_path_source_values_relative_to_the_chart(tmp_path: Path) -> None:
    (tmp_path / "applications").mkdir()
    (tmp_path / "charts" / "shop").mkdir(parents=True)
    (tmp_path / "charts" / "shop" / "Chart.yaml").write_text(
        "apiVersion: v2\nname: shop\nversion: 1.2.3\n"
    )
    (tmp_path / "charts" / "shop" / "values.yaml").write_text(
        "api:\n  replicaCount: 1\n  resources: {}\n"
    )
    (tmp_path / "charts" / "shop" / "values-prod.yaml").write_text("api:\n  replicaCount: 2\n")
    (tmp_path / "applications" / "shop.yaml").write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: shop}\nspec:\n"
        "  source:\n    repoURL: https://example.com/gitops.git\n    path: charts/shop\n"
        "    helm:\n      valueFiles: [values.yaml, values-prod.yaml]\n  destination: {namespace: shop}\n"
    )
    where = locate(
        tmp_path, workload("shop-api", "shop", {TRACKING: "shop:apps/Deployment:shop/shop-api"}), []
    )
    assert where.values_file == "charts/shop/values-prod.yaml"
    assert where.base_path == ["api"]
    assert where.chart is not None and where.chart.version == "1.2.3"


def test_applications_with_several_documents_and_sources() -> None:
    apps = {a.name: a for a in load_applications(REPO_ROOT)}
    boutique = apps["online-boutique"]
    assert boutique.namespace == "online-boutique"
    assert boutique.chart_source is not None and boutique.chart_source.chart == "onlineboutique"
    assert boutique.release_name == "online-boutique"


def test_parse_dotted() -> None:
    assert parse_dotted("master.resources") == ["master", "resources"]
    assert parse_dotted("services[1].resources") == ["services", 1, "resources"]
    assert parse_dotted("") == []


CHART = Chart(
    name="demo",
    version="1.0.0",
    where="test",
    defaults={
        "replicaCount": 1,
        "resources": {},
        "livenessProbe": {"httpGet": {"path": "/"}},
        "image": {"tag": ""},
    },
)


@pytest.mark.parametrize(
    ("path", "effective"),
    [
        (["replicaCount"], True),
        (["resources", "limits", "memory"], True),
        (["resources", "requests", "cpu"], True),
        (["resources", "limits", "gpu"], False),
        (["livenessProbe", "initialDelaySeconds"], True),
        (["livenessProbe", "command"], False),
        (["replicas"], False),
        (["image", "tag"], True),
    ],
)
def test_takes_effect_against_default_values(path: list[str], effective: bool) -> None:
    assert takes_effect(CHART, path)[0] is effective


def test_values_schema_decides_when_present() -> None:
    schema = {
        "type": "object",
        "properties": {
            "replicas": {"type": "integer"},
            "resources": {"$ref": "#/definitions/resources"},
        },
        "definitions": {
            "resources": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"limits": {"type": "object"}},
            }
        },
        "additionalProperties": False,
    }
    chart = CHART.model_copy(update={"schema_": schema})
    assert takes_effect(chart, ["replicas"])[0] is True
    assert takes_effect(chart, ["resources", "limits", "memory"])[0] is True
    ok, why = takes_effect(chart, ["extra"])
    assert ok is False and "values.schema.json" in why
    assert takes_effect(chart, ["resources", "claims"])[0] is False


def test_chart_archives_are_read(tmp_path: Path) -> None:
    archive = tmp_path / "demo-2.0.0.tgz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, text in {
            "demo/Chart.yaml": "apiVersion: v2\nname: demo\nversion: 2.0.0\n",
            "demo/values.yaml": "web:\n  replicaCount: 1\n",
            "demo/values.schema.json": json.dumps({"type": "object"}),
        }.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    from dr_kube.gitops.apps import Application, AppSource

    app = Application(
        name="demo", file="a.yaml", sources=[AppSource(chart="demo", target_revision="2.0.0")]
    )
    chart = find_chart(app, tmp_path, [tmp_path])
    assert chart is not None and chart.version == "2.0.0"
    assert chart.defaults == {"web": {"replicaCount": 1}}
    assert chart.schema_ == {"type": "object"}
