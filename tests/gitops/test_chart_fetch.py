"""Charts fetched the way Argo CD gets them: a real Helm repository (charts packaged by Helm's own
code, an index.yaml made by Helm) served over HTTP on 127.0.0.1, and a real OCI registry
(Debian's docker-registry) when installed."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import socket
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helm_python import chart as helm_chart
from helm_python import registry

from dr_kube.cli.main import main
from dr_kube.config.charts import ChartSettings
from dr_kube.gitops.apps import Application, AppSource
from dr_kube.gitops.chart_archive import ChartError, read_archive
from dr_kube.gitops.chart_fetch import ChartFetcher, ChartRef, chart_ref
from dr_kube.gitops.charts import locate_chart
from tests.support.helm_repos import Served
from tests.support.net import free_port
from tests.support.paths import REPO_ROOT, SAMPLE_CHARTS, SAMPLE_CLUSTER, SAMPLES

CHART_YAML = """apiVersion: v2
name: {name}
description: A web app with a controller component, in the shape of real charts
type: application
version: {version}
appVersion: "2.4.0"
"""
VALUES_YAML = """controller:
  replicaCount: 1
  image:
    repository: example/web
    tag: "2.4.0"
  resources:
    limits:
      memory: 128Mi
  probes:
    liveness:
      timeoutSeconds: 1
