"""Argo CD's render inputs: release, namespace and value layers in Helm's order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dr_kube.errors import InputError, NotFoundError
from dr_kube.gitops.apps import load_applications
from dr_kube.gitops.render_inputs import render_inputs
from dr_kube.values_model import Chart

APPLICATION = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: cache
spec:
  destination:
    namespace: data
  sources:
    - repoURL: https://charts.example.com
      chart: redis
      targetRevision: 18.1.0
      helm:
        releaseName: {release}
        ignoreMissingValueFiles: {ignore}
        valueFiles:
          - $values/values/redis/common.yaml
          - $values/values/redis/prod.yaml
          - $values/values/redis/missing.yaml
{extra}
    - repoURL: https://git.example.com/gitops.git
      ref: values
"""


def write_repo(
    root: Path, *, release: str = "shop-redis", ignore: str = "true", extra: str = ""
) -> Path:
    (root / "applications").mkdir(parents=True)
    (root / "applications" / "cache.yaml").write_text(
        APPLICATION.format(release=release, ignore=ignore, extra=extra)
    )
    (root / "values" / "redis").mkdir(parents=True)
    (root / "values" / "redis" / "common.yaml").write_text(
        "master:\n  resources:\n    limits: {memory: 256Mi, cpu: 500m}\n  persistence: {size: 8Gi}\n"
    )
    (root / "values" / "redis" / "prod.yaml").write_text(
        "master:\n  resources:\n    limits: {memory: 512Mi}\n"
    )
    return root


def inputs_of(root: Path, chart: Chart | None = None) -> Any:
    (app,) = load_applications(root)
    return render_inputs(app, root, chart)


def test_value_files_merge_in_order_and_the_later_wins(tmp_path: Path) -> None:
    inputs = inputs_of(write_repo(tmp_path))
    assert inputs.release == "shop-redis"
    assert inputs.namespace == "data"
    assert inputs.values_files == ["values/redis/common.yaml", "values/redis/prod.yaml"]
    merged = inputs.merged()
    assert merged["master"]["resources"]["limits"] == {"memory": "512Mi", "cpu": "500m"}
    assert merged["master"]["persistence"] == {"size": "8Gi"}


def test_with_file_replaces_only_that_layer(tmp_path: Path) -> None:
    inputs = inputs_of(write_repo(tmp_path))
    patched = inputs.with_file(
        "values/redis/common.yaml", {"master": {"resources": {"limits": {"memory": "1Gi"}}}}
    )
    # prod.yaml still wins for memory: a change to common.yaml would not take effect.
    assert patched.merged()["master"]["resources"]["limits"]["memory"] == "512Mi"
    assert "cpu" not in patched.merged()["master"]["resources"]["limits"]


def test_a_missing_file_is_an_error_unless_ignored(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=r"missing\.yaml not found"):
        inputs_of(write_repo(tmp_path, ignore="false"))


def test_inline_values_then_parameters_win_over_files(tmp_path: Path) -> None:
    extra = (
        "        valuesObject:\n"
        "          master: {resources: {limits: {memory: 768Mi}}, podLabels: {team: cache}}\n"
        "        parameters:\n"
        "          - {name: master.resources.limits.memory, value: 900Mi}\n"
        "          - {name: master.podLabels.build, value: '0123', forceString: true}\n"
        "          - {name: master.args, value: 'a,b'}\n"
    )
    merged = inputs_of(write_repo(tmp_path, extra=extra)).merged()
    assert merged["master"]["resources"]["limits"] == {"memory": "900Mi", "cpu": "500m"}
    assert merged["master"]["podLabels"] == {"team": "cache", "build": "0123"}
    assert merged["master"]["args"] == "a,b"


def test_inline_values_must_be_a_mapping(tmp_path: Path) -> None:
    extra = "        values: |\n          - not a mapping\n"
    with pytest.raises(InputError, match=r"helm\.values must be a mapping"):
        inputs_of(write_repo(tmp_path, extra=extra))


def test_a_remote_charts_plain_value_file_is_read_from_the_chart(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo")
    app_file = root / "applications" / "cache.yaml"
    app_file.write_text(
        app_file.read_text().replace(
            "          - $values/values/redis/missing.yaml", "          - values-production.yaml"
        )
    )
    chart_dir = tmp_path / "chart"
    chart_dir.mkdir()
    (chart_dir / "values-production.yaml").write_text("replica: {replicaCount: 3}\n")
    chart = Chart(name="redis", version="18.1.0", where=str(chart_dir), defaults={})
    inputs = inputs_of(root, chart)
    assert inputs.merged()["replica"] == {"replicaCount": 3}
    assert inputs.layers[-1].file is None  # not a file DR-Kube may patch


def test_a_ref_no_source_has_is_named(tmp_path: Path) -> None:
    root = write_repo(tmp_path)
    app_file = root / "applications" / "cache.yaml"
    app_file.write_text(app_file.read_text().replace("ref: values", "ref: other"))
    with pytest.raises(NotFoundError, match="names ref 'values'"):
        inputs_of(root)


@pytest.mark.parametrize("entry", ["$values/../outside.yaml", "../../outside.yaml"])
def test_a_values_file_outside_the_repository_or_chart_is_refused(
    tmp_path: Path, entry: str
) -> None:
    root = write_repo(tmp_path / "repo")
    (tmp_path / "outside.yaml").write_text("secret: 1\n")
    app_file = root / "applications" / "cache.yaml"
    app_file.write_text(app_file.read_text().replace("$values/values/redis/missing.yaml", entry))
    chart_dir = tmp_path / "repo" / "chart"
    chart_dir.mkdir()
    chart = Chart(name="redis", version="18.1.0", where=str(chart_dir), defaults={})
    with pytest.raises(InputError, match="points outside "):
        inputs_of(root, chart)


def test_notes_name_what_the_render_does_not_know_of_the_cluster(tmp_path: Path) -> None:
    (app,) = load_applications(write_repo(tmp_path))
    unknown = render_inputs(app, tmp_path)
    assert len(unknown.notes) == 2 and "Kubernetes version" in unknown.notes[0]
    known = render_inputs(app, tmp_path, kube_version="v1.31.2")
    assert known.kube_version == "v1.31.2"
    assert [n for n in known.notes if "API groups" in n] == known.notes
