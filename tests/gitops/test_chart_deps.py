"""Chart dependencies as Helm resolves them: vendored sub-charts (folders and archives), aliases
and conditions applied by Helm's engine, Chart.lock and version ranges fetched from a real Helm
repository (and an OCI registry) into the cache, never into the GitOps repository."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helm_python import chart as helm_chart
from helm_python import registry

from dr_kube.config.charts import ChartSettings
from dr_kube.gitops.apps import Application, AppSource
from dr_kube.gitops.chart_archive import chart_from_dir
from dr_kube.gitops.chart_deps import DependencyBuilder, coalesce
from dr_kube.gitops.chart_fetch import ChartFetcher
from dr_kube.gitops.charts import locate_chart
from dr_kube.gitops.render import Renderer
from dr_kube.values_model import Chart
from tests.support.helm_repos import Served, package, write_chart
from tests.support.net import free_port
from tests.support.repos import git, init_gitops_repo

# A sub-chart in the shape of grafana's and kube-state-metrics': a release-prefixed fullname,
# resources handed to Kubernetes whole.
SUB_HELPERS = """{{- define "sub.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
"""
SUB_DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "sub.fullname" . }}
spec:
  replicas: {{ .Values.replicas }}
  template:
    spec:
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          resources: {{- toYaml .Values.resources | nindent 12 }}
"""
UMBRELLA_CONFIG = """apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-stack
data:
  retention: {{ .Values.prometheus.retention | quote }}
"""


def sub_chart(folder: Path, name: str, version: str = "1.0.0", memory: str = "64Mi") -> Path:
    return write_chart(
        folder,
        {
            "Chart.yaml": f"apiVersion: v2\nname: {name}\nversion: {version}\n",
            "values.yaml": (
                f"replicas: 1\nimage:\n  repository: example/{name}\n  tag: '1'\n"
                f"resources:\n  limits:\n    memory: {memory}\n"
            ),
            "templates/_helpers.tpl": SUB_HELPERS.replace("sub.", f"{name}."),
            "templates/deployment.yaml": SUB_DEPLOYMENT.replace("sub.", f"{name}."),
        },
    )


def umbrella(folder: Path, dependencies: str, values: str = "") -> Path:
    return write_chart(
        folder,
        {
            "Chart.yaml": f"apiVersion: v2\nname: stack\nversion: 66.2.1\ndependencies:\n{dependencies}",
            "values.yaml": f"prometheus:\n  retention: 10d\n{values}",
            "templates/configmap.yaml": UMBRELLA_CONFIG,
        },
    )


VENDORED = """  - name: grafana
    version: 8.5.12
    repository: https://grafana.github.io/helm-charts
    condition: grafana.enabled
  - name: metrics
    version: 5.x
    repository: https://prometheus-community.github.io/helm-charts
    alias: kubeStateMetrics
    condition: kubeStateMetrics.enabled
  - name: metrics
    version: 5.x
    repository: https://prometheus-community.github.io/helm-charts
    alias: nodeMetrics
    condition: nodeMetrics.enabled
"""


def settings(tmp_path: Path, **kw: Any) -> ChartSettings:
    return ChartSettings(cache=tmp_path / "cache", timeout=10.0, **kw)


@pytest.fixture
def renderer() -> Iterator[Renderer]:
    rendered = Renderer()
    yield rendered
    rendered.close()


def deployments(renderer: Renderer, chart: Chart, values: dict[str, Any]) -> dict[str, Any]:
    rendered = renderer.render(chart, values, release="mon", namespace="monitoring")
    return {k.name: o.body for k, o in rendered.objects.items() if k.kind == "Deployment"}


def memory_of(body: dict[str, Any]) -> str:
    return str(body["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"])


def vendored_umbrella(tmp_path: Path) -> Chart:
    root = umbrella(
        tmp_path / "stack",
        VENDORED,
        "grafana:\n  enabled: true\nkubeStateMetrics:\n  enabled: true\n  resources:\n"
        "    limits:\n      memory: 200Mi\nnodeMetrics:\n  enabled: false\n",
    )
    sub_chart(root / "charts" / "grafana", "grafana", "8.5.12", "128Mi")
    # The other sub-chart vendored as an archive, as `helm dependency build` leaves it.
    package(sub_chart(tmp_path / "src" / "metrics", "metrics", "5.27.0"), root / "charts")
    chart = chart_from_dir(root)
    assert chart is not None
    return DependencyBuilder(ChartFetcher(settings(tmp_path, offline=True))).build(chart)


def test_helm_applies_aliases_and_conditions_of_vendored_sub_charts(
    tmp_path: Path, renderer: Renderer
) -> None:
    chart = vendored_umbrella(tmp_path)
    assert chart.where == str(tmp_path / "stack")  # nothing to fetch: rendered in place
    found = deployments(renderer, chart, {})
    # kubeStateMetrics is the archive under its alias; nodeMetrics (same chart) is switched off.
    assert set(found) == {"mon-grafana", "mon-kubeStateMetrics"}
    assert memory_of(found["mon-kubeStateMetrics"]) == "200Mi"
    both = deployments(
        renderer,
        chart,
        {"nodeMetrics": {"enabled": True}, "grafana": {"resources": {"limits": {"memory": "1Gi"}}}},
    )
    assert set(both) == {"mon-grafana", "mon-kubeStateMetrics", "mon-nodeMetrics"}
    assert memory_of(both["mon-grafana"]) == "1Gi"
    assert set(deployments(renderer, chart, {"grafana": {"enabled": False}})) == {
        "mon-kubeStateMetrics"
    }


def test_sub_chart_defaults_are_keys_of_the_chart_under_their_alias(tmp_path: Path) -> None:
    defaults = vendored_umbrella(tmp_path).defaults
    assert defaults["grafana"]["resources"]["limits"]["memory"] == "128Mi"
    assert defaults["grafana"]["enabled"] is True
    # The umbrella's own values win over the sub-chart's defaults, as Helm coalesces them.
    assert defaults["kubeStateMetrics"]["resources"]["limits"]["memory"] == "200Mi"
    assert defaults["kubeStateMetrics"]["image"]["repository"] == "example/metrics"
    assert defaults["nodeMetrics"]["resources"]["limits"]["memory"] == "64Mi"
    assert "metrics" not in defaults


def test_coalesce_lets_the_parent_win_and_null_delete() -> None:
    sub = {"resources": {"limits": {"memory": "64Mi", "cpu": "1"}}, "replicas": 1}
    parent = {"resources": {"limits": {"cpu": None}}, "replicas": 3}
    assert coalesce(sub, parent) == {"resources": {"limits": {"memory": "64Mi"}}, "replicas": 3}


LOCKED = """  - name: grafana
    version: ^8.5.0
    repository: {url}
    condition: grafana.enabled
  - name: metrics
    version: ">=5.0.0 <6.0.0"
    repository: {url}
    alias: kubeStateMetrics
"""


@pytest.fixture
def sub_repo(tmp_path: Path) -> Iterator[Served]:
    """A Helm repository holding the sub-charts, in several versions."""
    folder = tmp_path / "helm-repo"
    for name, version in (("grafana", "8.5.0"), ("grafana", "8.5.12"), ("grafana", "9.0.0")):
        package(sub_chart(tmp_path / "src" / f"{name}-{version}" / name, name, version), folder)
    for version in ("5.26.0", "5.27.0", "6.0.0"):
        package(
            sub_chart(tmp_path / "src" / f"m-{version}" / "metrics", "metrics", version), folder
        )
    served = Served(folder)
    served.index()
    yield served
    served.stop()


def gitops_with_umbrella(tmp_path: Path, url: str, *, lock: bool) -> Path:
    """A GitOps repository (a git work tree) whose Application deploys an umbrella chart from a
    path; Chart.lock written by Helm's own `dependency update`, charts/ not committed."""
    repo = init_gitops_repo(tmp_path / "gitops")
    chart_dir = umbrella(repo / "charts" / "stack", LOCKED.format(url=url))
    if lock:
        scratch = tmp_path / "scratch-stack"
        shutil.copytree(chart_dir, scratch)
        registry.dependency_update(scratch)
        shutil.copy(scratch / "Chart.lock", chart_dir / "Chart.lock")
    (repo / "applications").mkdir(exist_ok=True)
    (repo / "applications" / "stack.yaml").write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: mon\nspec:\n"
        "  destination:\n    namespace: monitoring\n  source:\n"
        "    repoURL: https://git.example.com/gitops.git\n    path: charts/stack\n"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "umbrella")
    return repo


def stack_app() -> Application:
    source = AppSource(repo_url="https://git.example.com/gitops.git", path="charts/stack")
    return Application(name="mon", file="applications/stack.yaml", sources=[source])


def test_chart_lock_dependencies_are_fetched_into_the_cache_not_the_repository(
    tmp_path: Path, sub_repo: Served, renderer: Renderer
) -> None:
    repo = gitops_with_umbrella(tmp_path, sub_repo.url, lock=True)
    lock = (repo / "charts" / "stack" / "Chart.lock").read_text()
    assert "8.5.12" in lock and "5.27.0" in lock  # Helm's own pick, pinned
    chart, why = locate_chart(stack_app(), repo, [], settings(tmp_path))
    assert why is None and chart is not None
    assert Path(chart.where).is_relative_to(tmp_path / "cache")
    assert not (repo / "charts" / "stack" / "charts").exists()
    assert git(repo, "status", "--porcelain") == ""
    found = deployments(renderer, chart, {})
    assert set(found) == {"mon-grafana", "mon-kubeStateMetrics"}
    assert chart.defaults["kubeStateMetrics"]["resources"]["limits"]["memory"] == "64Mi"
    # The lock pins 8.5.12 though the repository now has a newer 8.5.x.
    package(
        sub_chart(tmp_path / "src" / "g-8.5.99" / "grafana", "grafana", "8.5.99"), sub_repo.folder
    )
    sub_repo.index()
    sub_repo.stop()  # and a second run needs no network
    again, why = locate_chart(stack_app(), repo, [], settings(tmp_path, offline=True))
    assert why is None and again is not None and again.where == chart.where
    grafana = next(Path(again.where, "charts").glob("grafana-*"))
    assert grafana.name == "grafana-8.5.12"


def test_without_a_lock_the_ranges_pick_the_highest_match(tmp_path: Path, sub_repo: Served) -> None:
    repo = gitops_with_umbrella(tmp_path, sub_repo.url, lock=False)
    chart, why = locate_chart(stack_app(), repo, [], settings(tmp_path))
    assert why is None and chart is not None
    names = sorted(p.name for p in Path(chart.where, "charts").iterdir())
    assert names == ["grafana-8.5.12", "metrics-5.27.0"]


def test_a_dependency_that_cannot_be_had_is_a_one_line_reason(tmp_path: Path) -> None:
    repo = gitops_with_umbrella(tmp_path, f"http://127.0.0.1:{free_port()}/charts", lock=False)
    chart, why = locate_chart(stack_app(), repo, [], settings(tmp_path))
    assert chart is None and why is not None
    assert "dependency grafana" in why and "127.0.0.1" in why and "\n" not in why
    offline, why = locate_chart(stack_app(), repo, [], settings(tmp_path, offline=True))
    assert offline is None and why is not None and "DRKUBE_CHART_OFFLINE" in why
    assert not list((tmp_path / "cache").rglob("Chart.yaml"))


def test_a_dependency_with_a_wrong_digest_is_refused(tmp_path: Path, sub_repo: Served) -> None:
    archive = sub_repo.folder / "grafana-8.5.12.tgz"
    honest = helm_chart.digest(archive).removeprefix("sha256:")
    index = sub_repo.folder / "index.yaml"
    index.write_text(index.read_text().replace(honest, hashlib.sha256(b"other").hexdigest()))
    repo = gitops_with_umbrella(tmp_path, sub_repo.url, lock=False)
    chart, why = locate_chart(stack_app(), repo, [], settings(tmp_path))
    assert chart is None and why is not None and "digest mismatch" in why
    assert not list((tmp_path / "cache").rglob("grafana/Chart.yaml"))


def test_a_lock_out_of_sync_with_chart_yaml_is_named(tmp_path: Path, sub_repo: Served) -> None:
    repo = gitops_with_umbrella(tmp_path, sub_repo.url, lock=True)
    chart_yaml = repo / "charts" / "stack" / "Chart.yaml"
    chart_yaml.write_text(chart_yaml.read_text().replace("name: grafana", "name: loki"))
    chart, why = locate_chart(stack_app(), repo, [], settings(tmp_path))
    assert chart is None and why is not None and "dependency loki is not in Chart.lock" in why


@pytest.mark.parametrize(
    ("repository", "message"),
    [
        ("file://../../../../etc", "points outside the chart's folder"),
        ("@prometheus-community", "local Helm name"),
        ("", "no repository"),
    ],
)
def test_dependencies_that_cannot_be_resolved_say_why(
    tmp_path: Path, repository: str, message: str
) -> None:
    root = umbrella(
        tmp_path / "repo" / "charts" / "stack",
        f"  - name: grafana\n    version: 8.5.12\n    repository: '{repository}'\n",
    )
    chart = chart_from_dir(root)
    assert chart is not None
    with pytest.raises(Exception, match=message) as caught:
        DependencyBuilder(ChartFetcher(settings(tmp_path))).build(chart)
    assert "\n" not in str(caught.value)


def test_a_file_dependency_next_to_the_chart_is_assembled(
    tmp_path: Path, renderer: Renderer
) -> None:
    base = tmp_path / "repo" / "charts"
    sub_chart(base / "common-web", "grafana", "8.5.12", "96Mi")
    root = umbrella(
        base / "stack",
        "  - name: grafana\n    version: 8.5.12\n    repository: file://../common-web\n",
    )
    chart = chart_from_dir(root)
    assert chart is not None
    built = DependencyBuilder(ChartFetcher(settings(tmp_path, offline=True))).build(chart)
    assert not (root / "charts").exists()
    assert memory_of(deployments(renderer, built, {})["mon-grafana"]) == "96Mi"


@pytest.mark.slow
def test_a_dependency_from_an_oci_registry(
    tmp_path: Path, oci_registry: str, renderer: Renderer
) -> None:
    archive = package(sub_chart(tmp_path / "src" / "grafana", "grafana", "8.5.12"), tmp_path / "p")
    with registry.RegistryClient(plain_http=True) as client:
        client.push(archive, f"oci://{oci_registry}/charts")
    root = umbrella(
        tmp_path / "stack",
        f"  - name: grafana\n    version: 8.5.x\n    repository: oci://{oci_registry}/charts\n",
    )
    chart = chart_from_dir(root)
    assert chart is not None
    plain = settings(tmp_path, plain_http=frozenset({oci_registry}))
    built = DependencyBuilder(ChartFetcher(plain)).build(chart)
    assert set(deployments(renderer, built, {})) == {"mon-grafana"}


def test_a_corrupt_vendored_archive_is_a_one_line_reason(tmp_path: Path) -> None:
    repo = init_gitops_repo(tmp_path / "gitops")
    root = umbrella(
        repo / "charts" / "stack",
        "  - name: grafana\n    version: 8.5.12\n    repository: https://grafana.github.io/helm-charts\n",
    )
    (root / "charts").mkdir()
    (root / "charts" / "grafana-8.5.12.tgz").write_bytes(b"\x1f\x8b\x08\x00not a tarball")
    chart, why = locate_chart(stack_app(), repo, [], settings(tmp_path, offline=True))
    assert chart is None and why is not None
    assert "not a readable chart archive" in why and "\n" not in why


def test_an_umbrella_from_a_helm_repository_renders_with_the_sub_charts_it_packs(
    tmp_path: Path, sub_repo: Served, renderer: Renderer
) -> None:
    # Helm packages a chart only with its dependencies in charts/ (`helm dependency update` first).
    source = umbrella(tmp_path / "src" / "stack", LOCKED.format(url=sub_repo.url))
    registry.dependency_update(source)
    package(source, sub_repo.folder)
    sub_repo.index()
    app = Application(
        name="mon",
        file="applications/stack.yaml",
        sources=[AppSource(repo_url=sub_repo.url, chart="stack", target_revision="66.x")],
    )
    chart, why = locate_chart(app, tmp_path, [], settings(tmp_path))
    assert why is None and chart is not None
    assert chart.version == "66.2.1" and chart.digest  # the umbrella's own archive digest
    assert not (tmp_path / "cache" / "built").exists()  # nothing to fetch: the archive has them
    assert set(deployments(renderer, chart, {})) == {"mon-grafana", "mon-kubeStateMetrics"}
    assert chart.defaults["grafana"]["resources"]["limits"]["memory"] == "64Mi"
