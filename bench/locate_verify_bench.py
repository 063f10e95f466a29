"""Locate + verify by rendering, against one plain render of the same chart.

Two charts: the sample onlineboutique chart (12 Deployments), and an umbrella generated in a temp
folder the size of kube-prometheus-stack (about 250 templates over the umbrella and three aliased
sub-charts, a `Prometheus` custom resource). For each: one plain render (a fresh renderer, no cache),
then the whole locate (probe) + verify (before/after) of an OOM fix, with the number of Helm renders
it took. Goal: locate + verify costs at most 3 plain renders.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "agent"))
sys.path.insert(0, str(ROOT))

from dr_kube.cluster.evidence import ContainerEvidence  # noqa: E402
from dr_kube.diagnose.findings import FixIntent  # noqa: E402
from dr_kube.gitops import probe, render, verify  # noqa: E402
from dr_kube.gitops.chart_archive import chart_from_dir  # noqa: E402
from tests.support.rendering import app_repo, locate_in, plan_and_check, workload  # noqa: E402

ROUNDS = 5
SUBCHART = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{{{ .Release.Name }}}}-{name}-{i}
spec:
  replicas: {{{{ .Values.replicas }}}}
  template:
    spec:
      containers:
        - name: c{i}
          image: "{{{{ .Values.image.repository }}}}:{{{{ .Values.image.tag }}}}"
          resources: {{{{- toYaml .Values.resources | nindent 12 }}}}
"""


def umbrella(root: Path) -> Path:
    """An umbrella in kube-prometheus-stack's shape and size, written for this benchmark."""
    shutil.copytree(ROOT / "tests/support/data/charts/stack", root / "stack")
    chart = root / "stack"
    deps = ["grafana-lite"]
    for sub, count in (("kube-state-metrics", 40), ("node-exporter", 40)):
        folder = chart / "charts" / sub
        (folder / "templates").mkdir(parents=True)
        (folder / "Chart.yaml").write_text(f"apiVersion: v2\nname: {sub}\nversion: 1.0.0\n")
        (folder / "values.yaml").write_text(
            "replicas: 1\nimage: {repository: example/x, tag: '1'}\nresources: {}\n"
        )
        for i in range(count):
            (folder / "templates" / f"d{i}.yaml").write_text(SUBCHART.format(name=sub, i=i))
        deps.append(sub)
    for i in range(165):  # the umbrella's own rules, monitors and dashboards
        (chart / "templates" / f"rule-{i}.yaml").write_text(
            f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{{{ .Release.Name }}}}-rule-{i}\n"
            f"data:\n  retention: {{{{ .Values.prometheus.prometheusSpec.retention | quote }}}}\n"
        )
    meta = (chart / "Chart.yaml").read_text()
    for sub in deps[1:]:
        meta += f"  - name: {sub}\n    version: 1.0.0\n    alias: {sub.replace('-', '')}\n"
    (chart / "Chart.yaml").write_text(meta)
    return chart


def plain_render(chart_dir: Path, release: str, namespace: str) -> float:
    chart = chart_from_dir(chart_dir)
    assert chart is not None
    times = []
    for _ in range(ROUNDS):
        renderer = render.Renderer()
        renderer.warm_up(wait=True)  # the worker starts once per process, not per render
        started = time.perf_counter()
        renderer.render(chart, {}, release=release, namespace=namespace)
        times.append(time.perf_counter() - started)
        renderer.close()
    return statistics.median(times)


def locate_verify(tmp: Path, case: str) -> tuple[float, int]:
    times, renders = [], 0
    for round_ in range(ROUNDS):
        # No cache from the previous round: renders, probes and diffs.
        render.RENDERER._renders.clear()
        render.RENDERER.renders = 0
        probe._PROBED.clear()
        verify._DIFFS.clear()
        repo = tmp / f"{case}-{round_}"
        started = time.perf_counter()
        if case == "sample":
            app_repo(
                repo,
                chart="onlineboutique",
                version="0.10.2",
                files={"shop.yaml": "frontend:\n  resources:\n    limits:\n      memory: 128Mi\n"},
                release="online-boutique",
                namespace="online-boutique",
                app="online-boutique",
            )
            live = workload(
                "Deployment",
                "frontend",
                [ContainerEvidence(name="server", limits={"memory": "128Mi"})],
                app="online-boutique",
                namespace="online-boutique",
            )
            where = locate_in(repo, live, chart_dirs=[ROOT / "agent/issues/charts"])
            container = "server"
        else:
            app_repo(
                repo,
                chart="stack",
                version="66.2.1",
                files={"stack.yaml": "prometheus:\n  prometheusSpec:\n    retention: 7d\n"},
                release="stack",
                namespace="monitoring",
            )
            live = workload(
                "StatefulSet",
                "prometheus-stack-prometheus",
                [ContainerEvidence(name="prometheus", limits={"memory": "2Gi"})],
                namespace="monitoring",
            )
            where = locate_in(repo, live, chart_dirs=[tmp / "umbrella"])
            container = "prometheus"
        checked = plan_and_check(
            repo, where, live, FixIntent(kind="raise-memory-limit", container=container)
        )
        assert checked.ok and checked.rendered is not None, checked.issues
        times.append(time.perf_counter() - started)
        renders = render.RENDERER.renders
    return statistics.median(times), renders


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="drkube-bench-"))
    try:
        big = umbrella(tmp / "umbrella")
        templates = len(list(big.rglob("templates/*.yaml")))
        for case, chart_dir, release, namespace in (
            ("sample", ROOT / "agent/issues/charts/onlineboutique", "online-boutique", "shop"),
            (f"umbrella ({templates} templates)", big, "stack", "monitoring"),
        ):
            plain = plain_render(chart_dir, release, namespace)
            whole, renders = locate_verify(tmp, "sample" if case == "sample" else "umbrella")
            print(
                f"locate+verify {case}: plain render {plain * 1000:.0f} ms; "
                f"locate + verify {whole * 1000:.0f} ms = {whole / plain:.1f} plain renders "
                f"({renders} Helm renders)"
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
