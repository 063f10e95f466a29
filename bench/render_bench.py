"""Render benchmark: Helm renders of the sample chart and of an umbrella chart the size of
kube-prometheus-stack (generated here: 10 sub-charts, ~300 templates, a values.yaml of some
thousands of lines), through the bounded render worker; the render cache; the worker's cost; and
`dr-kube run` on the sample against a bare `import langgraph.graph`.

Goals (issue 12): locate + verify at most 3 plain renders of the same chart; `dr-kube run` on the
sample within twice a bare `import langgraph.graph`. Prints its figures; `make bench` runs it.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _procinfo import memory_mib

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "agent"))
SAMPLE = ROOT / "agent" / "issues" / "sample_oom.json"
CLUSTER = ROOT / "agent" / "issues" / "cluster"
CHARTS = ROOT / "agent" / "issues" / "charts"
SUB_CHARTS = 10
TEMPLATES_PER_SUB = 24
UMBRELLA_TEMPLATES = 50
RUNS = 7

HELPERS = """{{- define "NAME.fullname" -}}
{{- if .Values.fullnameOverride -}}{{ .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else -}}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}{{- end -}}
{{- end -}}
{{- define "NAME.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}
"""
WORKLOAD = """{{- if .Values.componentN.enabled }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "NAME.fullname" . }}-componentN
  labels: {{- include "NAME.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.componentN.replicas }}
  template:
    metadata:
      labels: {{- include "NAME.labels" . | nindent 8 }}
    spec:
      containers:
        - name: componentN
          image: "{{ .Values.componentN.image.repository }}:{{ .Values.componentN.image.tag }}"
          args: {{- toYaml .Values.componentN.args | nindent 12 }}
          resources: {{- toYaml .Values.componentN.resources | nindent 12 }}
          livenessProbe: {{- toYaml .Values.componentN.probes.liveness | nindent 12 }}
{{- end }}
"""
CONFIG = """apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "NAME.fullname" . }}-config-N
  labels: {{- include "NAME.labels" . | nindent 4 }}
data:
{{- range $key, $value := .Values.componentN.settings }}
  {{ $key }}: {{ $value | quote }}
{{- end }}
"""


def component_values(n: int, settings: int = 20) -> str:
    lines = [
        f"component{n}:",
        "  enabled: true",
        "  replicas: 1",
        f"  image:\n    repository: example/component{n}\n    tag: '1.0.{n}'",
        "  args: [--log-level=info, --port=8080]",
        "  resources:\n    limits:\n      memory: 128Mi\n      cpu: 200m\n    requests:\n"
        "      memory: 64Mi\n      cpu: 50m",
        "  probes:\n    liveness:\n      httpGet: {path: /healthz, port: 8080}\n"
        "      timeoutSeconds: 1\n      periodSeconds: 10",
        "  settings:",
    ]
    lines += [f"    key{k}: value-{n}-{k}" for k in range(settings)]
    return "\n".join(lines) + "\n"


def write_templates(root: Path, name: str, count: int) -> str:
    """`count` templates (half workloads, half config maps); the chart's values.yaml text."""
    templates = root / "templates"
    templates.mkdir(parents=True)
    (templates / "_helpers.tpl").write_text(HELPERS.replace("NAME", name))
    values = ""
    for n in range(count // 2):
        body = WORKLOAD.replace("NAME", name).replace("componentN", f"component{n}")
        (templates / f"workload-{n}.yaml").write_text(body)
        config = CONFIG.replace("NAME", name).replace("componentN", f"component{n}")
        (templates / f"config-{n}.yaml").write_text(config.replace("-N\n", f"-{n}\n"))
        values += component_values(n)
    return values


def umbrella_chart(base: Path) -> Path:
    """An umbrella chart in kube-prometheus-stack's shape: vendored sub-charts, some aliased, each
    behind a condition."""
    root = base / "stack"
    dependencies = ""
    parent_values = write_templates(root, "stack", UMBRELLA_TEMPLATES)
    for i in range(SUB_CHARTS):
        name = f"sub{i}"
        sub = root / "charts" / name
        values = write_templates(sub, name, TEMPLATES_PER_SUB)
        (sub / "Chart.yaml").write_text(f"apiVersion: v2\nname: {name}\nversion: 1.{i}.0\n")
        (sub / "values.yaml").write_text(values)
        key = f"alias{i}" if i % 3 == 0 else name
        alias = f"    alias: {key}\n" if key != name else ""
        dependencies += (
            f"  - name: {name}\n    version: 1.{i}.0\n    repository: https://charts.example.com\n"
            f"{alias}    condition: {key}.enabled\n"
        )
        parent_values += f"{key}:\n  enabled: true\n"
    (root / "Chart.yaml").write_text(
        f"apiVersion: v2\nname: stack\nversion: 66.2.1\ndependencies:\n{dependencies}"
    )
    (root / "values.yaml").write_text(parent_values)
    return root


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def timed(call: Any, runs: int = RUNS) -> list[float]:
    times = []
    for i in range(runs):
        start = time.perf_counter()
        call(i)
        times.append(time.perf_counter() - start)
    return times


def worker_peak_mb(renderer: Any) -> float:
    proc = renderer._process._proc if renderer._process is not None else None
    if proc is None:
        return 0.0
    return memory_mib(proc.pid, "VmHWM")


def bench_chart(label: str, chart: Any, values: dict[str, Any]) -> None:
    from dr_kube.gitops.render import Renderer, parse_manifests

    renderer = Renderer()
    start = time.perf_counter()
    renderer.warm_up(wait=True)
    print(f"{label + ': worker start (until ready)':<44} {ms(time.perf_counter() - start)}")
    start = time.perf_counter()
    first = renderer.render(chart, values, release="mon", namespace="monitoring")
    print(
        f"{label + ': first render':<44} {ms(time.perf_counter() - start)}"
        f"   ({len(first.objects)} objects)"
    )

    def fresh(i: int) -> None:  # other values every time: Helm runs
        renderer.render(chart, {**values, "bench": i}, release="mon", namespace="monitoring")

    def cached(i: int) -> None:
        renderer.render(chart, values, release="mon", namespace="monitoring")

    plain = timed(fresh)
    print(
        f"{label + ': plain render (median)':<44} {ms(statistics.median(plain))}"
        "   (worker: load, render, Go YAML parse; IPC)"
    )
    print(f"{label + ': cached render (median)':<44} {ms(statistics.median(timed(cached)))}")
    manifests = in_process(chart.where, values)
    size = sum(len(t) for t in manifests.values())
    inproc = timed(lambda i: in_process(chart.where, values))
    print(
        f"{label + ': Helm alone, in-process, unparsed':<44} {ms(statistics.median(inproc))}"
        f"   ({size / 1024:.0f} KiB of manifests)"
    )
    parse = timed(lambda i: parse_manifests(manifests, chart, "mon", "monitoring"))
    print(
        f"{label + ': parsing them in Python (ruamel, unused)':<44} {ms(statistics.median(parse))}"
    )
    print(f"{label + ': worker peak memory':<44} {worker_peak_mb(renderer):8.1f} MB")
    renderer.close()


def in_process(where: str, values: dict[str, Any]) -> dict[str, str]:
    from helm_python import chart as helm_chart

    with helm_chart.Chart.load(where) as loaded:
        manifests: dict[str, str] = loaded.render(
            values, name="mon", namespace="monitoring", is_install=True
        )
        return manifests


def wall(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(median wall time, median CPU time incl. child processes) over 5 runs. CPU time says more
    than wall time on a machine other work shares."""
    walls, cpus = [], []
    for _ in range(5):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=ROOT, env=env)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def run_vs_langgraph() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "agent")}
    bare, bare_cpu = wall([sys.executable, "-c", "import langgraph.graph"], env)
    run = [
        *(sys.executable, "-c", "from dr_kube.cli.main import main; main()"),
        *("run", str(SAMPLE), "--cluster", str(CLUSTER), "--charts", str(CHARTS), "-o", "json"),
    ]
    whole, whole_cpu = wall(run, env)
    ratio = whole / bare
    verdict = "ok" if ratio <= 2 else "OVER"
    print(f"{'bare `import langgraph.graph`':<44} {ms(bare)}   CPU {ms(bare_cpu)}")
    print(
        f"{'`dr-kube run` on the sample':<44} {ms(whole)}   CPU {ms(whole_cpu)}   "
        f"{ratio:.2f}x wall, {whole_cpu / bare_cpu:.2f}x CPU (goal <= 2x)  {verdict}"
    )


def main() -> None:
    from dr_kube.gitops.chart_archive import chart_from_dir
    from dr_kube.gitops.chart_deps import DependencyBuilder
    from dr_kube.gitops.chart_fetch import ChartFetcher

    print(f"DR-Kube render benchmark — {os.cpu_count()} cores, median of {RUNS}\n")
    work = Path(tempfile.mkdtemp(prefix="dr-kube-render-bench-"))
    try:
        from dr_kube.config.charts import ChartSettings

        settings = ChartSettings(cache=work / "cache", offline=True)
        sample = chart_from_dir(CHARTS / "onlineboutique")
        assert sample is not None
        templates = len(list((CHARTS / "onlineboutique").rglob("templates/*")))
        print(f"sample chart onlineboutique: {templates} templates")
        bench_chart("sample", sample, {})
        print()
        root = umbrella_chart(work)
        chart = chart_from_dir(root)
        assert chart is not None
        start = time.perf_counter()
        chart = DependencyBuilder(ChartFetcher(settings)).build(chart)
        count = len(list(root.rglob("templates/*.yaml")))
        lines = sum(len(p.read_text().splitlines()) for p in root.rglob("values.yaml"))
        print(
            f"umbrella chart: {SUB_CHARTS} sub-charts, {count} templates, {lines} lines of values; "
            f"dependencies + defaults read in {ms(time.perf_counter() - start).strip()}"
        )
        bench_chart("umbrella", chart, {})
        print()
        run_vs_langgraph()
        print(
            "\nlocate + verify (renders per incident): measured by the locate benchmark once "
            "locating by rendering is on main"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
