"""Prometheus evidence from a real Prometheus over series backfilled with promtool."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime
from urllib.request import urlopen

import pytest
from click.testing import CliRunner

from dr_kube.cli.main import main
from tests.support.net import free_port
from tests.support.paths import REPO_ROOT, SAMPLE_CHARTS, SAMPLE_CLUSTER, SAMPLES
from tests.support.tools import require_binary

NS = "online-boutique"
CURRENCY = "currencyservice-69d7fb5c48-9bvkx"
CART = "cartservice-5b9c8f6d4-q7m2p"
MIB = 2**20


def series(end: datetime) -> str:
    """40 minutes before `end`: currencyservice near its limit, cartservice throttled 62%."""
    stop = end.timestamp()
    stamps = [stop - 40 * 60 + i * 15 for i in range(40 * 4 + 1)]
    currency = f'namespace="{NS}",pod="{CURRENCY}",container="server"'
    cart = f'namespace="{NS}",pod="{CART}",container="server"'
    lines = ["# TYPE container_memory_working_set_bytes gauge"]
    for i, t in enumerate(stamps):
        used = 80 * MIB + min(i, 120) * (38 * MIB // 120)  # climbs to 118Mi of 128Mi
        lines.append(f"container_memory_working_set_bytes{{{currency}}} {used} {t:.3f}")
        lines.append(f"container_memory_working_set_bytes{{{cart}}} {60 * MIB} {t:.3f}")
    lines.append("# TYPE container_cpu_cfs_periods_total counter")
    lines += [
        f"container_cpu_cfs_periods_total{{{cart}}} {i * 150} {t:.3f}" for i, t in enumerate(stamps)
    ]
    lines.append("# TYPE container_cpu_cfs_throttled_periods_total counter")
    lines += [
        f"container_cpu_cfs_throttled_periods_total{{{cart}}} {i * 93} {t:.3f}"
        for i, t in enumerate(stamps)
    ]
    lines.append("# TYPE container_cpu_usage_seconds_total counter")
    lines += [
        f"container_cpu_usage_seconds_total{{{cart}}} {i * 15 * 0.29:.3f} {t:.3f}"
        for i, t in enumerate(stamps)
    ]
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    promtool = require_binary("promtool")
    server = require_binary("prometheus")
    tmp = tmp_path_factory.mktemp("prometheus")
    starts = [
        json.loads((SAMPLES / name).read_text())["alerts"][0]["startsAt"]
        for name in ("sample_memory_pressure.json", "sample_cpu_throttling.json")
    ]
    end = max(datetime.fromisoformat(s.replace("Z", "+00:00")) for s in starts)
    source = tmp / "series.om"
    source.write_text(series(end))
    subprocess.run(
        [promtool, "tsdb", "create-blocks-from", "openmetrics", str(source), str(tmp / "data")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    (tmp / "prometheus.yml").write_text("global: {scrape_interval: 1m}\n")
    port = free_port()
    log = (tmp / "log").open("wb")
    proc = subprocess.Popen(
        [
            server,
            f"--config.file={tmp / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp / 'data'}",
            "--storage.tsdb.retention.time=100y",  # the samples' alert time is in the past
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urlopen(f"{url}/-/ready", timeout=1) as ready:
                if ready.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("prometheus did not become ready")
    yield url
    proc.terminate()
    proc.wait(10)


def run(sample: str, *extra: str) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(
        main,
        [
            "run",
            str(SAMPLES / sample),
            "--cluster",
            str(SAMPLE_CLUSTER),
            "--charts",
            str(SAMPLE_CHARTS),
            "--gitops-repo",
            str(REPO_ROOT),
            "-o",
            "json",
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output
    doc: dict = json.loads(result.stdout)  # type: ignore[type-arg]
    return doc


@pytest.mark.slow
def test_working_set_near_the_limit_is_quoted_and_raises_confidence(prometheus: str) -> None:
    without = run("sample_memory_pressure.json")
    with_metrics = run("sample_memory_pressure.json", "--prometheus", prometheus)
    evidence = with_metrics["diagnosis"]["evidence"]
    assert any(
        line.startswith("Prometheus: peak working set 118Mi = 92% of the limit")
        for line in evidence
    ), evidence
    assert with_metrics["diagnosis"]["confidence"] > without["diagnosis"]["confidence"]
    assert with_metrics["fix"]["changes"][0]["new"] == "192Mi"


@pytest.mark.slow
def test_throttling_ratio_and_usage_are_quoted(prometheus: str) -> None:
    doc = run("sample_cpu_throttling.json", "--prometheus", prometheus)
    evidence = doc["diagnosis"]["evidence"]
    assert any("62% of CFS periods throttled" in line for line in evidence), evidence
    assert any(line.startswith("Prometheus: CPU usage 290m") for line in evidence), evidence
    assert "(62% of periods)" in doc["diagnosis"]["root_cause"]
    assert doc["fix"]["changes"][0]["new"] == "600m"


def test_an_unreachable_prometheus_does_not_stop_the_diagnosis() -> None:
    doc = run("sample_memory_pressure.json", "--prometheus", f"http://127.0.0.1:{free_port()}")
    assert doc["fix"]["status"] == "proposed"
    assert not any(line.startswith("Prometheus:") for line in doc["diagnosis"]["evidence"])


def test_an_unreachable_prometheus_is_noted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from dr_kube.alerts import load_incidents
    from dr_kube.cluster.collect import collect_evidence
    from dr_kube.cluster.dump import DumpSource
    from dr_kube.cluster.prometheus import query_metrics

    incident = load_incidents(SAMPLES / "sample_memory_pressure.json")[0]
    evidence = collect_evidence(DumpSource(SAMPLE_CLUSTER), incident)
    assert query_metrics(f"http://127.0.0.1:{free_port()}", evidence, incident.starts_at) == []
    assert [n for n in evidence.notes if "unreachable" in n] == [evidence.notes[-1]]