"""
HELPERS = """{{- define "web.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
"""
DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "web.fullname" . }}-controller
spec:
  replicas: {{ .Values.controller.replicaCount }}
  template:
    spec:
      containers:
        - name: controller
          image: "{{ .Values.controller.image.repository }}:{{ .Values.controller.image.tag }}"
          resources: {{- toYaml .Values.controller.resources | nindent 12 }}
          livenessProbe:
            timeoutSeconds: {{ .Values.controller.probes.liveness.timeoutSeconds }}
"""


def package_chart(workdir: Path, out: Path, name: str, version: str) -> Path:
    source = workdir / f"src-{name}-{version}" / name
    (source / "templates").mkdir(parents=True)
    (source / "Chart.yaml").write_text(CHART_YAML.format(name=name, version=version))
    (source / "values.yaml").write_text(VALUES_YAML)
    (source / "templates" / "_helpers.tpl").write_text(HELPERS)
    (source / "templates" / "deployment.yaml").write_text(DEPLOYMENT)
    out.mkdir(parents=True, exist_ok=True)
    return Path(helm_chart.package(source, destination=out))


@pytest.fixture
def helm_repo(tmp_path: Path) -> Iterator[tuple[Served, Path]]:
    folder = tmp_path / "repo"
    for version in ("1.0.0", "1.2.0", "1.2.3", "1.3.0", "2.0.0"):
        package_chart(tmp_path, folder, "web", version)
    served = Served(folder)
    served.index()
    yield served, folder
    served.stop()


def settings(tmp_path: Path, **kw: object) -> ChartSettings:
    return ChartSettings(cache=tmp_path / "cache", timeout=10.0, **kw)


def app_for(repo_url: str, chart: str, revision: str) -> Application:
    source = AppSource(repo_url=repo_url, chart=chart, target_revision=revision)
    return Application(name="web", file="applications/web.yaml", sources=[source])


def test_a_range_picks_the_highest_match_and_a_second_run_needs_no_network(
    tmp_path: Path, helm_repo: tuple[Served, Path]
) -> None:
    served, _ = helm_repo
    app = app_for(served.url, "web", ">=1.0 <2.0")
    chart, why = locate_chart(app, tmp_path, [], settings(tmp_path))
    assert why is None and chart is not None
    assert (chart.name, chart.version, chart.source) == ("web", "1.3.0", served.url)
    assert chart.defaults["controller"]["resources"]["limits"]["memory"] == "128Mi"
    expected = helm_chart.digest(served_archive(helm_repo, "1.3.0")).removeprefix("sha256:")
    assert chart.digest == expected
    # What was cached renders with Helm itself.
    rendered = helm_chart.Chart.load(chart.where).render({}, name="shop", namespace="web")
    assert "name: shop-web-controller" in rendered["web/templates/deployment.yaml"]

    served.stop()
    again, why = locate_chart(app, tmp_path, [], settings(tmp_path))
    assert why is None and again is not None and again.version == "1.3.0"
    pinned = locate_chart(app_for(served.url, "web", "1.3.0"), tmp_path, [], settings(tmp_path))
    assert pinned[0] is not None and pinned[0].digest == expected


def served_archive(helm_repo: tuple[Served, Path], version: str) -> Path:
    return helm_repo[1] / f"web-{version}.tgz"


@pytest.mark.parametrize(
    ("revision", "version"),
    [("1.2.*", "1.2.3"), ("^1.2", "1.3.0"), ("~1.2.0", "1.2.3"), ("1.2.0", "1.2.0"), ("", "2.0.0")],
)
def test_the_version_argo_cd_would_pick(
    tmp_path: Path, helm_repo: tuple[Served, Path], revision: str, version: str
) -> None:
    ref = ChartRef("http", helm_repo[0].url, "web", revision or None)
    assert ChartFetcher(settings(tmp_path)).fetch(ref).version == version


def test_a_digest_mismatch_is_refused_and_nothing_is_cached(
    tmp_path: Path, helm_repo: tuple[Served, Path]
) -> None:
    served, folder = helm_repo
    index = folder / "index.yaml"
    real = helm_chart.digest(served_archive(helm_repo, "2.0.0")).removeprefix("sha256:")
    index.write_text(index.read_text().replace(real, "0" * 64))
    with pytest.raises(ChartError, match="digest mismatch") as caught:
        ChartFetcher(settings(tmp_path)).fetch(ChartRef("http", served.url, "web", "2.0.0"))
    assert "\n" not in str(caught.value)
    assert not list((tmp_path / "cache").rglob("Chart.yaml"))


def test_an_unreachable_repository_leaves_the_chart_not_found_with_a_reason(
    tmp_path: Path,
) -> None:
    app = app_for(f"http://127.0.0.1:{free_port()}/charts", "web", "1.0.0")
    chart, why = locate_chart(app, tmp_path, [], settings(tmp_path))
    assert chart is None
    assert why is not None and "127.0.0.1" in why and "\n" not in why


def test_a_malformed_target_revision_is_a_one_line_reason(tmp_path: Path) -> None:
    app = app_for(f"http://127.0.0.1:{free_port()}", "web", ">=banana")
    chart, why = locate_chart(app, tmp_path, [], settings(tmp_path))
    assert chart is None and why is not None and "not a version constraint" in why


@pytest.mark.parametrize("name", ["../../outside", "/etc", "web/../../x", ""])
def test_a_chart_name_cannot_leave_the_cache(tmp_path: Path, name: str) -> None:
    with pytest.raises(ChartError, match="not a chart name"):
        ChartFetcher(settings(tmp_path)).fetch(
            ChartRef("http", "http://127.0.0.1:9", name, "1.0.0")
        )
    assert not (tmp_path / "outside").exists()


def test_offline_reads_only_seeds_and_the_cache(tmp_path: Path) -> None:
    app = app_for("https://charts.example.invalid", "web", "1.0.0")
    chart, why = locate_chart(app, tmp_path, [], settings(tmp_path, offline=True))
    assert chart is None and why is not None and "DRKUBE_CHART_OFFLINE" in why


def test_a_seed_in_charts_is_looked_up_first(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    package_chart(tmp_path, seeds, "web", "1.2.3")
    # No server at all: the seed answers, for an exact version and for a range.
    for revision in ("1.2.3", "^1.2"):
        app = app_for(f"http://127.0.0.1:{free_port()}", "web", revision)
        chart, why = locate_chart(app, tmp_path, [seeds], settings(tmp_path))
        assert chart is not None and chart.version == "1.2.3" and why is None


def tgz(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


@pytest.mark.parametrize("evil", ["web/../../etc/cron.d/x", "/etc/passwd", "../web/Chart.yaml"])
def test_archive_members_pointing_outside_the_chart_are_refused(evil: str) -> None:
    data = tgz({"web/Chart.yaml": b"name: web\nversion: 1.0.0\n", evil: b"x"})
    with pytest.raises(ChartError, match="outside the chart"):
        read_archive(data, "web.tgz")


def test_a_corrupt_or_oversized_archive_is_a_one_line_error() -> None:
    with pytest.raises(ChartError, match="not a readable chart archive") as caught:
        read_archive(b"\x1f\x8b\x08\x00garbage", "web.tgz")
    assert "\n" not in str(caught.value)
    big = tgz({"web/Chart.yaml": b"name: web\n", "web/big.bin": b"\0" * (5 * 1024 * 1024 + 1)})
    with pytest.raises(ChartError, match="is over"):
        read_archive(big, "web.tgz")


def test_a_poisoned_archive_in_the_repository_is_refused(
    tmp_path: Path, helm_repo: tuple[Served, Path]
) -> None:
    served, folder = helm_repo
    archive = served_archive(helm_repo, "1.0.0")
    honest = helm_chart.digest(archive).removeprefix("sha256:")
    chart_yaml = CHART_YAML.format(name="web", version="1.0.0").encode()
    archive.write_bytes(tgz({"web/Chart.yaml": chart_yaml, "web/../evil": b"x"}))
    # Helm's indexer skips such an archive, so the index is edited to vouch for it.
    poisoned = hashlib.sha256(archive.read_bytes()).hexdigest()
    index = folder / "index.yaml"
    index.write_text(index.read_text().replace(honest, poisoned))
    with pytest.raises(ChartError, match=r"outside the chart|not a readable"):
        ChartFetcher(settings(tmp_path)).fetch(ChartRef("http", served.url, "web", "1.0.0"))
    assert not (tmp_path / "evil").exists()
    assert not list((tmp_path / "cache").rglob("Chart.yaml"))


def test_sources_map_to_the_repository_kinds_argo_cd_accepts() -> None:
    def ref(url: str) -> ChartRef | None:
        return chart_ref(AppSource(repo_url=url, chart="web", target_revision="1.0.0"))

    assert ref("https://charts.example.com/stable/") == ChartRef(
        "http", "https://charts.example.com/stable", "web", "1.0.0"
    )
    assert ref("oci://ghcr.io/example/charts") == ChartRef(
        "oci", "oci://ghcr.io/example/charts", "web", "1.0.0"
    )
    oci = ref("us-docker.pkg.dev/online-boutique-ci/charts")
    assert (
        oci is not None and oci.oci_ref == "oci://us-docker.pkg.dev/online-boutique-ci/charts/web"
    )
    assert ref("git@github.com:example/gitops.git") is None or ref("ssh://git@x/y") is None


@pytest.mark.slow
def test_oci_push_then_fetch_over_plain_http(tmp_path: Path, oci_registry: str) -> None:
    out = tmp_path / "pkg"
    for version in ("0.9.0", "1.1.0", "1.4.2"):
        archive = package_chart(tmp_path, out, "web", version)
        with registry.RegistryClient(plain_http=True) as client:
            client.push(archive, f"oci://{oci_registry}/charts")
    plain = settings(tmp_path, plain_http=frozenset({oci_registry}))
    # Without a scheme, as Argo CD allows for OCI Helm sources; a range resolves from the tags.
    app = app_for(f"{oci_registry}/charts", "web", "^1.1")
    chart, why = locate_chart(app, tmp_path, [], plain)
    assert why is None and chart is not None and chart.version == "1.4.2"
    assert chart.digest == helm_chart.digest(out / "web-1.4.2.tgz").removeprefix("sha256:")
    pinned = ChartFetcher(plain).fetch(
        ChartRef("oci", f"oci://{oci_registry}/charts", "web", "0.9.0")
    )
    assert pinned.version == "0.9.0"
    shutil.rmtree(tmp_path / "registry-data")  # the cache answers without the registry's content
    again, _ = locate_chart(
        app_for(f"oci://{oci_registry}/charts", "web", "0.9.0"), tmp_path, [], plain
    )
    assert again is not None and again.version == "0.9.0"


def boutique_repo(tmp_path: Path, repo_url: str) -> Path:
    """A GitOps repository whose online-boutique Application points at `repo_url`."""
    gitops = tmp_path / "gitops"
    for folder in ("applications", "values"):
        shutil.copytree(REPO_ROOT / folder, gitops / folder)
    app = gitops / "applications" / "online-boutique.yaml"
    app.write_text(app.read_text().replace("us-docker.pkg.dev/online-boutique-ci/charts", repo_url))
    return gitops


def run_oom(gitops: Path, cache: Path) -> dict[str, Any]:
    result = CliRunner().invoke(
        main,
        [
            *("run", str(SAMPLES / "sample_oom.json"), "--cluster", str(SAMPLE_CLUSTER)),
            *("--gitops-repo", str(gitops), "-o", "json"),
        ],
        env={"DRKUBE_CHART_OFFLINE": "0", "DRKUBE_CHART_CACHE": str(cache)},
    )
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def test_dr_kube_run_fetches_the_applications_chart_without_charts_dir(tmp_path: Path) -> None:
    folder = tmp_path / "repo"
    folder.mkdir()
    helm_chart.package(SAMPLE_CHARTS / "onlineboutique", destination=folder)
    served = Served(folder)
    try:
        registry.repo_index_generate(folder, base_url=served.url)
        doc = run_oom(boutique_repo(tmp_path, served.url), tmp_path / "cache")
    finally:
        served.stop()
    assert doc["fix"]["status"] == "proposed"
    assert doc["fix"]["validation"]["verified"] is True, doc["fix"]["validation"]


def test_dr_kube_run_with_an_unreachable_repository_marks_the_change_unverified(
    tmp_path: Path,
) -> None:
    gitops = boutique_repo(tmp_path, f"http://127.0.0.1:{free_port()}/charts")
    doc = run_oom(gitops, tmp_path / "cache")
    validation = doc["fix"]["validation"]
    assert doc["fix"]["status"] == "proposed" and validation["verified"] is False
    (warning,) = [w for w in validation["warnings"] if "unverified" in w]
    assert "127.0.0.1" in warning and "\n" not in warning


def test_a_repository_that_never_answers_is_a_timeout(tmp_path: Path) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        started = time.monotonic()
        with pytest.raises(ChartError, match="no answer within 1s"):
            ChartFetcher(ChartSettings(cache=tmp_path / "cache", timeout=1.0)).fetch(
                ChartRef("http", url, "web", "1.0.0")
            )
        assert time.monotonic() - started < 5


def test_a_chart_over_the_unpacked_size_limit_is_refused() -> None:
    block = b"\0" * (5 * 1024 * 1024)  # each member at Helm's limit; together over 100 MiB
    members = {"web/Chart.yaml": b"name: web\nversion: 1.0.0\n"}
    members |= {f"web/files/part-{i}.bin": block for i in range(21)}
    with pytest.raises(ChartError, match="chart is over") as caught:
        read_archive(tgz(members), "web.tgz")
    assert "\n" not in str(caught.value)
