"""Rendering with Helm's own engine: objects by kind/namespace/name, cached per inputs."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from dr_kube.config.charts import ChartSettings
from dr_kube.gitops.chart_archive import chart_from_dir
from dr_kube.gitops.render import Renderer, RenderError
from dr_kube.values_model import Chart, RenderInputs, ValueLayer

STATEFULSET = """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ .Release.Name }}-demo-master
spec:
  template:
    spec:
      containers:
        - name: demo
          image: demo:1
          resources: {{- toYaml .Values.master.resources | nindent 12 }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {{ .Release.Name }}-reader
"""


def write_chart(root: Path, template: str = STATEFULSET) -> Chart:
    (root / "templates").mkdir(parents=True)
    (root / "Chart.yaml").write_text("apiVersion: v2\nname: demo\nversion: 1.0.0\n")
    (root / "values.yaml").write_text("master:\n  resources: {}\n")
    (root / "templates" / "master.yaml").write_text(template)
    chart = chart_from_dir(root)
    assert chart is not None
    return chart


def test_objects_carry_the_release_name_and_destination_namespace(tmp_path: Path) -> None:
    chart = write_chart(tmp_path / "demo")
    rendered = Renderer().render(
        chart,
        {"master": {"resources": {"limits": {"memory": "1Gi"}}}},
        release="rel",
        namespace="db",
    )
    master = rendered.get("StatefulSet", "db", "rel-demo-master")
    assert master is not None
    container = master.body["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"] == {"limits": {"memory": "1Gi"}}
    assert rendered.get("ClusterRole", "", "rel-reader") is not None


def test_the_same_inputs_render_once(tmp_path: Path) -> None:
    chart = write_chart(tmp_path / "demo")
    renderer = Renderer()
    first = renderer.render(chart, {"a": 1}, release="rel", namespace="db")
    again = renderer.render(chart, {"a": 1}, release="rel", namespace="db")
    renderer.render(chart, {"a": 2}, release="rel", namespace="db")
    assert again is first
    assert renderer.renders == 2


def test_a_failing_template_is_a_one_line_error(tmp_path: Path) -> None:
    chart = write_chart(
        tmp_path / "demo", '{{ required "master.name is required" .Values.master.name }}'
    )
    with pytest.raises(RenderError) as caught:
        Renderer().render(chart, {}, release="rel", namespace="db")
    assert "master.name is required" in str(caught.value)
    assert "\n" not in str(caught.value)


def bounded(timeout: float = 20.0, memory: int = 256) -> Renderer:
    return Renderer(settings=ChartSettings(render_timeout=timeout, render_memory=memory))


def test_a_recursive_include_is_one_short_line(tmp_path: Path) -> None:
    chart = write_chart(
        tmp_path / "demo",
        '{{- define "loop" -}}{{ include "loop" . }}{{- end -}}\n{{ include "loop" . }}',
    )
    renderer = bounded(memory=1024)
    with pytest.raises(RenderError, match="nested") as caught:
        renderer.render(chart, {}, release="rel", namespace="db")
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 400
    renderer.close()


def test_a_render_that_eats_memory_is_stopped_and_the_next_one_works(tmp_path: Path) -> None:
    chart = write_chart(
        tmp_path / "demo", "{{ range until 100000000 }}xxxxxxxxxxxxxxxx{{ end }}\n" + STATEFULSET
    )
    renderer = bounded(memory=128)
    started = time.monotonic()
    with pytest.raises(RenderError, match="ran out of memory") as caught:
        renderer.render(chart, {}, release="rel", namespace="db")
    assert "\n" not in str(caught.value)
    assert time.monotonic() - started < 15
    good = write_chart(tmp_path / "good")
    assert renderer.render(good, {}, release="rel", namespace="db").get(
        "StatefulSet", "db", "rel-demo-master"
    )
    renderer.close()


def test_a_render_that_does_not_finish_is_stopped_at_the_timeout(tmp_path: Path) -> None:
    chart = write_chart(
        tmp_path / "demo", "{{ range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}\n"
    )
    renderer = bounded(timeout=1.0)
    started = time.monotonic()
    with pytest.raises(RenderError, match="did not finish within 1s") as caught:
        renderer.render(chart, {}, release="rel", namespace="db")
    assert "\n" not in str(caught.value)
    assert time.monotonic() - started < 5
    renderer.close()


def test_two_value_files_render_with_the_later_one_winning(tmp_path: Path) -> None:
    chart = write_chart(tmp_path / "demo")
    inputs = RenderInputs(
        release="shop",
        namespace="db",
        layers=[
            ValueLayer(
                origin="values/common.yaml",
                file="values/common.yaml",
                values={"master": {"resources": {"limits": {"memory": "256Mi", "cpu": "1"}}}},
            ),
            ValueLayer(
                origin="values/prod.yaml",
                file="values/prod.yaml",
                values={"master": {"resources": {"limits": {"memory": "512Mi"}}}},
            ),
        ],
    )
    renderer = Renderer()
    rendered = renderer.render(
        chart, inputs.merged(), release=inputs.release, namespace=inputs.namespace
    )
    master = rendered.get("StatefulSet", "db", "shop-demo-master")
    assert master is not None
    limits = master.body["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]
    assert limits == {"memory": "512Mi", "cpu": "1"}
    renderer.close()


CAPABILITIES = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: caps
data:
  kube: {{ .Capabilities.KubeVersion.Version | quote }}
  {{- if .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" }}
  operator: "yes"
  {{- end }}
"""


def test_the_clusters_kubernetes_version_and_api_groups_reach_capabilities(
    tmp_path: Path,
) -> None:
    chart = write_chart(tmp_path / "demo", CAPABILITIES)
    renderer = Renderer()
    plain = renderer.render(chart, {}, release="rel", namespace="db").get("ConfigMap", "db", "caps")
    assert plain is not None and plain.body["data"] == {"kube": "v1.36.0"}  # Helm's defaults
    cluster = renderer.render(
        chart,
        {},
        release="rel",
        namespace="db",
        kube_version="v1.29.4",
        api_versions=["monitoring.coreos.com/v1"],
    ).get("ConfigMap", "db", "caps")
    assert cluster is not None
    assert cluster.body["data"] == {"kube": "v1.29.4", "operator": "yes"}
    inputs = RenderInputs(
        release="rel",
        namespace="db",
        kube_version="v1.29.4",
        api_versions=["monitoring.coreos.com/v1"],
    )
    assert renderer.render_for(chart, inputs).get("ConfigMap", "db", "caps") is cluster
    renderer.close()


def test_a_template_that_renders_invalid_yaml_is_a_one_line_error(tmp_path: Path) -> None:
    chart = write_chart(tmp_path / "demo", STATEFULSET + "---\nkind: ConfigMap\n  bad: [indent\n")
    renderer = Renderer()
    with pytest.raises(RenderError, match="renders invalid YAML") as caught:
        renderer.render(chart, {}, release="rel", namespace="db")
    assert "\n" not in str(caught.value) and "master.yaml" in str(caught.value)
    renderer.close()


def test_the_render_worker_inherits_no_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_secret_value")
    monkeypatch.setenv("DRKUBE_HELM_PASSWORD", "hunter2")
    renderer = Renderer()
    renderer.warm_up()
    process = renderer._process
    assert process is not None and process._proc is not None
    environ = Path(f"/proc/{process._proc.pid}/environ").read_bytes()
    assert b"ghp_secret_value" not in environ and b"hunter2" not in environ
    assert renderer.render(write_chart(tmp_path / "demo"), {}, release="r", namespace="n").objects
    renderer.close()


def test_warm_up_starts_the_worker_once_for_every_later_render(tmp_path: Path) -> None:
    renderer = Renderer()
    renderer.warm_up()  # returns at once; the first render waits for the worker to be ready
    renderer.warm_up(wait=True)
    chart = write_chart(tmp_path / "demo")
    for memory in ("1Gi", "2Gi"):
        values = {"master": {"resources": {"limits": {"memory": memory}}}}
        renderer.render(chart, values, release="r", namespace="n")
    assert renderer._process is not None and renderer._process.starts == 1
    renderer.close()
